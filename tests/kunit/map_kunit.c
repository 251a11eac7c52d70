// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for mappings, the core side: MAP's offsets, a mapping as a
 * borrow (owner handle) or as part of a borrow (borrow handle), the bytes
 * moving into pages of their own, and revocation ending every mapping of
 * a dying buffer before it is freed. The VMA side is in the selftests.
 */

#include <linux/mm.h>

#include "core_kunit.h"

/* A read-only mapping of one page at byte offset @off, as mmap(2) asks. */
static int ob_begin(struct ownbuf_session *s, u64 off, struct ownbuf_mapping **m)
{
	return ownbuf_mapping_begin(s, off >> PAGE_SHIFT, 1, false, NULL, m);
}

/* MAP: whole pages, one offset per handle, never 0, never shared. */
static void ownbuf_map_offsets(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, PAGE_SIZE + 1);
	u64 b = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	u64 ho = ownbuf_kunit_create(test, o, 1);
	u64 off, off2, offb, offo, len;
	struct ownbuf_mapping *m;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h, 0, &off, &len));
	KUNIT_EXPECT_EQ(test, len, 2 * PAGE_SIZE);
	KUNIT_EXPECT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, off % PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h, 0, &off2, &len));
	KUNIT_EXPECT_EQ(test, off, off2);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, b, 0, &offb, &len));
	KUNIT_EXPECT_NE(test, off, offb);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(o, ho, 0, &offo, &len));
	KUNIT_EXPECT_EQ(test, len, PAGE_SIZE);
	KUNIT_EXPECT_NE(test, offo, off);
	KUNIT_EXPECT_NE(test, offo, offb);
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_map(s, h, 1, &off, &len));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_map(s, 0, 0, &off, &len));
	/* Another session's offset is not this one's. */
	KUNIT_EXPECT_EQ(test, -EINVAL, ob_begin(s, offo, &m));
}

/* The bytes move into whole pages of their own; the tail is zero. */
static void ownbuf_map_moves_bytes_into_pages(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 100);
	u8 in[100], out[100];
	struct ownbuf_ref ref;
	u64 off, len;
	u8 *tail;

	memset(in, 0x5a, sizeof(in));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, true, 0, sizeof(in), in));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h, 0, &off, &len));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_resolve(s, h, &ref));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(ref.buf->data));
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(ref.buf->data));
	tail = page_address(vmalloc_to_page(ref.buf->data));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(tail + sizeof(in), 0, PAGE_SIZE - sizeof(in)));
	ownbuf_buffer_unpin(ref.buf);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_rw(s, h, false, 0, sizeof(out), out));
	KUNIT_EXPECT_EQ(test, 0, memcmp(in, out, sizeof(in)));
}

/* Through the owner handle: a borrow of its own until it ends. */
static void ownbuf_mapping_is_a_borrow(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 3 * PAGE_SIZE);
	struct ownbuf_mapping *m, *m2;
	struct ownbuf_query q;
	u64 t;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, h, 1, false, &m));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, h, 0, false, &m2));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_shared, 2U);
	KUNIT_EXPECT_EQ(test, q.out_mappings, 2U);
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_kunit_map(test, s, h, 0, true, NULL));
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_give(s, h, 0, &t));
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_drop(s, h, 0));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_DATA_RACE));
	KUNIT_EXPECT_EQ(test, 2, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_LIFETIME));
	/* Past the last page, whichever handle: ERANGE, an overflow. */
	KUNIT_EXPECT_EQ(test, -ERANGE, ownbuf_kunit_map(test, s, h, 4, false, NULL));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_OVERFLOW));
	kunit_release_action(test, ownbuf_kunit_mapping_end, m);
	kunit_release_action(test, ownbuf_kunit_mapping_end, m2);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_shared, 0U);
	KUNIT_EXPECT_EQ(test, q.out_mappings, 0U);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_give(s, h, 0, &t));
}

