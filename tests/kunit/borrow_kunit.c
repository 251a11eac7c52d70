// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the borrow state machine: every operation through an
 * owner handle in every state a buffer can be in, against the contract's
 * table; then through shared and mutable borrow handles; then ranges and
 * the order in which errors win.
 */

#include "core_kunit.h"

enum ob_state {
	ST_PLAIN, ST_SHARED, ST_MUT, ST_FROZEN, ST_FROZEN_SHARED,
	ST_LENT_SHARED, ST_LENT_MUT, ST_MAPPED_RO, ST_MAPPED_RW, ST_DROPPED,
	ST_MOVED, ST_NR
};

static const char * const ob_state_names[ST_NR] = {
	"plain", "shared", "mut", "frozen", "frozen_shared",
	"lent_shared", "lent_mut", "mapped_ro", "mapped_rw", "dropped", "moved",
};

enum ob_op {
	OP_READ, OP_WRITE, OP_BORROW_SHARED, OP_BORROW_MUT, OP_LEND_SHARED,
	OP_LEND_MUT, OP_FREEZE, OP_GIVE, OP_DROP, OP_DROP_REVOKE, OP_QUERY,
	OP_CLONE, OP_RELEASE, OP_MAP_RO, OP_MAP_RW, OP_NR
};

static const char * const ob_op_names[OP_NR] = {
	"read", "write", "borrow_shared", "borrow_mut", "lend_shared",
	"lend_mut", "freeze", "give", "drop", "drop_revoke", "query",
	"clone", "release", "map_ro", "map_rw",
};

#define B EBUSY
#define A EACCES
#define S ESTALE
#define I EINVAL
/*
 * What an operation through the owner handle answers in each state (as a
 * positive errno, 0 for success): Documentation/ownbuf.rst's operations and precise rules.
 * Columns: plain shared mut frozen frozen+shared lent_shared lent_mut
 * mapped_ro mapped_rw dropped moved. A mapping through the owner handle is a
 * borrow of its own: read-only is shared, writable is mutable (the map_*
 * ops are MAP, then a mapping of the whole buffer at its offset).
 */
static const int ob_expect[OP_NR][ST_NR] = {
	[OP_READ] =		{ 0, 0, B, 0, 0, 0, B, 0, B, S, S },
	[OP_WRITE] =		{ 0, B, B, A, A, B, B, B, B, S, S },
	[OP_BORROW_SHARED] =	{ 0, 0, B, 0, 0, 0, B, 0, B, S, S },
	[OP_BORROW_MUT] =	{ 0, B, B, A, A, B, B, B, B, S, S },
	[OP_LEND_SHARED] =	{ 0, 0, B, 0, 0, 0, B, 0, B, S, S },
	[OP_LEND_MUT] =		{ 0, B, B, A, A, B, B, B, B, S, S },
	[OP_FREEZE] =		{ 0, 0, B, 0, 0, 0, B, 0, B, S, S },
	[OP_GIVE] =		{ 0, B, B, 0, B, B, B, B, B, S, S },
	[OP_DROP] =		{ 0, B, B, 0, B, B, B, B, B, S, S },
	[OP_DROP_REVOKE] =	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, S, S },
	[OP_QUERY] =		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, S, S },
	[OP_CLONE] =		{ 0, 0, B, 0, 0, 0, B, 0, B, S, S },
	[OP_RELEASE] =		{ I, I, I, I, I, I, I, I, I, S, S },
	[OP_MAP_RO] =		{ 0, 0, B, 0, 0, 0, B, 0, B, S, S },
	[OP_MAP_RW] =		{ 0, B, B, A, A, B, B, B, B, S, S },
};

#undef B
#undef A
#undef S
#undef I

struct ob_case {
	enum ob_op op;
	enum ob_state st;
};

static struct ob_case ob_cases[OP_NR * ST_NR];

static const void *ob_gen_params(const void *prev, char *desc)
{
	const struct ob_case *c = prev ? (const struct ob_case *)prev + 1 : ob_cases;
	int i;

	if (!prev)
		for (i = 0; i < OP_NR * ST_NR; i++)
			ob_cases[i] = (struct ob_case){ i / ST_NR, i % ST_NR };
	if (c >= ob_cases + ARRAY_SIZE(ob_cases))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_when_%s",
		 ob_op_names[c->op], ob_state_names[c->st]);
	return c;
}

/* Put a fresh buffer owned through @h into state @st. */
static void ob_enter(struct kunit *test, struct ownbuf_session *s, u64 h,
		     enum ob_state st)
{
	u64 t;

