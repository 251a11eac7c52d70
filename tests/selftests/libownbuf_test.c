// SPDX-License-Identifier: GPL-2.0
/*
 * libownbuf selftests: the C client library against the real device. Every
 * raw call on success and on a typical error (the library's -errno must be
 * the device's errno), the typed constructors (NULL with *err set, err may
 * be NULL), the end-of-life functions (drop and give free the record on
 * success only, release unless a mapping holds the borrow, unmap always),
 * mappings (written through, read back with the read ioctl, counted by
 * query, torn down by a revoking drop: SIGBUS), and the name tables.
 *
 * Built with tools/lib/libownbuf.c compiled in (scripts/build-selftests.sh).
 */

#define _GNU_SOURCE
/* mmap offsets go past 4 GiB: the -m32 build needs a 64-bit off_t too. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libownbuf.h"
#include "kselftest_harness.h"

/*
 * The raw layer's value type (uint64_t), named after the library's own
 * field: checkpatch asks kernel code for u64, which userspace lacks.
 */
#define lib_u64 __typeof__(((struct ownbuf_own *)0)->handle)

/* Pointers as truth values: the harness cannot print a pointer on -m32. */
#define ASSERT_PTR(p)	ASSERT_EQ(1, !!(p))
#define EXPECT_PTR(p)	EXPECT_EQ(1, !!(p))
#define EXPECT_NOPTR(p)	EXPECT_EQ(0, !!(p))

#define SZ 64
#define MADE_UP(h) ((h) ^ (1ULL << 40))

/*
 * Did the library free a record? glibc hands the chunk freed last back
 * first (its per-thread cache is LIFO, up to 7 chunks per size). drain()
 * empties that cache for the record's size; then freed() asks for one
 * chunk of that size: it is the record's own address only if the library
 * freed the record in between (a live record's address cannot be handed
 * out). The address is compared, never dereferenced.
 */
#define DRAIN 64
static void *drained[DRAIN];

static void drain(size_t size)
{
	int i;

	for (i = 0; i < DRAIN; i++)
		drained[i] = malloc(size);
}

static int freed(uintptr_t addr, size_t size)
{
	void *p = malloc(size);
	int yes = (uintptr_t)p == addr;
	int i;

	free(p);
	for (i = 0; i < DRAIN; i++)
		free(drained[i]);
	return yes;
}

/* One page, as the device rounds mappings. */
static lib_u64 page(void)
{
	return (lib_u64)sysconf(_SC_PAGESIZE);
}

/*
 * Can the byte at @p be read? 0 when reading it raises SIGBUS (a mapping
 * torn down). The harness runs each test in a process of its own.
 */
static sigjmp_buf bus_env;

static void bus_handler(int sig)
{
	(void)sig;
	siglongjmp(bus_env, 1);
}

static int readable(const void *p)
{
	struct sigaction sa = { .sa_handler = bus_handler };
	struct sigaction old;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		return -1;
	if (sigsetjmp(bus_env, 1)) {
		sigaction(SIGBUS, &old, NULL);
		return 0;
	}
	(void)__atomic_load_n((const char *)p, __ATOMIC_RELAXED);	/* never optimized out */
	sigaction(SIGBUS, &old, NULL);
	return 1;
}

FIXTURE(raw)
{
	int fd;
	char buf[SZ];
};

FIXTURE_SETUP(raw)
{
	self->fd = ownbuf_raw_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_DEVICE_PATH, strerror(-self->fd));
	memset(self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(raw)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(raw, open_is_a_session)
{
	int fd2 = ownbuf_raw_open();
	lib_u64 h;

	ASSERT_LE(0, fd2);
	ASSERT_NE(self->fd, fd2);
	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	/* Another session cannot use this one's handle. */
	EXPECT_EQ(-EBADF, ownbuf_raw_read(fd2, h, 0, self->buf, 1));
	EXPECT_TRUE(fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	close(fd2);
}

TEST_F(raw, create)
{
	lib_u64 h = 0x1234;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	EXPECT_NE(0, h);
	EXPECT_NE(0x1234, h);
	/* Refused: -errno, and the out value is left alone. */
	h = 0x1234;
	EXPECT_EQ(-EINVAL, ownbuf_raw_create(self->fd, 0, &h));
	EXPECT_EQ(0x1234, h);
	EXPECT_EQ(-EFBIG, ownbuf_raw_create(self->fd, 1ULL << 62, &h));
	EXPECT_EQ(-EBADF, ownbuf_raw_create(-1, SZ, &h));
}

TEST_F(raw, drop)
{
	lib_u64 h, b;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_drop(self->fd, h, 0));
	EXPECT_EQ(-ESTALE, ownbuf_raw_drop(self->fd, h, 0));
	EXPECT_EQ(-EINVAL, ownbuf_raw_drop(self->fd, 0, 0));

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	EXPECT_EQ(-EBADF, ownbuf_raw_drop(self->fd, MADE_UP(h), 0));
	EXPECT_EQ(-EINVAL, ownbuf_raw_drop(self->fd, h, 0x80));
	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b));
	EXPECT_EQ(-EBUSY, ownbuf_raw_drop(self->fd, h, 0));
	EXPECT_EQ(0, ownbuf_raw_drop(self->fd, h, OWNBUF_DROP_REVOKE));
	EXPECT_EQ(-ESTALE, ownbuf_raw_read(self->fd, b, 0, self->buf, 1));
}

