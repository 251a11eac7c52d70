/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libownbuf: a small C client for /dev/ownbuf.
 *
 * Two layers. The raw layer is one function per ioctl on plain 64-bit
 * handles and tickets; it is what tools that print and parse handles use.
 * The typed layer is what programs should use: owners, borrows, mutable
 * borrows, mappings and the two kinds of ticket are distinct C types, so
 * the compiler refuses to drop a borrow, take a lend ticket or map a
 * shared borrow writable, and the functions that end an owner, a borrow or
 * a mapping are declared as deallocators of what create/take/borrow/accept/
 * map allocate, so `gcc -fanalyzer` reports a double drop or a use after
 * drop, give or unmap at compile time, as Rust's borrow checker would.
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
#include <sys/mman.h>

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

/*
 * Mapping a buffer (the "DOC: mmap" rules of <linux/ownbuf.h>).
 * ownbuf_raw_map() is the MAP ioctl: *offset is where mmap(2) of @fd maps
 * the buffer through @handle, *length the most that can be mapped (its
 * size rounded up to whole pages). ownbuf_raw_mmap() does both steps: MAP,
 * then mmap(2) of all of *length, MAP_SHARED, with @prot (PROT_READ, or
 * PROT_READ | PROT_WRITE); it stores the address and length that
 * ownbuf_raw_munmap() takes, and returns MAP's or mmap's -errno. The
 * library passes the offset as a 64-bit off_t also when built -m32.
 */
int ownbuf_raw_map(int fd, uint64_t handle, uint64_t *offset, uint64_t *length);
int ownbuf_raw_mmap(int fd, uint64_t handle, int prot, void **addr, size_t *len);
int ownbuf_raw_munmap(void *addr, size_t len);

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

/*
 * A mutable borrow that its type proves mutable (Rust: &mut T), made only
 * by ownbuf_borrow_mut() and ownbuf_accept_mut(). Ended by release. A
 * struct ownbuf_ref of OWNBUF_MODE_MUT writes as well, but only an owner
 * or a struct ownbuf_mut can be mapped writable (ownbuf_map_rw()).
 */
struct ownbuf_mut {
	struct ownbuf_sess *sess;
	uint64_t handle;
};

/*
 * A mapping of a buffer (Rust: a slice of it, &[u8] or &mut [u8]): addr is
 * the buffer's first byte; len covers whole pages, the buffer's size
 * rounded up (the bytes past the size read as zero at first); writable is
 * 1 for ownbuf_map_rw() (a write through a read-only view is SIGSEGV).
 * Ended by ownbuf_unmap(). Made through an owner, it is a borrow of its
 * own until then (shared if read-only, mutable if writable), so the
 * owner's give and drop (without OWNBUF_DROP_REVOKE) answer EBUSY, and so
 * do the reads, writes and borrows that "many readers XOR one writer"
 * refuses; made through a borrow, it keeps that borrow from being released
 * (EBUSY). When the buffer dies (a drop with OWNBUF_DROP_REVOKE, its
 * owner's exit) the mapping is torn down: touching addr raises SIGBUS
 * until ownbuf_unmap(). Not inherited across fork(); it keeps the session
 * open in the kernel after ownbuf_session_close() until it is unmapped.
 */
