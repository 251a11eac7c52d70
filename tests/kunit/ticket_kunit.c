// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for tickets: moves and loans between sessions, who may
 * cancel, tickets of the wrong kind, and loans of buffers that are gone.
 */

#include "core_kunit.h"

/* give kills the handle at once; take yields the same buffer, data intact. */
static void ownbuf_give_take_moves_buffer(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	struct ownbuf_query qa, qb;
	u8 in[16] = "moved, not lost", out[16];
	u64 t, hb;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(a, h, true, 0, 16, in));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(a, h, &qa));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_EXPECT_NE(test, t, 0);
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(a, h, false, 0, 16, out));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(a, OWNBUF_VIOLATION_USE_AFTER_MOVE));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(a, h, 0));
	KUNIT_EXPECT_EQ(test, 2, ownbuf_kunit_violations(a, OWNBUF_VIOLATION_USE_AFTER_MOVE));
	/* In flight: charged to the device, to neither session. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&a->counters.buffers), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a->counters.tickets), 1);

	KUNIT_ASSERT_EQ(test, 0, ownbuf_take(b, t, 0, &hb));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(b, hb, false, 0, 16, out));
	KUNIT_EXPECT_EQ(test, 0, memcmp(in, out, 16));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(b, hb, &qb));
	KUNIT_EXPECT_EQ(test, qa.out_id, qb.out_id);
	KUNIT_EXPECT_EQ(test, atomic64_read(&b->counters.buffers), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a->counters.tickets), 0);
	/* Single use. */
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(b, t, 0, &hb));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(a, t, 0, &hb));
}

/* A session may take its own ticket; a frozen buffer stays frozen. */
static void ownbuf_take_own_ticket_keeps_frozen(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	struct ownbuf_query q;
	u64 t, h2;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_freeze(a, h, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_take(a, t, 0, &h2));
	KUNIT_EXPECT_NE(test, h, h2);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(a, h2, &q));
	KUNIT_EXPECT_EQ(test, q.out_frozen, 1U);
}

/* A ticket of the wrong kind is EINVAL and stays valid for the right call. */
static void ownbuf_ticket_wrong_kind_stays_valid(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h1 = ownbuf_kunit_create(test, a, 16);
	u64 h2 = ownbuf_kunit_create(test, a, 16);
	u64 move, lend, out;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h1, 0, &move));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(a, h2, OWNBUF_MODE_SHARED, 0, &lend));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_take(b, lend, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_accept(b, move, 0, &out));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_take(b, move, 0, &out));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_accept(b, lend, 0, &out));
}

/* Only the maker cancels; a move comes back as a new owner handle. */
static void ownbuf_cancel_maker_only(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	struct ownbuf_query q;
	u64 t, back = 0;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_cancel(b, t, 0, &back));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_cancel(a, t, 0, &back));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_query(a, back, &q));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(a, h, &q));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_cancel(a, t, 0, &back));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(b, t, 0, &back));
}

/* A loan counts as a borrow from lend on, and ends with cancel. */
static void ownbuf_lend_counts_until_cancel(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	u8 mem[4] = { 0 };
	u64 t, out = 1;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(a, h, OWNBUF_MODE_MUT, 0, &t));
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_kunit_rw(a, h, false, 0, 4, mem));
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_freeze(a, h, 0));
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_give(a, h, 0, &out));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_cancel(a, t, 0, &out));
	KUNIT_EXPECT_EQ(test, out, 0);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_kunit_rw(a, h, true, 0, 4, mem));
}

/* Accepting turns the loan into a borrow handle with the loan's rights. */
static void ownbuf_accept_gives_borrow(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	u8 in[4] = { 1, 2, 3, 4 }, out[4];
	struct ownbuf_query q;
	u64 t, bh;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(a, h, OWNBUF_MODE_MUT, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(b, t, 0, &bh));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(b, bh, true, 0, 4, in));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(b, bh, &q));
	KUNIT_EXPECT_EQ(test, q.out_mut, 1U);
	KUNIT_EXPECT_EQ(test, q.out_mode, (u32)OWNBUF_MODE_MUT);
	KUNIT_EXPECT_EQ(test, atomic64_read(&b->counters.borrows), 1);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_release(b, bh, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(a, h, false, 0, 4, out));
	KUNIT_EXPECT_EQ(test, 0, memcmp(in, out, 4));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_accept(b, t, 0, &bh));
}

/* A loan of a buffer dropped with REVOKE is no longer live: ENOENT. */
static void ownbuf_accept_dead_loan_enoent(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	u64 t, out;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(a, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, -EBUSY, ownbuf_drop(a, h, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(a, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_accept(b, t, 0, &out));
	/* Dead whatever the call: take says ENOENT, not EINVAL. */
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(b, t, 0, &out));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_cancel(a, t, 0, &out));
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.tickets), 0);
}

/* A move ticket whose giver closes dies with it, and so does its buffer. */
static void ownbuf_take_after_giver_closed_enoent(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 4096);
	u64 t, out;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	ownbuf_kunit_close(test, a);
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(b, t, 0, &out));
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.bytes), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.tickets), 0);
}

/*
 * A call that resolved an owner handle and was then overtaken by a give
 * (another thread of the session) and a take must not go on acting through
 * it: the recheck after its wait refuses, as a use after move.
 */
static void ownbuf_ref_recheck_after_give_estale(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	u64 b1 = ownbuf_kunit_borrow(test, a, h, OWNBUF_MODE_SHARED);
	struct ownbuf_ref ref, bref;
	u64 t, hb;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_resolve(a, h, &ref));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_resolve(a, b1, &bref));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_ref_recheck(a, h, &ref));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_release(a, b1, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_take(b, t, 0, &hb));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_ref_recheck(a, h, &ref));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(a, OWNBUF_VIOLATION_USE_AFTER_MOVE));
	/* A released borrow is as dead to the recheck. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_ref_recheck(a, b1, &bref));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(a, OWNBUF_VIOLATION_USE_AFTER_FREE));
	ownbuf_buffer_unpin(bref.buf);
	ownbuf_buffer_unpin(ref.buf);
}

/* Ticket 0 is a NULL dereference: EINVAL, counted. */
static void ownbuf_ticket_zero_einval(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	u64 out;

	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_take(a, 0, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_accept(a, 0, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_cancel(a, 0, 0, &out));
	KUNIT_EXPECT_EQ(test, 3, ownbuf_kunit_violations(a, OWNBUF_VIOLATION_NULL_DEREF));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_take(a, 12345, 0, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_take(a, 12345, 1, &out));
}

static struct kunit_case ownbuf_ticket_cases[] = {
	KUNIT_CASE(ownbuf_give_take_moves_buffer),
	KUNIT_CASE(ownbuf_take_own_ticket_keeps_frozen),
	KUNIT_CASE(ownbuf_ticket_wrong_kind_stays_valid),
	KUNIT_CASE(ownbuf_cancel_maker_only),
	KUNIT_CASE(ownbuf_lend_counts_until_cancel),
	KUNIT_CASE(ownbuf_accept_gives_borrow),
	KUNIT_CASE(ownbuf_accept_dead_loan_enoent),
	KUNIT_CASE(ownbuf_take_after_giver_closed_enoent),
	KUNIT_CASE(ownbuf_ticket_zero_einval),
	KUNIT_CASE(ownbuf_ref_recheck_after_give_estale),
	{}
};

static struct kunit_suite ownbuf_ticket_suite = {
	.name = "ownbuf_ticket",
	.test_cases = ownbuf_ticket_cases,
};

kunit_test_suite(ownbuf_ticket_suite);
