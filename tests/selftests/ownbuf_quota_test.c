// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the limits. Each test lowers module parameters through
 * /sys/module/ownbuf/parameters (root only) and puts the old values back in
 * a teardown that runs in the harness's parent process, so a test that dies
 * cannot leave the device with a lowered limit.
 */

#define _GNU_SOURCE
#include "ownbuf_helpers.h"

#define SZ 4096
#define MAX_SAVED 4

struct saved_param {
	const char *name;
	__u64 old;
};

/* Lower @name to @val, remembering the old value in @saved. */
static int param_push(struct saved_param *saved, int *n, const char *name, __u64 val)
{
	__u64 old = 0;
	int rc;

	if (*n >= MAX_SAVED)
		return -ENOSPC;
	rc = ob_param_get(name, &old);
	if (rc)
		return rc;
	rc = ob_param_set(name, val);
	if (rc)
		return rc;
	saved[*n].name = name;
	saved[*n].old = old;
	(*n)++;
	return 0;
}

static void param_pop_all(struct saved_param *saved, int *n)
{
	while (*n > 0) {
		(*n)--;
		if (ob_param_set(saved[*n].name, saved[*n].old))
			fprintf(stderr, "# cannot restore %s to %llu\n", saved[*n].name,
				(unsigned long long)saved[*n].old);
	}
}

#define PUSH(name, val) do {						\
	const char *__name = (name);					\
	int __rc = param_push(self->saved, &self->nsaved, __name, val);	\
	if (__rc)							\
		TH_LOG("cannot set parameter %s: %s", __name, strerror(-__rc)); \
	ASSERT_OK(__rc);						\
} while (0)

/* ---- EDQUOT for each quota, one variant per parameter ------------------ */

FIXTURE(quota)
{
	int fd;
	int fd2;
	int nsaved;
	struct saved_param saved[MAX_SAVED];
};

FIXTURE_VARIANT(quota)
{
	const char *param;
	__u64 value;		/* the new limit */
	bool plus_device_bytes;	/* value is on top of the bytes in use now */
	bool device_wide;	/* another session is limited as well */
};

/* Two buffers of SZ per session, at most. */
FIXTURE_VARIANT_ADD(quota, session_max_buffers) {
	.param = "session_max_buffers",
	.value = 2,
};

/* Two buffers' worth of bytes per session. */
FIXTURE_VARIANT_ADD(quota, session_max_bytes) {
	.param = "session_max_bytes",
	.value = 2 * SZ,
};

/* Two buffers' worth of bytes more than the device holds now, for all. */
FIXTURE_VARIANT_ADD(quota, device_max_bytes) {
	.param = "device_max_bytes",
	.value = 2 * SZ,
	.plus_device_bytes = true,
	.device_wide = true,
};

FIXTURE_SETUP(quota)
{
	struct ownbuf_stats s;
	__u64 val = variant->value;

	if (geteuid() != 0)
		SKIP(return, "module parameters need root");
	self->fd = ob_open();
	ASSERT_LE(0, self->fd);
	self->fd2 = ob_open();
	ASSERT_LE(0, self->fd2);
	if (variant->plus_device_bytes) {
		test_stats(self->fd, &s);
		val += s.out_device.bytes;
	}
	PUSH(variant->param, val);
}

FIXTURE_TEARDOWN_PARENT(quota)
{
	param_pop_all(self->saved, &self->nsaved);
}

/* create: EDQUOT one past the quota; back under it once a buffer is gone. */
TEST_F(quota, create_edquot)
{
	__u64 h1, h2, h3;

	test_create(self->fd, SZ, &h1);
	test_create(self->fd, SZ, &h2);
	test_err_create(EDQUOT, self->fd, SZ);
	test_err_create(EDQUOT, self->fd, SZ);
	test_drop(self->fd, h2);
	test_create(self->fd, SZ, &h3);
}

/* clone: quota errors as create. */
TEST_F(quota, clone_edquot)
{
	__u64 h1, h2;

	test_create(self->fd, SZ, &h1);
	test_create(self->fd, SZ, &h2);
	test_err_clone(EDQUOT, self->fd, h1);
}

/* A per-session quota does not limit another session; the device one does. */
TEST_F(quota, other_session)
{
	__u64 h1, h2, h3;
	int rc;

	test_create(self->fd, SZ, &h1);
	test_create(self->fd, SZ, &h2);
	rc = _test_create(self->fd2, SZ, &h3);
	if (variant->device_wide)
		EXPECT_ERRNO(EDQUOT, rc);
	else
		EXPECT_ERRNO(0, rc);
}

/* The refused create is counted as refused, with no violation class. */
TEST_F(quota, edquot_counted_as_refused)
{
	struct ownbuf_stats s0, s1;
	int i;

	test_create(self->fd, SZ, NULL);
	test_create(self->fd, SZ, NULL);
	test_stats(self->fd, &s0);
	test_err_create(EDQUOT, self->fd, SZ);
	test_stats(self->fd, &s1);
	EXPECT_EQ(s0.out_session.refused + 1, s1.out_session.refused);
	EXPECT_EQ(s0.out_session.buffers, s1.out_session.buffers);
	EXPECT_EQ(s0.out_device.bytes, s1.out_device.bytes);
	for (i = 0; i < OWNBUF_VIOLATION_SLOTS; i++)
		EXPECT_EQ(s0.out_session.violations[i], s1.out_session.violations[i]);
}

/* ---- the other limits --------------------------------------------------- */

FIXTURE(limits)
{
	int fd;
	int nsaved;
	struct saved_param saved[MAX_SAVED];
};