	switch (st) {
	case ST_SHARED:
		ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
		break;
	case ST_MUT:
		ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_MUT);
		break;
	case ST_FROZEN:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_freeze(s, h, 0));
		break;
	case ST_FROZEN_SHARED:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_freeze(s, h, 0));
		ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
		break;
	case ST_LENT_SHARED:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t));
		break;
	case ST_LENT_MUT:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_MUT, 0, &t));
		break;
	case ST_MAPPED_RO:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, h, 0, false, NULL));
		break;
	case ST_MAPPED_RW:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, h, 0, true, NULL));
		break;
	case ST_DROPPED:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));
		break;
	case ST_MOVED:
		KUNIT_ASSERT_EQ(test, 0, ownbuf_give(s, h, 0, &t));
		break;
	default:
		break;
	}
}

static int ob_do(struct kunit *test, struct ownbuf_session *s, u64 h, enum ob_op op)
{
	u8 mem[16] = { 1, 2, 3 };
	struct ownbuf_query q;
	u64 out;

	switch (op) {
	case OP_READ:
		return ownbuf_kunit_rw(s, h, false, 0, sizeof(mem), mem);
	case OP_WRITE:
		return ownbuf_kunit_rw(s, h, true, 0, sizeof(mem), mem);
	case OP_BORROW_SHARED:
		return ownbuf_borrow(s, h, OWNBUF_MODE_SHARED, 0, &out);
	case OP_BORROW_MUT:
		return ownbuf_borrow(s, h, OWNBUF_MODE_MUT, 0, &out);
	case OP_LEND_SHARED:
		return ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &out);
	case OP_LEND_MUT:
		return ownbuf_lend(s, h, OWNBUF_MODE_MUT, 0, &out);
	case OP_FREEZE:
		return ownbuf_freeze(s, h, 0);
	case OP_GIVE:
		return ownbuf_give(s, h, 0, &out);
	case OP_DROP:
		return ownbuf_drop(s, h, 0);
	case OP_DROP_REVOKE:
		return ownbuf_drop(s, h, OWNBUF_DROP_REVOKE);
	case OP_QUERY:
		return ownbuf_query(s, h, &q);
	case OP_CLONE:
		return ownbuf_clone(s, h, 0, &out);
	case OP_RELEASE:
		return ownbuf_release(s, h, 0);
	case OP_MAP_RO:
		return ownbuf_kunit_map(test, s, h, 0, false, NULL);
	case OP_MAP_RW:
		return ownbuf_kunit_map(test, s, h, 0, true, NULL);
	default:
		return -ENOTTY;
	}
}

/* Every op x every state through the owner handle, as the contract says. */
static void ownbuf_owner_op_by_state(struct kunit *test)
{
	const struct ob_case *c = test->param_value;
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);

	ob_enter(test, s, h, c->st);
	KUNIT_EXPECT_EQ(test, -ob_expect[c->op][c->st], ob_do(test, s, h, c->op));
}

struct ob_borrow_case {
	const char *name;
	u32 mode;
	enum ob_op op;
	int expect;
};

/* The same ops through a borrow handle: rights, not kinds, decide. */
static const struct ob_borrow_case ob_borrow_cases[] = {
	{ "shared_read", OWNBUF_MODE_SHARED, OP_READ, 0 },
	{ "shared_write", OWNBUF_MODE_SHARED, OP_WRITE, -EACCES },
	{ "shared_reborrow_shared", OWNBUF_MODE_SHARED, OP_BORROW_SHARED, 0 },
	{ "shared_reborrow_mut", OWNBUF_MODE_SHARED, OP_BORROW_MUT, -EBUSY },
	{ "shared_lend_shared", OWNBUF_MODE_SHARED, OP_LEND_SHARED, 0 },
	{ "shared_clone", OWNBUF_MODE_SHARED, OP_CLONE, 0 },
	{ "shared_query", OWNBUF_MODE_SHARED, OP_QUERY, 0 },
	{ "shared_drop", OWNBUF_MODE_SHARED, OP_DROP, -EINVAL },
	{ "shared_give", OWNBUF_MODE_SHARED, OP_GIVE, -EINVAL },
	{ "shared_freeze", OWNBUF_MODE_SHARED, OP_FREEZE, -EINVAL },
	{ "shared_release", OWNBUF_MODE_SHARED, OP_RELEASE, 0 },
	{ "mut_read", OWNBUF_MODE_MUT, OP_READ, 0 },
	{ "mut_write", OWNBUF_MODE_MUT, OP_WRITE, 0 },
	{ "mut_reborrow_shared", OWNBUF_MODE_MUT, OP_BORROW_SHARED, -EBUSY },
	{ "mut_reborrow_mut", OWNBUF_MODE_MUT, OP_BORROW_MUT, -EBUSY },
	{ "mut_lend_mut", OWNBUF_MODE_MUT, OP_LEND_MUT, -EBUSY },
	{ "mut_clone", OWNBUF_MODE_MUT, OP_CLONE, 0 },
	{ "mut_drop", OWNBUF_MODE_MUT, OP_DROP, -EINVAL },
	{ "mut_freeze", OWNBUF_MODE_MUT, OP_FREEZE, -EINVAL },
	{ "mut_release", OWNBUF_MODE_MUT, OP_RELEASE, 0 },
	/* A mapping through a borrow handle has the borrow's rights. */
	{ "shared_map_ro", OWNBUF_MODE_SHARED, OP_MAP_RO, 0 },
	{ "shared_map_rw", OWNBUF_MODE_SHARED, OP_MAP_RW, -EACCES },
	{ "mut_map_ro", OWNBUF_MODE_MUT, OP_MAP_RO, 0 },
	{ "mut_map_rw", OWNBUF_MODE_MUT, OP_MAP_RW, 0 },
};

