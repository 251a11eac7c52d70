// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the memory-safety bugs a C program could make with a
 * buffer, attempted from userspace. Each one must be refused with the errno
 * Documentation/ownbuf.rst gives and counted: exactly one more refusal, in exactly its
 * class, for the session and for the device.
 */

#define _GNU_SOURCE
#include "ownbuf_helpers.h"

#define SZ 4096

FIXTURE(vio)
{
	int fd;
	int fd2;
	__u64 h;			/* a live buffer of SZ bytes */
	struct ownbuf_stats before;
	__u8 buf[SZ];
};

FIXTURE_SETUP(vio)
{
	self->fd = ob_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
	self->fd2 = ob_open();
	ASSERT_LE(0, self->fd2);
	test_create(self->fd, SZ, &self->h);
}

FIXTURE_TEARDOWN(vio)
{
	close(self->fd);
	close(self->fd2);
}

/* Snapshot the counters right before the one bad call. */
#define BEFORE() test_stats(self->fd, &self->before)

/* After the bad call: exactly one refusal, in class @cls. */
#define COUNTED(cls) do {						\
	struct ownbuf_stats __after;					\
	test_stats(self->fd, &__after);					\
	ob_expect_one_violation(_metadata, &self->before, &__after, cls); \
} while (0)

/* use after free: read through a dropped buffer's handle. */
TEST_F(vio, use_after_free_read)
{
	test_drop(self->fd, self->h);
	BEFORE();
	test_err_read(ESTALE, self->fd, self->h, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_USE_AFTER_FREE);
}

/* use after free: write through a dropped buffer's handle. */
TEST_F(vio, use_after_free_write)
{
	test_drop(self->fd, self->h);
	BEFORE();
	test_err_write(ESTALE, self->fd, self->h, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_USE_AFTER_FREE);
}

/* use after free: read through a released borrow's handle. */
TEST_F(vio, use_after_free_released_borrow)
{
	__u64 b;

	test_borrow(self->fd, self->h, OWNBUF_MODE_SHARED, &b);
	test_release(self->fd, b);
	BEFORE();
	test_err_read(ESTALE, self->fd, b, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_USE_AFTER_FREE);
}

/* double free: drop of a dropped handle. */
TEST_F(vio, double_free_drop)
{
	test_drop(self->fd, self->h);
	BEFORE();
	test_err_drop(ESTALE, self->fd, self->h);
	COUNTED(OWNBUF_VIOLATION_DOUBLE_FREE);
}

/* double free: release of a released borrow (UAPI enum ownbuf_violation). */
TEST_F(vio, double_free_release)
{
	__u64 b;

	test_borrow(self->fd, self->h, OWNBUF_MODE_SHARED, &b);
	test_release(self->fd, b);
	BEFORE();
	test_err_release(ESTALE, self->fd, b);
	COUNTED(OWNBUF_VIOLATION_DOUBLE_FREE);
}

/* data race: a shared borrow while a mutable one is out. */
TEST_F(vio, data_race_borrow)
{
	test_borrow(self->fd, self->h, OWNBUF_MODE_MUT, NULL);
	BEFORE();
	test_err_borrow(EBUSY, self->fd, self->h, OWNBUF_MODE_SHARED);
	COUNTED(OWNBUF_VIOLATION_DATA_RACE);
}

/* data race: the owner writes while a reader holds a shared borrow. */
TEST_F(vio, data_race_write)
{
	test_borrow(self->fd, self->h, OWNBUF_MODE_SHARED, NULL);
	BEFORE();
	test_err_write(EBUSY, self->fd, self->h, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_DATA_RACE);
}

/* data race: the owner reads while a writer holds a mutable borrow. */
TEST_F(vio, data_race_read)
{
	test_borrow(self->fd, self->h, OWNBUF_MODE_MUT, NULL);
	BEFORE();
	test_err_read(EBUSY, self->fd, self->h, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_DATA_RACE);
}

/* data race: a second mutable loan. */
TEST_F(vio, data_race_lend)
{
	test_lend(self->fd, self->h, OWNBUF_MODE_MUT, NULL);
	BEFORE();
	test_err_lend(EBUSY, self->fd, self->h, OWNBUF_MODE_MUT);
	COUNTED(OWNBUF_VIOLATION_DATA_RACE);
}

/* data race: freezing under a mutable borrow. */
TEST_F(vio, data_race_freeze)
{
	test_borrow(self->fd, self->h, OWNBUF_MODE_MUT, NULL);
	BEFORE();
	test_err_freeze(EBUSY, self->fd, self->h);
	COUNTED(OWNBUF_VIOLATION_DATA_RACE);
}

/* NULL dereference: handle 0. */
TEST_F(vio, null_deref_handle)
{
	BEFORE();
	test_err_read(EINVAL, self->fd, 0, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_NULL_DEREF);
}

