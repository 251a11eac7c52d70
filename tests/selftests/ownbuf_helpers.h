/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownbuf selftests: helpers shared by every *_test.c, in the style of the
 * iommufd selftests. For each ioctl there is a trio:
 *
 *   _test_OP(fd, ...)            returns 0 or -errno, never asserts
 *   test_OP(fd, ...)             asserts success
 *   test_err_OP(errno, fd, ...)  expects exactly that errno
 *
 * Every argument struct is filled with 0xcc before the ioctl and only its
 * input fields are then set, so an out_* field the kernel forgot to write
 * stays 0xcc..cc. When the ioctl succeeds but an out_* field still holds the
 * poison (or a field written "as 0" is not 0), _test_OP() returns
 * -OB_EUNWRITTEN, which no ioctl returns, and logs which field it was.
 */
#ifndef _OWNBUF_SELFTEST_HELPERS_H
#define _OWNBUF_SELFTEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/ownbuf.h>

#include "kselftest_harness.h"

#define OWNBUF_PATH "/dev/ownbuf"
#define OB_PARAM_DIR "/sys/module/ownbuf/parameters/"

#define OB_POISON 0xcc
#define OB_POISON32 0xccccccccU
#define OB_POISON64 0xccccccccccccccccULL

/* Not an errno: "succeeded but left an out_ field unwritten". */
#define OB_EUNWRITTEN 4000

/* A handle value this session was never given, derived from one it was. */
#define OB_MADE_UP(h) ((h) ^ (1ULL << 40))

#define OB_PTR(p) ((__u64)(uintptr_t)(p))

static inline const char *ob_errname(int rc)
{
	switch (-rc) {
	case 0: return "success";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ESTALE: return "ESTALE";
	case ENOENT: return "ENOENT";
	case ERANGE: return "ERANGE";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EFBIG: return "EFBIG";
	case EDQUOT: return "EDQUOT";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case OB_EUNWRITTEN: return "success with an out_ field left unwritten";
	default: return "another errno";
	}
}

/*
 * EXPECT/ASSERT that @rc (0 or -errno) is -@err, naming both on a mismatch.
 * The harness macros evaluate their arguments once.
 */
#define EXPECT_ERRNO(err, rc) do {					\
	int __ob_want = -(err), __ob_rc = (rc);				\
	EXPECT_EQ(__ob_want, __ob_rc)					\
		TH_LOG("expected %s, got %s (%d)",			\
		       ob_errname(__ob_want), ob_errname(__ob_rc), __ob_rc); \
} while (0)

#define ASSERT_ERRNO(err, rc) do {					\
	int __ob_want = -(err), __ob_rc = (rc);				\
	ASSERT_EQ(__ob_want, __ob_rc)					\
		TH_LOG("expected %s, got %s (%d)",			\
		       ob_errname(__ob_want), ob_errname(__ob_rc), __ob_rc); \
} while (0)

#define ASSERT_OK(rc) ASSERT_ERRNO(0, rc)

/* One ioctl: 0 on success (any non-negative return), else -errno. */
static inline int ob_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline int ob_open(void)
{
	return open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
}

static inline int ob_unwritten(const char *op, const char *field)
{
	fprintf(stderr, "# %s succeeded but left %s unwritten\n", op, field);
	return -OB_EUNWRITTEN;
}

/* Struct builders: poison everything, then set the inputs. */

static inline void ob_init_create(struct ownbuf_create *c, __u64 size)
{
	memset(c, OB_POISON, sizeof(*c));
	c->size = size;
	c->flags = 0;
	c->__reserved = 0;
}

static inline void ob_init_handle_op(struct ownbuf_handle_op *o, __u64 h, __u32 flags)
{
	memset(o, OB_POISON, sizeof(*o));
	o->handle = h;
	o->flags = flags;
	o->__reserved = 0;
}

static inline void ob_init_rw(struct ownbuf_rw *rw, __u64 h, __u64 off,
			      __u64 len, void *ptr)
{
	memset(rw, OB_POISON, sizeof(*rw));
	rw->handle = h;
	rw->offset = off;
	rw->length = len;
	rw->ptr = OB_PTR(ptr);
	rw->flags = 0;
	rw->__reserved = 0;
}

