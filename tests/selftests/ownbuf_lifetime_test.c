// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: a process that dies leaves nothing behind. A child
 * that owns buffers, holds borrows (of its own buffers and of one lent by
 * the parent) and has untaken tickets out is killed with SIGKILL; the
 * device's counters must return to what they were before it started, and
 * the borrow the parent held on the child's buffer must answer ESTALE,
 * counted as a lifetime violation.
 */

#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "ownbuf_helpers.h"

#define SZ 4096

FIXTURE(life)
{
	int fd;
	__u8 buf[SZ];
};

FIXTURE_SETUP(life)
{
	self->fd = ob_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(life)
{
	close(self->fd);
}

/* What the child sends back once it holds everything. */
struct child_report {
	__u64 move_ticket;	/* untaken give */
	__u64 lend_ticket;	/* untaken lend */
	__u64 lend_parent;	/* a shared loan for the parent to accept */
	__u64 status;		/* 0, or the step that failed */
};

static int read_full(int fd, void *p, size_t len)
{
	return read(fd, p, len) == (ssize_t)len ? 0 : -1;
}

static int write_full(int fd, const void *p, size_t len)
{
	return write(fd, p, len) == (ssize_t)len ? 0 : -1;
}

static __u64 child_setup(int rfd, struct child_report *r)
{
	__u64 b[5], parent_loan, acc;
	int fd, i;

	if (read_full(rfd, &parent_loan, sizeof(parent_loan)))
		return 1;
	fd = ob_open();
	if (fd < 0)
		return 2;
	for (i = 0; i < 5; i++)
		if (_test_create(fd, (i + 1) * SZ, &b[i]))
			return 3;
	if (_test_write(fd, b[4], 0, 4, "kid!"))
		return 4;
	if (_test_borrow(fd, b[0], OWNBUF_MODE_SHARED, NULL))
		return 5;
	if (_test_borrow(fd, b[1], OWNBUF_MODE_MUT, NULL))
		return 6;
	if (_test_give(fd, b[2], &r->move_ticket))
		return 7;
	if (_test_lend(fd, b[3], OWNBUF_MODE_SHARED, &r->lend_ticket))
		return 8;
	if (_test_lend(fd, b[4], OWNBUF_MODE_SHARED, &r->lend_parent))
		return 9;
	if (_test_accept(fd, parent_loan, &acc))
		return 10;
	if (_test_write(fd, acc, 0, 1, "c"))
		return 11;
	return 0;
}

static void child_main(int rfd, int wfd)
{
	struct child_report r;

	memset(&r, 0, sizeof(r));
	r.status = child_setup(rfd, &r);
	if (write_full(wfd, &r, sizeof(r)))
		_exit(1);
	/* Hold everything until killed. */
	for (;;)
		pause();
}

TEST_F(life, sigkill_leaves_nothing)
{
	struct ownbuf_stats s0, s1, s2;
	int to_child[2], to_parent[2], status;
	struct child_report r;
	__u64 mine, loan, bp;
	struct ownbuf_query q;
	pid_t pid;

	test_create(self->fd, SZ, &mine);
	test_lend(self->fd, mine, OWNBUF_MODE_MUT, &loan);
	test_stats(self->fd, &s0);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		child_main(to_child[0], to_parent[1]);

	ASSERT_EQ(0, write_full(to_child[1], &loan, sizeof(loan)));
	if (read_full(to_parent[0], &r, sizeof(r))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_TRUE(0) TH_LOG("child sent no report");
	}
	if (r.status) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_EQ(0, r.status) TH_LOG("child failed at step %llu",
					      (unsigned long long)r.status);
	}
	test_accept(self->fd, r.lend_parent, &bp);
	test_read(self->fd, bp, 0, 4, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "kid!", 4));

	/* While it lives, the child's state shows on the device. */
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_device.sessions + 1, s1.out_device.sessions);
	EXPECT_EQ(s0.out_device.buffers + 5, s1.out_device.buffers);
	EXPECT_EQ(s0.out_device.bytes + 15 * SZ, s1.out_device.bytes);
	EXPECT_LT(s0.out_device.borrows, s1.out_device.borrows);
	EXPECT_LT(s0.out_device.tickets, s1.out_device.tickets);

	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* Back to the counts from before the child started. */
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_device.sessions, s1.out_device.sessions);
	EXPECT_EQ(s0.out_device.buffers, s1.out_device.buffers);
	EXPECT_EQ(s0.out_device.bytes, s1.out_device.bytes);
	EXPECT_EQ(s0.out_device.borrows, s1.out_device.borrows)
		TH_LOG("a revoked borrow is no longer a borrow");
	EXPECT_EQ(s0.out_device.tickets - 1, s1.out_device.tickets)
		TH_LOG("the parent's loan was accepted by the child");
	EXPECT_EQ(s0.out_session.buffers, s1.out_session.buffers);

	/* The borrow held here on the dead child's buffer is stale: lifetime. */
	test_err_read(ESTALE, self->fd, bp, 0, 1, self->buf);
	test_stats(self->fd, &s2);
	ob_expect_one_violation(_metadata, &s1, &s2, OWNBUF_VIOLATION_LIFETIME);
	test_err_release(ESTALE, self->fd, bp);
	test_stats(self->fd, &s2);
	EXPECT_EQ(s0.out_device.borrows, s2.out_device.borrows)
		TH_LOG("still counted after its ESTALE release");
	EXPECT_EQ(s0.out_session.borrows, s2.out_session.borrows);

	/* Its untaken tickets died with it. */
	test_err_take(ENOENT, self->fd, r.move_ticket);
	test_err_accept(ENOENT, self->fd, r.lend_ticket);

	/* The mutable borrow the child held on our buffer was released. */
	test_query(self->fd, mine, &q);
	EXPECT_EQ(0, q.out_mut);
	EXPECT_EQ(0, q.out_shared);
	test_read(self->fd, mine, 0, 1, self->buf);
	EXPECT_EQ('c', self->buf[0]);
	test_write(self->fd, mine, 0, 1, "p");
	test_drop(self->fd, mine);
}

/* Many short-lived children, each killed mid-way: still nothing left. */
TEST_F(life, sigkill_repeated)
{
	struct ownbuf_stats s0, s1;
	int i, p[2], status;
	pid_t pid;
	char c;

	test_stats(self->fd, &s0);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd = ob_open();
			__u64 h;

			if (fd >= 0 && !_test_create(fd, SZ, &h)) {
				_test_borrow(fd, h, OWNBUF_MODE_SHARED, NULL);
				_test_lend(fd, h, OWNBUF_MODE_SHARED, NULL);
				_test_create(fd, 2 * SZ, &h);
				_test_give(fd, h, NULL);
			}
			write_full(p[1], "r", 1);
			for (;;)
				pause();
		}
		EXPECT_EQ(0, read_full(p[0], &c, 1));
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		close(p[0]);
		close(p[1]);
	}
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_device.sessions, s1.out_device.sessions);
	EXPECT_EQ(s0.out_device.buffers, s1.out_device.buffers);
	EXPECT_EQ(s0.out_device.bytes, s1.out_device.bytes);
	EXPECT_EQ(s0.out_device.borrows, s1.out_device.borrows);
	EXPECT_EQ(s0.out_device.tickets, s1.out_device.tickets);
}

TEST_HARNESS_MAIN
