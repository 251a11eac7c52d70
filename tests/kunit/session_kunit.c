// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for session teardown, quotas and counters: closing a session
 * frees and revokes everything it owns, quotas refuse with EFBIG/EDQUOT and
 * leave nothing charged, and every refusal is counted in its class.
 */

#include "core_kunit.h"

static void ob_expect_device_empty(struct kunit *test, struct ownbuf_kunit_dev *kd)
{
	struct ownbuf_counters *c = &kd->dev.counters;

	KUNIT_EXPECT_EQ(test, atomic64_read(&c->buffers), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&c->bytes), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&c->tickets), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&c->borrows), 0);
}

/*
 * Closing the owner drops its buffers, revokes the borrows other sessions
 * hold (they answer ESTALE, a lifetime violation), and frees its tickets:
 * moves with their buffers, loans ended.
 */
static void ownbuf_session_destroy_revokes_everything(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *owner = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *other = ownbuf_kunit_session(test, kd);
	u64 h1 = ownbuf_kunit_create(test, owner, 4096);
	u64 h2 = ownbuf_kunit_create(test, owner, 100);
	u64 h3 = ownbuf_kunit_create(test, owner, 10);
	struct ownbuf_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	u64 lend, move, b1, b2, out;
	u8 mem[8];

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h1, OWNBUF_MODE_SHARED, 0, &lend));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(other, lend, 0, &b1));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h2, OWNBUF_MODE_MUT, 0, &lend));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(owner, h3, 0, &move));
	b2 = ownbuf_kunit_borrow(test, other, b1, OWNBUF_MODE_SHARED);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(other, b2, false, 0, 8, mem));

	ownbuf_kunit_close(test, owner);

	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(other, b1, false, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(other, b2, false, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, 2, ownbuf_kunit_violations(other, OWNBUF_VIOLATION_LIFETIME));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_accept(other, lend, 0, &out));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(other, move, 0, &out));
	ob_expect_device_empty(test, kd);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.sessions), 1);
	/* Stats see revoked borrows gone, from the borrower's side too. */
	ownbuf_stats(other, st);
	KUNIT_EXPECT_EQ(test, st->out_device.borrows, 0ULL);
	KUNIT_EXPECT_EQ(test, st->out_session.borrows, 0ULL);
	KUNIT_EXPECT_EQ(test, st->out_device.buffers, 0ULL);
	KUNIT_EXPECT_EQ(test, other->live, 0U);
	/* Their handles stay stale: a release is still a lifetime violation. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(other, b1, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(other, b2, false, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, 4, ownbuf_kunit_violations(other, OWNBUF_VIOLATION_LIFETIME));
}

/*
 * A loan made through a borrow (not by the owner) dies with the owner too:
 * the owner's close makes it ENOENT, and its maker's cancel says so.
 */
static void ownbuf_session_destroy_kills_loans_of_borrows(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *owner = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *mid = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *last = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, owner, 64);
	u64 t, b, t2, out;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(mid, t, 0, &b));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(mid, b, OWNBUF_MODE_SHARED, 0, &t2));
	ownbuf_kunit_close(test, owner);
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_accept(last, t2, 0, &out));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_cancel(mid, t2, 0, &out));
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.tickets), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
}

/*
 * Revoked borrows hold no place in the holder's handle quota: the drop that
 * revoked them freed their slots.
 */
static void ownbuf_revoked_borrows_hold_no_place(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *owner = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *other = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, owner, 64);
	u64 t, b, b2, mine;

	kd->limits.session_max_handles = 2;
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(other, t, 0, &b));
	b2 = ownbuf_kunit_borrow(test, other, b, OWNBUF_MODE_SHARED);
	KUNIT_ASSERT_EQ(test, -EDQUOT, ownbuf_create(other, 8, 0, &mine));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(owner, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_create(other, 8, 0, &mine));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(other, b2, 0));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(other, OWNBUF_VIOLATION_LIFETIME));
}