static inline void ob_init_borrow(struct ownbuf_borrow *b, __u64 h, __u32 mode)
{
	memset(b, OB_POISON, sizeof(*b));
	b->handle = h;
	b->mode = mode;
	b->flags = 0;
}

static inline void ob_init_lend(struct ownbuf_lend *l, __u64 h, __u32 mode)
{
	memset(l, OB_POISON, sizeof(*l));
	l->handle = h;
	l->mode = mode;
	l->flags = 0;
}

static inline void ob_init_give(struct ownbuf_give *g, __u64 h)
{
	memset(g, OB_POISON, sizeof(*g));
	g->handle = h;
	g->flags = 0;
	g->__reserved = 0;
}

static inline void ob_init_ticket_op(struct ownbuf_ticket_op *t, __u64 ticket)
{
	memset(t, OB_POISON, sizeof(*t));
	t->ticket = ticket;
	t->flags = 0;
	t->__reserved = 0;
}

static inline void ob_init_clone(struct ownbuf_clone *c, __u64 h)
{
	memset(c, OB_POISON, sizeof(*c));
	c->handle = h;
	c->flags = 0;
	c->__reserved = 0;
}

static inline void ob_init_query(struct ownbuf_query *q, __u64 h)
{
	memset(q, OB_POISON, sizeof(*q));
	q->handle = h;
	q->flags = 0;
	q->__reserved = 0;
}

static inline void ob_init_stats(struct ownbuf_stats *s)
{
	memset(s, OB_POISON, sizeof(*s));
	s->flags = 0;
	s->__reserved = 0;
}

/* A new handle or ticket: written, and never the invalid value 0. */
static inline int ob_check_new(const char *op, const char *field, __u64 v)
{
	if (v == OB_POISON64)
		return ob_unwritten(op, field);
	if (v == 0) {
		fprintf(stderr, "# %s succeeded but returned %s 0\n", op, field);
		return -OB_EUNWRITTEN;
	}
	return 0;
}

/* create */

static inline int _test_create(int fd, __u64 size, __u64 *h)
{
	struct ownbuf_create c;
	int rc;

	ob_init_create(&c, size);
	rc = ob_ioctl(fd, OWNBUF_IOC_CREATE, &c);
	if (rc)
		return rc;
	rc = ob_check_new("create", "out_handle", c.out_handle);
	if (h)
		*h = c.out_handle;
	return rc;
}

#define test_create(fd, size, h) ASSERT_OK(_test_create(fd, size, h))
#define test_err_create(err, fd, size) EXPECT_ERRNO(err, _test_create(fd, size, NULL))

/* drop, release, freeze */

static inline int _test_drop(int fd, __u64 h, __u32 flags)
{
	struct ownbuf_handle_op o;

	ob_init_handle_op(&o, h, flags);
	return ob_ioctl(fd, OWNBUF_IOC_DROP, &o);
}

#define test_drop(fd, h) ASSERT_OK(_test_drop(fd, h, 0))
#define test_drop_revoke(fd, h) ASSERT_OK(_test_drop(fd, h, OWNBUF_DROP_REVOKE))
#define test_err_drop(err, fd, h) EXPECT_ERRNO(err, _test_drop(fd, h, 0))

static inline int _test_release(int fd, __u64 h)
{
	struct ownbuf_handle_op o;

	ob_init_handle_op(&o, h, 0);
	return ob_ioctl(fd, OWNBUF_IOC_RELEASE, &o);
}

#define test_release(fd, h) ASSERT_OK(_test_release(fd, h))
#define test_err_release(err, fd, h) EXPECT_ERRNO(err, _test_release(fd, h))

static inline int _test_freeze(int fd, __u64 h)
{
	struct ownbuf_handle_op o;

	ob_init_handle_op(&o, h, 0);
	return ob_ioctl(fd, OWNBUF_IOC_FREEZE, &o);
}

