// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the ownership core, one operation at a time. Each test
 * takes a valid request and changes one thing in it, and checks the answer
 * Documentation/ownbuf.rst (and the errno table of the UAPI header) gives for
 * that one thing. Tickets, quotas, violation counting, processes and
 * threads have files of their own.
 */

#define _GNU_SOURCE
#include "ownbuf_helpers.h"

#define SZ 4096

FIXTURE(ob)
{
	int fd;		/* the session under test */
	int fd2;	/* another session */
	__u8 *buf;	/* SZ bytes of scratch */
	__u8 *chk;	/* SZ bytes of scratch */
};

FIXTURE_SETUP(ob)
{
	self->fd = ob_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
	self->fd2 = ob_open();
	ASSERT_LE(0, self->fd2) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
	self->buf = malloc(SZ);
	self->chk = malloc(SZ);
	ASSERT_TRUE(self->buf && self->chk);
}

FIXTURE_TEARDOWN(ob)
{
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
	if (self->fd2 >= 0)
		EXPECT_EQ(0, close(self->fd2));
	free(self->buf);
	free(self->chk);
}

/* ABI: the layouts are fixed and the same for 32- and 64-bit callers. */
TEST(abi_struct_sizes)
{
	EXPECT_EQ(24, sizeof(struct ownbuf_create));
	EXPECT_EQ(16, sizeof(struct ownbuf_handle_op));
	EXPECT_EQ(40, sizeof(struct ownbuf_rw));
	EXPECT_EQ(24, sizeof(struct ownbuf_borrow));
	EXPECT_EQ(24, sizeof(struct ownbuf_lend));
	EXPECT_EQ(24, sizeof(struct ownbuf_give));
	EXPECT_EQ(24, sizeof(struct ownbuf_ticket_op));
	EXPECT_EQ(24, sizeof(struct ownbuf_clone));
	EXPECT_EQ(56, sizeof(struct ownbuf_query));
	EXPECT_EQ(8 * (6 + OWNBUF_VIOLATION_SLOTS), sizeof(struct ownbuf_counts));
	EXPECT_EQ(8 + 2 * sizeof(struct ownbuf_counts), OWNBUF_STATS_SIZE_V1);
	EXPECT_EQ(OWNBUF_STATS_SIZE_V1 + 16, sizeof(struct ownbuf_stats));
	EXPECT_EQ(32, sizeof(struct ownbuf_map));
}

/* ---- create ---------------------------------------------------------- */

/* create: a new buffer is zero-filled, owned, not frozen, not borrowed. */
TEST_F(ob, create_zeroed_owned)
{
	struct ownbuf_query q;
	__u64 h;

	test_create(self->fd, SZ, &h);
	memset(self->buf, 0x5a, SZ);
	test_read(self->fd, h, 0, SZ, self->buf);
	EXPECT_TRUE(ob_all(self->buf, SZ, 0));
	test_query(self->fd, h, &q);
	EXPECT_EQ(SZ, q.out_size);
	EXPECT_EQ(OWNBUF_KIND_OWNER, q.out_kind);
	EXPECT_EQ(0, q.out_mode);
	EXPECT_EQ(0, q.out_shared);
	EXPECT_EQ(0, q.out_mut);
	EXPECT_EQ(0, q.out_frozen);
}

/* create: one byte is a valid size; so is an odd one. */
TEST_F(ob, create_small_and_odd_sizes)
{
	struct ownbuf_query q;
	__u64 h1, h2;

	test_create(self->fd, 1, &h1);
	test_create(self->fd, 4097, &h2);
	EXPECT_NE(h1, h2);
	test_query(self->fd, h2, &q);
	EXPECT_EQ(4097, q.out_size);
	test_read(self->fd, h1, 0, 1, self->buf);
	EXPECT_EQ(0, self->buf[0]);
}

/* create: EINVAL size 0. */
TEST_F(ob, create_size_zero_einval)
{
	test_err_create(EINVAL, self->fd, 0);
}

/* create: EINVAL for every unknown flag bit (create defines none). */
TEST_F(ob, create_unknown_flag_einval)
{
	struct ownbuf_create c;
	int bit, rc;

	for (bit = 0; bit < 32; bit++) {
		ob_init_create(&c, SZ);
		c.flags = 1U << bit;
		rc = ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c);
		if (rc != -EINVAL)
			TH_LOG("flag bit %d", bit);
		EXPECT_ERRNO(EINVAL, rc);
	}
}

/* create: EINVAL for a nonzero __reserved. */
TEST_F(ob, create_reserved_einval)
{
	struct ownbuf_create c;

	ob_init_create(&c, SZ);
	c.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c));
	ob_init_create(&c, SZ);
	c.__reserved = 0x80000000U;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c));
}

/* create: out_handle is output only; whatever it holds on input is ignored. */
TEST_F(ob, create_ignores_out_handle_input)
{
	struct ownbuf_create c;

	ob_init_create(&c, SZ);
	c.out_handle = 0;
	EXPECT_ERRNO(0, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c));
	EXPECT_NE(0, c.out_handle);
}

/* create: EFBIG over max_buffer_size, and for the largest size there is. */
TEST_F(ob, create_over_max_buffer_size_efbig)
{
	__u64 max = 0;

	test_err_create(EFBIG, self->fd, UINT64_MAX);
	if (ob_param_get("max_buffer_size", &max) == 0) {
		ASSERT_LT(0, max);
		test_err_create(EFBIG, self->fd, max + 1);
	} else {
		TH_LOG("max_buffer_size parameter not readable; only UINT64_MAX tried");
	}
}