/* Closing a borrower gives its borrows back: the owner may write again. */
static void ownbuf_session_destroy_releases_borrows(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *owner = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *other = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, owner, 64);
	u8 mem[8] = { 0 };
	u64 t, b;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h, OWNBUF_MODE_MUT, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(other, t, 0, &b));
	KUNIT_ASSERT_EQ(test, -EBUSY, ownbuf_kunit_rw(owner, h, true, 0, 8, mem));
	ownbuf_kunit_close(test, other);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_kunit_rw(owner, h, true, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(owner, h, 0));
	ob_expect_device_empty(test, kd);
}

/* Closing a session with a loan it made of a borrowed buffer ends the loan. */
static void ownbuf_session_destroy_ends_loans_of_borrows(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *owner = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *mid = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, owner, 64);
	struct ownbuf_query q;
	u64 t, b, t2;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(mid, t, 0, &b));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(mid, b, OWNBUF_MODE_SHARED, 0, &t2));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(owner, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_shared, 2U);
	ownbuf_kunit_close(test, mid);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(owner, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_shared, 0U);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(owner, h, 0));
}

struct ob_quota_case {
	const char *name;
	size_t limit_offset;
	u64 limit;
	u64 size;
	int n_ok;	/* creates that succeed before the refusal */
	int expect;
};

#define OB_LIMIT(field) offsetof(struct ownbuf_limits, field)

/* Each limit refuses the first create past it, with the contract's errno. */
static const struct ob_quota_case ob_quota_cases[] = {
	{ "max_buffer_size", OB_LIMIT(max_buffer_size), 4096, 4097, 0, -EFBIG },
	{ "max_buffer_size_exact", OB_LIMIT(max_buffer_size), 4096, 4096, 3, -EDQUOT },
	{ "session_max_buffers", OB_LIMIT(session_max_buffers), 3, 16, 3, -EDQUOT },
	{ "session_max_bytes", OB_LIMIT(session_max_bytes), 10000, 4096, 2, -EDQUOT },
	{ "session_max_handles", OB_LIMIT(session_max_handles), 2, 16, 2, -EDQUOT },
	{ "device_max_bytes", OB_LIMIT(device_max_bytes), 8192, 4096, 2, -EDQUOT },
};

static void ob_quota_desc(const struct ob_quota_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ob_quota, ob_quota_cases, ob_quota_desc);

static void ownbuf_create_over_quota(struct kunit *test)
{
	const struct ob_quota_case *c = test->param_value;
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h;
	int i;

	*(u64 *)((char *)&kd->limits + c->limit_offset) = c->limit;
	if (c->limit_offset == OB_LIMIT(max_buffer_size))
		kd->limits.session_max_buffers = c->n_ok;
	for (i = 0; i < c->n_ok; i++)
		ownbuf_kunit_create(test, s, c->size);
	KUNIT_EXPECT_EQ(test, c->expect, ownbuf_create(s, c->size, 0, &h));
	/* A refused create leaves nothing charged. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&s->counters.buffers), c->n_ok);
	KUNIT_EXPECT_EQ(test, atomic64_read(&s->counters.bytes), c->n_ok * c->size);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.bytes), c->n_ok * c->size);
	KUNIT_EXPECT_EQ(test, s->live, (u32)c->n_ok);
}

/* Untaken tickets are limited per session; a taken one frees its place. */
static void ownbuf_lend_over_ticket_quota(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 16);
	struct ownbuf_query q;
	u64 t1, t2, t3, b;

	kd->limits.session_max_tickets = 2;
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t1));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t2));
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t3));
	/* The refused loan did not count as a borrow. */
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_shared, 2U);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(s, t1, 0, &b));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t3));
}

/* take charges the taker: over its quota, EDQUOT and the ticket stays. */
static void ownbuf_take_over_quota_keeps_ticket(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 4096);
	u64 t, out;

	ownbuf_kunit_create(test, b, 4096);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	kd->limits.session_max_bytes = 6000;
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_take(b, t, 0, &out));
	kd->limits.session_max_bytes = 16 << 20;
	KUNIT_EXPECT_EQ(test, 0, ownbuf_take(b, t, 0, &out));
	KUNIT_EXPECT_EQ(test, atomic64_read(&b->counters.buffers), 2);
}

