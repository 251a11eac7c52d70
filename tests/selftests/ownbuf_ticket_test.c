// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: moves and loans between sessions. give/take/cancel
 * carry a buffer, lend/accept carry a borrow; tickets are single use and
 * die with their maker. The cross-process cases pass the ticket through a
 * pipe to a forked child, which opens a session of its own.
 */

#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "ownbuf_helpers.h"

#define SZ 4096

FIXTURE(tk)
{
	int fd;		/* the giver / lender */
	int fd2;	/* the taker / borrower */
	__u8 *buf;
	__u8 *chk;
};

FIXTURE_SETUP(tk)
{
	self->fd = ob_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
	self->fd2 = ob_open();
	ASSERT_LE(0, self->fd2);
	self->buf = malloc(SZ);
	self->chk = malloc(SZ);
	ASSERT_TRUE(self->buf && self->chk);
}

FIXTURE_TEARDOWN(tk)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
	free(self->buf);
	free(self->chk);
}

/* ---- give / take ------------------------------------------------------ */

/* give: the owner handle is dead when the call returns. */
TEST_F(tk, give_kills_handle)
{
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
	test_err_write(ESTALE, self->fd, h, 0, 1, self->buf);
	test_err_query(ESTALE, self->fd, h);
	test_err_drop(ESTALE, self->fd, h);
	test_err_give(ESTALE, self->fd, h);
}

/* take: a working owner handle on the same bytes and the same buffer id. */
TEST_F(tk, take_same_data_same_id)
{
	struct ownbuf_query q0, q1;
	__u64 h, t, h2;

	test_create(self->fd, SZ, &h);
	ob_fill(self->buf, SZ, 42);
	test_write(self->fd, h, 0, SZ, self->buf);
	test_query(self->fd, h, &q0);
	test_give(self->fd, h, &t);
	test_take(self->fd2, t, &h2);
	test_read(self->fd2, h2, 0, SZ, self->chk);
	EXPECT_EQ(0, memcmp(self->buf, self->chk, SZ));
	test_query(self->fd2, h2, &q1);
	EXPECT_EQ(q0.out_id, q1.out_id);
	EXPECT_EQ(SZ, q1.out_size);
	EXPECT_EQ(OWNBUF_KIND_OWNER, q1.out_kind);
	test_write(self->fd2, h2, 0, 1, "n");
	test_drop(self->fd2, h2);
}

/* give/take: the buffer moves between the sessions' counters; in flight it
 * counts for the device only.
 */
TEST_F(tk, give_take_counts)
{
	struct ownbuf_stats a0, a1, b1, a2, b2;
	__u64 h, t, h2;

	test_stats(self->fd, &a0);
	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	test_stats(self->fd, &a1);
	EXPECT_EQ(a0.out_session.buffers, a1.out_session.buffers);
	/* Bytes in flight count against the giver until taken. */
	EXPECT_EQ(a0.out_session.bytes + SZ, a1.out_session.bytes);
	EXPECT_EQ(a0.out_session.tickets + 1, a1.out_session.tickets);
	EXPECT_EQ(a0.out_device.buffers + 1, a1.out_device.buffers);
	EXPECT_EQ(a0.out_device.bytes + SZ, a1.out_device.bytes);
	EXPECT_EQ(a0.out_device.tickets + 1, a1.out_device.tickets);
	test_stats(self->fd2, &b1);
	test_take(self->fd2, t, &h2);
	test_stats(self->fd, &a2);
	test_stats(self->fd2, &b2);
	EXPECT_EQ(a0.out_session.tickets, a2.out_session.tickets);
	EXPECT_EQ(a0.out_session.bytes, a2.out_session.bytes);
	EXPECT_EQ(a0.out_device.tickets, a2.out_device.tickets);
	EXPECT_EQ(b1.out_session.buffers + 1, b2.out_session.buffers);
	EXPECT_EQ(b1.out_session.bytes + SZ, b2.out_session.bytes);
	EXPECT_EQ(a0.out_device.buffers + 1, b2.out_device.buffers);
}

/* take: ENOENT for a ticket already used. */
TEST_F(tk, take_used_ticket_enoent)
{
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	test_take(self->fd2, t, NULL);
	test_err_take(ENOENT, self->fd2, t);
	test_err_take(ENOENT, self->fd, t);
	test_err_cancel(ENOENT, self->fd, t);
}