#define test_freeze(fd, h) ASSERT_OK(_test_freeze(fd, h))
#define test_err_freeze(err, fd, h) EXPECT_ERRNO(err, _test_freeze(fd, h))

/* read, write */

static inline int _test_read(int fd, __u64 h, __u64 off, __u64 len, void *ptr)
{
	struct ownbuf_rw rw;

	ob_init_rw(&rw, h, off, len, ptr);
	return ob_ioctl(fd, OWNBUF_IOC_READ, &rw);
}

#define test_read(fd, h, off, len, ptr) ASSERT_OK(_test_read(fd, h, off, len, ptr))
#define test_err_read(err, fd, h, off, len, ptr) \
	EXPECT_ERRNO(err, _test_read(fd, h, off, len, ptr))

static inline int _test_write(int fd, __u64 h, __u64 off, __u64 len, const void *ptr)
{
	struct ownbuf_rw rw;

	ob_init_rw(&rw, h, off, len, (void *)ptr);
	return ob_ioctl(fd, OWNBUF_IOC_WRITE, &rw);
}

#define test_write(fd, h, off, len, ptr) ASSERT_OK(_test_write(fd, h, off, len, ptr))
#define test_err_write(err, fd, h, off, len, ptr) \
	EXPECT_ERRNO(err, _test_write(fd, h, off, len, ptr))

/* borrow, lend */

static inline int _test_borrow(int fd, __u64 h, __u32 mode, __u64 *out)
{
	struct ownbuf_borrow b;
	int rc;

	ob_init_borrow(&b, h, mode);
	rc = ob_ioctl(fd, OWNBUF_IOC_BORROW, &b);
	if (rc)
		return rc;
	rc = ob_check_new("borrow", "out_handle", b.out_handle);
	if (out)
		*out = b.out_handle;
	return rc;
}

#define test_borrow(fd, h, mode, out) ASSERT_OK(_test_borrow(fd, h, mode, out))
#define test_err_borrow(err, fd, h, mode) EXPECT_ERRNO(err, _test_borrow(fd, h, mode, NULL))

static inline int _test_lend(int fd, __u64 h, __u32 mode, __u64 *ticket)
{
	struct ownbuf_lend l;
	int rc;

	ob_init_lend(&l, h, mode);
	rc = ob_ioctl(fd, OWNBUF_IOC_LEND, &l);
	if (rc)
		return rc;
	rc = ob_check_new("lend", "out_ticket", l.out_ticket);
	if (ticket)
		*ticket = l.out_ticket;
	return rc;
}

#define test_lend(fd, h, mode, t) ASSERT_OK(_test_lend(fd, h, mode, t))
#define test_err_lend(err, fd, h, mode) EXPECT_ERRNO(err, _test_lend(fd, h, mode, NULL))

/* give, take, accept, cancel */

static inline int _test_give(int fd, __u64 h, __u64 *ticket)
{
	struct ownbuf_give g;
	int rc;

	ob_init_give(&g, h);
	rc = ob_ioctl(fd, OWNBUF_IOC_GIVE, &g);
	if (rc)
		return rc;
	rc = ob_check_new("give", "out_ticket", g.out_ticket);
	if (ticket)
		*ticket = g.out_ticket;
	return rc;
}

#define test_give(fd, h, t) ASSERT_OK(_test_give(fd, h, t))
#define test_err_give(err, fd, h) EXPECT_ERRNO(err, _test_give(fd, h, NULL))

static inline int _test_ticket(int fd, unsigned long cmd, const char *op,
			       __u64 ticket, __u64 *out)
{
	struct ownbuf_ticket_op t;
	int rc;

	ob_init_ticket_op(&t, ticket);
	rc = ob_ioctl(fd, cmd, &t);
	if (rc)
		return rc;
	if (cmd == OWNBUF_IOC_CANCEL)
		/* 0 is the documented answer for a lend ticket. */
		rc = t.out_handle == OB_POISON64 ? ob_unwritten(op, "out_handle") : 0;
	else
		rc = ob_check_new(op, "out_handle", t.out_handle);
	if (out)
		*out = t.out_handle;
	return rc;
}