TEST_F(raw, read_write)
{
	char out[SZ];
	lib_u64 h;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	memcpy(self->buf, "hello, ownbuf", 14);
	ASSERT_EQ(0, ownbuf_raw_write(self->fd, h, 8, self->buf, 14));
	memset(out, 'x', sizeof(out));
	ASSERT_EQ(0, ownbuf_raw_read(self->fd, h, 0, out, SZ));
	EXPECT_EQ(0, memcmp(out + 8, "hello, ownbuf", 14));
	EXPECT_EQ(0, out[0]);	/* zero-filled at creation */
	EXPECT_EQ(-ERANGE, ownbuf_raw_read(self->fd, h, SZ - 1, out, 2));
	EXPECT_EQ(-ERANGE, ownbuf_raw_write(self->fd, h, ~0ULL, out, 2));
	EXPECT_EQ(0, ownbuf_raw_read(self->fd, h, SZ, out, 0));
	EXPECT_EQ(-EFAULT, ownbuf_raw_read(self->fd, h, 0, NULL, 1));
	ASSERT_EQ(0, ownbuf_raw_drop(self->fd, h, 0));
	EXPECT_EQ(-ESTALE, ownbuf_raw_write(self->fd, h, 0, out, 1));
}

TEST_F(raw, borrow_release)
{
	lib_u64 h, s1, s2, m;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_SHARED, &s1));
	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, s1, OWNBUF_MODE_SHARED, &s2));
	EXPECT_NE(s1, s2);
	EXPECT_EQ(-EBUSY, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_MUT, &m));
	EXPECT_EQ(-EINVAL, ownbuf_raw_borrow(self->fd, h, 3, &m));
	EXPECT_EQ(-EACCES, ownbuf_raw_write(self->fd, s1, 0, self->buf, 1));
	EXPECT_EQ(-EBUSY, ownbuf_raw_write(self->fd, h, 0, self->buf, 1));
	EXPECT_EQ(0, ownbuf_raw_read(self->fd, s2, 0, self->buf, 1));
	ASSERT_EQ(0, ownbuf_raw_release(self->fd, s1));
	EXPECT_EQ(-ESTALE, ownbuf_raw_release(self->fd, s1));
	EXPECT_EQ(-EINVAL, ownbuf_raw_release(self->fd, h));
	ASSERT_EQ(0, ownbuf_raw_release(self->fd, s2));
	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_MUT, &m));
	EXPECT_EQ(0, ownbuf_raw_write(self->fd, m, 0, self->buf, 1));
	EXPECT_EQ(-EBUSY, ownbuf_raw_read(self->fd, h, 0, self->buf, 1));
	EXPECT_EQ(0, ownbuf_raw_release(self->fd, m));
}

TEST_F(raw, give_take_cancel)
{
	int fd2 = ownbuf_raw_open();
	lib_u64 h, t, h2, back;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_write(self->fd, h, 0, "moved", 5));
	ASSERT_EQ(0, ownbuf_raw_give(self->fd, h, &t));
	EXPECT_NE(0, t);
	EXPECT_EQ(-ESTALE, ownbuf_raw_read(self->fd, h, 0, self->buf, 1));
	EXPECT_EQ(-ESTALE, ownbuf_raw_give(self->fd, h, &t));
	ASSERT_EQ(0, ownbuf_raw_take(fd2, t, &h2));
	ASSERT_EQ(0, ownbuf_raw_read(fd2, h2, 0, self->buf, 5));
	EXPECT_EQ(0, memcmp(self->buf, "moved", 5));
	EXPECT_EQ(-ENOENT, ownbuf_raw_take(fd2, t, &h2));
	EXPECT_EQ(-EINVAL, ownbuf_raw_take(fd2, 0, &h2));

	/* cancel: a move comes back as a new owner; others' or used: ENOENT. */
	ASSERT_EQ(0, ownbuf_raw_give(fd2, h2, &t));
	EXPECT_EQ(-ENOENT, ownbuf_raw_cancel(self->fd, t, &back));
	ASSERT_EQ(0, ownbuf_raw_cancel(fd2, t, &back));
	EXPECT_NE(0, back);
	EXPECT_EQ(0, ownbuf_raw_read(fd2, back, 0, self->buf, 5));
	EXPECT_EQ(-ENOENT, ownbuf_raw_cancel(fd2, t, &back));
	close(fd2);
}

TEST_F(raw, lend_accept)
{
	struct ownbuf_query q;
	lib_u64 h, t, b, out = 0x77;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_lend(self->fd, h, OWNBUF_MODE_MUT, &t));
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, h, &q));
	EXPECT_EQ(1, q.out_mut);
	EXPECT_EQ(-EBUSY, ownbuf_raw_lend(self->fd, h, OWNBUF_MODE_SHARED, &b));
	EXPECT_EQ(-EINVAL, ownbuf_raw_take(self->fd, t, &b));	/* wrong kind, still live */
	ASSERT_EQ(0, ownbuf_raw_accept(self->fd, t, &b));
	EXPECT_EQ(0, ownbuf_raw_write(self->fd, b, 0, "lent", 4));
	EXPECT_EQ(-ENOENT, ownbuf_raw_accept(self->fd, t, &b));
	EXPECT_EQ(0, ownbuf_raw_release(self->fd, b));

	/* Cancelling a lend returns no handle: out is 0, or may be NULL. */
	ASSERT_EQ(0, ownbuf_raw_lend(self->fd, h, OWNBUF_MODE_SHARED, &t));
	ASSERT_EQ(0, ownbuf_raw_cancel(self->fd, t, &out));
	EXPECT_EQ(0, out);
	ASSERT_EQ(0, ownbuf_raw_lend(self->fd, h, OWNBUF_MODE_SHARED, &t));
	ASSERT_EQ(0, ownbuf_raw_cancel(self->fd, t, NULL));
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, h, &q));
	EXPECT_EQ(0, q.out_shared);
}