/* take: ENOENT for a ticket nobody made. */
TEST_F(tk, take_unknown_ticket_enoent)
{
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	test_err_take(ENOENT, self->fd2, t ^ 1);
	test_err_take(ENOENT, self->fd2, t ^ (1ULL << 63));
	test_err_accept(ENOENT, self->fd2, t ^ (1ULL << 33));
	test_take(self->fd2, t, NULL);
}

/* take: a lend ticket is the wrong kind (EINVAL) and stays valid. */
TEST_F(tk, take_lend_ticket_einval)
{
	__u64 h, t, b;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_err_take(EINVAL, self->fd2, t);
	test_accept(self->fd2, t, &b);
	test_read(self->fd2, b, 0, 1, self->buf);
}

/* accept: a move ticket is the wrong kind (EINVAL) and stays valid. */
TEST_F(tk, accept_move_ticket_einval)
{
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	test_err_accept(EINVAL, self->fd2, t);
	test_take(self->fd2, t, NULL);
}

/* A ticket no longer live is ENOENT whatever its kind (before wrong kind). */
TEST_F(tk, used_ticket_wrong_kind_enoent)
{
	__u64 h, t, m;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_accept(self->fd2, t, NULL);
	test_err_take(ENOENT, self->fd2, t);
	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &m);
	test_take(self->fd2, m, NULL);
	test_err_accept(ENOENT, self->fd2, m);
}

/* take/accept/cancel: EINVAL for flags and __reserved. */
TEST_F(tk, ticket_op_flags_reserved_einval)
{
	static const unsigned long cmds[] = {
		OWNBUF_IOC_TAKE, OWNBUF_IOC_ACCEPT, OWNBUF_IOC_CANCEL,
	};
	struct ownbuf_ticket_op op;
	__u64 h, t;
	size_t i;

	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ob_init_ticket_op(&op, t);
		op.flags = 1;
		EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, cmds[i], &op));
		ob_init_ticket_op(&op, t);
		op.__reserved = 1;
		EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, cmds[i], &op));
	}
	test_take(self->fd2, t, NULL);
}

/* give: EINVAL for flags and __reserved; nothing moved. */
TEST_F(tk, give_flags_reserved_einval)
{
	struct ownbuf_give g;
	__u64 h;

	test_create(self->fd, SZ, &h);
	ob_init_give(&g, h);
	g.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_GIVE, &g));
	ob_init_give(&g, h);
	g.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_GIVE, &g));
	test_query(self->fd, h, NULL);
}

/* give: EBUSY while borrows or lend tickets are out; nothing moved. */
TEST_F(tk, give_with_borrows_ebusy)
{
	__u64 h, b, t;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_give(EBUSY, self->fd, h);
	test_release(self->fd, b);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, &b);
	test_err_give(EBUSY, self->fd, h);
	test_release(self->fd, b);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_err_give(EBUSY, self->fd, h);
	test_cancel(self->fd, t, NULL);
	test_give(self->fd, h, NULL);
}

/* give: needs an owner handle; a borrow handle is the wrong kind. */
TEST_F(tk, give_borrow_handle_einval)
{
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_err_give(EINVAL, self->fd, b);
}

/* A session may take its own ticket. */
TEST_F(tk, take_own_ticket)
{
	__u64 h, t, h2;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, 0, 4, "mine");
	test_give(self->fd, h, &t);
	test_take(self->fd, t, &h2);
	test_read(self->fd, h2, 0, 4, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "mine", 4));
	test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
}

/* ---- cancel ----------------------------------------------------------- */

/* cancel: only the maker may cancel; others get ENOENT and the ticket lives. */
TEST_F(tk, cancel_by_other_session_enoent)
{
	__u64 h, t, l;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &l);
	test_err_cancel(ENOENT, self->fd2, l);
	test_accept(self->fd2, l, NULL);
	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &t);
	test_err_cancel(ENOENT, self->fd2, t);
	test_take(self->fd2, t, NULL);
}