/* precedence: EINVAL for the request itself comes before EFBIG. */
TEST_F(ob, create_reserved_and_too_big_einval)
{
	struct ownbuf_create c;

	ob_init_create(&c, UINT64_MAX);
	c.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c));
	ob_init_create(&c, UINT64_MAX);
	c.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c));
}

/* ---- drop ------------------------------------------------------------ */

/* drop: the buffer is gone at once; its handle is stale for every op. */
TEST_F(ob, drop_then_handle_stale)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_drop(self->fd, h);
	test_err_read(ESTALE, self->fd, h, 0, SZ, self->buf);
	test_err_write(ESTALE, self->fd, h, 0, SZ, self->buf);
	test_err_borrow(ESTALE, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_lend(ESTALE, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_give(ESTALE, self->fd, h);
	test_err_clone(ESTALE, self->fd, h);
	test_err_freeze(ESTALE, self->fd, h);
	test_err_query(ESTALE, self->fd, h);
}

/* drop: ESTALE on a second drop (double free). */
TEST_F(ob, drop_twice_estale)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_drop(self->fd, h);
	test_err_drop(ESTALE, self->fd, h);
	EXPECT_ERRNO(ESTALE, _test_drop(self->fd, h, OWNBUF_DROP_REVOKE));
}

/* handles carry a generation: stale stays stale after the slot is reused. */
TEST_F(ob, drop_stale_after_reuse)
{
	__u64 h, h2;
	int i;

	test_create(self->fd, SZ, &h);
	test_drop(self->fd, h);
	for (i = 0; i < 8; i++) {
		test_create(self->fd, SZ, &h2);
		EXPECT_NE(h, h2);
		test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
		test_drop(self->fd, h2);
	}
}

/* drop: EBUSY while a shared borrow is out; fine once it is released. */
TEST_F(ob, drop_with_shared_borrow_ebusy)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_drop(EBUSY, self->fd, h);
	test_read(self->fd, b, 0, SZ, self->buf);
	test_release(self->fd, b);
	test_drop(self->fd, h);
}

/* drop: EBUSY while a mutable borrow is out. */
TEST_F(ob, drop_with_mut_borrow_ebusy)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_drop(EBUSY, self->fd, h);
	test_write(self->fd, b, 0, 1, "x");
}

/* drop: EBUSY while an untaken lend ticket is out (it counts as a borrow). */
TEST_F(ob, drop_with_lend_ticket_ebusy)
{
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_err_drop(EBUSY, self->fd, h);
	test_cancel(self->fd, t, NULL);
	test_drop(self->fd, h);
}

/* drop(REVOKE): revokes borrows, loans and accepted loans, then frees. */
TEST_F(ob, drop_revoke_revokes_borrows)
{
	__u64 h, bs, t, t2, acc;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &bs);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t2);
	test_accept(self->fd2, t2, &acc);
	test_drop_revoke(self->fd, h);
	test_err_read(ESTALE, self->fd, bs, 0, 1, self->buf);
	test_err_read(ESTALE, self->fd2, acc, 0, 1, self->buf);
	test_err_release(ESTALE, self->fd, bs);
	test_err_release(ESTALE, self->fd2, acc);
	test_err_accept(ENOENT, self->fd2, t);
	test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
}

/* drop(REVOKE) of a buffer under a mutable borrow. */
TEST_F(ob, drop_revoke_mut_borrow)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_drop_revoke(self->fd, h);
	test_err_write(ESTALE, self->fd, b, 0, 1, "x");
}

/* drop: EINVAL for an unknown flag and a nonzero __reserved. */
TEST_F(ob, drop_flags_reserved_einval)
{
	struct ownbuf_handle_op o;
	__u64 h;

	test_create(self->fd, SZ, &h);
	EXPECT_ERRNO(EINVAL, _test_drop(self->fd, h, 1U << 1));
	EXPECT_ERRNO(EINVAL, _test_drop(self->fd, h, 1U << 31));
	ob_init_handle_op(&o, h, 0);
	o.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_DROP, &o));
	/* Nothing was dropped by the refused calls. */
	test_query(self->fd, h, NULL);
}

/* drop: needs an owner handle; a borrow handle is the wrong kind. */
TEST_F(ob, drop_borrow_handle_einval)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_drop(EINVAL, self->fd, b);
	test_read(self->fd, b, 0, 1, self->buf);
}

/* drop: the session's counters go back to what they were. */
TEST_F(ob, drop_uncounts)
{
	struct ownbuf_stats s0, s1, s2;
	__u64 h;

	test_stats(self->fd, &s0);
	test_create(self->fd, 3 * SZ, &h);
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_session.buffers + 1, s1.out_session.buffers);
	EXPECT_EQ(s0.out_session.bytes + 3 * SZ, s1.out_session.bytes);
	EXPECT_EQ(s0.out_device.buffers + 1, s1.out_device.buffers);
	EXPECT_EQ(s0.out_device.bytes + 3 * SZ, s1.out_device.bytes);
	test_drop(self->fd, h);
	test_stats(self->fd, &s2);
	EXPECT_EQ(s0.out_session.buffers, s2.out_session.buffers);
	EXPECT_EQ(s0.out_session.bytes, s2.out_session.bytes);
	EXPECT_EQ(s0.out_device.buffers, s2.out_device.buffers);
	EXPECT_EQ(s0.out_device.bytes, s2.out_device.bytes);
}

