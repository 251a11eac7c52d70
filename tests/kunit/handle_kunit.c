// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for ownbuf handles and generations: which values are live,
 * stale (given once, dead now) or never given, and that reuse and growth
 * of the handle table never make a stale handle live again.
 */

#include "core_kunit.h"

/* A dropped handle is stale forever, even once its slot is reused. */
static void ownbuf_slot_find_stale_after_reuse(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_query q;
	u64 old, reused;

	old = ownbuf_kunit_create(test, s, 64);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, old, 0));
	reused = ownbuf_kunit_create(test, s, 64);

	/* Same slot, next generation. */
	KUNIT_EXPECT_EQ(test, old & OWNBUF_INDEX_MAX, reused & OWNBUF_INDEX_MAX);
	KUNIT_EXPECT_EQ(test, ((old >> OWNBUF_INDEX_BITS) & OWNBUF_GEN_MAX) + 1,
			(reused >> OWNBUF_INDEX_BITS) & OWNBUF_GEN_MAX);
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(s, old, &q));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(s, old, 0));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_query(s, reused, &q));
}

/*
 * Values never handed out are EBADF, not ESTALE: a generation above the
 * slot's, an index past the high-water mark, another session's tag.
 */
static void ownbuf_slot_find_never_given_ebadf(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, a, 16);
	u64 hb = ownbuf_kunit_create(test, b, 16);
	struct ownbuf_query q;

	KUNIT_EXPECT_NE(test, a->tag, b->tag);
	KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_query(a, h + (1ULL << OWNBUF_INDEX_BITS), &q));
	KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_query(a, h + 5, &q));
	KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_query(a, hb, &q));
	KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_drop(b, h, 0));
	/* Generation 0 is never issued. */
	KUNIT_EXPECT_EQ(test, -EBADF,
			ownbuf_query(a, h & ~((u64)OWNBUF_GEN_MAX << OWNBUF_INDEX_BITS), &q));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_query(a, 0, &q));
	/* None of this touched the real handles. */
	KUNIT_EXPECT_EQ(test, 0, ownbuf_query(a, h, &q));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_query(b, hb, &q));
}

/*
 * A slot whose generation reached the maximum is retired: the next handle
 * uses another slot, and the last generation stays stale.
 */
static void ownbuf_slot_free_retires_at_gen_max(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_query q;
	u32 index;
	u64 h, next;

	h = ownbuf_kunit_create(test, s, 8);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));
	index = h & OWNBUF_INDEX_MAX;
	/* Age the slot to one below the wrap, as 2^24 reuses would. */
	spin_lock(&s->lock);
	ownbuf_slot(s, index)->gen = OWNBUF_GEN_MAX - 1;
	spin_unlock(&s->lock);

	h = ownbuf_kunit_create(test, s, 8);
	KUNIT_ASSERT_EQ(test, index, (u32)(h & OWNBUF_INDEX_MAX));
	KUNIT_ASSERT_EQ(test, OWNBUF_GEN_MAX, (u32)(h >> OWNBUF_INDEX_BITS) & OWNBUF_GEN_MAX);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));

	next = ownbuf_kunit_create(test, s, 8);
	KUNIT_EXPECT_NE(test, index, (u32)(next & OWNBUF_INDEX_MAX));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(s, h, 0));
}

/* Growing the table (by doubling) keeps every handle valid and distinct. */
static void ownbuf_slot_reserve_grows_table(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	const int n = 300;
	struct ownbuf_query q;
	u64 *h;
	int i;

	h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < n; i++)
		h[i] = ownbuf_kunit_create(test, s, 8 + i);
	KUNIT_EXPECT_GE(test, s->nr_slots, (u32)n);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h[i], &q));
		KUNIT_EXPECT_EQ(test, q.out_size, (u64)(8 + i));
	}
	for (i = 0; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h[i], 0));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, i % 2 ? 0 : -ESTALE, ownbuf_query(s, h[i], &q));
	KUNIT_EXPECT_EQ(test, s->live, (u32)n / 2);
}