static void ob_borrow_desc(const struct ob_borrow_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ob_borrow, ob_borrow_cases, ob_borrow_desc);

static void ownbuf_borrow_handle_op(struct kunit *test)
{
	const struct ob_borrow_case *c = test->param_value;
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 b = ownbuf_kunit_borrow(test, s, h, c->mode);

	KUNIT_EXPECT_EQ(test, c->expect, ob_do(test, s, b, c->op));
}

/* A reborrow stands on its own: it outlives the borrow it was made from. */
static void ownbuf_borrow_reborrow_survives_parent(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 parent = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	u64 child = ownbuf_kunit_borrow(test, s, parent, OWNBUF_MODE_SHARED);
	struct ownbuf_query q;
	u8 mem[4];

	KUNIT_ASSERT_EQ(test, 0, ownbuf_release(s, parent, 0));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_kunit_rw(s, child, false, 0, 4, mem));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_shared, 1U);
	/* Still a borrow: the owner cannot write until it is released. */
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_kunit_rw(s, h, true, 0, 4, mem));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_release(s, child, 0));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_kunit_rw(s, h, true, 0, 4, mem));
}

/* Releasing twice is a double free: ESTALE, counted as such. */
static void ownbuf_release_twice_double_free(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 b = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_MUT);

	KUNIT_ASSERT_EQ(test, 0, ownbuf_release(s, b, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(s, b, 0));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_DOUBLE_FREE));
	/* The mutable borrow is really gone. */
	KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(s, h, 0));
}

/*
 * A borrow revoked by its owner's drop answers ESTALE to every use (a
 * lifetime violation), and its release frees the handle all the same.
 */
static void ownbuf_drop_revoke_kills_borrows(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 b = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	struct ownbuf_query q;
	u8 mem[4];

	KUNIT_ASSERT_EQ(test, -EBUSY, ownbuf_drop(s, h, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(s, b, false, 0, 4, mem));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(s, b, &q));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(s, b, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(s, b, 0));
	/* EBUSY drop, read, query, and both releases. */
	KUNIT_EXPECT_EQ(test, 5, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_LIFETIME));
	KUNIT_EXPECT_EQ(test, s->live, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
}

struct ob_range_case {
	const char *name;
	u64 off;
	u64 len;
	int expect;
};

/* Ranges on a 64-byte buffer: inclusive end, overflow-safe sums. */
static const struct ob_range_case ob_range_cases[] = {
	{ "whole", 0, 64, 0 },
	{ "last_byte", 63, 1, 0 },
	{ "empty_at_end", 64, 0, 0 },
	{ "empty_at_start", 0, 0, 0 },
	{ "one_past_end", 0, 65, -ERANGE },
	{ "empty_past_end", 65, 0, -ERANGE },
	{ "offset_past_end", 64, 1, -ERANGE },
	{ "sum_wraps", U64_MAX, 2, -ERANGE },
	{ "huge_length", 1, U64_MAX, -ERANGE },
};

static void ob_range_desc(const struct ob_range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ob_range, ob_range_cases, ob_range_desc);

static void ownbuf_access_begin_range(struct kunit *test)
{
	const struct ob_range_case *c = test->param_value;
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	struct ownbuf_access acc;
	int ret;

	ret = ownbuf_access_begin(s, h, true, c->off, c->len, &acc);
	KUNIT_EXPECT_EQ(test, c->expect, ret);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, (u64)acc.len, c->len);
		ownbuf_access_end(&acc);
	} else {
		KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_OVERFLOW));
	}
}