/* ---- read / write ---------------------------------------------------- */

/* write then read, at an offset, through the owner handle. */
TEST_F(ob, write_read_roundtrip)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	ob_fill(self->buf, SZ, 3);
	test_write(self->fd, h, 0, SZ, self->buf);
	test_read(self->fd, h, 0, SZ, self->chk);
	EXPECT_EQ(0, memcmp(self->buf, self->chk, SZ));
	test_write(self->fd, h, 100, 5, "hello");
	memset(self->chk, 0, SZ);
	test_read(self->fd, h, 98, 9, self->chk);
	EXPECT_EQ(self->buf[98], self->chk[0]);
	EXPECT_EQ(0, memcmp(self->chk + 2, "hello", 5));
	EXPECT_EQ(self->buf[105], self->chk[7]);
}

/* read/write: ESTALE on a dropped handle. */
TEST_F(ob, rw_stale_estale)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_drop(self->fd, h);
	test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
	test_err_write(ESTALE, self->fd, h, 0, 1, self->buf);
}

/* read: EBUSY through the owner handle while a mutable borrow is out. */
TEST_F(ob, read_owner_with_mut_borrow_ebusy)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_read(EBUSY, self->fd, h, 0, 1, self->buf);
	test_read(self->fd, b, 0, 1, self->buf);
	test_release(self->fd, b);
	test_read(self->fd, h, 0, 1, self->buf);
}

/* read: the owner may read while shared borrows are out. */
TEST_F(ob, read_owner_with_shared_borrow_ok)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_read(self->fd, h, 0, SZ, self->buf);
	test_read(self->fd, b, 0, SZ, self->buf);
}

/* write: EBUSY through the owner handle while any borrow is out. */
TEST_F(ob, write_owner_with_borrow_ebusy)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_write(EBUSY, self->fd, h, 0, 1, "x");
	test_release(self->fd, b);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_write(EBUSY, self->fd, h, 0, 1, "x");
	test_release(self->fd, b);
	test_write(self->fd, h, 0, 1, "x");
}

/* write: EACCES through a shared borrow, a right it lacks. */
TEST_F(ob, write_shared_borrow_eacces)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_write(EACCES, self->fd, b, 0, 1, "x");
	test_read(self->fd, b, 0, 1, self->buf);
	EXPECT_EQ(0, self->buf[0]);
}

/* write: a mutable borrow reads and writes; the owner sees it afterwards. */
TEST_F(ob, write_mut_borrow_ok)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_write(self->fd, b, 10, 3, "abc");
	test_read(self->fd, b, 10, 3, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "abc", 3));
	test_release(self->fd, b);
	test_read(self->fd, h, 10, 3, self->chk);
	EXPECT_EQ(0, memcmp(self->chk, "abc", 3));
}

/* write: EACCES to a frozen buffer, even through its owner. */
TEST_F(ob, write_frozen_eacces)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, 0, 1, "x");
	test_freeze(self->fd, h);
	test_err_write(EACCES, self->fd, h, 0, 1, "y");
	test_read(self->fd, h, 0, 1, self->buf);
	EXPECT_EQ('x', self->buf[0]);
}

/* read/write: ERANGE past the end, and on offset+length overflow. */
TEST_F(ob, rw_range_erange)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_err_read(ERANGE, self->fd, h, 0, SZ + 1, self->buf);
	test_err_write(ERANGE, self->fd, h, 0, SZ + 1, self->buf);
	test_err_read(ERANGE, self->fd, h, 1, SZ, self->buf);
	test_err_write(ERANGE, self->fd, h, 1, SZ, self->buf);
	test_err_read(ERANGE, self->fd, h, SZ, 1, self->buf);
	test_err_write(ERANGE, self->fd, h, SZ, 1, self->buf);
	/* offset + length wraps to 1: still past the end. */
	test_err_read(ERANGE, self->fd, h, UINT64_MAX, 2, self->buf);
	test_err_write(ERANGE, self->fd, h, UINT64_MAX, 2, self->buf);
	test_err_read(ERANGE, self->fd, h, 1, UINT64_MAX, self->buf);
	test_err_write(ERANGE, self->fd, h, 1, UINT64_MAX, self->buf);
	test_err_read(ERANGE, self->fd, h, 0, UINT64_MAX, self->buf);
	/* offset past the end with length 0. */
	test_err_read(ERANGE, self->fd, h, SZ + 1, 0, self->buf);
	test_err_write(ERANGE, self->fd, h, SZ + 1, 0, self->buf);
	test_err_read(ERANGE, self->fd, h, UINT64_MAX, 0, self->buf);
}

/* read/write: the last byte and the whole buffer are in range. */
TEST_F(ob, rw_range_edges_ok)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, SZ - 1, 1, "z");
	test_read(self->fd, h, SZ - 1, 1, self->buf);
	EXPECT_EQ('z', self->buf[0]);
	test_read(self->fd, h, 0, SZ, self->buf);
}

/* zero-length read/write at offset == size passes the range check. */
TEST_F(ob, rw_zero_length_at_end_ok)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_read(self->fd, h, SZ, 0, self->buf);
	test_write(self->fd, h, SZ, 0, self->buf);
	test_read(self->fd, h, 0, 0, self->buf);
}

/* zero-length: rights and borrows are still checked. */
TEST_F(ob, rw_zero_length_rights_apply)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_write(EACCES, self->fd, b, 0, 0, self->buf);
	test_err_write(EBUSY, self->fd, h, 0, 0, self->buf);
	test_release(self->fd, b);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_read(EBUSY, self->fd, h, 0, 0, self->buf);
}