/* Through a borrow handle: part of that borrow, which cannot end first. */
static void ownbuf_mapped_borrow_cannot_be_released(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 b = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_MUT);
	struct ownbuf_mapping *m;
	struct ownbuf_query q;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, b, 0, true, &m));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_mut, 1U);
	KUNIT_EXPECT_EQ(test, q.out_mappings, 1U);
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_release(s, b, 0));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_LIFETIME));
	kunit_release_action(test, ownbuf_kunit_mapping_end, m);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_release(s, b, 0));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_query(s, h, &q));
	KUNIT_EXPECT_EQ(test, q.out_mut, 0U);
}

/*
 * The buffer's destruction ends every mapping of it, in every session,
 * before it frees it; a mapping's own end after that touches nothing of
 * the buffer (KASAN would see it).
 */
static void ownbuf_destruction_ends_mappings(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, o, 2 * PAGE_SIZE);
	struct ownbuf_mapping *mo, *mb;
	struct ownbuf_query q;
	u64 t, b, off, len;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, o, h, 0, false, &mo));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(s, t, 0, &b));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, b, 0, &off, &len));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, b, 0, false, &mb));
	KUNIT_EXPECT_FALSE(test, mo->ended || mb->ended);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(o, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_TRUE(test, mo->ended && mb->ended);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(s, b, &q));
	/* The stale offset: ESTALE, counted as the borrow's lifetime. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ob_begin(s, off, &mb));
	kunit_release_action(test, ownbuf_kunit_mapping_end, mo);
	kunit_release_action(test, ownbuf_kunit_mapping_end, mb);
}

/* The owner's close is a destruction too. */
static void ownbuf_owner_close_ends_mappings(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, o, 64);
	struct ownbuf_mapping *m;
	u64 t, b;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_MUT, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(s, t, 0, &b));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_kunit_map(test, s, b, 0, true, &m));
	ownbuf_kunit_close(test, o);
	KUNIT_EXPECT_TRUE(test, m->ended);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	/* The borrow died with it: its release is a lifetime error, not EBUSY. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(s, b, 0));
}

/* An offset names its handle: stale once the handle dies, then forgotten. */
static void ownbuf_offset_names_the_handle(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	struct ownbuf_mapping *m;
	u64 off, off2, len, h2;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h, 0, &off, &len));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ob_begin(s, off, &m));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_USE_AFTER_FREE));
	/* The slot's next handle, mapped: a new offset; the old is forgotten. */
	h2 = ownbuf_kunit_create(test, s, 64);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h2, 0, &off2, &len));
	KUNIT_EXPECT_NE(test, off, off2);
	KUNIT_EXPECT_EQ(test, -EINVAL, ob_begin(s, off, &m));
}

/*
 * Review finding: offsets came from one device-wide cursor modulo 2^32
 * pages, so any user could wrap it in seconds and make a dead handle's
 * offset name another handle's buffer; and a full space made MAP spin
 * forever. Now a 64-bit caller's offsets come from its session's own
 * window (here made 16 pages small), never another session's, and a full
 * window answers EDQUOT after a bounded search.
 */
static void ownbuf_offsets_per_session_window(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s, *o;
	u64 h[16], off[16], len, ho, offo, base;
	struct ownbuf_mapping *m;
	int i, n;

	kd->dev.map_window = 16;
	s = ownbuf_kunit_session(test, kd);
	o = ownbuf_kunit_session(test, kd);
	base = (OWNBUF_MAP_COMPAT_SPACE + (u64)s->tag * 16) << PAGE_SHIFT;
	ho = ownbuf_kunit_create(test, o, 1);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(o, ho, 0, &offo, &len));
	/* 15 offsets fit in the window (never 0); the 16th finds none. */
	for (n = 0; n < 16; n++) {
		h[n] = ownbuf_kunit_create(test, s, 1);
		if (ownbuf_map(s, h[n], 0, &off[n], &len))
			break;
		KUNIT_EXPECT_GT(test, off[n], base);
		KUNIT_EXPECT_LT(test, off[n], base + (16 << PAGE_SHIFT));
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_NE(test, off[i], off[n]);
	}
	KUNIT_EXPECT_EQ(test, n, 15);
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_map(s, h[15], 0, &off[15], &len));
	/* The other session's offset is in its own window: not one of s's. */
	KUNIT_EXPECT_EQ(test, -EINVAL, ob_begin(s, offo, &m));
	/* A dropped handle's offset: ESTALE, until its slot maps again. */
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h[3], 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ob_begin(s, off[3], &m));
	h[3] = ownbuf_kunit_create(test, s, 1);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h[3], 0, &off[3], &len));
	KUNIT_ASSERT_EQ(test, 0, ob_begin(s, off[3], &m));
	ownbuf_mapping_end(m);
}