struct ownbuf_view {
	void *addr;
	size_t len;
	int writable;
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
void ownbuf_mut_free(struct ownbuf_mut *m);
void ownbuf_view_free(struct ownbuf_view *v);

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

/*
 * Accept a loan that must be mutable. A shared one is refused with EACCES
 * (a right the borrow lacks) and ended: the ticket is used either way.
 */
OWNBUF_ALLOCATES(ownbuf_mut_free)
struct ownbuf_mut *ownbuf_accept_mut(struct ownbuf_sess *s, struct ownbuf_lend_ticket t,
				     int *err);

/* The maker ends an untaken loan. */
int ownbuf_cancel_lend(struct ownbuf_sess *s, struct ownbuf_lend_ticket t);

int ownbuf_stats(struct ownbuf_sess *s, struct ownbuf_stats *st);

/*
 * Constructors from any handle; use the ownbuf_borrow(), ownbuf_borrow_mut(),
 * ownbuf_clone(), ownbuf_map_ro() and ownbuf_map_rw() macros.
 */
OWNBUF_ALLOCATES(ownbuf_ref_free)
struct ownbuf_ref *ownbuf_own_borrow(struct ownbuf_own *o, uint32_t mode, int *err);
OWNBUF_ALLOCATES(ownbuf_ref_free)
struct ownbuf_ref *ownbuf_ref_borrow(struct ownbuf_ref *r, uint32_t mode, int *err);
OWNBUF_ALLOCATES(ownbuf_ref_free)
struct ownbuf_ref *ownbuf_mut_borrow(struct ownbuf_mut *m, uint32_t mode, int *err);
OWNBUF_ALLOCATES(ownbuf_mut_free)
struct ownbuf_mut *ownbuf_own_borrow_mut(struct ownbuf_own *o, int *err);
OWNBUF_ALLOCATES(ownbuf_mut_free)
struct ownbuf_mut *ownbuf_ref_borrow_mut(struct ownbuf_ref *r, int *err);
OWNBUF_ALLOCATES(ownbuf_mut_free)
struct ownbuf_mut *ownbuf_mut_borrow_mut(struct ownbuf_mut *m, int *err);
OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_own_clone(struct ownbuf_own *o, int *err);
OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_ref_clone(struct ownbuf_ref *r, int *err);
OWNBUF_ALLOCATES(ownbuf_own_free)
struct ownbuf_own *ownbuf_mut_clone(struct ownbuf_mut *m, int *err);

/* Read-only mappings through any handle; writable ones through an owner or &mut. */
OWNBUF_ALLOCATES(ownbuf_view_free)
struct ownbuf_view *ownbuf_own_map_ro(struct ownbuf_own *o, int *err);
OWNBUF_ALLOCATES(ownbuf_view_free)
struct ownbuf_view *ownbuf_ref_map_ro(struct ownbuf_ref *r, int *err);
OWNBUF_ALLOCATES(ownbuf_view_free)
struct ownbuf_view *ownbuf_mut_map_ro(struct ownbuf_mut *m, int *err);
OWNBUF_ALLOCATES(ownbuf_view_free)
struct ownbuf_view *ownbuf_own_map_rw(struct ownbuf_own *o, int *err);
OWNBUF_ALLOCATES(ownbuf_view_free)
struct ownbuf_view *ownbuf_mut_map_rw(struct ownbuf_mut *m, int *err);

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
 * Ending a borrow: use ownbuf_release(), which takes either kind. The record
 * is freed with the borrow when the answer is 0, or ESTALE (the borrow had
 * been revoked with its buffer). On EBUSY, which only a mapping made
 * through the borrow and not unmapped yet causes, the borrow is still the
 * caller's, to release again after ownbuf_unmap() or to let go of with
 * ownbuf_ref_free() or ownbuf_mut_free() (the session's close ends it).
 */
static inline int ownbuf_ref_release(struct ownbuf_ref *r)
{
	int ret = ownbuf_raw_release(r->sess->fd, r->handle);

	if (ret != -EBUSY)
		ownbuf_ref_free(r);
	return ret;
}

static inline int ownbuf_mut_release(struct ownbuf_mut *m)
{
	int ret = ownbuf_raw_release(m->sess->fd, m->handle);

	if (ret != -EBUSY)
		ownbuf_mut_free(m);
	return ret;
}

/*
 * Ending a mapping always ends it: munmap(2), then the record is freed.
 * Its borrow ends with it (a mapping through an owner) or may be released
 * now (one through a borrow). Unmapping a mapping that was torn down is
 * what gives its address range back. A pointer into the mapping kept past
 * this is C's dangling pointer: the analyzer only sees v itself.
 */
static inline int ownbuf_unmap(struct ownbuf_view *v)
{
	int ret = ownbuf_raw_munmap(v->addr, v->len);

	ownbuf_view_free(v);
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

static inline int ownbuf_mut_read(struct ownbuf_mut *m, uint64_t off, void *dst, uint64_t len)
{
	return ownbuf_raw_read(m->sess->fd, m->handle, off, dst, len);
}

static inline int ownbuf_ref_write(struct ownbuf_ref *r, uint64_t off, const void *src,
				   uint64_t len)
{
	return ownbuf_raw_write(r->sess->fd, r->handle, off, src, len);
}

static inline int ownbuf_mut_write(struct ownbuf_mut *m, uint64_t off, const void *src,
				   uint64_t len)
{
	return ownbuf_raw_write(m->sess->fd, m->handle, off, src, len);
}

static inline int ownbuf_own_query(struct ownbuf_own *o, struct ownbuf_query *q)
{
	return ownbuf_raw_query(o->sess->fd, o->handle, q);
}

static inline int ownbuf_ref_query(struct ownbuf_ref *r, struct ownbuf_query *q)
{
	return ownbuf_raw_query(r->sess->fd, r->handle, q);
}

static inline int ownbuf_mut_query(struct ownbuf_mut *m, struct ownbuf_query *q)
{
	return ownbuf_raw_query(m->sess->fd, m->handle, q);
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

static inline int ownbuf_mut_lend(struct ownbuf_mut *m, uint32_t mode,
				  struct ownbuf_lend_ticket *t)
{
	return ownbuf_raw_lend(m->sess->fd, m->handle, mode, &t->value);
}

/*
 * ownbuf_read(h, off, dst, len), ownbuf_write(h, off, src, len),
 * ownbuf_query(h, q), ownbuf_lend(h, mode, ticket), ownbuf_borrow(h, mode,
 * err), ownbuf_borrow_mut(h, err), ownbuf_clone(h, err), ownbuf_map_ro(h,
 * err): h is a struct ownbuf_own *, a struct ownbuf_ref * or a struct
 * ownbuf_mut *; anything else does not compile. ownbuf_map_rw(h, err): h is
 * a struct ownbuf_own * or a struct ownbuf_mut *; a struct ownbuf_ref *
 * (a shared borrow, or a mutable one its type does not prove) does not
 * compile. ownbuf_release(b): b is a struct ownbuf_ref * or a struct
 * ownbuf_mut *. OWNBUF_ANY() is the two-type dispatch of earlier versions.
 */
#define OWNBUF_ANY(h, own_fn, ref_fn) \
	_Generic((h), struct ownbuf_own * : own_fn, struct ownbuf_ref * : ref_fn)
#define OWNBUF_ANY3(h, own_fn, ref_fn, mut_fn) \
	_Generic((h), struct ownbuf_own * : own_fn, struct ownbuf_ref * : ref_fn, \
		 struct ownbuf_mut * : mut_fn)
#define OWNBUF_WRITER(h, own_fn, mut_fn) \
	_Generic((h), struct ownbuf_own * : own_fn, struct ownbuf_mut * : mut_fn)
#define OWNBUF_BORROW(b, ref_fn, mut_fn) \
	_Generic((b), struct ownbuf_ref * : ref_fn, struct ownbuf_mut * : mut_fn)
#define ownbuf_read(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_read, ownbuf_ref_read, ownbuf_mut_read)(h, __VA_ARGS__)
#define ownbuf_write(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_write, ownbuf_ref_write, ownbuf_mut_write)(h, __VA_ARGS__)
#define ownbuf_query(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_query, ownbuf_ref_query, ownbuf_mut_query)(h, __VA_ARGS__)
#define ownbuf_lend(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_lend, ownbuf_ref_lend, ownbuf_mut_lend)(h, __VA_ARGS__)
#define ownbuf_borrow(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_borrow, ownbuf_ref_borrow, ownbuf_mut_borrow)(h, __VA_ARGS__)
#define ownbuf_borrow_mut(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_borrow_mut, ownbuf_ref_borrow_mut, \
		    ownbuf_mut_borrow_mut)(h, __VA_ARGS__)
#define ownbuf_clone(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_clone, ownbuf_ref_clone, ownbuf_mut_clone)(h, __VA_ARGS__)
#define ownbuf_map_ro(h, ...) \
	OWNBUF_ANY3(h, ownbuf_own_map_ro, ownbuf_ref_map_ro, ownbuf_mut_map_ro)(h, __VA_ARGS__)
#define ownbuf_map_rw(h, ...) \
	OWNBUF_WRITER(h, ownbuf_own_map_rw, ownbuf_mut_map_rw)(h, __VA_ARGS__)

#ifdef __cplusplus
/* C++ has no _Generic: ownbuf_release() of earlier versions, for borrows. */
static inline int ownbuf_release(struct ownbuf_ref *r)
{
	return ownbuf_ref_release(r);
}
#else
#define ownbuf_release(b) OWNBUF_BORROW(b, ownbuf_ref_release, ownbuf_mut_release)(b)
#endif

#ifdef __cplusplus
}
#endif

#endif /* LIBOWNBUF_H */