/* read/write: EFAULT for NULL and for an unmapped user pointer. */
TEST_F(ob, rw_bad_pointer_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	void *hole, *ro;
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_err_read(EFAULT, self->fd, h, 0, 16, NULL);
	test_err_write(EFAULT, self->fd, h, 0, 16, NULL);

	hole = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(hole != MAP_FAILED);
	ASSERT_EQ(0, munmap(hole, page));
	test_err_read(EFAULT, self->fd, h, 0, 16, hole);
	test_err_write(EFAULT, self->fd, h, 0, 16, hole);

	/* Reading into read-only memory faults too. */
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	test_err_read(EFAULT, self->fd, h, 0, 16, ro);
	test_write(self->fd, h, 0, 16, ro);
	munmap(ro, page);

	/* A kernel address is a bad user pointer, not a way in. */
	test_err_read(EFAULT, self->fd, h, 0, 16, (void *)(uintptr_t)~0xfffUL);
}

/* read/write: EINVAL for unknown flags and a nonzero __reserved. */
TEST_F(ob, rw_flags_reserved_einval)
{
	struct ownbuf_rw rw;
	__u64 h;

	test_create(self->fd, SZ, &h);
	ob_init_rw(&rw, h, 0, 1, self->buf);
	rw.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_READ, &rw));
	ob_init_rw(&rw, h, 0, 1, self->buf);
	rw.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_READ, &rw));
	ob_init_rw(&rw, h, 0, 1, self->buf);
	rw.flags = 1U << 31;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_WRITE, &rw));
	ob_init_rw(&rw, h, 0, 1, self->buf);
	rw.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_WRITE, &rw));
}

/* ---- borrow / release ------------------------------------------------ */

/* borrow: shared + shared is fine; query counts both, on any handle. */
TEST_F(ob, borrow_shared_shared_ok)
{
	struct ownbuf_query q, qb;
	__u64 h, b1, b2;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b1);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b2);
	EXPECT_NE(b1, b2);
	EXPECT_NE(h, b1);
	test_query(self->fd, h, &q);
	EXPECT_EQ(2, q.out_shared);
	EXPECT_EQ(0, q.out_mut);
	test_query(self->fd, b1, &qb);
	EXPECT_EQ(OWNBUF_KIND_BORROW, qb.out_kind);
	EXPECT_EQ(OWNBUF_MODE_SHARED, qb.out_mode);
	EXPECT_EQ(q.out_id, qb.out_id);
	EXPECT_EQ(SZ, qb.out_size);
	EXPECT_EQ(2, qb.out_shared);
}

/* borrow: EBUSY for a mutable borrow while a shared one is out. */
TEST_F(ob, borrow_shared_then_mut_ebusy)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_borrow(EBUSY, self->fd, h, OWNBUF_MODE_MUT);
	test_release(self->fd, b);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, NULL);
}

/* borrow: a mutable borrow excludes every other borrow. */
TEST_F(ob, borrow_mut_then_any_ebusy)
{
	struct ownbuf_query q;
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_borrow(EBUSY, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_borrow(EBUSY, self->fd, h, OWNBUF_MODE_MUT);
	test_err_lend(EBUSY, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_lend(EBUSY, self->fd, h, OWNBUF_MODE_MUT);
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_shared);
	EXPECT_EQ(1, q.out_mut);
	test_query(self->fd, b, &q);
	EXPECT_EQ(OWNBUF_MODE_MUT, q.out_mode);
}

/* borrow: EINVAL for a mode that is neither shared nor mut. */
TEST_F(ob, borrow_bad_mode_einval)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_err_borrow(EINVAL, self->fd, h, 0);
	test_err_borrow(EINVAL, self->fd, h, 3);
	test_err_borrow(EINVAL, self->fd, h, 0xffffffffU);
}

/* borrow: EINVAL for unknown flags. */
TEST_F(ob, borrow_flags_einval)
{
	struct ownbuf_borrow b;
	__u64 h;

	test_create(self->fd, SZ, &h);
	ob_init_borrow(&b, h, OWNBUF_MODE_SHARED);
	b.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_BORROW, &b));
}

/* reborrow: a shared borrow can be shared again through its handle. */
TEST_F(ob, reborrow_shared_ok)
{
	struct ownbuf_query q;
	__u64 h, b1, b2;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, 0, 3, "abc");
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b1);
	test_borrow(self->fd, b1, OWNBUF_MODE_SHARED, &b2);
	test_query(self->fd, h, &q);
	EXPECT_EQ(2, q.out_shared);
	test_read(self->fd, b2, 0, 3, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "abc", 3));
	test_err_borrow(EBUSY, self->fd, b1, OWNBUF_MODE_MUT);
}

/* reborrow: the new borrow survives the release of the one it came from. */
TEST_F(ob, reborrow_survives_parent_release)
{
	struct ownbuf_query q;
	__u64 h, b1, b2;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b1);
	test_borrow(self->fd, b1, OWNBUF_MODE_SHARED, &b2);
	test_release(self->fd, b1);
	test_read(self->fd, b2, 0, SZ, self->buf);
	test_query(self->fd, b2, &q);
	EXPECT_EQ(1, q.out_shared);
	test_err_read(ESTALE, self->fd, b1, 0, 1, self->buf);
	test_err_write(EBUSY, self->fd, h, 0, 1, "x");
	test_release(self->fd, b2);
	test_write(self->fd, h, 0, 1, "x");
}