TEST_F(raw, clone_freeze_query)
{
	struct ownbuf_query q;
	lib_u64 h, c, b;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_write(self->fd, h, 0, "orig", 4));
	ASSERT_EQ(0, ownbuf_raw_freeze(self->fd, h));
	EXPECT_EQ(0, ownbuf_raw_freeze(self->fd, h));
	EXPECT_EQ(-EACCES, ownbuf_raw_write(self->fd, h, 0, "x", 1));
	EXPECT_EQ(-EACCES, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_MUT, &b));
	ASSERT_EQ(0, ownbuf_raw_clone(self->fd, h, &c));
	EXPECT_NE(h, c);
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, c, &q));
	EXPECT_EQ(SZ, q.out_size);
	EXPECT_EQ(OWNBUF_KIND_OWNER, q.out_kind);
	EXPECT_EQ(0, q.out_mode);
	EXPECT_EQ(0, q.out_frozen);
	ASSERT_EQ(0, ownbuf_raw_read(self->fd, c, 0, self->buf, 4));
	EXPECT_EQ(0, memcmp(self->buf, "orig", 4));

	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b));
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, b, &q));
	EXPECT_EQ(OWNBUF_KIND_BORROW, q.out_kind);
	EXPECT_EQ(OWNBUF_MODE_SHARED, q.out_mode);
	EXPECT_EQ(1, q.out_shared);
	EXPECT_EQ(1, q.out_frozen);
	EXPECT_EQ(-EINVAL, ownbuf_raw_freeze(self->fd, b));	/* not an owner handle */
	ASSERT_EQ(0, ownbuf_raw_drop(self->fd, c, 0));
	EXPECT_EQ(-ESTALE, ownbuf_raw_query(self->fd, c, &q));
	EXPECT_EQ(-ESTALE, ownbuf_raw_clone(self->fd, c, &b));
	EXPECT_EQ(-ESTALE, ownbuf_raw_freeze(self->fd, c));
	EXPECT_EQ(-EBADF, ownbuf_raw_query(self->fd, MADE_UP(h), &q));
}

TEST_F(raw, stats)
{
	struct ownbuf_stats st;
	lib_u64 h;

	ASSERT_EQ(0, ownbuf_raw_stats(self->fd, &st));
	EXPECT_EQ(0, st.out_session.buffers);
	EXPECT_EQ(1, st.out_session.sessions);
	EXPECT_LE(1, st.out_device.sessions);
	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_drop(self->fd, h, 0));
	EXPECT_EQ(-ESTALE, ownbuf_raw_drop(self->fd, h, 0));
	ASSERT_EQ(0, ownbuf_raw_stats(self->fd, &st));
	EXPECT_EQ(0, st.out_session.buffers);
	EXPECT_EQ(1, st.out_session.refused);
	EXPECT_EQ(1, st.out_session.violations[OWNBUF_VIOLATION_DOUBLE_FREE]);
	EXPECT_EQ(-EBADF, ownbuf_raw_stats(-1, &st));
}

TEST_F(raw, map)
{
	lib_u64 h, big, b, off, off2, boff, len;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_map(self->fd, h, &off, &len));
	EXPECT_NE(0, off);
	EXPECT_EQ(0, off % page());
	EXPECT_EQ(page(), len);
	/* The same handle, the same offset; another handle, another one. */
	ASSERT_EQ(0, ownbuf_raw_map(self->fd, h, &off2, &len));
	EXPECT_EQ(off, off2);
	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b));
	ASSERT_EQ(0, ownbuf_raw_map(self->fd, b, &boff, &len));
	EXPECT_NE(off, boff);
	ASSERT_EQ(0, ownbuf_raw_create(self->fd, 3 * page() + 1, &big));
	ASSERT_EQ(0, ownbuf_raw_map(self->fd, big, &off2, &len));
	EXPECT_EQ(4 * page(), len);
	/* Refused: -errno, and the out values are left alone. */
	off2 = 0x1234;
	len = 0x5678;
	EXPECT_EQ(-EINVAL, ownbuf_raw_map(self->fd, 0, &off2, &len));
	EXPECT_EQ(-EBADF, ownbuf_raw_map(self->fd, MADE_UP(h), &off2, &len));
	EXPECT_EQ(0x1234, off2);
	EXPECT_EQ(0x5678, len);
	ASSERT_EQ(0, ownbuf_raw_drop(self->fd, h, OWNBUF_DROP_REVOKE));
	EXPECT_EQ(-ESTALE, ownbuf_raw_map(self->fd, h, &off2, &len));
	EXPECT_EQ(-ESTALE, ownbuf_raw_map(self->fd, b, &off2, &len));
}

/* Written through a mapping, read back through the read ioctl after munmap. */
TEST_F(raw, mmap_write_then_read)
{
	struct ownbuf_query q;
	lib_u64 h;
	size_t len = 0;
	char *addr;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_mmap(self->fd, h, PROT_READ | PROT_WRITE, (void **)&addr, &len));
	EXPECT_EQ(page(), len);
	EXPECT_EQ(0, addr[0]);		/* zero-filled */
	EXPECT_EQ(0, addr[len - 1]);	/* past the size, in the last page: zero */
	memcpy(addr + 8, "mapped", 6);
	/* A writable mapping through the owner is a mutable borrow. */
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, h, &q));
	EXPECT_EQ(1, q.out_mappings);
	EXPECT_EQ(1, q.out_mut);
	EXPECT_EQ(-EBUSY, ownbuf_raw_read(self->fd, h, 0, self->buf, 1));
	EXPECT_EQ(-EBUSY, ownbuf_raw_drop(self->fd, h, 0));
	ASSERT_EQ(0, ownbuf_raw_munmap(addr, len));
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, h, &q));
	EXPECT_EQ(0, q.out_mappings);
	EXPECT_EQ(0, q.out_mut);
	ASSERT_EQ(0, ownbuf_raw_read(self->fd, h, 8, self->buf, 6));
	EXPECT_EQ(0, memcmp(self->buf, "mapped", 6));

	/* A read-only one is a shared borrow, and sees what write wrote. */
	ASSERT_EQ(0, ownbuf_raw_write(self->fd, h, 0, "ioctl", 5));
	ASSERT_EQ(0, ownbuf_raw_mmap(self->fd, h, PROT_READ, (void **)&addr, &len));
	EXPECT_EQ(0, memcmp(addr, "ioctl", 5));
	ASSERT_EQ(0, ownbuf_raw_query(self->fd, h, &q));
	EXPECT_EQ(1, q.out_mappings);
	EXPECT_EQ(1, q.out_shared);
	EXPECT_EQ(0, ownbuf_raw_read(self->fd, h, 0, self->buf, 5));
	EXPECT_EQ(-EBUSY, ownbuf_raw_write(self->fd, h, 0, "x", 1));
	ASSERT_EQ(0, ownbuf_raw_munmap(addr, len));
	EXPECT_EQ(-EINVAL, ownbuf_raw_munmap(addr, 0));
	EXPECT_EQ(0, ownbuf_raw_drop(self->fd, h, 0));
}

