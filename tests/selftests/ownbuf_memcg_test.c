// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: buffer memory is charged to the creating task's memory
 * cgroup, and a create over the cgroup's limit is refused with ENOMEM: the
 * process is never OOM-killed, nothing stays charged. Needs cgroup v2 with
 * the memory controller (mounted here if it is not yet), else skipped.
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ownbuf_helpers.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_DIR CG_ROOT "/ownbuf_memcg_test"
#define MIB (1024ULL * 1024)

static int cg_write(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -errno;
}

static long long cg_read(const char *file)
{
	char buf[64] = "";
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoll(buf) : -1;
}

/* A child cgroup of CG_ROOT with the memory controller, or why not. */
static const char *cg_setup(void)
{
	char pid[32];

	mkdir(CG_ROOT, 0755);
	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL))
		return "cannot mount cgroup2";
	if (cg_write(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return "no memory controller";
	rmdir(CG_DIR);
	if (mkdir(CG_DIR, 0755))
		return "cannot make a cgroup";
	if (cg_write(CG_DIR "/memory.max", "16777216"))
		return "cannot set memory.max";
	/* No swap to spill to, where the kernel has swap accounting. */
	cg_write(CG_DIR "/memory.swap.max", "0");
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (cg_write(CG_DIR "/cgroup.procs", pid))
		return "cannot join the cgroup";
	return NULL;
}

FIXTURE(memcg)
{
	int fd;
	const char *skip;
};

FIXTURE_SETUP(memcg)
{
	self->skip = cg_setup();
	self->fd = -1;
	if (self->skip)
		return;
	self->fd = ob_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->fd >= 0)
		close(self->fd);
	/* Back to the root cgroup, then the test cgroup can go. */
	cg_write(CG_ROOT "/cgroup.procs", "0");
	rmdir(CG_DIR);
}

/* A create is charged to the creator's cgroup, a drop uncharges it. */
TEST_F(memcg, create_charges_creator)
{
	long long before, during, after;
	__u64 h;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	before = cg_read(CG_DIR "/memory.current");
	ASSERT_LE(0, before);
	test_create(self->fd, 4 * MIB, &h);
	during = cg_read(CG_DIR "/memory.current");
	EXPECT_LE(before + (long long)(4 * MIB), during)
		TH_LOG("memory.current %lld -> %lld for a 4 MiB buffer", before, during);
	test_drop(self->fd, h);
	after = cg_read(CG_DIR "/memory.current");
	EXPECT_GT(before + (long long)MIB, after)
		TH_LOG("memory.current %lld after the drop (was %lld)", after, before);
}

/* Over the cgroup's limit: ENOMEM, the process lives, nothing is kept. */
TEST_F(memcg, over_limit_enomem_not_oom)
{
	struct ownbuf_stats st;
	__u64 h, big;
	int i, rc;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	test_create(self->fd, 4 * MIB, &h);
	test_err_create(ENOMEM, self->fd, 32 * MIB);
	/*
	 * Nothing of the refused create is kept: another 4 MiB fits. The
	 * cgroup may see what it freed a little later (seen on 7.2, where
	 * this create failed once in about ten runs), so give it a second.
	 */
	for (i = 0; i < 10; i++) {
		rc = _test_create(self->fd, 4 * MIB, &big);
		if (rc != -ENOMEM)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(0, rc) TH_LOG("memory.current %lld after %d tries",
				cg_read(CG_DIR "/memory.current"), i + 1);
	if (i)
		TH_LOG("the 4 MiB create fitted after %d tries", i + 1);
	test_drop(self->fd, big);
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, ioctl(self->fd, OWNBUF_IOC_STATS, &st));
	EXPECT_EQ(1, st.out_session.buffers);
	EXPECT_EQ(4 * MIB, st.out_session.bytes);
	test_drop(self->fd, h);
}

/*
 * Small buffers up to a tight limit: most of what each create charges is
 * the buffer's own metadata (and its id), so that is where the limit is
 * met. Every such allocation must give up with ENOMEM rather than call
 * the cgroup's OOM killer on the caller (it did: the metadata was charged
 * without __GFP_RETRY_MAYFAIL, and this test died by SIGKILL).
 *
 * Only the kernel may meet the limit here. A page fault of the caller's
 * own at a full cgroup (a page table for the harness's shared results,
 * say) is answered by the OOM killer, as it should be, and the test died
 * that way once on 7.2. So the filling is done by a child that faulted
 * in and locked all its memory before it joined the cgroup, touches
 * nothing new after, and reports by its exit status alone.
 */
enum small_fill_exit {
	FILL_OK,
	FILL_NO_MLOCK,
	FILL_NO_JOIN,
	FILL_NO_LIMIT,
	FILL_NO_OPEN,
	FILL_NOT_ENOMEM,
	FILL_NEVER_FULL,
	FILL_NO_STATS,
	FILL_WRONG_COUNT,
};

static const char *const small_fill_why[] = {
	[FILL_OK] = "ok",
	[FILL_NO_MLOCK] = "mlockall failed",
	[FILL_NO_JOIN] = "cannot join the cgroup",
	[FILL_NO_LIMIT] = "cannot set memory.max",
	[FILL_NO_OPEN] = "cannot open " OWNBUF_PATH,
	[FILL_NOT_ENOMEM] = "a create failed, but not with ENOMEM",
	[FILL_NEVER_FULL] = "4000 creates all fitted under the limit",
	[FILL_NO_STATS] = "STATS failed at the limit",
	[FILL_WRONG_COUNT] = "STATS counts a buffer the refused create left",
};

static int small_fill(void)
{
	struct ownbuf_create c;
	struct ownbuf_stats st;
	char val[32];
	long long now;
	int fd, i, rc = 0;

	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		return FILL_NO_MLOCK;
	if (cg_write(CG_DIR "/cgroup.procs", "0"))
		return FILL_NO_JOIN;
	fd = ob_open();
	if (fd < 0)
		return FILL_NO_OPEN;
	now = cg_read(CG_DIR "/memory.current");
	snprintf(val, sizeof(val), "%lld", now + 8192);
	if (now < 0 || cg_write(CG_DIR "/memory.max", val))
		return FILL_NO_LIMIT;
	for (i = 0; i < 4000 && !rc; i++) {
		ob_init_create(&c, 1);
		rc = ob_ioctl(fd, OWNBUF_IOC_CREATE, &c);
	}
	if (!rc)
		return FILL_NEVER_FULL;
	if (rc != -ENOMEM)
		return FILL_NOT_ENOMEM;
	ob_init_stats(&st);
	if (ob_ioctl(fd, OWNBUF_IOC_STATS, &st))
		return FILL_NO_STATS;
	if (st.out_session.buffers != (__u64)(i - 1))
		return FILL_WRONG_COUNT;
	return FILL_OK;
}

TEST_F(memcg, small_buffers_over_limit_enomem_not_oom)
{
	int status;
	pid_t pid;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	/* This process stays outside, so that only the child can be full. */
	ASSERT_EQ(0, cg_write(CG_ROOT "/cgroup.procs", "0"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(small_fill());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_FALSE(WIFSIGNALED(status))
		TH_LOG("the filling child died by signal %d%s", WTERMSIG(status),
		       WTERMSIG(status) == SIGKILL ? " (the OOM killer?)" : "");
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(FILL_OK, WEXITSTATUS(status))
		TH_LOG("the filling child: %s",
		       WEXITSTATUS(status) < ARRAY_SIZE(small_fill_why) ?
		       small_fill_why[WEXITSTATUS(status)] : "unknown exit");
}

TEST_HARNESS_MAIN