/* reborrow through a mutable borrow: anything involving it is EBUSY. */
TEST_F(ob, reborrow_through_mut_ebusy)
{
	__u64 h, m;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &m);
	test_err_borrow(EBUSY, self->fd, m, OWNBUF_MODE_SHARED);
	test_err_borrow(EBUSY, self->fd, m, OWNBUF_MODE_MUT);
	test_write(self->fd, m, 0, 1, "x");
}

/* borrow: ESTALE through a stale owner or borrow handle. */
TEST_F(ob, borrow_stale_estale)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_release(self->fd, b);
	test_err_borrow(ESTALE, self->fd, b, OWNBUF_MODE_SHARED);
	test_drop(self->fd, h);
	test_err_borrow(ESTALE, self->fd, h, OWNBUF_MODE_SHARED);
}

/* release: ESTALE the second time. */
TEST_F(ob, release_twice_estale)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_release(self->fd, b);
	test_err_release(ESTALE, self->fd, b);
	test_err_read(ESTALE, self->fd, b, 0, 1, self->buf);
}

/* release: an owner handle is the wrong kind (EINVAL), and stays live. */
TEST_F(ob, release_owner_handle_einval)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_err_release(EINVAL, self->fd, h);
	test_read(self->fd, h, 0, 1, self->buf);
}

/* release: EINVAL for any flag and a nonzero __reserved. */
TEST_F(ob, release_flags_reserved_einval)
{
	struct ownbuf_handle_op o;
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	ob_init_handle_op(&o, b, OWNBUF_DROP_REVOKE);
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_RELEASE, &o));
	ob_init_handle_op(&o, b, 0);
	o.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_RELEASE, &o));
	test_release(self->fd, b);
}

/* borrow: the borrow counts of the session and the device follow. */
TEST_F(ob, borrow_counted_in_stats)
{
	struct ownbuf_stats s0, s1;
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_stats(self->fd, &s0);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_session.borrows + 1, s1.out_session.borrows);
	EXPECT_EQ(s0.out_device.borrows + 1, s1.out_device.borrows);
	test_release(self->fd, b);
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_session.borrows, s1.out_session.borrows);
	EXPECT_EQ(s0.out_device.borrows, s1.out_device.borrows);
}

/* ---- clone ----------------------------------------------------------- */

/* clone: a deep copy; later writes to either do not show in the other. */
TEST_F(ob, clone_deep_copy)
{
	struct ownbuf_query q1, q2;
	__u64 h, c;

	test_create(self->fd, SZ, &h);
	ob_fill(self->buf, SZ, 9);
	test_write(self->fd, h, 0, SZ, self->buf);
	test_clone(self->fd, h, &c);
	EXPECT_NE(h, c);
	test_read(self->fd, c, 0, SZ, self->chk);
	EXPECT_EQ(0, memcmp(self->buf, self->chk, SZ));
	test_query(self->fd, h, &q1);
	test_query(self->fd, c, &q2);
	EXPECT_NE(q1.out_id, q2.out_id);
	EXPECT_EQ(SZ, q2.out_size);
	EXPECT_EQ(OWNBUF_KIND_OWNER, q2.out_kind);

	test_write(self->fd, c, 0, 4, "CCCC");
	test_read(self->fd, h, 0, 4, self->chk);
	EXPECT_EQ(0, memcmp(self->chk, self->buf, 4));
	test_write(self->fd, h, 8, 4, "HHHH");
	test_read(self->fd, c, 8, 4, self->chk);
	EXPECT_EQ(0, memcmp(self->chk, self->buf + 8, 4));
	/* Each is dropped on its own. */
	test_drop(self->fd, h);
	test_read(self->fd, c, 0, 4, self->chk);
	EXPECT_EQ(0, memcmp(self->chk, "CCCC", 4));
}

/* clone: the copy of a frozen buffer is not frozen. */
TEST_F(ob, clone_of_frozen_not_frozen)
{
	struct ownbuf_query q;
	__u64 h, c;

	test_create(self->fd, SZ, &h);
	test_freeze(self->fd, h);
	test_clone(self->fd, h, &c);
	test_query(self->fd, c, &q);
	EXPECT_EQ(0, q.out_frozen);
	test_write(self->fd, c, 0, 1, "x");
	test_query(self->fd, h, &q);
	EXPECT_EQ(1, q.out_frozen);
}

/* clone: through a shared borrow handle (any handle that may read). */
TEST_F(ob, clone_through_borrow_ok)
{
	struct ownbuf_query q;
	__u64 h, b, c;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, 0, 2, "hi");
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_clone(self->fd, b, &c);
	test_query(self->fd, c, &q);
	EXPECT_EQ(OWNBUF_KIND_OWNER, q.out_kind);
	EXPECT_EQ(0, q.out_shared);
	test_read(self->fd, c, 0, 2, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "hi", 2));
	test_drop(self->fd, c);
}

/* clone: as read, so EBUSY through the owner while a mutable borrow is out. */
TEST_F(ob, clone_owner_with_mut_borrow_ebusy)
{
	__u64 h, m;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &m);
	test_err_clone(EBUSY, self->fd, h);
	test_clone(self->fd, m, NULL);
}

/* clone: ESTALE, and EINVAL for flags and __reserved. */
TEST_F(ob, clone_stale_and_flags)
{
	struct ownbuf_clone c;
	__u64 h, d;

	test_create(self->fd, SZ, &h);
	ob_init_clone(&c, h);
	c.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CLONE, &c));
	ob_init_clone(&c, h);
	c.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CLONE, &c));
	test_create(self->fd, SZ, &d);
	test_drop(self->fd, d);
	test_err_clone(ESTALE, self->fd, d);
}