TEST_F(raw, mmap_rights)
{
	lib_u64 h, other, s, m;
	size_t len = 0, len2 = 0;
	char *addr, *addr2;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &other));
	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_SHARED, &s));
	EXPECT_EQ(-EACCES, ownbuf_raw_mmap(self->fd, s, PROT_READ | PROT_WRITE, (void **)&addr,
					   &len));
	ASSERT_EQ(0, ownbuf_raw_mmap(self->fd, s, PROT_READ, (void **)&addr, &len));
	EXPECT_EQ(-1, mprotect(addr, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* The mapping belongs to the borrow, which it keeps alive. */
	EXPECT_EQ(-EBUSY, ownbuf_raw_release(self->fd, s));
	EXPECT_EQ(-EBUSY, ownbuf_raw_mmap(self->fd, h, PROT_READ | PROT_WRITE, (void **)&addr2,
					  &len2));
	/* Its pages cannot be pinned: not even ownbuf's own read and write. */
	EXPECT_EQ(-EFAULT, ownbuf_raw_write(self->fd, other, 0, addr, 1));
	ASSERT_EQ(0, ownbuf_raw_munmap(addr, len));
	EXPECT_EQ(0, ownbuf_raw_release(self->fd, s));

	ASSERT_EQ(0, ownbuf_raw_borrow(self->fd, h, OWNBUF_MODE_MUT, &m));
	ASSERT_EQ(0, ownbuf_raw_mmap(self->fd, m, PROT_READ | PROT_WRITE, (void **)&addr, &len));
	addr[0] = 'm';
	EXPECT_EQ(-EBUSY, ownbuf_raw_mmap(self->fd, h, PROT_READ, (void **)&addr2, &len2));
	EXPECT_EQ(-EBUSY, ownbuf_raw_release(self->fd, m));
	ASSERT_EQ(0, ownbuf_raw_munmap(addr, len));
	EXPECT_EQ(0, ownbuf_raw_release(self->fd, m));

	ASSERT_EQ(0, ownbuf_raw_freeze(self->fd, h));
	EXPECT_EQ(-EACCES, ownbuf_raw_mmap(self->fd, h, PROT_READ | PROT_WRITE, (void **)&addr,
					   &len));
	ASSERT_EQ(0, ownbuf_raw_mmap(self->fd, h, PROT_READ, (void **)&addr, &len));
	EXPECT_EQ('m', addr[0]);
	ASSERT_EQ(0, ownbuf_raw_munmap(addr, len));
}

/* mmap(2) itself: only MAP's offsets, MAP_SHARED, in range, of a live handle. */
TEST_F(raw, mmap_offsets)
{
	lib_u64 h, off, len;
	int fd2 = ownbuf_raw_open();
	void *p;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_map(self->fd, h, &off, &len));
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, self->fd, (off_t)off);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd2, (off_t)off);	/* another session */
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, len + page(), PROT_READ, MAP_SHARED, self->fd, (off_t)off);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(ERANGE, errno);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, (off_t)off);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, ownbuf_raw_drop(self->fd, h, 0));
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, (off_t)off);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(ESTALE, errno);
	close(fd2);
}

TEST_F(raw, mmap_revoked_sigbus)
{
	struct ownbuf_query q;
	size_t len = 0;
	lib_u64 h;
	char *addr;

	ASSERT_EQ(0, ownbuf_raw_create(self->fd, SZ, &h));
	ASSERT_EQ(0, ownbuf_raw_write(self->fd, h, 0, "revoked", 7));
	ASSERT_EQ(0, ownbuf_raw_mmap(self->fd, h, PROT_READ, (void **)&addr, &len));
	ASSERT_EQ(1, readable(addr));
	EXPECT_EQ(0, memcmp(addr, "revoked", 7));
	EXPECT_EQ(0, ownbuf_raw_drop(self->fd, h, OWNBUF_DROP_REVOKE));
	EXPECT_EQ(0, readable(addr));
	EXPECT_EQ(0, readable(addr + len - 1));
	EXPECT_EQ(-ESTALE, ownbuf_raw_query(self->fd, h, &q));
	EXPECT_EQ(0, ownbuf_raw_munmap(addr, len));
}