/* NULL dereference: ticket 0. */
TEST_F(vio, null_deref_ticket)
{
	BEFORE();
	test_err_take(EINVAL, self->fd, 0);
	COUNTED(OWNBUF_VIOLATION_NULL_DEREF);
}

/* NULL dereference: a NULL user pointer to copy to. */
TEST_F(vio, null_deref_pointer)
{
	BEFORE();
	test_err_read(EFAULT, self->fd, self->h, 0, 1, NULL);
	COUNTED(OWNBUF_VIOLATION_NULL_DEREF);
}

/* buffer overflow: one byte past the end. */
TEST_F(vio, overflow_past_end)
{
	BEFORE();
	test_err_write(ERANGE, self->fd, self->h, SZ - 1, 2, self->buf);
	COUNTED(OWNBUF_VIOLATION_OVERFLOW);
}

/* buffer overflow: offset + length wrapping around. */
TEST_F(vio, overflow_wraparound)
{
	BEFORE();
	test_err_read(ERANGE, self->fd, self->h, UINT64_MAX, 2, self->buf);
	COUNTED(OWNBUF_VIOLATION_OVERFLOW);
}

/* use after move: the handle a give killed. */
TEST_F(vio, use_after_move)
{
	__u64 t;

	test_give(self->fd, self->h, &t);
	BEFORE();
	test_err_read(ESTALE, self->fd, self->h, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_USE_AFTER_MOVE);
}

/* use after move: still a move once the buffer was taken elsewhere. */
TEST_F(vio, use_after_move_taken)
{
	__u64 t;

	test_give(self->fd, self->h, &t);
	test_take(self->fd2, t, NULL);
	BEFORE();
	test_err_write(ESTALE, self->fd, self->h, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_USE_AFTER_MOVE);
}

/* lifetime: a borrow revoked with its buffer. */
TEST_F(vio, lifetime_revoked_borrow)
{
	__u64 b;

	test_borrow(self->fd, self->h, OWNBUF_MODE_SHARED, &b);
	test_drop_revoke(self->fd, self->h);
	BEFORE();
	test_err_read(ESTALE, self->fd, b, 0, 1, self->buf);
	COUNTED(OWNBUF_VIOLATION_LIFETIME);
}

/* lifetime: a borrow in another session, revoked when the owner closed. */
TEST_F(vio, lifetime_owner_closed)
{
	struct ownbuf_stats after;
	__u64 t, b;
	int fd3;

	fd3 = ob_open();
	ASSERT_LE(0, fd3);
	test_create(fd3, SZ, &self->h);
	test_lend(fd3, self->h, OWNBUF_MODE_SHARED, &t);
	test_accept(self->fd, t, &b);
	ASSERT_EQ(0, close(fd3));
	BEFORE();
	test_err_read(ESTALE, self->fd, b, 0, 1, self->buf);
	test_stats(self->fd, &after);
	ob_expect_one_violation(_metadata, &self->before, &after,
				OWNBUF_VIOLATION_LIFETIME);
}

/* lifetime: drop while borrowed ("cannot move out because it is borrowed"). */
TEST_F(vio, lifetime_drop_while_borrowed)
{
	test_borrow(self->fd, self->h, OWNBUF_MODE_SHARED, NULL);
	BEFORE();
	test_err_drop(EBUSY, self->fd, self->h);
	COUNTED(OWNBUF_VIOLATION_LIFETIME);
}

/* lifetime: give while borrowed. */
TEST_F(vio, lifetime_give_while_borrowed)
{
	test_lend(self->fd, self->h, OWNBUF_MODE_SHARED, NULL);
	BEFORE();
	test_err_give(EBUSY, self->fd, self->h);
	COUNTED(OWNBUF_VIOLATION_LIFETIME);
}

/* The other session's counters do not move for this session's refusals. */
TEST_F(vio, counted_per_session)
{
	struct ownbuf_stats o0, o1;

	test_stats(self->fd2, &o0);
	test_err_read(EINVAL, self->fd, 0, 0, 1, self->buf);
	test_err_read(ERANGE, self->fd, self->h, SZ, 1, self->buf);
	test_stats(self->fd2, &o1);
	EXPECT_EQ(0, memcmp(&o0.out_session, &o1.out_session, sizeof(o0.out_session)));
	EXPECT_EQ(o0.out_device.refused + 2, o1.out_device.refused);
	EXPECT_EQ(o0.out_device.violations[OWNBUF_VIOLATION_NULL_DEREF] + 1,
		  o1.out_device.violations[OWNBUF_VIOLATION_NULL_DEREF]);
	EXPECT_EQ(o0.out_device.violations[OWNBUF_VIOLATION_OVERFLOW] + 1,
		  o1.out_device.violations[OWNBUF_VIOLATION_OVERFLOW]);
}

TEST_HARNESS_MAIN