/* ---- freeze ---------------------------------------------------------- */

/* freeze: idempotent; query reports it; reads still work. */
TEST_F(ob, freeze_idempotent)
{
	struct ownbuf_query q;
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_freeze(self->fd, h);
	test_freeze(self->fd, h);
	test_query(self->fd, h, &q);
	EXPECT_EQ(1, q.out_frozen);
	test_read(self->fd, h, 0, SZ, self->buf);
}

/* freeze: allowed while shared borrows (and shared loans) are out. */
TEST_F(ob, freeze_with_shared_borrows_ok)
{
	struct ownbuf_query q;
	__u64 h, b, t;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_freeze(self->fd, h);
	test_query(self->fd, b, &q);
	EXPECT_EQ(1, q.out_frozen);
	test_read(self->fd, b, 0, 1, self->buf);
}

/* freeze: EBUSY while a mutable borrow or mutable loan is out. */
TEST_F(ob, freeze_with_mut_borrow_ebusy)
{
	struct ownbuf_query q;
	__u64 h, b, t;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_freeze(EBUSY, self->fd, h);
	test_release(self->fd, b);
	test_lend(self->fd, h, OWNBUF_MODE_MUT, &t);
	test_err_freeze(EBUSY, self->fd, h);
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_frozen);
	test_cancel(self->fd, t, NULL);
	test_freeze(self->fd, h);
}

/* frozen: a mutable borrow or a mutable loan is EACCES; shared is fine. */
TEST_F(ob, frozen_mut_borrow_lend_eacces)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_freeze(self->fd, h);
	test_err_borrow(EACCES, self->fd, h, OWNBUF_MODE_MUT);
	test_err_lend(EACCES, self->fd, h, OWNBUF_MODE_MUT);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, NULL);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, NULL);
}

/* freeze: needs an owner handle; a borrow is the wrong kind. */
TEST_F(ob, freeze_borrow_handle_einval)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_freeze(EINVAL, self->fd, b);
}

/* freeze: ESTALE on a dropped buffer; EINVAL for flags and __reserved. */
TEST_F(ob, freeze_stale_flags)
{
	struct ownbuf_handle_op o;
	__u64 h, d;

	test_create(self->fd, SZ, &h);
	ob_init_handle_op(&o, h, OWNBUF_DROP_REVOKE);
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_FREEZE, &o));
	ob_init_handle_op(&o, h, 0);
	o.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_FREEZE, &o));
	test_create(self->fd, SZ, &d);
	test_drop(self->fd, d);
	test_err_freeze(ESTALE, self->fd, d);
}

/* ---- query ----------------------------------------------------------- */

/* query: every field, for owner and borrow handles, and ids that differ. */
TEST_F(ob, query_fields)
{
	struct ownbuf_query q, q2, qm;
	__u64 h, h2, m;

	test_create(self->fd, 1000, &h);
	test_create(self->fd, 2000, &h2);
	test_query(self->fd, h, &q);
	test_query(self->fd, h2, &q2);
	EXPECT_EQ(1000, q.out_size);
	EXPECT_EQ(2000, q2.out_size);
	EXPECT_NE(q.out_id, q2.out_id);
	/* A serial number, not a kernel pointer. */
	EXPECT_NE(0xffffULL, q.out_id >> 48);
	EXPECT_NE(0xffffULL, q2.out_id >> 48);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &m);
	test_query(self->fd, m, &qm);
	EXPECT_EQ(1000, qm.out_size);
	EXPECT_EQ(q.out_id, qm.out_id);
	EXPECT_EQ(OWNBUF_KIND_BORROW, qm.out_kind);
	EXPECT_EQ(OWNBUF_MODE_MUT, qm.out_mode);
	EXPECT_EQ(0, qm.out_shared);
	EXPECT_EQ(1, qm.out_mut);
	EXPECT_EQ(0, qm.out_frozen);
}

/* query: ESTALE on a dropped handle; EINVAL for flags and __reserved. */
TEST_F(ob, query_stale_flags)
{
	struct ownbuf_query q;
	__u64 h, d;

	test_create(self->fd, SZ, &h);
	ob_init_query(&q, h);
	q.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_QUERY, &q));
	ob_init_query(&q, h);
	q.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_QUERY, &q));
	test_create(self->fd, SZ, &d);
	test_drop(self->fd, d);
	test_err_query(ESTALE, self->fd, d);
}

/* ---- stats ----------------------------------------------------------- */