FIXTURE_SETUP(limits)
{
	if (geteuid() != 0)
		SKIP(return, "module parameters need root");
	self->fd = ob_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN_PARENT(limits)
{
	param_pop_all(self->saved, &self->nsaved);
}

/* max_buffer_size: EFBIG one byte over; the limit itself is fine. */
TEST_F(limits, max_buffer_size_efbig)
{
	PUSH("max_buffer_size", 2 * SZ);
	test_create(self->fd, 2 * SZ, NULL);
	test_err_create(EFBIG, self->fd, 2 * SZ + 1);
}

/* clone: EFBIG for a buffer made before max_buffer_size was lowered. */
TEST_F(limits, clone_over_max_buffer_size_efbig)
{
	__u64 h;

	test_create(self->fd, 4 * SZ, &h);
	PUSH("max_buffer_size", 2 * SZ);
	test_err_clone(EFBIG, self->fd, h);
}

/* EFBIG comes before EDQUOT when both apply. */
TEST_F(limits, efbig_before_edquot)
{
	PUSH("max_buffer_size", 2 * SZ);
	PUSH("session_max_buffers", 1);
	test_create(self->fd, SZ, NULL);
	test_err_create(EDQUOT, self->fd, SZ);
	test_err_create(EFBIG, self->fd, 2 * SZ + 1);
}

/* EBUSY comes before EDQUOT: clone through a mutably borrowed owner. */
TEST_F(limits, ebusy_before_edquot)
{
	__u64 h;

	PUSH("session_max_buffers", 1);
	test_create(self->fd, SZ, &h);
	test_err_clone(EDQUOT, self->fd, h);
	test_borrow(self->fd, h, OWNBUF_MODE_MUT, NULL);
	test_err_clone(EBUSY, self->fd, h);
}

/* session_max_handles: owner and borrow handles together stop at the limit. */
TEST_F(limits, session_max_handles_edquot)
{
	const __u64 limit = 4;
	__u64 h, held = 1;
	int i, rc = 0;

	PUSH("session_max_handles", limit);
	test_create(self->fd, SZ, &h);
	for (i = 0; i < (int)limit + 2; i++) {
		rc = _test_borrow(self->fd, h, OWNBUF_MODE_SHARED, NULL);
		if (rc)
			break;
		held++;
	}
	EXPECT_ERRNO(EDQUOT, rc);
	EXPECT_EQ(limit, held) TH_LOG("handles held when refused");
	test_err_create(EDQUOT, self->fd, SZ);
}

/* session_max_tickets: lend and give stop at the limit; cancel frees one. */
TEST_F(limits, session_max_tickets_edquot)
{
	__u64 h, h2, t1, t2;

	PUSH("session_max_tickets", 2);
	test_create(self->fd, SZ, &h);
	test_create(self->fd, SZ, &h2);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t1);
	test_lend(self->fd, h, OWNBUF_MODE_SHARED, &t2);
	test_err_lend(EDQUOT, self->fd, h, OWNBUF_MODE_SHARED);
	test_err_give(EDQUOT, self->fd, h2);
	/* The refused give left the handle alive. */
	test_query(self->fd, h2, NULL);
	test_cancel(self->fd, t1, NULL);
	test_give(self->fd, h2, NULL);
}

/* user_max_sessions: one uid's opens stop at the limit, EMFILE. */
TEST_F(limits, user_max_sessions_emfile)
{
	int fd2, fd3;

	PUSH("user_max_sessions", 2);
	fd2 = ob_open();
	ASSERT_LE(0, fd2);
	fd3 = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-1, fd3);
	EXPECT_EQ(EMFILE, errno);
	if (fd3 >= 0)
		close(fd3);
	close(fd2);
	/* A closed session makes room again. */
	fd2 = ob_open();
	EXPECT_LE(0, fd2);
	if (fd2 >= 0)
		close(fd2);
}

/*
 * user_max_bytes: one uid's sessions together, each buffer counted with
 * 256 bytes of metadata (so many tiny buffers cannot get round it), and
 * each session's handle table by the 4 KiB chunk.
 */
TEST_F(limits, user_max_bytes_edquot)
{
	int fd2 = ob_open();

	ASSERT_LE(0, fd2);
	PUSH("user_max_bytes", 2 * 4096 + 3 * (16 + 256));
	test_create(self->fd, 16, NULL);
	test_create(fd2, 16, NULL);
	test_create(fd2, 16, NULL);
	test_err_create(EDQUOT, self->fd, 1);
	test_err_create(EDQUOT, fd2, 1);
	close(fd2);
}

/* Resident pages of this process, from /proc/self/statm. */
static long resident_pages(void)
{
	long size, resident = -1;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident;
}

/*
 * A read far past a small buffer's end is ERANGE before any user memory is
 * touched, however high root set max_buffer_size: the destination's pages
 * are never faulted in (review finding 8).
 */
TEST_F(limits, huge_read_erange_touches_no_user_memory)
{
	const size_t len = 128 << 20;
	long before, after;
	__u64 h;
	char *dst;

	PUSH("max_buffer_size", 1ULL << 30);
	test_create(self->fd, 16, &h);
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(dst != MAP_FAILED);
	before = resident_pages();
	test_err_read(ERANGE, self->fd, h, 0, len, dst);
	after = resident_pages();
	ASSERT_LE(0, before);
	EXPECT_GT(16L << 20 >> 12, after - before)
		TH_LOG("the refused read made %ld pages resident", after - before);
	munmap(dst, len);
}

TEST_HARNESS_MAIN