/* When several errors apply, the contract's order decides which is seen. */
static void ownbuf_access_begin_error_order(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 frozen = ownbuf_kunit_create(test, s, 64);
	u64 dead = ownbuf_kunit_create(test, s, 64);
	u64 shared = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	u8 mem[128];

	KUNIT_ASSERT_EQ(test, 0, ownbuf_freeze(s, frozen, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, dead, 0));
	/* ESTALE before ERANGE. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(s, dead, false, 100, 100, mem));
	/* ERANGE before EACCES (frozen, or a shared borrow's missing right). */
	KUNIT_EXPECT_EQ(test, -ERANGE, ownbuf_kunit_rw(s, frozen, true, 0, 65, mem));
	KUNIT_EXPECT_EQ(test, -ERANGE, ownbuf_kunit_rw(s, shared, true, 0, 65, mem));
	/* ERANGE before EBUSY (a borrow is out on h). */
	KUNIT_EXPECT_EQ(test, -ERANGE, ownbuf_kunit_rw(s, h, true, 60, 8, mem));
	/* EACCES before EBUSY: frozen with a shared borrow out. */
	ownbuf_kunit_borrow(test, s, frozen, OWNBUF_MODE_SHARED);
	KUNIT_EXPECT_EQ(test, -EACCES, ownbuf_kunit_rw(s, frozen, true, 0, 8, mem));
	/* Zero-length still checks rights and borrows. */
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_kunit_rw(s, h, true, 64, 0, mem));
	KUNIT_EXPECT_EQ(test, -EACCES, ownbuf_kunit_rw(s, shared, true, 0, 0, mem));
}

/* New buffers are zeroed; writes land where asked and nowhere else. */
static void ownbuf_create_zeroed_and_writes_land(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 4096);
	u8 *mem = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u8 pattern[8] = "ownbuf!";
	int i;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0xa5, 4096);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, false, 0, 4096, mem));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(mem, 0, 4096));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, true, 100, 8, pattern));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, false, 0, 4096, mem));
	KUNIT_EXPECT_EQ(test, 0, memcmp(mem + 100, pattern, 8));
	for (i = 0; i < 4096; i++)
		if (i < 100 || i >= 108)
			KUNIT_ASSERT_EQ(test, mem[i], 0);
}

/* clone copies deeply and never inherits frozen. */
static void ownbuf_clone_deep_and_unfrozen(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 32);
	u8 a[32], b[32];
	struct ownbuf_query q;
	u64 c;

	memset(a, 7, sizeof(a));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, true, 0, 32, a));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_freeze(s, h, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_clone(s, h, 0, &c));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, c, &q));
	KUNIT_EXPECT_EQ(test, q.out_frozen, 0U);
	KUNIT_EXPECT_EQ(test, q.out_size, 32ULL);
	memset(a, 9, sizeof(a));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, c, true, 0, 32, a));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, false, 0, 32, b));
	KUNIT_EXPECT_EQ(test, b[0], 7);
	KUNIT_EXPECT_EQ(test, b[31], 7);
}

/* query reports counts, loans included, and the same id through every handle. */
static void ownbuf_query_counts_loans(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 32);
	u64 b = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	struct ownbuf_query qo, qb;
	u64 t;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &qo));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, b, &qb));
	KUNIT_EXPECT_EQ(test, qo.out_shared, 2U);
	KUNIT_EXPECT_EQ(test, qo.out_mut, 0U);
	KUNIT_EXPECT_EQ(test, qo.out_kind, (u32)OWNBUF_KIND_OWNER);
	KUNIT_EXPECT_EQ(test, qo.out_mode, 0U);
	KUNIT_EXPECT_EQ(test, qb.out_kind, (u32)OWNBUF_KIND_BORROW);
	KUNIT_EXPECT_EQ(test, qb.out_mode, (u32)OWNBUF_MODE_SHARED);
	KUNIT_EXPECT_EQ(test, qo.out_id, qb.out_id);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_cancel(s, t, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &qo));
	KUNIT_EXPECT_EQ(test, qo.out_shared, 1U);
}

static struct kunit_case ownbuf_borrow_cases[] = {
	KUNIT_CASE_PARAM(ownbuf_owner_op_by_state, ob_gen_params),
	KUNIT_CASE_PARAM(ownbuf_borrow_handle_op, ob_borrow_gen_params),
	KUNIT_CASE(ownbuf_borrow_reborrow_survives_parent),
	KUNIT_CASE(ownbuf_release_twice_double_free),
	KUNIT_CASE(ownbuf_drop_revoke_kills_borrows),
	KUNIT_CASE_PARAM(ownbuf_access_begin_range, ob_range_gen_params),
	KUNIT_CASE(ownbuf_access_begin_error_order),
	KUNIT_CASE(ownbuf_create_zeroed_and_writes_land),
	KUNIT_CASE(ownbuf_clone_deep_and_unfrozen),
	KUNIT_CASE(ownbuf_query_counts_loans),
	{}
};

static struct kunit_suite ownbuf_borrow_suite = {
	.name = "ownbuf_borrow",
	.test_cases = ownbuf_borrow_cases,
};

kunit_test_suite(ownbuf_borrow_suite);