#define _test_take(fd, t, h) _test_ticket(fd, OWNBUF_IOC_TAKE, "take", t, h)
#define _test_accept(fd, t, h) _test_ticket(fd, OWNBUF_IOC_ACCEPT, "accept", t, h)
#define _test_cancel(fd, t, h) _test_ticket(fd, OWNBUF_IOC_CANCEL, "cancel", t, h)
#define test_take(fd, t, h) ASSERT_OK(_test_take(fd, t, h))
#define test_accept(fd, t, h) ASSERT_OK(_test_accept(fd, t, h))
#define test_cancel(fd, t, h) ASSERT_OK(_test_cancel(fd, t, h))
#define test_err_take(err, fd, t) EXPECT_ERRNO(err, _test_take(fd, t, NULL))
#define test_err_accept(err, fd, t) EXPECT_ERRNO(err, _test_accept(fd, t, NULL))
#define test_err_cancel(err, fd, t) EXPECT_ERRNO(err, _test_cancel(fd, t, NULL))

/* clone */

static inline int _test_clone(int fd, __u64 h, __u64 *out)
{
	struct ownbuf_clone c;
	int rc;

	ob_init_clone(&c, h);
	rc = ob_ioctl(fd, OWNBUF_IOC_CLONE, &c);
	if (rc)
		return rc;
	rc = ob_check_new("clone", "out_handle", c.out_handle);
	if (out)
		*out = c.out_handle;
	return rc;
}

#define test_clone(fd, h, out) ASSERT_OK(_test_clone(fd, h, out))
#define test_err_clone(err, fd, h) EXPECT_ERRNO(err, _test_clone(fd, h, NULL))

/* query */

static inline int _test_query(int fd, __u64 h, struct ownbuf_query *out)
{
	struct ownbuf_query q;
	int rc;

	ob_init_query(&q, h);
	rc = ob_ioctl(fd, OWNBUF_IOC_QUERY, &q);
	if (rc)
		return rc;
	if (out)
		*out = q;
	if (q.out_size == OB_POISON64)
		return ob_unwritten("query", "out_size");
	if (q.out_id == OB_POISON64)
		return ob_unwritten("query", "out_id");
	if (q.out_kind != OWNBUF_KIND_OWNER && q.out_kind != OWNBUF_KIND_BORROW)
		return ob_unwritten("query", "out_kind");
	if (q.out_mode == OB_POISON32)
		return ob_unwritten("query", "out_mode");
	if (q.out_shared == OB_POISON32)
		return ob_unwritten("query", "out_shared");
	if (q.out_mut == OB_POISON32)
		return ob_unwritten("query", "out_mut");
	if (q.out_frozen == OB_POISON32)
		return ob_unwritten("query", "out_frozen");
	if (q.out_mappings == OB_POISON32)
		return ob_unwritten("query", "out_mappings");
	return 0;
}

#define test_query(fd, h, q) ASSERT_OK(_test_query(fd, h, q))
#define test_err_query(err, fd, h) EXPECT_ERRNO(err, _test_query(fd, h, NULL))

/* stats */

static inline int ob_counts_written(const char *which, const struct ownbuf_counts *c)
{
	const __u64 *v = (const __u64 *)c;
	size_t i;

	for (i = 0; i < sizeof(*c) / sizeof(*v); i++) {
		if (v[i] == OB_POISON64) {
			fprintf(stderr, "# stats: %s word %zu unwritten\n", which, i);
			return -OB_EUNWRITTEN;
		}
	}
	return 0;
}

static inline int _test_stats(int fd, struct ownbuf_stats *out)
{
	struct ownbuf_stats s;
	int rc;

	ob_init_stats(&s);
	rc = ob_ioctl(fd, OWNBUF_IOC_STATS, &s);
	if (rc)
		return rc;
	if (out)
		*out = s;
	rc = ob_counts_written("out_session", &s.out_session);
	if (!rc)
		rc = ob_counts_written("out_device", &s.out_device);
	if (!rc && (s.out_session_mappings == OB_POISON64 ||
		    s.out_device_mappings == OB_POISON64))
		rc = ob_unwritten("stats", "out_*_mappings");
	return rc;
}