/* A reserved slot given back leaves no trace: the generation is reissued. */
static void ownbuf_slot_unreserve_restores_generation(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u32 index, again;
	u32 gen;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_slot_reserve(s, &index));
	gen = ownbuf_slot(s, index)->gen;
	ownbuf_slot_unreserve(s, index);
	KUNIT_EXPECT_EQ(test, s->live, 0U);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_slot_reserve(s, &again));
	KUNIT_EXPECT_EQ(test, index, again);
	KUNIT_EXPECT_EQ(test, gen, ownbuf_slot(s, again)->gen);
	ownbuf_slot_unreserve(s, again);
}

/* Handles are never 0 and carry the session's tag in their top bits. */
static void ownbuf_handle_make_layout(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_handle_make(s, 0, 1);

	KUNIT_EXPECT_NE(test, h, 0);
	KUNIT_EXPECT_EQ(test, (u32)(h >> (OWNBUF_GEN_BITS + OWNBUF_INDEX_BITS)), (u32)s->tag);
	KUNIT_EXPECT_EQ(test, OWNBUF_INDEX_BITS + OWNBUF_GEN_BITS + OWNBUF_TAG_BITS, 64);
	KUNIT_EXPECT_NE(test, s->tag, 0);
}

/*
 * Growing the table moves no slot (review finding 10: growth copied the
 * whole table under the session's spinlock): a slot keeps its address
 * however many handles come after it.
 */
static void ownbuf_table_growth_moves_no_slot(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 first = ownbuf_kunit_create(test, s, 8);
	struct ownbuf_slot *slot = ownbuf_slot(s, first & OWNBUF_INDEX_MAX);
	u32 before = s->nr_slots;
	int i;

	for (i = 0; i < 1000; i++)
		ownbuf_kunit_create(test, s, 8);
	KUNIT_EXPECT_GT(test, s->nr_slots, before);
	/* An assertion: a moved slot's old address is freed memory. */
	KUNIT_ASSERT_PTR_EQ(test, slot, ownbuf_slot(s, first & OWNBUF_INDEX_MAX));
	KUNIT_EXPECT_EQ(test, slot->kind, OWNBUF_SLOT_OWNER);
}

/*
 * The table never grows past the index field of a handle: a chunk whose
 * last index would not fit is refused (EDQUOT), even when the limits would
 * allow more handles. The table is made to look full to the last chunk
 * that fits; the directory behind it is never reached.
 */
static void ownbuf_table_stops_at_the_index_space(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u32 full = (OWNBUF_INDEX_MAX + 1) / OWNBUF_CHUNK_SLOTS * OWNBUF_CHUNK_SLOTS;
	u32 nr_slots, used, index;
	int ret;

	kd->limits.session_max_handles = U64_MAX;
	kd->limits.user_max_bytes = U64_MAX;
	ownbuf_kunit_create(test, s, 8);
	spin_lock(&s->lock);
	nr_slots = s->nr_slots;
	used = s->used;
	s->nr_slots = full;
	s->used = full;
	spin_unlock(&s->lock);
	ret = ownbuf_slot_reserve(s, &index);
	spin_lock(&s->lock);
	s->nr_slots = nr_slots;
	s->used = used;
	spin_unlock(&s->lock);
	KUNIT_EXPECT_EQ(test, -EDQUOT, ret);
}

static struct kunit_case ownbuf_handle_cases[] = {
	KUNIT_CASE(ownbuf_table_growth_moves_no_slot),
	KUNIT_CASE(ownbuf_table_stops_at_the_index_space),
	KUNIT_CASE(ownbuf_slot_find_stale_after_reuse),
	KUNIT_CASE(ownbuf_slot_find_never_given_ebadf),
	KUNIT_CASE(ownbuf_slot_free_retires_at_gen_max),
	KUNIT_CASE(ownbuf_slot_reserve_grows_table),
	KUNIT_CASE(ownbuf_slot_unreserve_restores_generation),
	KUNIT_CASE(ownbuf_handle_make_layout),
	{}
};

static struct kunit_suite ownbuf_handle_suite = {
	.name = "ownbuf_handle",
	.test_cases = ownbuf_handle_cases,
};

kunit_test_suite(ownbuf_handle_suite);