/*
 * Review finding: the first MAP moved a 1-byte buffer into a whole page
 * and charged nothing for it. The rounding counts against the device's
 * bytes until the buffer dies.
 */
static void ownbuf_map_rounding_counts_against_the_device(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	atomic64_t *bytes = &kd->dev.counters.bytes;
	u64 h = ownbuf_kunit_create(test, s, 100), h2, b, off, len;

	KUNIT_EXPECT_EQ(test, atomic64_read(bytes), 100);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, h, 0, &off, &len));
	KUNIT_EXPECT_EQ(test, atomic64_read(bytes), PAGE_SIZE);
	/* Not twice. */
	b = ownbuf_kunit_borrow(test, s, h, OWNBUF_MODE_SHARED);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_map(s, b, 0, &off, &len));
	KUNIT_EXPECT_EQ(test, atomic64_read(bytes), PAGE_SIZE);
	/* Over the device's limit: EDQUOT, nothing charged. */
	kd->limits.device_max_bytes = PAGE_SIZE + 200;
	h2 = ownbuf_kunit_create(test, s, 100);
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_map(s, h2, 0, &off, &len));
	KUNIT_EXPECT_EQ(test, atomic64_read(bytes), PAGE_SIZE + 100);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_EQ(test, atomic64_read(bytes), 100);
}

/*
 * MAP enters a handle's offset before it makes the buffer mappable (so that
 * nothing can fail after that): an mmap at the offset in between, which a
 * user can guess from the offsets it had, must be refused (EINVAL: the
 * offset is not given yet), not reach a buffer that has no list of
 * mappings. The offset is entered by hand here, as MAP has it then.
 */
static void ownbuf_mmap_before_map_finished_einval(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	unsigned long entry = (h >> OWNBUF_INDEX_BITS & OWNBUF_GEN_MAX) << OWNBUF_INDEX_BITS |
			      (h & OWNBUF_INDEX_MAX);
	struct ownbuf_mapping *m;

	KUNIT_ASSERT_EQ(test, 0, xa_insert(&s->offsets, 77, xa_mk_value(entry), GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, -EINVAL, ob_begin(s, 77 << PAGE_SHIFT, &m));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_mapping_begin(s, 77, 1, true, NULL, &m));
}

static struct kunit_case ownbuf_map_cases[] = {
	KUNIT_CASE(ownbuf_mmap_before_map_finished_einval),
	KUNIT_CASE(ownbuf_offsets_per_session_window),
	KUNIT_CASE(ownbuf_map_rounding_counts_against_the_device),
	KUNIT_CASE(ownbuf_map_offsets),
	KUNIT_CASE(ownbuf_map_moves_bytes_into_pages),
	KUNIT_CASE(ownbuf_mapping_is_a_borrow),
	KUNIT_CASE(ownbuf_mapped_borrow_cannot_be_released),
	KUNIT_CASE(ownbuf_destruction_ends_mappings),
	KUNIT_CASE(ownbuf_owner_close_ends_mappings),
	KUNIT_CASE(ownbuf_offset_names_the_handle),
	{}
};

static struct kunit_suite ownbuf_map_suite = {
	.name = "ownbuf_map",
	.test_cases = ownbuf_map_cases,
};

kunit_test_suite(ownbuf_map_suite);