#define test_stats(fd, s) ASSERT_OK(_test_stats(fd, s))

/* map and mmap */

static inline int _test_map(int fd, __u64 h, __u64 *offset, __u64 *length)
{
	struct ownbuf_map m;
	int rc;

	memset(&m, OB_POISON, sizeof(m));
	m.handle = h;
	m.flags = 0;
	m.__reserved = 0;
	rc = ob_ioctl(fd, OWNBUF_IOC_MAP, &m);
	if (rc)
		return rc;
	if (m.out_offset == OB_POISON64 || m.out_offset % 4096)
		return ob_unwritten("map", "out_offset (page aligned)");
	if (m.out_length == OB_POISON64 || !m.out_length || m.out_length % 4096)
		return ob_unwritten("map", "out_length (whole pages)");
	if (offset)
		*offset = m.out_offset;
	if (length)
		*length = m.out_length;
	return 0;
}

#define test_map(fd, h, off, len) ASSERT_OK(_test_map(fd, h, off, len))
#define test_err_map(err, fd, h) EXPECT_ERRNO(err, _test_map(fd, h, NULL, NULL))

/* mmap(2) at @offset: 0 and the address, or -errno. */
static inline int ob_mmap_at(int fd, __u64 offset, size_t len, int prot, void **addr)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)offset);

	*addr = p == MAP_FAILED ? NULL : p;
	return p == MAP_FAILED ? -errno : 0;
}

/* MAP then mmap(2) @len bytes of handle @h (0: all of it). */
static inline int ob_map_handle(int fd, __u64 h, size_t len, int prot, void **addr)
{
	__u64 off, max;
	int rc;

	*addr = NULL;
	rc = _test_map(fd, h, &off, &max);
	if (rc)
		return rc;
	return ob_mmap_at(fd, off, len ? len : (size_t)max, prot, addr);
}

/* A buffer's bytes, for comparing contents. */
static inline void ob_fill(void *p, size_t len, __u8 seed)
{
	__u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (__u8)(seed + i * 7 + (i >> 8));
}

static inline bool ob_all(const void *p, size_t len, __u8 v)
{
	const __u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/*
 * Check that between two stats snapshots exactly one refused call was
 * counted, in class @cls, both for the session and for the device.
 */
static inline void ob_expect_one_violation(struct __test_metadata *_metadata,
					   const struct ownbuf_stats *before,
					   const struct ownbuf_stats *after,
					   int cls)
{
	int i;

	EXPECT_EQ(before->out_session.refused + 1, after->out_session.refused);
	EXPECT_EQ(before->out_device.refused + 1, after->out_device.refused);
	for (i = 0; i < OWNBUF_VIOLATION_SLOTS; i++) {
		__u64 want = i == cls ? 1 : 0;

		EXPECT_EQ(before->out_session.violations[i] + want,
			  after->out_session.violations[i])
			TH_LOG("session violations[%d], class under test %d", i, cls);
		EXPECT_EQ(before->out_device.violations[i] + want,
			  after->out_device.violations[i])
			TH_LOG("device violations[%d], class under test %d", i, cls);
	}
}

/* Module parameters, as root, restored by the caller's teardown. */

static inline int ob_param_get(const char *name, __u64 *val)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), OB_PARAM_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtoull(buf, NULL, 0);
	return 0;
}

static inline int ob_param_set(const char *name, __u64 val)
{
	char path[128], buf[64];
	int fd, len, rc = 0;

	snprintf(path, sizeof(path), OB_PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)val);
	if (write(fd, buf, len) != len)
		rc = -errno;
	close(fd);
	return rc;
}

/* The whole of a file (debugfs, tracefs), NUL-terminated; NULL if it cannot be read. */
static inline char *ob_slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *more = realloc(buf, cap *= 2);

			if (!more) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = more;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

#endif /* _OWNBUF_SELFTEST_HELPERS_H */
