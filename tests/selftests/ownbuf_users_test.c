// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: two users of the device's group. Root makes the node
 * 0660 in a group of its own (as the udev rule does for the ownbuf group),
 * then each test runs children as two unprivileged uids of that group:
 * - one cannot reach the other's buffers except through a ticket: its
 *   handle values are EBADF, guessed tickets are ENOENT (10^6 of them,
 *   take and accept, while real tickets are out), a real ticket works;
 * - the per-user limits hold: one user at its byte, session or ticket
 *   limit leaves the other able to work.
 * Needs root (to change the node and become the users), else skipped.
 */

#define _GNU_SOURCE
#include <grp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ownbuf_helpers.h"

#define GROUP	4242
#define USER_A	4001
#define USER_B	4002
#define GUESSES	1000000
/*
 * 10^6 guesses take 21-29 s on the debug kernel under TCG here, more on a
 * slower machine: far past the harness's 30 s default, which is a hang
 * detector, not a performance bound.
 */
#define GUESS_TIMEOUT	600

FIXTURE(users)
{
	struct stat node;
	bool skip;
};

FIXTURE_SETUP(users)
{
	self->skip = geteuid() != 0 || stat(OWNBUF_PATH, &self->node);
	if (self->skip)
		return;
	ASSERT_EQ(0, chown(OWNBUF_PATH, 0, GROUP));
	ASSERT_EQ(0, chmod(OWNBUF_PATH, 0660));
}

FIXTURE_TEARDOWN(users)
{
	if (self->skip)
		return;
	chown(OWNBUF_PATH, self->node.st_uid, self->node.st_gid);
	chmod(OWNBUF_PATH, self->node.st_mode & 07777);
}

/* Become @uid of the device's group, for good. */
static int become(uid_t uid)
{
	gid_t g = GROUP;

	if (setgroups(1, &g) || setgid(GROUP) || setuid(uid))
		return -1;
	return getuid() == uid && geteuid() == uid ? 0 : -1;
}

typedef int (*child_fn)(int rd, int wr);

/*
 * Run @fn as @uid in a child, reading @rd and writing @wr; every other end
 * of the two pipes is closed there, so that a peer that dies ends this
 * child's read instead of leaving it blocked.
 */
static pid_t spawn(uid_t uid, child_fn fn, const int pipes[4], int rd, int wr)
{
	pid_t pid = fork();
	int i;

	if (pid)
		return pid;
	for (i = 0; i < 4; i++)
		if (pipes[i] != rd && pipes[i] != wr)
			close(pipes[i]);
	if (become(uid))
		_exit(250);
	_exit(fn(rd, wr));
}