/* cancel of a move ticket: a new owner handle, same bytes; ticket is dead. */
TEST_F(tk, cancel_move_returns_owner)
{
	struct ownbuf_query q0, q1;
	__u64 h, t, h2;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, 0, 4, "back");
	test_query(self->fd, h, &q0);
	test_give(self->fd, h, &t);
	test_cancel(self->fd, t, &h2);
	ASSERT_NE(0, h2);
	test_read(self->fd, h2, 0, 4, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "back", 4));
	test_query(self->fd, h2, &q1);
	EXPECT_EQ(q0.out_id, q1.out_id);
	EXPECT_EQ(OWNBUF_KIND_OWNER, q1.out_kind);
	test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
	test_err_take(ENOENT, self->fd2, t);
	test_err_cancel(ENOENT, self->fd, t);
}

/* cancel of a lend ticket ends the loan: out_handle 0, counts back to 0. */
TEST_F(tk, cancel_lend_ends_loan)
{
	struct ownbuf_query q;
	__u64 h, t, out;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_MUT, &t);
	test_cancel(self->fd, t, &out);
	EXPECT_EQ(0, out);
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_shared);
	EXPECT_EQ(0, q.out_mut);
	test_write(self->fd, h, 0, 1, "w");
	test_err_accept(ENOENT, self->fd2, t);
	test_err_cancel(ENOENT, self->fd, t);
}

/* ---- lend / accept ---------------------------------------------------- */

/* lend: counts as a borrow from the moment it is made. */
TEST_F(tk, lend_counts_as_borrow_at_once)
{
	struct ownbuf_query q;
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_query(self->fd, h, &q);
	EXPECT_EQ(1, q.out_shared);
	EXPECT_EQ(0, q.out_mut);
	test_err_write(EBUSY, self->fd, h, 0, 1, "x");
	test_err_borrow(EBUSY, self->fd, h, OWNBUF_MODE_MUT);
	test_read(self->fd, h, 0, 1, self->buf);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, NULL);
}

/* lend mut: the owner can neither read nor write; no other borrow. */
TEST_F(tk, lend_mut_counts_as_mut_borrow)
{
	struct ownbuf_query q;
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_MUT, &t);
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_shared);
	EXPECT_EQ(1, q.out_mut);
	test_err_read(EBUSY, self->fd, h, 0, 1, self->buf);
	test_err_write(EBUSY, self->fd, h, 0, 1, "x");
	test_err_borrow(EBUSY, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_lend(EBUSY, self->fd, h, OWNBUF_MODE_SHARED);
}

/* accept: a borrow handle of the lent mode, in the accepting session. */
TEST_F(tk, accept_gives_borrow_handle)
{
	struct ownbuf_query qo, qb, q;
	struct ownbuf_stats s;
	__u64 h, t, b;

	test_create(self->fd, SZ, &h);
	test_write(self->fd, h, 0, 5, "loan!");
	test_query(self->fd, h, &qo);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_accept(self->fd2, t, &b);
	test_query(self->fd2, b, &qb);
	EXPECT_EQ(OWNBUF_KIND_BORROW, qb.out_kind);
	EXPECT_EQ(OWNBUF_MODE_SHARED, qb.out_mode);
	EXPECT_EQ(qo.out_id, qb.out_id);
	EXPECT_EQ(1, qb.out_shared);
	test_read(self->fd2, b, 0, 5, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "loan!", 5));
	test_err_write(EACCES, self->fd2, b, 0, 1, "x");
	/* The ticket became the borrow: still one, not two. */
	test_query(self->fd, h, &q);
	EXPECT_EQ(1, q.out_shared);
	test_stats(self->fd2, &s);
	EXPECT_EQ(1, s.out_session.borrows);
	EXPECT_EQ(0, s.out_session.buffers);
	test_stats(self->fd, &s);
	EXPECT_EQ(0, s.out_session.tickets);
	test_err_accept(ENOENT, self->fd2, t);
	test_release(self->fd2, b);
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_shared);
	test_write(self->fd, h, 0, 1, "x");
}

/* accept of a mutable loan: the borrower writes, the owner sees it after. */
TEST_F(tk, accept_mut_writes_through)
{
	__u64 h, t, b;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_MUT, &t);
	test_accept(self->fd2, t, &b);
	test_write(self->fd2, b, 7, 3, "mut");
	test_err_read(EBUSY, self->fd, h, 0, 1, self->buf);
	test_release(self->fd2, b);
	test_read(self->fd, h, 7, 3, self->buf);
	EXPECT_EQ(0, memcmp(self->buf, "mut", 3));
}

