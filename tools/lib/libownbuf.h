/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libownbuf: a small C client for /dev/ownbuf.
 *
 * Two layers. The raw layer is one function per ioctl on plain 64-bit
 * handles and tickets; it is what tools that print and parse handles use.
 * The typed layer is what programs should use: owners, borrows and the two
 * kinds of ticket are distinct C types, so the compiler refuses to drop a
 * borrow or take a lend ticket, and the functions that end an owner or a
 * borrow are declared as deallocators of what create/take/borrow/accept
 * allocate, so `gcc -fanalyzer` reports a double drop or a use after drop
 * or give at compile time, as Rust's borrow checker would.
 *
 * Every function returns 0 (or a non-negative count) on success and a
 * negative errno on failure; the typed constructors return NULL and store
 * the negative errno in *err (err may be NULL). Nothing prints or exits.
 * The errno contract is the one of <linux/ownbuf.h>.
 */
#ifndef LIBOWNBUF_H
#define LIBOWNBUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ownbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWNBUF_DEVICE_PATH "/dev/ownbuf"

/* ---- raw layer: one call per ioctl ---------------------------------- */

int ownbuf_raw_open(void);
int ownbuf_raw_create(int fd, uint64_t size, uint64_t *handle);
int ownbuf_raw_drop(int fd, uint64_t handle, uint32_t flags);
int ownbuf_raw_read(int fd, uint64_t handle, uint64_t off, void *dst, uint64_t len);
int ownbuf_raw_write(int fd, uint64_t handle, uint64_t off, const void *src, uint64_t len);
int ownbuf_raw_borrow(int fd, uint64_t handle, uint32_t mode, uint64_t *borrow);
int ownbuf_raw_release(int fd, uint64_t borrow);
int ownbuf_raw_give(int fd, uint64_t handle, uint64_t *ticket);
int ownbuf_raw_take(int fd, uint64_t ticket, uint64_t *handle);
int ownbuf_raw_cancel(int fd, uint64_t ticket, uint64_t *handle);
int ownbuf_raw_lend(int fd, uint64_t handle, uint32_t mode, uint64_t *ticket);
int ownbuf_raw_accept(int fd, uint64_t ticket, uint64_t *borrow);
int ownbuf_raw_clone(int fd, uint64_t handle, uint64_t *copy);
int ownbuf_raw_freeze(int fd, uint64_t handle);
int ownbuf_raw_query(int fd, uint64_t handle, struct ownbuf_query *q);
int ownbuf_raw_stats(int fd, struct ownbuf_stats *st);

/* "ESTALE" for -ESTALE or ESTALE; "E?" for errnos ownbuf never returns. */
const char *ownbuf_errno_name(int err);
/* "use_after_free", ... for an enum ownbuf_violation; NULL past the end. */
const char *ownbuf_violation_name(unsigned int v);
/* "shared", "mut"; NULL for anything else. */
const char *ownbuf_mode_name(uint32_t mode);

/* ---- typed layer ---------------------------------------------------- */

/* A session: one open of the device, the owner of what it creates. */
struct ownbuf_sess {
	int fd;
};

/* A buffer this session owns (Rust: a value). Ended by drop or give. */
struct ownbuf_own {
	struct ownbuf_sess *sess;
	uint64_t handle;
};

/* A shared or mutable borrow (Rust: &T or &mut T). Ended by release. */
struct ownbuf_ref {
	struct ownbuf_sess *sess;
	uint64_t handle;
	uint32_t mode;
};

/* Tickets are plain values, to carry through any channel. */
struct ownbuf_move_ticket {
	uint64_t value;
};

struct ownbuf_lend_ticket {
	uint64_t value;
};

/*
 * The deallocators free the library's record only, never calling the
 * device: the inline functions below call them once the kernel has ended
 * the handle (or the session, for ownbuf_session_close(), which closes it).
 */
void ownbuf_session_close(struct ownbuf_sess *s);
void ownbuf_own_free(struct ownbuf_own *o);
void ownbuf_ref_free(struct ownbuf_ref *r);

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define OWNBUF_ALLOCATES(dealloc) __attribute__((malloc, malloc(dealloc, 1)))
#else
#define OWNBUF_ALLOCATES(dealloc) __attribute__((malloc))
#endif

OWNBUF_ALLOCATES(ownbuf_session_close)
struct ownbuf_sess *ownbuf_session_open(int *err);

OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_create(struct ownbuf_sess *s, uint64_t size, int *err);

OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_take(struct ownbuf_sess *s, struct ownbuf_move_ticket t, int *err);

/* The maker takes an untaken move back, as a new owner. */
OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_cancel_move(struct ownbuf_sess *s, struct ownbuf_move_ticket t,
				      int *err);

OWNBUF_ALLOCATES(ownbuf_ref_free)
struct ownbuf_ref *ownbuf_accept(struct ownbuf_sess *s, struct ownbuf_lend_ticket t, int *err);

/* The maker ends an untaken loan. */
int ownbuf_cancel_lend(struct ownbuf_sess *s, struct ownbuf_lend_ticket t);

int ownbuf_stats(struct ownbuf_sess *s, struct ownbuf_stats *st);

