// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libownbuf: the raw ioctl calls and the typed constructors. See
 * libownbuf.h for the contract: negative errno returns, no printing.
 */

/* mmap offsets are 64-bit (up to 2^44) also when built -m32: mmap64(). */
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "libownbuf.h"

_Static_assert(sizeof(off_t) == sizeof(uint64_t), "mmap offsets need a 64-bit off_t");

/* ioctl() returns -1 and sets errno: make it the library's -errno. */
static int ob_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int ownbuf_raw_open(void)
{
	int fd = open(OWNBUF_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ownbuf_raw_create(int fd, uint64_t size, uint64_t *handle)
{
	struct ownbuf_create c = { .size = size };
	int ret = ob_ioctl(fd, OWNBUF_IOC_CREATE, &c);

	if (!ret)
		*handle = c.out_handle;
	return ret;
}

int ownbuf_raw_drop(int fd, uint64_t handle, uint32_t flags)
{
	struct ownbuf_handle_op op = { .handle = handle, .flags = flags };

	return ob_ioctl(fd, OWNBUF_IOC_DROP, &op);
}

int ownbuf_raw_read(int fd, uint64_t handle, uint64_t off, void *dst, uint64_t len)
{
	struct ownbuf_rw rw = {
		.handle = handle, .offset = off, .length = len,
		.ptr = (uint64_t)(uintptr_t)dst,
	};

	return ob_ioctl(fd, OWNBUF_IOC_READ, &rw);
}

int ownbuf_raw_write(int fd, uint64_t handle, uint64_t off, const void *src, uint64_t len)
{
	struct ownbuf_rw rw = {
		.handle = handle, .offset = off, .length = len,
		.ptr = (uint64_t)(uintptr_t)src,
	};

	return ob_ioctl(fd, OWNBUF_IOC_WRITE, &rw);
}

int ownbuf_raw_borrow(int fd, uint64_t handle, uint32_t mode, uint64_t *borrow)
{
	struct ownbuf_borrow b = { .handle = handle, .mode = mode };
	int ret = ob_ioctl(fd, OWNBUF_IOC_BORROW, &b);

	if (!ret)
		*borrow = b.out_handle;
	return ret;
}

int ownbuf_raw_release(int fd, uint64_t borrow)
{
	struct ownbuf_handle_op op = { .handle = borrow };

	return ob_ioctl(fd, OWNBUF_IOC_RELEASE, &op);
}

int ownbuf_raw_give(int fd, uint64_t handle, uint64_t *ticket)
{
	struct ownbuf_give g = { .handle = handle };
	int ret = ob_ioctl(fd, OWNBUF_IOC_GIVE, &g);

	if (!ret)
		*ticket = g.out_ticket;
	return ret;
}

static int ob_ticket_op(int fd, unsigned long cmd, uint64_t ticket, uint64_t *out)
{
	struct ownbuf_ticket_op t = { .ticket = ticket };
	int ret = ob_ioctl(fd, cmd, &t);

	if (!ret && out)
		*out = t.out_handle;
	return ret;
}

int ownbuf_raw_take(int fd, uint64_t ticket, uint64_t *handle)
{
	return ob_ticket_op(fd, OWNBUF_IOC_TAKE, ticket, handle);
}

int ownbuf_raw_cancel(int fd, uint64_t ticket, uint64_t *handle)
{
	return ob_ticket_op(fd, OWNBUF_IOC_CANCEL, ticket, handle);
}

int ownbuf_raw_accept(int fd, uint64_t ticket, uint64_t *borrow)
{
	return ob_ticket_op(fd, OWNBUF_IOC_ACCEPT, ticket, borrow);
}

int ownbuf_raw_lend(int fd, uint64_t handle, uint32_t mode, uint64_t *ticket)
{
	struct ownbuf_lend l = { .handle = handle, .mode = mode };
	int ret = ob_ioctl(fd, OWNBUF_IOC_LEND, &l);

	if (!ret)
		*ticket = l.out_ticket;
	return ret;
}

int ownbuf_raw_clone(int fd, uint64_t handle, uint64_t *copy)
{
	struct ownbuf_clone c = { .handle = handle };
	int ret = ob_ioctl(fd, OWNBUF_IOC_CLONE, &c);

	if (!ret)
		*copy = c.out_handle;
	return ret;
}

int ownbuf_raw_freeze(int fd, uint64_t handle)
{
	struct ownbuf_handle_op op = { .handle = handle };

	return ob_ioctl(fd, OWNBUF_IOC_FREEZE, &op);
}

int ownbuf_raw_query(int fd, uint64_t handle, struct ownbuf_query *q)
{
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	return ob_ioctl(fd, OWNBUF_IOC_QUERY, q);
}

int ownbuf_raw_stats(int fd, struct ownbuf_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ob_ioctl(fd, OWNBUF_IOC_STATS, st);
}

int ownbuf_raw_map(int fd, uint64_t handle, uint64_t *offset, uint64_t *length)
{
	struct ownbuf_map m = { .handle = handle };
	int ret = ob_ioctl(fd, OWNBUF_IOC_MAP, &m);

	if (!ret) {
		*offset = m.out_offset;
		*length = m.out_length;
	}
	return ret;
}

int ownbuf_raw_mmap(int fd, uint64_t handle, int prot, void **addr, size_t *len)
{
	uint64_t off, length;
	void *p;
	int ret = ownbuf_raw_map(fd, handle, &off, &length);

	if (ret)
		return ret;
	/* Past what this process can address (-m32) or what off_t holds. */
	if (length > SIZE_MAX)
		return -ENOMEM;
	if (off > (uint64_t)INT64_MAX)
		return -EOVERFLOW;
	p = mmap(NULL, (size_t)length, prot, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	*len = (size_t)length;
	return 0;
}

int ownbuf_raw_munmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

const char *ownbuf_errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "OK";
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
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case EMFILE: return "EMFILE";
	case E2BIG: return "E2BIG";
	case EOVERFLOW: return "EOVERFLOW";
	case EINTR: return "EINTR";
	default: return "E?";
	}
}

static const char * const ob_violation_names[OWNBUF_VIOLATION_NR] = {
	[OWNBUF_VIOLATION_USE_AFTER_FREE] = "use_after_free",
	[OWNBUF_VIOLATION_DOUBLE_FREE] = "double_free",
	[OWNBUF_VIOLATION_DATA_RACE] = "data_race",
	[OWNBUF_VIOLATION_NULL_DEREF] = "null_deref",
	[OWNBUF_VIOLATION_OVERFLOW] = "buffer_overflow",
	[OWNBUF_VIOLATION_USE_AFTER_MOVE] = "use_after_move",
	[OWNBUF_VIOLATION_LIFETIME] = "lifetime",
};

const char *ownbuf_violation_name(unsigned int v)
{
	return v < OWNBUF_VIOLATION_NR ? ob_violation_names[v] : NULL;
}

const char *ownbuf_mode_name(uint32_t mode)
{
	switch (mode) {
	case OWNBUF_MODE_SHARED: return "shared";
	case OWNBUF_MODE_MUT: return "mut";
	default: return NULL;
	}
}

/* ---- typed layer ---- */

static void ob_set_err(int *err, int ret)
{
	if (err)
		*err = ret;
}

struct ownbuf_sess *ownbuf_session_open(int *err)
{
	struct ownbuf_sess *s = malloc(sizeof(*s));
	int fd;

	if (!s) {
		ob_set_err(err, -ENOMEM);
		return NULL;
	}
	fd = ownbuf_raw_open();
	if (fd < 0) {
		free(s);
		ob_set_err(err, fd);
		return NULL;
	}
	s->fd = fd;
	ob_set_err(err, 0);
	return s;
}

void ownbuf_session_close(struct ownbuf_sess *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

void ownbuf_own_free(struct ownbuf_own *o)
{
	free(o);
}

void ownbuf_ref_free(struct ownbuf_ref *r)
{
	free(r);
}

void ownbuf_mut_free(struct ownbuf_mut *m)
{
	free(m);
}

void ownbuf_view_free(struct ownbuf_view *v)
{
	free(v);
}

/* Wrap a fresh owner handle; on allocation failure the handle is dropped. */
static struct ownbuf_own *ob_own_new(struct ownbuf_sess *s, uint64_t handle, int ret,
				     int *err)
{
	struct ownbuf_own *o;

	if (ret) {
		ob_set_err(err, ret);
		return NULL;
	}
	o = malloc(sizeof(*o));
	if (!o) {
		ownbuf_raw_drop(s->fd, handle, OWNBUF_DROP_REVOKE);
		ob_set_err(err, -ENOMEM);
		return NULL;
	}
	o->sess = s;
	o->handle = handle;
	ob_set_err(err, 0);
	return o;
}

static struct ownbuf_ref *ob_ref_new(struct ownbuf_sess *s, uint64_t handle, uint32_t mode,
				     int ret, int *err)
{
	struct ownbuf_ref *r;

	if (ret) {
		ob_set_err(err, ret);
		return NULL;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		ownbuf_raw_release(s->fd, handle);
		ob_set_err(err, -ENOMEM);
		return NULL;
	}
	r->sess = s;
	r->handle = handle;
	r->mode = mode;
	ob_set_err(err, 0);
	return r;
}

static struct ownbuf_mut *ob_mut_new(struct ownbuf_sess *s, uint64_t handle, int ret, int *err)
{
	struct ownbuf_mut *m;

	if (ret) {
		ob_set_err(err, ret);
		return NULL;
	}
	m = malloc(sizeof(*m));
	if (!m) {
		ownbuf_raw_release(s->fd, handle);
		ob_set_err(err, -ENOMEM);
		return NULL;
	}
	m->sess = s;
	m->handle = handle;
	ob_set_err(err, 0);
	return m;
}

/* The record first: a mapping is never made that could not be handed over. */
static struct ownbuf_view *ob_view_new(struct ownbuf_sess *s, uint64_t handle, int writable,
				       int *err)
{
	struct ownbuf_view *v = malloc(sizeof(*v));
	int ret;

	if (!v) {
		ob_set_err(err, -ENOMEM);
		return NULL;
	}
	ret = ownbuf_raw_mmap(s->fd, handle, writable ? PROT_READ | PROT_WRITE : PROT_READ,
			      &v->addr, &v->len);
	if (ret) {
		free(v);
		ob_set_err(err, ret);
		return NULL;
	}
	v->writable = writable;
	ob_set_err(err, 0);
	return v;
}

struct ownbuf_own *ownbuf_create(struct ownbuf_sess *s, uint64_t size, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_create(s->fd, size, &h);

	return ob_own_new(s, h, ret, err);
}

struct ownbuf_own *ownbuf_take(struct ownbuf_sess *s, struct ownbuf_move_ticket t, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_take(s->fd, t.value, &h);

	return ob_own_new(s, h, ret, err);
}

struct ownbuf_own *ownbuf_cancel_move(struct ownbuf_sess *s, struct ownbuf_move_ticket t,
				      int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_cancel(s->fd, t.value, &h);

	/* A lend ticket cancelled through here ends the loan and yields no owner. */
	if (!ret && !h)
		ret = -EINVAL;
	return ob_own_new(s, h, ret, err);
}

int ownbuf_cancel_lend(struct ownbuf_sess *s, struct ownbuf_lend_ticket t)
{
	uint64_t h = 0;

	return ownbuf_raw_cancel(s->fd, t.value, &h);
}

/* Accept a loan and learn its mode; a borrow of another @want is ended (EACCES). */
static int ob_accept(struct ownbuf_sess *s, struct ownbuf_lend_ticket t, uint32_t want,
		     uint64_t *h, uint32_t *mode)
{
	struct ownbuf_query q;
	int ret = ownbuf_raw_accept(s->fd, t.value, h);

	if (ret)
		return ret;
	ret = ownbuf_raw_query(s->fd, *h, &q);
	if (!ret && want && q.out_mode != want)
		ret = -EACCES;
	/*
	 * Do not leave an unreachable borrow behind. Its buffer died
	 * meanwhile (ESTALE): to the caller the loan was dead, ENOENT.
	 */
	if (ret)
		ownbuf_raw_release(s->fd, *h);
	if (ret == -ESTALE)
		ret = -ENOENT;
	if (!ret)
		*mode = q.out_mode;
	return ret;
}

struct ownbuf_ref *ownbuf_accept(struct ownbuf_sess *s, struct ownbuf_lend_ticket t, int *err)
{
	uint64_t h = 0;
	uint32_t mode = 0;
	int ret = ob_accept(s, t, 0, &h, &mode);

	return ob_ref_new(s, h, mode, ret, err);
}

struct ownbuf_mut *ownbuf_accept_mut(struct ownbuf_sess *s, struct ownbuf_lend_ticket t,
				     int *err)
{
	uint64_t h = 0;
	uint32_t mode = 0;
	int ret = ob_accept(s, t, OWNBUF_MODE_MUT, &h, &mode);

	return ob_mut_new(s, h, ret, err);
}

int ownbuf_stats(struct ownbuf_sess *s, struct ownbuf_stats *st)
{
	return ownbuf_raw_stats(s->fd, st);
}

struct ownbuf_ref *ownbuf_own_borrow(struct ownbuf_own *o, uint32_t mode, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_borrow(o->sess->fd, o->handle, mode, &h);

	return ob_ref_new(o->sess, h, mode, ret, err);
}

struct ownbuf_ref *ownbuf_ref_borrow(struct ownbuf_ref *r, uint32_t mode, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_borrow(r->sess->fd, r->handle, mode, &h);

	return ob_ref_new(r->sess, h, mode, ret, err);
}

struct ownbuf_ref *ownbuf_mut_borrow(struct ownbuf_mut *m, uint32_t mode, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_borrow(m->sess->fd, m->handle, mode, &h);

	return ob_ref_new(m->sess, h, mode, ret, err);
}

static struct ownbuf_mut *ob_borrow_mut(struct ownbuf_sess *s, uint64_t handle, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_borrow(s->fd, handle, OWNBUF_MODE_MUT, &h);

	return ob_mut_new(s, h, ret, err);
}

struct ownbuf_mut *ownbuf_own_borrow_mut(struct ownbuf_own *o, int *err)
{
	return ob_borrow_mut(o->sess, o->handle, err);
}

struct ownbuf_mut *ownbuf_ref_borrow_mut(struct ownbuf_ref *r, int *err)
{
	return ob_borrow_mut(r->sess, r->handle, err);
}

struct ownbuf_mut *ownbuf_mut_borrow_mut(struct ownbuf_mut *m, int *err)
{
	return ob_borrow_mut(m->sess, m->handle, err);
}

struct ownbuf_own *ownbuf_own_clone(struct ownbuf_own *o, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_clone(o->sess->fd, o->handle, &h);

	return ob_own_new(o->sess, h, ret, err);
}

struct ownbuf_own *ownbuf_ref_clone(struct ownbuf_ref *r, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_clone(r->sess->fd, r->handle, &h);

	return ob_own_new(r->sess, h, ret, err);
}

struct ownbuf_own *ownbuf_mut_clone(struct ownbuf_mut *m, int *err)
{
	uint64_t h = 0;
	int ret = ownbuf_raw_clone(m->sess->fd, m->handle, &h);

	return ob_own_new(m->sess, h, ret, err);
}

struct ownbuf_view *ownbuf_own_map_ro(struct ownbuf_own *o, int *err)
{
	return ob_view_new(o->sess, o->handle, 0, err);
}

struct ownbuf_view *ownbuf_ref_map_ro(struct ownbuf_ref *r, int *err)
{
	return ob_view_new(r->sess, r->handle, 0, err);
}

struct ownbuf_view *ownbuf_mut_map_ro(struct ownbuf_mut *m, int *err)
{
	return ob_view_new(m->sess, m->handle, 0, err);
}

struct ownbuf_view *ownbuf_own_map_rw(struct ownbuf_own *o, int *err)
{
	return ob_view_new(o->sess, o->handle, 1, err);
}

struct ownbuf_view *ownbuf_mut_map_rw(struct ownbuf_mut *m, int *err)
{
	return ob_view_new(m->sess, m->handle, 1, err);
}