/* A session may accept its own lend ticket. */
TEST_F(tk, accept_own_ticket)
{
	struct ownbuf_query q;
	__u64 h, t, b;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_accept(self->fd, t, &b);
	test_query(self->fd, b, &q);
	EXPECT_EQ(OWNBUF_KIND_BORROW, q.out_kind);
	EXPECT_EQ(1, q.out_shared);
}

/* A lend ticket of a buffer dropped with REVOKE answers ENOENT. */
TEST_F(tk, lend_of_dropped_buffer_enoent)
{
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_drop_revoke(self->fd, h);
	test_err_accept(ENOENT, self->fd2, t);
	test_err_cancel(ENOENT, self->fd, t);
}

/* A lend ticket whose owner went away answers ENOENT; so does a move
 * ticket whose giver closed before it was taken.
 */
TEST_F(tk, tickets_die_with_maker)
{
	struct ownbuf_stats s0, s1;
	__u64 h, l, m;

	test_stats(self->fd2, &s0);
	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &l);
	test_create(self->fd, SZ, &h);
	test_give(self->fd, h, &m);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	test_err_accept(ENOENT, self->fd2, l);
	test_err_take(ENOENT, self->fd2, m);
	test_stats(self->fd2, &s1);
	EXPECT_EQ(s0.out_device.buffers, s1.out_device.buffers);
	EXPECT_EQ(s0.out_device.bytes, s1.out_device.bytes);
	EXPECT_EQ(s0.out_device.tickets, s1.out_device.tickets);
	EXPECT_EQ(s0.out_device.sessions - 1, s1.out_device.sessions);
}

/* The owner closing revokes a borrow accepted in another session: ESTALE. */
TEST_F(tk, accepted_borrow_dies_with_owner)
{
	__u64 h, t, b;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	test_accept(self->fd2, t, &b);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	test_err_read(ESTALE, self->fd2, b, 0, 1, self->buf);
	test_err_release(ESTALE, self->fd2, b);
}

/* The borrower closing releases its accepted borrow. */
TEST_F(tk, accepted_borrow_released_with_borrower)
{
	struct ownbuf_query q;
	__u64 h, t;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_MUT, &t);
	test_accept(self->fd2, t, NULL);
	ASSERT_EQ(0, close(self->fd2));
	self->fd2 = -1;
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_mut);
	test_write(self->fd, h, 0, 1, "x");
}

/* lend: EINVAL for a bad mode and for flags; lend through a borrow handle. */
TEST_F(tk, lend_args)
{
	struct ownbuf_lend l;
	__u64 h, b;

	test_create(self->fd, SZ, &h);
	test_err_lend(EINVAL, self->fd, h, 0);
	test_err_lend(EINVAL, self->fd, h, 3);
	ob_init_lend(&l, h, OWNBUF_MODE_SHARED);
	l.flags = 1;
	EXPECT_ERRNO(EINVAL, ob_ioctl(self->fd, OWNBUF_IOC_LEND, &l));
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_lend(self->fd, b, OWNBUF_MODE_SHARED, NULL);
	test_err_lend(EBUSY, self->fd, b, OWNBUF_MODE_MUT);
}

/* Frozen stays frozen through give/take. */
TEST_F(tk, frozen_survives_move)
{
	struct ownbuf_query q;
	__u64 h, t, h2;

	test_create(self->fd, SZ, &h);
	test_freeze(self->fd, h);
	test_give(self->fd, h, &t);
	test_take(self->fd2, t, &h2);
	test_query(self->fd2, h2, &q);
	EXPECT_EQ(1, q.out_frozen);
	test_err_write(EACCES, self->fd2, h2, 0, 1, "x");
	test_err_borrow(EACCES, self->fd2, h2, OWNBUF_MODE_MUT);
}

/* Tickets are distinct from each other and from the handles. */
TEST_F(tk, tickets_distinct)
{
	__u64 h, t1, t2, t3;

	test_create(self->fd, SZ, &h);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t1);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t2);
	test_create(self->fd2, SZ, &h);
	test_give(self->fd2, h, &t3);
	EXPECT_NE(t1, t2);
	EXPECT_NE(t1, t3);
	EXPECT_NE(t2, t3);
}