static int child_status(pid_t pid)
{
	int status;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A as USER_A and B as USER_B, talking over two pipes. Each child's exit
 * status says how it went: 0 for success, else the line (mod 256) of its
 * first failed check.
 */
static void run_pair(struct __test_metadata *_metadata, child_fn a_fn, child_fn b_fn)
{
	int pipes[4];	/* B to A: read, write; A to B: read, write */
	pid_t a, b;
	int i;

	ASSERT_EQ(0, pipe(&pipes[0]));
	ASSERT_EQ(0, pipe(&pipes[2]));
	a = spawn(USER_A, a_fn, pipes, pipes[0], pipes[3]);
	b = spawn(USER_B, b_fn, pipes, pipes[2], pipes[1]);
	for (i = 0; i < 4; i++)
		close(pipes[i]);
	EXPECT_EQ(0, child_status(b));
	EXPECT_EQ(0, child_status(a));
}

/* In a child: a failed check ends it, its exit status the check's line. */
static void child_check(bool ok, int line)
{
	if (!ok)
		_exit(line & 0xff ?: 1);
}

#define CHILD_CHECK(cond) child_check(cond, __LINE__)

/* A: three live handles, a dead one, then its values to B; waits for B. */
static int a_hands_out_values(int rd, int wr)
{
	__u64 h[4], b;
	char done;
	int fd = ob_open(), i;

	CHILD_CHECK(fd >= 0);
	for (i = 0; i < 3; i++)
		CHILD_CHECK(!_test_create(fd, 64, &h[i]));
	CHILD_CHECK(!_test_borrow(fd, h[0], OWNBUF_MODE_SHARED, &b));
	h[3] = b;
	CHILD_CHECK(!_test_release(fd, b));
	CHILD_CHECK(write(wr, h, sizeof(h)) == sizeof(h));
	CHILD_CHECK(read(rd, &done, 1) == 1);
	/* B's tries changed nothing here. */
	CHILD_CHECK(!_test_read(fd, h[1], 0, 1, &done));
	return 0;
}

/* B: every value of A's is EBADF here, whatever the op. */
static int b_tries_foreign_values(int rd, int wr)
{
	__u64 h[4], out;
	__u8 byte = 0;
	int fd = ob_open(), i;

	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(read(rd, h, sizeof(h)) == sizeof(h));
	/* B has handles of its own too, in the same slots. */
	for (i = 0; i < 3; i++)
		CHILD_CHECK(!_test_create(fd, 64, &out));
	for (i = 0; i < 4; i++) {
		CHILD_CHECK(_test_read(fd, h[i], 0, 1, &byte) == -EBADF);
		CHILD_CHECK(_test_write(fd, h[i], 0, 1, &byte) == -EBADF);
		CHILD_CHECK(_test_borrow(fd, h[i], OWNBUF_MODE_SHARED, &out) == -EBADF);
		CHILD_CHECK(_test_drop(fd, h[i], OWNBUF_DROP_REVOKE) == -EBADF);
		CHILD_CHECK(_test_give(fd, h[i], &out) == -EBADF);
		CHILD_CHECK(_test_release(fd, h[i]) == -EBADF);
		CHILD_CHECK(_test_query(fd, h[i], NULL) == -EBADF);
	}
	CHILD_CHECK(write(wr, "x", 1) == 1);
	return 0;
}

TEST_F(users, foreign_handle_values_ebadf)
{
	if (self->skip)
		SKIP(return, "needs root");
	run_pair(_metadata, a_hands_out_values, b_tries_foreign_values);
}

/* A: a live move and a live loan out, kept until B is done guessing. */
static int a_holds_tickets(int rd, int wr)
{
	__u64 h, t[2];
	char done;
	int fd = ob_open();

	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!_test_create(fd, 64, &h));
	CHILD_CHECK(!_test_lend(fd, h, OWNBUF_MODE_SHARED, &t[0]));
	CHILD_CHECK(!_test_create(fd, 64, &h));
	CHILD_CHECK(!_test_give(fd, h, &t[1]));
	CHILD_CHECK(write(wr, "r", 1) == 1);
	CHILD_CHECK(read(rd, &done, 1) == 1);
	/* Neither was taken by a guess: both cancel. */
	CHILD_CHECK(!_test_cancel(fd, t[0], &h));
	CHILD_CHECK(!_test_cancel(fd, t[1], &h));
	/* Now real ones, for B to take. */
	CHILD_CHECK(!_test_lend(fd, h, OWNBUF_MODE_SHARED, &t[0]));
	CHILD_CHECK(!_test_create(fd, 64, &h));
	CHILD_CHECK(!_test_give(fd, h, &t[1]));
	CHILD_CHECK(write(wr, t, sizeof(t)) == sizeof(t));
	CHILD_CHECK(read(rd, &done, 1) == 1);
	/* B's, not A's: A cannot cancel what B took. */
	CHILD_CHECK(_test_cancel(fd, t[1], &h) == -ENOENT);
	return 0;
}