/* Request errors come first: EINVAL before anything else applies. */
static void ownbuf_create_invalid_request(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 16), out;

	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_create(s, 0, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_create(s, 1ULL << 40, 1, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_drop(s, h, 2));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_borrow(s, h, 3, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_borrow(s, h, 0, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 1, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_freeze(s, h, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_give(s, h, 1, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_clone(s, h, 1, &out));
	/* Unknown flags win over a stale handle, and over one never given. */
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_drop(s, h, 2));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(s, h, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_drop(s, h ^ (1ULL << 60), 2));
	KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_drop(s, h ^ (1ULL << 60), 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_borrow(s, h ^ (1ULL << 60), 7, 0, &out));
	/* EBUSY before the resource errors: borrowed and over quota at once. */
	h = ownbuf_kunit_create(test, s, 16);
	ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	kd->limits.session_max_handles = s->live;
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_borrow(s, h, OWNBUF_MODE_MUT, 0, &out));
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_borrow(s, h, OWNBUF_MODE_SHARED, 0, &out));
}

/* Each class of violation is counted once per refusal, in both counters. */
static void ownbuf_count_violation_classes(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 16);
	u64 m = ownbuf_kunit_create(test, s, 16);
	struct ownbuf_query q;
	u8 mem[32];
	u64 t, out;
	int v;

	/* use after free */
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(s, h, false, 0, 1, mem));
	/* double free */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(s, h, 0));
	/* data race */
	ownbuf_kunit_borrow(test, s, m, OWNBUF_MODE_SHARED);
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_borrow(s, m, OWNBUF_MODE_MUT, 0, &out));
	/* NULL dereference */
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_query(s, 0, &q));
	/* buffer overflow */
	KUNIT_EXPECT_EQ(test, -ERANGE, ownbuf_kunit_rw(s, m, false, 8, 9, mem));
	/* use after move: m has a borrow, so move a fresh buffer */
	h = ownbuf_kunit_create(test, s, 16);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(s, h, 0, &t));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(s, h, &q));
	/* lifetime: dropping while borrowed */
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_drop(s, m, 0));

	for (v = 0; v < OWNBUF_VIOLATION_NR; v++) {
		KUNIT_EXPECT_EQ_MSG(test, 1, ownbuf_kunit_violations(s, v), "class %d", v);
		KUNIT_EXPECT_EQ_MSG(test, 1, atomic64_read(&kd->dev.counters.violations[v]),
				    "class %d", v);
	}
}

static struct kunit_case ownbuf_session_cases[] = {
	KUNIT_CASE(ownbuf_session_destroy_revokes_everything),
	KUNIT_CASE(ownbuf_session_destroy_releases_borrows),
	KUNIT_CASE(ownbuf_session_destroy_ends_loans_of_borrows),
	KUNIT_CASE(ownbuf_session_destroy_kills_loans_of_borrows),
	KUNIT_CASE(ownbuf_revoked_borrows_hold_no_place),
	{}
};

static struct kunit_suite ownbuf_session_suite = {
	.name = "ownbuf_session",
	.test_cases = ownbuf_session_cases,
};

static struct kunit_case ownbuf_quota_cases[] = {
	KUNIT_CASE_PARAM(ownbuf_create_over_quota, ob_quota_gen_params),
	KUNIT_CASE(ownbuf_lend_over_ticket_quota),
	KUNIT_CASE(ownbuf_take_over_quota_keeps_ticket),
	KUNIT_CASE(ownbuf_create_invalid_request),
	{}
};

static struct kunit_suite ownbuf_quota_suite = {
	.name = "ownbuf_quota",
	.test_cases = ownbuf_quota_cases,
};

static struct kunit_case ownbuf_counter_cases[] = {
	KUNIT_CASE(ownbuf_count_violation_classes),
	{}
};

static struct kunit_suite ownbuf_counter_suite = {
	.name = "ownbuf_counters",
	.test_cases = ownbuf_counter_cases,
};

kunit_test_suites(&ownbuf_session_suite, &ownbuf_quota_suite, &ownbuf_counter_suite);