/* ---- across processes -------------------------------------------------- */

static int read_full(int fd, void *p, size_t len)
{
	return read(fd, p, len) == (ssize_t)len ? 0 : -1;
}

static int write_full(int fd, const void *p, size_t len)
{
	return write(fd, p, len) == (ssize_t)len ? 0 : -1;
}

/* Child exit codes: 0 ok, else the step that failed. */
static int child_take(int rfd, int wfd)
{
	__u8 data[SZ], want[SZ];
	struct ownbuf_query q;
	__u64 t, h;
	int fd;

	if (read_full(rfd, &t, sizeof(t)))
		return 10;
	fd = ob_open();
	if (fd < 0)
		return 11;
	if (_test_take(fd, t, &h))
		return 12;
	if (_test_read(fd, h, 0, SZ, data))
		return 13;
	ob_fill(want, SZ, 77);
	if (memcmp(data, want, SZ))
		return 14;
	if (_test_query(fd, h, &q))
		return 15;
	if (write_full(wfd, &q.out_id, sizeof(q.out_id)))
		return 16;
	/* A second take of the same ticket is refused. */
	if (_test_take(fd, t, NULL) != -ENOENT)
		return 17;
	if (_test_drop(fd, h, 0))
		return 18;
	return 0;
}

/* give in the parent, take in a forked child through a pipe. */
TEST_F(tk, fork_give_take_pipe)
{
	int to_child[2], to_parent[2], status;
	struct ownbuf_query q;
	__u64 h, t, id;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	test_create(self->fd, SZ, &h);
	ob_fill(self->buf, SZ, 77);
	test_write(self->fd, h, 0, SZ, self->buf);
	test_query(self->fd, h, &q);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_take(to_child[0], to_parent[1]));

	test_give(self->fd, h, &t);
	ASSERT_EQ(0, write_full(to_child[1], &t, sizeof(t)));
	EXPECT_EQ(0, read_full(to_parent[0], &id, sizeof(id)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d", WEXITSTATUS(status));
	EXPECT_EQ(q.out_id, id);
	test_err_read(ESTALE, self->fd, h, 0, 1, self->buf);
	test_err_cancel(ENOENT, self->fd, t);
}

static int child_accept(int rfd, int wfd)
{
	__u8 data[SZ], want[SZ];
	__u64 t, b;
	char done = 1;
	int fd;

	if (read_full(rfd, &t, sizeof(t)))
		return 10;
	fd = ob_open();
	if (fd < 0)
		return 11;
	if (_test_accept(fd, t, &b))
		return 12;
	if (_test_read(fd, b, 0, SZ, data))
		return 13;
	ob_fill(want, SZ, 78);
	if (memcmp(data, want, SZ))
		return 14;
	if (_test_write(fd, b, 0, 1, "x") != -EACCES)
		return 15;
	if (write_full(wfd, &done, 1))
		return 16;
	/* Wait for the parent to look at the counts, then go away. */
	if (read_full(rfd, &done, 1))
		return 17;
	return 0;
}

/* lend in the parent, accept in a forked child; the child's exit ends it. */
TEST_F(tk, fork_lend_accept_pipe)
{
	int to_child[2], to_parent[2], status;
	struct ownbuf_query q;
	__u64 h, t;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	test_create(self->fd, SZ, &h);
	ob_fill(self->buf, SZ, 78);
	test_write(self->fd, h, 0, SZ, self->buf);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_accept(to_child[0], to_parent[1]));

	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t);
	ASSERT_EQ(0, write_full(to_child[1], &t, sizeof(t)));
	EXPECT_EQ(0, read_full(to_parent[0], &c, 1));
	test_query(self->fd, h, &q);
	EXPECT_EQ(1, q.out_shared);
	test_err_write(EBUSY, self->fd, h, 0, 1, "y");
	ASSERT_EQ(0, write_full(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d", WEXITSTATUS(status));
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_shared);
	test_write(self->fd, h, 0, 1, "y");
	test_err_accept(ENOENT, self->fd2, t);
}

TEST_HARNESS_MAIN