static int b_guesses(int rd, int wr)
{
	__u64 guess[512], t[2], h;
	int fd = ob_open(), made = 0, j;
	char ready;

	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(read(rd, &ready, 1) == 1);
	/* Exactly GUESSES guesses (0 is no guess: it is not counted). */
	while (made < GUESSES) {
		CHILD_CHECK(getrandom(guess, sizeof(guess), 0) == sizeof(guess));
		for (j = 0; j < 512 && made < GUESSES; j++) {
			if (!guess[j])
				continue;
			CHILD_CHECK(_test_ticket(fd, j & 1 ? OWNBUF_IOC_TAKE : OWNBUF_IOC_ACCEPT,
						 "guess", guess[j], &h) == -ENOENT);
			made++;
		}
	}
	CHILD_CHECK(write(wr, "g", 1) == 1);
	/* A real ticket crosses users; A's cancel is not B's. */
	CHILD_CHECK(read(rd, t, sizeof(t)) == sizeof(t));
	CHILD_CHECK(_test_cancel(fd, t[0], &h) == -ENOENT);
	CHILD_CHECK(!_test_accept(fd, t[0], &h));
	CHILD_CHECK(!_test_take(fd, t[1], &h));
	CHILD_CHECK(!_test_write(fd, h, 0, 1, "x"));
	CHILD_CHECK(write(wr, "d", 1) == 1);
	return 0;
}

TEST_F_TIMEOUT(users, guessed_tickets_enoent_real_ones_cross, GUESS_TIMEOUT)
{
	if (self->skip)
		SKIP(return, "needs root");
	run_pair(_metadata, a_holds_tickets, b_guesses);
}

/*
 * A fills every per-user limit it can (bytes, tickets, sessions), holds
 * them, and B still works: creates, lends, opens.
 */
static int a_fills_its_limits(int rd, int wr)
{
	__u64 small, h, t;
	char done;
	int fd = ob_open(), ret, n;

	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!_test_create(fd, 1, &small));
	/* Bytes: 1 MiB buffers until the uid's limit (4 MiB here). */
	for (n = 0; n < 64 && !(ret = _test_create(fd, 1 << 20, &h)); n++)
		;
	CHILD_CHECK(ret == -EDQUOT && n >= 2);
	/* Tickets: loans of the small buffer until the uid's limit (16). */
	for (n = 0; n < 64 && !(ret = _test_lend(fd, small, OWNBUF_MODE_SHARED, &t)); n++)
		;
	CHILD_CHECK(ret == -EDQUOT && n == 16);
	/* Sessions: until the uid's limit (8), then EMFILE. */
	for (n = 1; n < 64 && ob_open() >= 0; n++)
		;
	CHILD_CHECK(errno == EMFILE && n == 8);
	CHILD_CHECK(write(wr, "f", 1) == 1);
	CHILD_CHECK(read(rd, &done, 1) == 1);
	return 0;
}

static int b_still_works(int rd, int wr)
{
	__u64 h, t;
	char full;
	int fd;

	CHILD_CHECK(read(rd, &full, 1) == 1);
	fd = ob_open();
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!_test_create(fd, 1 << 20, &h));
	CHILD_CHECK(!_test_lend(fd, h, OWNBUF_MODE_SHARED, &t));
	CHILD_CHECK(ob_open() >= 0);
	CHILD_CHECK(write(wr, "w", 1) == 1);
	return 0;
}

TEST_F(users, one_user_at_its_limits_leaves_the_other_working)
{
	static const char *const names[] = {
		"user_max_bytes", "user_max_tickets", "user_max_sessions"
	};
	const __u64 limits[] = { 4 << 20, 16, 8 };
	__u64 saved[3];
	int i;

	if (self->skip)
		SKIP(return, "needs root");
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ob_param_get(names[i], &saved[i]));
		ASSERT_EQ(0, ob_param_set(names[i], limits[i]));
	}
	run_pair(_metadata, a_fills_its_limits, b_still_works);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, ob_param_set(names[i], saved[i]));
}

TEST_HARNESS_MAIN