/* stats: session counters are this session's; device counters are all. */
TEST_F(ob, stats_session_vs_device)
{
	struct ownbuf_stats a0, a1, b1, a2;
	__u64 h1, h2, h3, b;
	int fd3;

	test_stats(self->fd, &a0);
	EXPECT_EQ(0, a0.out_session.buffers);
	EXPECT_EQ(0, a0.out_session.bytes);
	EXPECT_EQ(0, a0.out_session.borrows);
	EXPECT_EQ(0, a0.out_session.tickets);
	EXPECT_EQ(1, a0.out_session.sessions);
	EXPECT_LE(2, a0.out_device.sessions);

	test_create(self->fd, 1000, &h1);
	test_create(self->fd, 3000, &h2);
	test_borrow(self->fd, h1, OWNBUF_MODE_SHARED, &b);
	test_lend(self->fd, h2, OWNBUF_MODE_SHARED, NULL);
	test_create(self->fd2, 5000, &h3);

	test_stats(self->fd, &a1);
	test_stats(self->fd2, &b1);
	EXPECT_EQ(2, a1.out_session.buffers);
	EXPECT_EQ(4000, a1.out_session.bytes);
	EXPECT_EQ(1, a1.out_session.borrows);
	EXPECT_EQ(1, a1.out_session.tickets);
	EXPECT_EQ(1, a1.out_session.sessions);
	EXPECT_EQ(1, b1.out_session.buffers);
	EXPECT_EQ(5000, b1.out_session.bytes);
	EXPECT_EQ(0, b1.out_session.borrows);
	EXPECT_EQ(0, b1.out_session.tickets);
	EXPECT_EQ(a0.out_device.buffers + 3, a1.out_device.buffers);
	EXPECT_EQ(a0.out_device.bytes + 9000, a1.out_device.bytes);
	EXPECT_EQ(a0.out_device.borrows + 1, a1.out_device.borrows);
	EXPECT_EQ(a0.out_device.tickets + 1, a1.out_device.tickets);
	EXPECT_EQ(a0.out_device.sessions, a1.out_device.sessions);
	EXPECT_EQ(0, memcmp(&a1.out_device, &b1.out_device, sizeof(a1.out_device)));

	fd3 = ob_open();
	ASSERT_LE(0, fd3);
	test_stats(self->fd, &a2);
	EXPECT_EQ(a0.out_device.sessions + 1, a2.out_device.sessions);
	close(fd3);
	test_stats(self->fd, &a2);
	EXPECT_EQ(a0.out_device.sessions, a2.out_device.sessions);
}

/* stats: a refusal with no violation class still counts as refused. */
TEST_F(ob, stats_refused_counted)
{
	struct ownbuf_stats s0, s1;
	struct ownbuf_create c;
	int i;

	test_stats(self->fd, &s0);
	ob_init_create(&c, SZ);
	c.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, &c));
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_session.refused + 1, s1.out_session.refused);
	EXPECT_EQ(s0.out_device.refused + 1, s1.out_device.refused);
	for (i = 0; i < OWNBUF_VIOLATION_SLOTS; i++) {
		EXPECT_EQ(s0.out_session.violations[i], s1.out_session.violations[i]);
		EXPECT_EQ(s0.out_device.violations[i], s1.out_device.violations[i]);
	}
}

/* stats: the slots for classes not defined yet read as 0. */
TEST_F(ob, stats_unused_slots_zero)
{
	struct ownbuf_stats s;
	int i;

	test_stats(self->fd, &s);
	for (i = OWNBUF_VIOLATION_NR; i < OWNBUF_VIOLATION_SLOTS; i++) {
		EXPECT_EQ(0, s.out_session.violations[i]);
		EXPECT_EQ(0, s.out_device.violations[i]);
	}
}

/* stats: EINVAL for flags and __reserved. */
TEST_F(ob, stats_flags_reserved_einval)
{
	struct ownbuf_stats s;

	ob_init_stats(&s);
	s.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_STATS, &s));
	ob_init_stats(&s);
	s.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_STATS, &s));
}

/* ---- rules common to every ioctl -------------------------------------- */

/* ENOTTY: a command the header does not define, including a defined
 * number with the wrong size or direction.
 */
TEST_F(ob, unknown_command_enotty)
{
	__u8 arg[256] = { 0 };

	EXPECT_ERRNO(ENOTTY, ob_ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0x10, __u64), arg));
	EXPECT_ERRNO(ENOTTY, ob_ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0x00, __u64), arg));
	EXPECT_ERRNO(ENOTTY, ob_ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0x01, __u64), arg));
	EXPECT_ERRNO(ENOTTY, ob_ioctl(self->fd, _IOR(OWNBUF_IOCTL_MAGIC, 0x01,
						     struct ownbuf_create), arg));
	EXPECT_ERRNO(ENOTTY, ob_ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0x02,
						      struct ownbuf_handle_op), arg));
	EXPECT_ERRNO(ENOTTY, ob_ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0x0f,
						      struct ownbuf_counts), arg));
}

/* EFAULT: a NULL or unmapped argument to a defined command. */
TEST_F(ob, null_argument_efault)
{
	EXPECT_ERRNO(EFAULT, ob_ioctl(self->fd, OWNBUF_IOC_CREATE, NULL));
	EXPECT_ERRNO(EFAULT, ob_ioctl(self->fd, OWNBUF_IOC_READ, NULL));
	EXPECT_ERRNO(EFAULT, ob_ioctl(self->fd, OWNBUF_IOC_QUERY, NULL));
	EXPECT_ERRNO(EFAULT, ob_ioctl(self->fd, OWNBUF_IOC_STATS, NULL));
}

/* EINVAL: handle 0 is never valid, for every op that takes a handle. */
TEST_F(ob, handle_zero_einval)
{
	test_err_drop(EINVAL, self->fd, 0);
	test_err_read(EINVAL, self->fd, 0, 0, 1, self->buf);
	test_err_write(EINVAL, self->fd, 0, 0, 1, self->buf);
	test_err_borrow(EINVAL, self->fd, 0, OWNBUF_MODE_SHARED);
	test_err_release(EINVAL, self->fd, 0);
	test_err_give(EINVAL, self->fd, 0);
	test_err_lend(EINVAL, self->fd, 0, OWNBUF_MODE_SHARED);
	test_err_clone(EINVAL, self->fd, 0);
	test_err_freeze(EINVAL, self->fd, 0);
	test_err_query(EINVAL, self->fd, 0);
}