TEST(errno_names)
{
	static const struct { int err; const char *name; } names[] = {
		{ EINVAL, "EINVAL" }, { EBADF, "EBADF" }, { ESTALE, "ESTALE" },
		{ ENOENT, "ENOENT" }, { ERANGE, "ERANGE" }, { EACCES, "EACCES" },
		{ EBUSY, "EBUSY" }, { EFBIG, "EFBIG" }, { EDQUOT, "EDQUOT" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { ENOTTY, "ENOTTY" },
		{ ENODEV, "ENODEV" }, { EPERM, "EPERM" }, { EMFILE, "EMFILE" },
		{ E2BIG, "E2BIG" }, { EOVERFLOW, "EOVERFLOW" }, { EINTR, "EINTR" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_STREQ(names[i].name, ownbuf_errno_name(names[i].err));
		EXPECT_STREQ(names[i].name, ownbuf_errno_name(-names[i].err));
	}
	EXPECT_STREQ("OK", ownbuf_errno_name(0));
	EXPECT_STREQ("E?", ownbuf_errno_name(-EIO));
	EXPECT_STREQ("E?", ownbuf_errno_name(INT_MAX));
	EXPECT_STREQ("E?", ownbuf_errno_name(INT_MIN + 1));
}

TEST(violation_and_mode_names)
{
	static const char * const want[] = {
		[OWNBUF_VIOLATION_USE_AFTER_FREE] = "use_after_free",
		[OWNBUF_VIOLATION_DOUBLE_FREE] = "double_free",
		[OWNBUF_VIOLATION_DATA_RACE] = "data_race",
		[OWNBUF_VIOLATION_NULL_DEREF] = "null_deref",
		[OWNBUF_VIOLATION_OVERFLOW] = "buffer_overflow",
		[OWNBUF_VIOLATION_USE_AFTER_MOVE] = "use_after_move",
		[OWNBUF_VIOLATION_LIFETIME] = "lifetime",
	};
	unsigned int v;

	ASSERT_EQ(OWNBUF_VIOLATION_NR, ARRAY_SIZE(want));
	for (v = 0; v < OWNBUF_VIOLATION_NR; v++)
		EXPECT_STREQ(want[v], ownbuf_violation_name(v));
	EXPECT_NOPTR(ownbuf_violation_name(OWNBUF_VIOLATION_NR));
	EXPECT_NOPTR(ownbuf_violation_name(UINT_MAX));
	EXPECT_STREQ("shared", ownbuf_mode_name(OWNBUF_MODE_SHARED));
	EXPECT_STREQ("mut", ownbuf_mode_name(OWNBUF_MODE_MUT));
	EXPECT_NOPTR(ownbuf_mode_name(0));
	EXPECT_NOPTR(ownbuf_mode_name(3));
}

/* ---- typed layer ---------------------------------------------------- */

FIXTURE(typed)
{
	struct ownbuf_sess *s;
	char buf[SZ];
};

FIXTURE_SETUP(typed)
{
	int err = 1;

	self->s = ownbuf_session_open(&err);
	ASSERT_PTR(self->s) TH_LOG("open: %s", ownbuf_errno_name(err));
	ASSERT_EQ(0, err);
}

FIXTURE_TEARDOWN(typed)
{
	ownbuf_session_close(self->s);
}

TEST_F(typed, session_open_err_null)
{
	struct ownbuf_sess *s = ownbuf_session_open(NULL);

	ASSERT_PTR(s);
	EXPECT_NE(self->s->fd, s->fd);
	ownbuf_session_close(s);
	ownbuf_session_close(NULL);
}

TEST_F(typed, constructors_fail_with_err)
{
	struct ownbuf_move_ticket mt = { .value = 0x1234567 };
	struct ownbuf_lend_ticket lt = { .value = 0x1234567 };
	int err = 1;

	EXPECT_NOPTR(ownbuf_create(self->s, 0, &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_NOPTR(ownbuf_create(self->s, 0, NULL));
	err = 1;
	EXPECT_NOPTR(ownbuf_take(self->s, mt, &err));
	EXPECT_EQ(-ENOENT, err);
	EXPECT_NOPTR(ownbuf_take(self->s, mt, NULL));
	err = 1;
	EXPECT_NOPTR(ownbuf_accept(self->s, lt, &err));
	EXPECT_EQ(-ENOENT, err);
	EXPECT_NOPTR(ownbuf_accept(self->s, lt, NULL));
	err = 1;
	EXPECT_NOPTR(ownbuf_cancel_move(self->s, mt, &err));
	EXPECT_EQ(-ENOENT, err);
	EXPECT_EQ(-ENOENT, ownbuf_cancel_lend(self->s, lt));
}

TEST_F(typed, create_borrow_clone)
{
	struct ownbuf_ref *r, *rr, *m;
	struct ownbuf_own *o, *c;
	struct ownbuf_query q;
	int err = 1;

	o = ownbuf_create(self->s, SZ, &err);
	ASSERT_PTR(o);
	EXPECT_EQ(0, err);
	EXPECT_TRUE(self->s == o->sess);
	EXPECT_EQ(0, ownbuf_write(o, 0, "typed", 5));

	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, &err);
	ASSERT_PTR(r);
	EXPECT_EQ(OWNBUF_MODE_SHARED, r->mode);
	rr = ownbuf_borrow(r, OWNBUF_MODE_SHARED, NULL);	/* reborrow */
	ASSERT_PTR(rr);
	err = 1;
	m = ownbuf_borrow(o, OWNBUF_MODE_MUT, &err);
	EXPECT_NOPTR(m);
	EXPECT_EQ(-EBUSY, err);
	EXPECT_NOPTR(ownbuf_borrow(rr, OWNBUF_MODE_MUT, NULL));
	EXPECT_EQ(-EACCES, ownbuf_write(r, 0, "x", 1));
	ASSERT_EQ(0, ownbuf_read(rr, 0, self->buf, 5));
	EXPECT_EQ(0, memcmp(self->buf, "typed", 5));
	ASSERT_EQ(0, ownbuf_query(rr, &q));
	EXPECT_EQ(2, q.out_shared);

	c = ownbuf_clone(r, &err);
	ASSERT_PTR(c);
	EXPECT_EQ(0, ownbuf_write(c, 0, "C", 1));	/* the copy is not borrowed */
	EXPECT_EQ(0, ownbuf_release(r));
	EXPECT_EQ(0, ownbuf_release(rr));
	ownbuf_drop(c, 0);

	m = ownbuf_borrow(o, OWNBUF_MODE_MUT, &err);
	ASSERT_PTR(m);
	EXPECT_EQ(OWNBUF_MODE_MUT, m->mode);
	EXPECT_EQ(0, ownbuf_write(m, 0, "M", 1));
	EXPECT_NOPTR(ownbuf_clone(o, &err));	/* the owner cannot read */
	EXPECT_EQ(-EBUSY, err);
	c = ownbuf_clone(m, NULL);
	ASSERT_PTR(c);
	ASSERT_EQ(0, ownbuf_read(c, 0, self->buf, 5));
	EXPECT_EQ(0, memcmp(self->buf, "Myped", 5));
	EXPECT_EQ(0, ownbuf_release(m));
	EXPECT_EQ(0, ownbuf_drop(c, 0));
	EXPECT_EQ(0, ownbuf_freeze(o));
	EXPECT_EQ(-EACCES, ownbuf_write(o, 0, "x", 1));
	EXPECT_EQ(0, ownbuf_drop(o, 0));
}

TEST_F(typed, move_and_loan)
{
	struct ownbuf_sess *s2 = ownbuf_session_open(NULL);
	struct ownbuf_move_ticket mt;
	struct ownbuf_lend_ticket lt;
	struct ownbuf_own *o, *o2;
	struct ownbuf_ref *r;
	struct ownbuf_stats st;
	int err;

	ASSERT_PTR(s2);
	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	ASSERT_EQ(0, ownbuf_lend(o, OWNBUF_MODE_MUT, &lt));
	r = ownbuf_accept(s2, lt, &err);
	ASSERT_PTR(r);
	EXPECT_EQ(OWNBUF_MODE_MUT, r->mode);	/* asked of the device */
	EXPECT_TRUE(s2 == r->sess);
	EXPECT_EQ(0, ownbuf_write(r, 0, "loan", 4));
	EXPECT_EQ(0, ownbuf_release(r));

	/* A lend ticket through cancel_move: the loan ends, no owner, EINVAL. */
	ASSERT_EQ(0, ownbuf_lend(o, OWNBUF_MODE_SHARED, &lt));
	mt.value = lt.value;
	EXPECT_NOPTR(ownbuf_cancel_move(self->s, mt, &err));
	EXPECT_EQ(-EINVAL, err);
	ASSERT_EQ(0, ownbuf_lend(o, OWNBUF_MODE_SHARED, &lt));
	EXPECT_EQ(0, ownbuf_cancel_lend(self->s, lt));

	ASSERT_EQ(0, ownbuf_give(o, &mt));	/* frees o */
	o2 = ownbuf_cancel_move(self->s, mt, &err);
	ASSERT_PTR(o2);
	ASSERT_EQ(0, ownbuf_give(o2, &mt));
	o2 = ownbuf_take(s2, mt, &err);
	ASSERT_PTR(o2);
	EXPECT_TRUE(s2 == o2->sess);
	ASSERT_EQ(0, ownbuf_read(o2, 0, self->buf, 4));
	EXPECT_EQ(0, memcmp(self->buf, "loan", 4));
	ASSERT_EQ(0, ownbuf_stats(s2, &st));
	EXPECT_EQ(1, st.out_session.buffers);
	EXPECT_EQ(0, ownbuf_drop(o2, 0));
	ownbuf_session_close(s2);
}

/*
 * drop and give free the owner record on success only; on any failure
 * (EBUSY, ESTALE) the caller still holds it, to retry or to let go of with
 * ownbuf_own_free() (libownbuf.h).
 */
TEST_F(typed, drop_give_free_on_success_only)
{
	struct ownbuf_move_ticket t = { 0 };
	struct ownbuf_own *o;
	struct ownbuf_ref *r;
	uintptr_t addr;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	addr = (uintptr_t)o;
	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	ASSERT_PTR(r);
	drain(sizeof(*o));
	EXPECT_EQ(-EBUSY, ownbuf_drop(o, 0));
	EXPECT_FALSE(freed(addr, sizeof(*o)));
	drain(sizeof(*o));
	EXPECT_EQ(-EBUSY, ownbuf_give(o, &t));
	EXPECT_FALSE(freed(addr, sizeof(*o)));
	/* Still held: the record and its handle are usable. */
	EXPECT_EQ(0, ownbuf_read(o, 0, self->buf, 1));
	EXPECT_EQ(0, ownbuf_release(r));
	drain(sizeof(*o));
	EXPECT_EQ(0, ownbuf_drop(o, 0));
	EXPECT_TRUE(freed(addr, sizeof(*o)));

	/* give succeeds: the record goes with the handle. */
	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	addr = (uintptr_t)o;
	drain(sizeof(*o));
	EXPECT_EQ(0, ownbuf_give(o, &t));
	EXPECT_TRUE(freed(addr, sizeof(*o)));
	EXPECT_NE(0, t.value);

	/* ESTALE (dead already): the record stays the caller's to free. */
	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	addr = (uintptr_t)o;
	ASSERT_EQ(0, ownbuf_raw_drop(self->s->fd, o->handle, 0));
	drain(sizeof(*o));
	EXPECT_EQ(-ESTALE, ownbuf_drop(o, 0));
	EXPECT_FALSE(freed(addr, sizeof(*o)));
	drain(sizeof(*o));
	EXPECT_EQ(-ESTALE, ownbuf_give(o, &t));
	EXPECT_FALSE(freed(addr, sizeof(*o)));
	drain(sizeof(*o));
	ownbuf_own_free(o);
	EXPECT_TRUE(freed(addr, sizeof(*o)));
}

/* release always frees the borrow record: the borrow is over either way. */
TEST_F(typed, release_always_frees)
{
	struct ownbuf_own *o;
	struct ownbuf_ref *r;
	uintptr_t addr;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	ASSERT_PTR(r);
	addr = (uintptr_t)r;
	drain(sizeof(*r));
	EXPECT_EQ(0, ownbuf_release(r));
	EXPECT_TRUE(freed(addr, sizeof(*r)));

	/* Revoked with its buffer: release says ESTALE and frees the record. */
	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	ASSERT_PTR(r);
	addr = (uintptr_t)r;
	ASSERT_EQ(0, ownbuf_drop(o, OWNBUF_DROP_REVOKE));
	drain(sizeof(*r));
	EXPECT_EQ(-ESTALE, ownbuf_release(r));
	EXPECT_TRUE(freed(addr, sizeof(*r)));
}

/* Written through a view, counted by query, read back after the unmap. */
TEST_F(typed, map_rw_owner)
{
	struct ownbuf_view *v;
	struct ownbuf_own *o;
	struct ownbuf_query q;
	uintptr_t addr;
	int err = 1;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	v = ownbuf_map_rw(o, &err);
	ASSERT_PTR(v);
	EXPECT_EQ(0, err);
	EXPECT_EQ(1, v->writable);
	EXPECT_EQ(page(), v->len);
	memcpy(v->addr, "typed view", 10);
	ASSERT_EQ(0, ownbuf_query(o, &q));
	EXPECT_EQ(1, q.out_mappings);
	EXPECT_EQ(1, q.out_mut);
	EXPECT_EQ(-EBUSY, ownbuf_drop(o, 0));	/* o is still the caller's */
	addr = (uintptr_t)v;
	drain(sizeof(*v));
	EXPECT_EQ(0, ownbuf_unmap(v));
	EXPECT_TRUE(freed(addr, sizeof(*v)));
	ASSERT_EQ(0, ownbuf_query(o, &q));
	EXPECT_EQ(0, q.out_mappings);
	EXPECT_EQ(0, q.out_mut);
	ASSERT_EQ(0, ownbuf_read(o, 0, self->buf, 10));
	EXPECT_EQ(0, memcmp(self->buf, "typed view", 10));
	EXPECT_EQ(0, ownbuf_drop(o, 0));
}

/* A view through a borrow: release says EBUSY and keeps the record. */
TEST_F(typed, map_ro_holds_its_borrow)
{
	struct ownbuf_view *v, *vo;
	struct ownbuf_own *o;
	struct ownbuf_ref *r;
	uintptr_t addr;
	int err = 1;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	ASSERT_EQ(0, ownbuf_write(o, 0, "shared", 6));
	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	ASSERT_PTR(r);
	v = ownbuf_map_ro(r, &err);
	ASSERT_PTR(v);
	EXPECT_EQ(0, err);
	EXPECT_EQ(0, v->writable);
	EXPECT_EQ(0, memcmp(v->addr, "shared", 6));
	vo = ownbuf_map_ro(o, NULL);		/* readers share */
	ASSERT_PTR(vo);
	EXPECT_EQ(0, memcmp(vo->addr, "shared", 6));
	EXPECT_EQ(0, ownbuf_unmap(vo));
	addr = (uintptr_t)r;
	drain(sizeof(*r));
	EXPECT_EQ(-EBUSY, ownbuf_release(r));
	EXPECT_FALSE(freed(addr, sizeof(*r)));
	EXPECT_EQ(0, ownbuf_read(r, 0, self->buf, 6));	/* still a live borrow */
	EXPECT_EQ(0, ownbuf_unmap(v));
	drain(sizeof(*r));
	EXPECT_EQ(0, ownbuf_release(r));
	EXPECT_TRUE(freed(addr, sizeof(*r)));
	EXPECT_EQ(0, ownbuf_drop(o, 0));
}

/* struct ownbuf_mut: every operation of a borrow, and a writable view. */
TEST_F(typed, borrow_mut)
{
	struct ownbuf_own *o, *c;
	struct ownbuf_view *v;
	struct ownbuf_query q;
	struct ownbuf_mut *m;
	struct ownbuf_ref *r;
	uintptr_t addr;
	int err = 1;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	m = ownbuf_borrow_mut(o, &err);
	ASSERT_PTR(m);
	EXPECT_EQ(0, err);
	EXPECT_TRUE(self->s == m->sess);
	EXPECT_NOPTR(ownbuf_borrow_mut(o, &err));
	EXPECT_EQ(-EBUSY, err);
	EXPECT_NOPTR(ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL));
	EXPECT_EQ(0, ownbuf_write(m, 0, "mut", 3));
	ASSERT_EQ(0, ownbuf_query(m, &q));
	EXPECT_EQ(OWNBUF_KIND_BORROW, q.out_kind);
	EXPECT_EQ(OWNBUF_MODE_MUT, q.out_mode);
	v = ownbuf_map_rw(m, &err);
	ASSERT_PTR(v);
	EXPECT_EQ(1, v->writable);
	memcpy((char *)v->addr + 3, "map", 3);
	ASSERT_EQ(0, ownbuf_read(m, 0, self->buf, 6));
	EXPECT_EQ(0, memcmp(self->buf, "mutmap", 6));
	c = ownbuf_clone(m, NULL);
	ASSERT_PTR(c);
	addr = (uintptr_t)m;
	drain(sizeof(*m));
	EXPECT_EQ(-EBUSY, ownbuf_release(m));
	EXPECT_FALSE(freed(addr, sizeof(*m)));
	EXPECT_EQ(0, ownbuf_unmap(v));
	drain(sizeof(*m));
	EXPECT_EQ(0, ownbuf_release(m));
	EXPECT_TRUE(freed(addr, sizeof(*m)));
	ASSERT_EQ(0, ownbuf_read(o, 0, self->buf, 6));
	EXPECT_EQ(0, memcmp(self->buf, "mutmap", 6));
	ASSERT_EQ(0, ownbuf_read(c, 0, self->buf, 6));
	EXPECT_EQ(0, memcmp(self->buf, "mutmap", 6));

	/* From a borrow: a shared one cannot become mutable. */
	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	ASSERT_PTR(r);
	EXPECT_NOPTR(ownbuf_borrow_mut(r, &err));
	EXPECT_EQ(-EBUSY, err);
	EXPECT_EQ(0, ownbuf_release(r));
	EXPECT_EQ(0, ownbuf_drop(c, 0));
	EXPECT_EQ(0, ownbuf_drop(o, 0));
}

TEST_F(typed, accept_mut)
{
	struct ownbuf_sess *s2 = ownbuf_session_open(NULL);
	struct ownbuf_lend_ticket lt;
	struct ownbuf_view *v;
	struct ownbuf_query q;
	struct ownbuf_mut *m;
	struct ownbuf_own *o;
	int err = 1;

	ASSERT_PTR(s2);
	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	ASSERT_EQ(0, ownbuf_lend(o, OWNBUF_MODE_MUT, &lt));
	m = ownbuf_accept_mut(s2, lt, &err);
	ASSERT_PTR(m);
	EXPECT_EQ(0, err);
	EXPECT_TRUE(s2 == m->sess);
	v = ownbuf_map_rw(m, NULL);
	ASSERT_PTR(v);
	memcpy(v->addr, "lent", 4);
	EXPECT_EQ(0, ownbuf_unmap(v));
	EXPECT_EQ(0, ownbuf_release(m));
	ASSERT_EQ(0, ownbuf_read(o, 0, self->buf, 4));
	EXPECT_EQ(0, memcmp(self->buf, "lent", 4));

	/* A shared loan: refused, and ended; the ticket is used. */
	ASSERT_EQ(0, ownbuf_lend(o, OWNBUF_MODE_SHARED, &lt));
	EXPECT_NOPTR(ownbuf_accept_mut(s2, lt, &err));
	EXPECT_EQ(-EACCES, err);
	ASSERT_EQ(0, ownbuf_query(o, &q));
	EXPECT_EQ(0, q.out_shared);
	EXPECT_NOPTR(ownbuf_accept_mut(s2, lt, &err));
	EXPECT_EQ(-ENOENT, err);
	EXPECT_NOPTR(ownbuf_accept_mut(s2, lt, NULL));
	EXPECT_EQ(0, ownbuf_drop(o, 0));
	ownbuf_session_close(s2);
}

/* The buffer dies under a view: SIGBUS through it, then unmap. */
TEST_F(typed, view_sigbus_after_revoke)
{
	struct ownbuf_view *v;
	struct ownbuf_own *o;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	ASSERT_EQ(0, ownbuf_write(o, 0, "doomed", 6));
	v = ownbuf_map_ro(o, NULL);
	ASSERT_PTR(v);
	ASSERT_EQ(1, readable(v->addr));
	EXPECT_EQ(0, memcmp(v->addr, "doomed", 6));
	EXPECT_EQ(-EBUSY, ownbuf_drop(o, 0));
	ASSERT_EQ(0, ownbuf_drop(o, OWNBUF_DROP_REVOKE));	/* frees o */
	EXPECT_EQ(0, readable(v->addr));
	EXPECT_EQ(0, ownbuf_unmap(v));
}

TEST_F(typed, map_refused)
{
	struct ownbuf_view *v;
	struct ownbuf_own *o;
	struct ownbuf_ref *r;
	int err = 1;

	o = ownbuf_create(self->s, SZ, NULL);
	ASSERT_PTR(o);
	r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	ASSERT_PTR(r);
	EXPECT_NOPTR(ownbuf_map_rw(o, &err));	/* a writer while a reader is out */
	EXPECT_EQ(-EBUSY, err);
	EXPECT_EQ(0, ownbuf_release(r));
	ASSERT_EQ(0, ownbuf_freeze(o));
	err = 1;
	EXPECT_NOPTR(ownbuf_map_rw(o, &err));
	EXPECT_EQ(-EACCES, err);
	EXPECT_NOPTR(ownbuf_map_rw(o, NULL));
	v = ownbuf_map_ro(o, &err);
	ASSERT_PTR(v);
	EXPECT_EQ(0, ownbuf_unmap(v));
	ASSERT_EQ(0, ownbuf_raw_drop(self->s->fd, o->handle, 0));
	EXPECT_NOPTR(ownbuf_map_ro(o, &err));
	EXPECT_EQ(-ESTALE, err);
	ownbuf_own_free(o);
}

/* A view keeps its session open after ownbuf_session_close(). */
TEST_F(typed, view_outlives_session_close)
{
	struct ownbuf_sess *s2 = ownbuf_session_open(NULL);
	struct ownbuf_view *v;
	struct ownbuf_own *o;

	ASSERT_PTR(s2);
	o = ownbuf_create(s2, SZ, NULL);
	ASSERT_PTR(o);
	ASSERT_EQ(0, ownbuf_write(o, 0, "kept", 4));
	v = ownbuf_map_ro(o, NULL);
	ASSERT_PTR(v);
	ownbuf_own_free(o);		/* the session's end frees the buffer */
	ownbuf_session_close(s2);
	ASSERT_EQ(1, readable(v->addr));
	EXPECT_EQ(0, memcmp(v->addr, "kept", 4));
	EXPECT_EQ(0, ownbuf_unmap(v));
}

TEST_HARNESS_MAIN