/* Constructors from any handle; use the ownbuf_borrow()/ownbuf_clone() macros. */
OWNBUF_ALLOCATES(ownbuf_ref_free)
struct ownbuf_ref *ownbuf_own_borrow(struct ownbuf_own *o, uint32_t mode, int *err);
OWNBUF_ALLOCATES(ownbuf_ref_free)
struct ownbuf_ref *ownbuf_ref_borrow(struct ownbuf_ref *r, uint32_t mode, int *err);
OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_own_clone(struct ownbuf_own *o, int *err);
OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_ref_clone(struct ownbuf_ref *r, int *err);

/*
 * Ending an owner: drop frees it, give moves it onto a ticket. On success
 * the record is freed with the handle. On failure (EBUSY: borrows still out;
 * ENOMEM, EDQUOT) the owner is still the caller's, to retry or to let go of
 * with ownbuf_own_free() (the session's close then frees the buffer).
 * Inline, so that the analyzer sees the record used and freed.
 */
static inline int ownbuf_drop(struct ownbuf_own *o, uint32_t flags)
{
	int ret = ownbuf_raw_drop(o->sess->fd, o->handle, flags);

	if (!ret)
		ownbuf_own_free(o);
	return ret;
}

static inline int ownbuf_give(struct ownbuf_own *o, struct ownbuf_move_ticket *t)
{
	int ret = ownbuf_raw_give(o->sess->fd, o->handle, &t->value);

	if (!ret)
		ownbuf_own_free(o);
	return ret;
}

/*
 * Ending a borrow always ends it: the record is freed whatever the answer,
 * which is 0, or ESTALE when the borrow had been revoked with its buffer.
 */
static inline int ownbuf_release(struct ownbuf_ref *r)
{
	int ret = ownbuf_raw_release(r->sess->fd, r->handle);

	ownbuf_ref_free(r);
	return ret;
}

static inline int ownbuf_freeze(struct ownbuf_own *o)
{
	return ownbuf_raw_freeze(o->sess->fd, o->handle);
}

/* Operations any live handle may do, owner or borrow. */
static inline int ownbuf_own_read(struct ownbuf_own *o, uint64_t off, void *dst, uint64_t len)
{
	return ownbuf_raw_read(o->sess->fd, o->handle, off, dst, len);
}

static inline int ownbuf_ref_read(struct ownbuf_ref *r, uint64_t off, void *dst, uint64_t len)
{
	return ownbuf_raw_read(r->sess->fd, r->handle, off, dst, len);
}

static inline int ownbuf_own_write(struct ownbuf_own *o, uint64_t off, const void *src,
				   uint64_t len)
{
	return ownbuf_raw_write(o->sess->fd, o->handle, off, src, len);
}

static inline int ownbuf_ref_write(struct ownbuf_ref *r, uint64_t off, const void *src,
				   uint64_t len)
{
	return ownbuf_raw_write(r->sess->fd, r->handle, off, src, len);
}

static inline int ownbuf_own_query(struct ownbuf_own *o, struct ownbuf_query *q)
{
	return ownbuf_raw_query(o->sess->fd, o->handle, q);
}

static inline int ownbuf_ref_query(struct ownbuf_ref *r, struct ownbuf_query *q)
{
	return ownbuf_raw_query(r->sess->fd, r->handle, q);
}

static inline int ownbuf_own_lend(struct ownbuf_own *o, uint32_t mode,
				  struct ownbuf_lend_ticket *t)
{
	return ownbuf_raw_lend(o->sess->fd, o->handle, mode, &t->value);
}

static inline int ownbuf_ref_lend(struct ownbuf_ref *r, uint32_t mode,
				  struct ownbuf_lend_ticket *t)
{
	return ownbuf_raw_lend(r->sess->fd, r->handle, mode, &t->value);
}

/*
 * ownbuf_read(h, off, dst, len), ownbuf_write(h, off, src, len),
 * ownbuf_query(h, q), ownbuf_lend(h, mode, ticket), ownbuf_borrow(h, mode,
 * err), ownbuf_clone(h, err): h is a struct ownbuf_own * or a struct
 * ownbuf_ref *; anything else does not compile.
 */
#define OWNBUF_ANY(h, own_fn, ref_fn) \
	_Generic((h), struct ownbuf_own * : own_fn, struct ownbuf_ref * : ref_fn)
#define ownbuf_read(h, ...)	OWNBUF_ANY(h, ownbuf_own_read, ownbuf_ref_read)(h, __VA_ARGS__)
#define ownbuf_write(h, ...)	OWNBUF_ANY(h, ownbuf_own_write, ownbuf_ref_write)(h, __VA_ARGS__)
#define ownbuf_query(h, ...)	OWNBUF_ANY(h, ownbuf_own_query, ownbuf_ref_query)(h, __VA_ARGS__)
#define ownbuf_lend(h, ...)	OWNBUF_ANY(h, ownbuf_own_lend, ownbuf_ref_lend)(h, __VA_ARGS__)
#define ownbuf_borrow(h, ...)	OWNBUF_ANY(h, ownbuf_own_borrow, ownbuf_ref_borrow)(h, __VA_ARGS__)
#define ownbuf_clone(h, ...)	OWNBUF_ANY(h, ownbuf_own_clone, ownbuf_ref_clone)(h, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* LIBOWNBUF_H */