/* EINVAL: ticket 0 is never valid. */
TEST_F(ob, ticket_zero_einval)
{
	test_err_take(EINVAL, self->fd, 0);
	test_err_accept(EINVAL, self->fd, 0);
	test_err_cancel(EINVAL, self->fd, 0);
}

/* EBADF: a made-up handle value this session was never given. */
TEST_F(ob, made_up_handle_ebadf)
{
	__u64 h, x;

	test_create(self->fd, SZ, &h);
	x = OB_MADE_UP(h);
	test_err_drop(EBADF, self->fd, x);
	test_err_read(EBADF, self->fd, x, 0, 1, self->buf);
	test_err_write(EBADF, self->fd, x, 0, 1, self->buf);
	test_err_borrow(EBADF, self->fd, x, OWNBUF_MODE_SHARED);
	test_err_release(EBADF, self->fd, x);
	test_err_give(EBADF, self->fd, x);
	test_err_lend(EBADF, self->fd, x, OWNBUF_MODE_SHARED);
	test_err_clone(EBADF, self->fd, x);
	test_err_freeze(EBADF, self->fd, x);
	test_err_query(EBADF, self->fd, x);
	test_query(self->fd, h, NULL);
}

/* EBADF: another session's handles mean nothing here. */
TEST_F(ob, other_session_handle_ebadf)
{
	__u64 h, b;

	test_create(self->fd2, SZ, &h);
	test_borrow(self->fd2, h, OWNBUF_MODE_SHARED, &b);
	test_err_drop(EBADF, self->fd, h);
	test_err_read(EBADF, self->fd, h, 0, 1, self->buf);
	test_err_write(EBADF, self->fd, h, 0, 1, self->buf);
	test_err_borrow(EBADF, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_give(EBADF, self->fd, h);
	test_err_lend(EBADF, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_clone(EBADF, self->fd, h);
	test_err_freeze(EBADF, self->fd, h);
	test_err_query(EBADF, self->fd, h);
	test_err_release(EBADF, self->fd, b);
	test_err_read(EBADF, self->fd, b, 0, 1, self->buf);
	/* Still live where it belongs. */
	test_query(self->fd2, h, NULL);
	test_release(self->fd2, b);
}

/* ---- precedence: when two errors apply, the earlier one wins ---------- */

/* ESTALE before ERANGE. */
TEST_F(ob, prec_stale_and_range_estale)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_drop(self->fd, h);
	test_err_read(ESTALE, self->fd, h, SZ, 10, self->buf);
	test_err_write(ESTALE, self->fd, h, UINT64_MAX, 2, self->buf);
}

/* EBADF before ERANGE, and EBADF before ESTALE-like doubts. */
TEST_F(ob, prec_made_up_and_range_ebadf)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_err_read(EBADF, self->fd, OB_MADE_UP(h), SZ, 10, self->buf);
}

/* EINVAL (request) before ESTALE. */
TEST_F(ob, prec_flags_and_stale_einval)
{
	struct ownbuf_rw rw;
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_drop(self->fd, h);
	ob_init_rw(&rw, h, 0, 1, self->buf);
	rw.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_READ, &rw));
	EXPECT_ERRNO(EINVAL, _test_drop(self->fd, h, 1U << 5));
}

/* ESTALE before the wrong-kind EINVAL: release of a dropped owner handle. */
TEST_F(ob, prec_stale_and_wrong_kind_estale)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_release(self->fd, b);
	test_err_drop(ESTALE, self->fd, b);
	test_err_freeze(ESTALE, self->fd, b);
	test_drop(self->fd, h);
	test_err_release(ESTALE, self->fd, h);
}

/* ERANGE before EACCES: out-of-range write to a frozen buffer. */
TEST_F(ob, prec_frozen_and_range_erange)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_freeze(self->fd, h);
	test_err_write(ERANGE, self->fd, h, SZ, 1, self->buf);
	test_err_write(ERANGE, self->fd, h, UINT64_MAX, 2, self->buf);
}

/* ERANGE before EACCES: out-of-range write through a shared borrow. */
TEST_F(ob, prec_shared_write_and_range_erange)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_write(ERANGE, self->fd, b, 0, SZ + 1, self->buf);
}

/* ERANGE before EBUSY: out-of-range read of a mutably borrowed buffer. */
TEST_F(ob, prec_busy_and_range_erange)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_read(ERANGE, self->fd, h, SZ + 1, 0, self->buf);
	test_err_write(ERANGE, self->fd, h, 1, SZ, self->buf);
}

/* EACCES before EBUSY: a frozen buffer with shared borrows out. */
TEST_F(ob, prec_frozen_and_busy_eacces)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_freeze(self->fd, h);
	test_err_write(EACCES, self->fd, h, 0, 1, "x");
	test_err_borrow(EACCES, self->fd, h, OWNBUF_MODE_MUT);
	test_err_lend(EACCES, self->fd, h, OWNBUF_MODE_MUT);
}

/* ERANGE before EFAULT: the range is judged before the user pointer. */
TEST_F(ob, prec_range_and_null_erange)
{
	__u64 h;

	test_create(self->fd, SZ, &h);
	test_err_read(ERANGE, self->fd, h, SZ, 1, NULL);
	test_err_write(ERANGE, self->fd, h, SZ, 1, NULL);
}

TEST_HARNESS_MAIN
