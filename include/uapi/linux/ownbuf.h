/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ownbuf: Rust's ownership rules for kernel buffers shared by processes.
 * The specification is Documentation/ownbuf.rst.
 */
#ifndef _UAPI_LINUX_OWNBUF_H
#define _UAPI_LINUX_OWNBUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: ownbuf ioctl interface
 *
 * ``/dev/ownbuf`` is a misc character device. Each open file description is
 * a *session*: the owner of the buffers created through it. A buffer has
 * exactly one owner; it may be lent as many shared (read-only) borrows or as
 * one mutable borrow, never both; it is freed the moment its owner drops it
 * or closes, and every borrow of it dies with it. Nothing counts references
 * to decide a buffer's life.
 *
 * Userspace names buffers and borrows by 64-bit *handles*, valid only in the
 * session that received them. A handle carries a generation, so once it has
 * been dropped, moved, released or revoked it is recognised as stale
 * forever, even when its slot is reused. Handle 0 is never valid.
 *
 * Buffers and loans travel between sessions as *tickets*: unguessable,
 * single-use 64-bit values that any channel (pipe, socket, argv) can carry.
 * give/take moves a buffer (the giver's handle dies at once); lend/accept
 * carries a borrow. Untaken tickets belong to their maker and die with it.
 *
 * All operations are ioctls on the session's file descriptor, numbered on
 * %OWNBUF_IOCTL_MAGIC, which no other upstream interface uses. Every
 * argument struct has a fixed size, the same for 32- and 64-bit callers,
 * and is named in the command number. Structs only ever grow at their end:
 * a command carrying a larger size (a caller built against a newer header)
 * is accepted when the bytes past the struct this kernel knows are zero,
 * and refused with E2BIG otherwise, as copy_struct_from_user() does; only
 * the known part is written back. Fields named ``out_*`` are written by the
 * kernel and ignored on input; every ``flags`` bit not defined here and
 * every ``__reserved`` field must be zero. EFAULT always means that
 * nothing happened: a command that answers first writes its request back
 * (proving the memory writable), then either answers through pinned
 * memory (give, cancel, lend, map) or writes its new handle while that
 * handle cannot be used yet and undoes itself if the write fails (create,
 * borrow, clone, take, accept). So the argument of a command that answers
 * must lie in ordinary writable memory (for give, cancel, lend and map,
 * memory that can be pinned: not a device or secret-memory mapping).
 *
 * Errors (specified in Documentation/ownbuf.rst; when several apply, the
 * first of this list is returned):
 *
 * ========  ===============================================================
 * EFAULT    the argument struct cannot be read, or written back
 * EINVAL    the request itself: reserved field or padding not zero, unknown
 *           flag or mode, handle or ticket 0, size 0
 * E2BIG     a larger struct than this kernel knows, with a non-zero tail
 * EBADF     a handle value this session was never given
 * ESTALE    a handle it was given that is no longer live: dropped, moved
 *           away, released, or revoked with its buffer
 * EINVAL    the wrong kind of handle or ticket for the operation
 * ENOENT    a ticket that is unknown, used, cancelled, made by another
 *           session (cancel), or whose buffer is gone
 * ERANGE    offset + length past the end of the buffer (overflow-safe)
 * EACCES    a right the handle lacks: write through a shared borrow, write
 *           to or mutable borrow of a frozen buffer
 * EBUSY     the call would break "many readers XOR one writer", or borrows
 *           are still out where none may be
 * EFBIG     size over the max_buffer_size module parameter
 * EDQUOT    over a per-session or device-wide quota
 * ENOMEM    out of memory
 * EFAULT    a bad data pointer of read or write
 * ENOTTY    a command this header does not define (ENOTTY comes first)
 * ========  ===============================================================
 *
 * Every refused call is counted, per session and for the whole device, and
 * the refusals that correspond to a memory-safety bug in C are counted by
 * class (&enum ownbuf_violation); see %OWNBUF_IOC_STATS.
 */
#define OWNBUF_IOCTL_MAGIC 0xB9

/**
 * enum ownbuf_mode - what a borrow may do
 * @OWNBUF_MODE_SHARED: read only; any number may be out at once
 * @OWNBUF_MODE_MUT: read and write; excludes every other borrow
 */
enum ownbuf_mode {
	OWNBUF_MODE_SHARED = 1,
	OWNBUF_MODE_MUT = 2,
};

/**
 * enum ownbuf_kind - what a handle names, as reported by %OWNBUF_IOC_QUERY
 * @OWNBUF_KIND_OWNER: the buffer itself, owned by this session
 * @OWNBUF_KIND_BORROW: a shared or mutable borrow of a buffer
 */
enum ownbuf_kind {
	OWNBUF_KIND_OWNER = 1,
	OWNBUF_KIND_BORROW = 2,
};

/**
 * enum ownbuf_violation - classes of refused calls that would be memory-safety
 * bugs in C
 * @OWNBUF_VIOLATION_USE_AFTER_FREE: ESTALE on a dropped buffer's or released
 *	borrow's handle
 * @OWNBUF_VIOLATION_DOUBLE_FREE: ESTALE on drop of a dropped handle, or
 *	release of a released borrow
 * @OWNBUF_VIOLATION_DATA_RACE: EBUSY on a call that breaks "many readers XOR
 *	one writer" (borrow, lend, read, write, freeze, mmap)
 * @OWNBUF_VIOLATION_NULL_DEREF: EINVAL on handle or ticket 0; EFAULT on a
 *	NULL user pointer
 * @OWNBUF_VIOLATION_OVERFLOW: ERANGE on a range past the end of a buffer
 * @OWNBUF_VIOLATION_USE_AFTER_MOVE: ESTALE on the handle a give killed
 * @OWNBUF_VIOLATION_LIFETIME: ESTALE on a borrow revoked with its buffer;
 *	EBUSY on drop or give while borrows are out (Rust: "cannot move out
 *	because it is borrowed"), and on release of a borrow still mapped;
 *	SIGBUS on a touch of a mapping that a revocation tore down
 * @OWNBUF_VIOLATION_NR: number of classes defined
 */
enum ownbuf_violation {
	OWNBUF_VIOLATION_USE_AFTER_FREE = 0,
	OWNBUF_VIOLATION_DOUBLE_FREE = 1,
	OWNBUF_VIOLATION_DATA_RACE = 2,
	OWNBUF_VIOLATION_NULL_DEREF = 3,
	OWNBUF_VIOLATION_OVERFLOW = 4,
	OWNBUF_VIOLATION_USE_AFTER_MOVE = 5,
	OWNBUF_VIOLATION_LIFETIME = 6,
	OWNBUF_VIOLATION_NR = 7,
};

/* Room in the ABI for classes added later. */
#define OWNBUF_VIOLATION_SLOTS 8

/* Flags of &struct ownbuf_handle_op for %OWNBUF_IOC_DROP. */
#define OWNBUF_DROP_REVOKE (1U << 0)	/* revoke borrows and loans first */

/**
 * struct ownbuf_create - argument of %OWNBUF_IOC_CREATE
 * @size: bytes, 1 to the max_buffer_size module parameter
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_handle: the new buffer's owner handle
 *
 * The buffer is zero-filled and owned by the calling session.
 */
struct ownbuf_create {
	__u64 size;
	__u32 flags;
	__u32 __reserved;
	__u64 out_handle;
};

/**
 * struct ownbuf_handle_op - argument of %OWNBUF_IOC_DROP, %OWNBUF_IOC_RELEASE
 * and %OWNBUF_IOC_FREEZE
 * @handle: an owner handle (drop, freeze) or a borrow handle (release)
 * @flags: drop: %OWNBUF_DROP_REVOKE or 0; release, freeze: must be 0
 * @__reserved: must be 0
 */
struct ownbuf_handle_op {
	__u64 handle;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct ownbuf_rw - argument of %OWNBUF_IOC_READ and %OWNBUF_IOC_WRITE
 * @handle: any live handle; a write needs an owner or mutable borrow handle
 * @offset: first byte of the buffer to copy
 * @length: bytes to copy; 0 is allowed when @offset <= size
 * @ptr: user address to copy to (read) or from (write)
 * @flags: must be 0
 * @__reserved: must be 0
 *
 * The copy is atomic with respect to writes: a reader never sees part of a
 * write.
 */
struct ownbuf_rw {
	__u64 handle;
	__u64 offset;
	__u64 length;
	__u64 ptr;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct ownbuf_borrow - argument of %OWNBUF_IOC_BORROW
 * @handle: any live handle of the buffer (borrowing a borrow is allowed)
 * @mode: &enum ownbuf_mode
 * @flags: must be 0
 * @out_handle: the new borrow handle, in this session
 */
struct ownbuf_borrow {
	__u64 handle;
	__u32 mode;
	__u32 flags;
	__u64 out_handle;
};

/**
 * struct ownbuf_lend - argument of %OWNBUF_IOC_LEND
 * @handle: any live handle of the buffer
 * @mode: &enum ownbuf_mode
 * @flags: must be 0
 * @out_ticket: a lend ticket; it counts as a borrow of @mode from now on
 */
struct ownbuf_lend {
	__u64 handle;
	__u32 mode;
	__u32 flags;
	__u64 out_ticket;
};

/**
 * struct ownbuf_give - argument of %OWNBUF_IOC_GIVE
 * @handle: an owner handle; it is dead when the call returns
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_ticket: a move ticket
 */
struct ownbuf_give {
	__u64 handle;
	__u32 flags;
	__u32 __reserved;
	__u64 out_ticket;
};

/**
 * struct ownbuf_ticket_op - argument of %OWNBUF_IOC_TAKE, %OWNBUF_IOC_ACCEPT
 * and %OWNBUF_IOC_CANCEL
 * @ticket: a move ticket (take), a lend ticket (accept), either (cancel)
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_handle: take: a new owner handle; accept: a new borrow handle;
 *	cancel: a new owner handle for a move ticket, 0 for a lend ticket
 */
struct ownbuf_ticket_op {
	__u64 ticket;
	__u32 flags;
	__u32 __reserved;
	__u64 out_handle;
};

/**
 * struct ownbuf_clone - argument of %OWNBUF_IOC_CLONE
 * @handle: any live handle the caller may read through
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_handle: owner handle of the copy (not frozen, even if the source is)
 */
struct ownbuf_clone {
	__u64 handle;
	__u32 flags;
	__u32 __reserved;
	__u64 out_handle;
};

/**
 * struct ownbuf_query - argument of %OWNBUF_IOC_QUERY
 * @handle: any live handle
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_size: buffer size in bytes
 * @out_id: the buffer's device-wide serial number (never a kernel pointer);
 *	the same through every handle of the buffer, in every session
 * @out_kind: &enum ownbuf_kind of @handle
 * @out_mode: &enum ownbuf_mode of a borrow handle; 0 for an owner handle
 * @out_shared: shared borrows out (untaken shared lend tickets included)
 * @out_mut: mutable borrows out, 0 or 1 (an untaken mutable lend included)
 * @out_frozen: 1 once the buffer is frozen
 * @out_mappings: live mappings of the buffer (mmap(2) calls whose pages
 *	are not all unmapped yet), through any handle, in any session; a
 *	mapping made through the owner handle is also counted in @out_shared
 *	or @out_mut, one made through a borrow handle belongs to that borrow
 */
struct ownbuf_query {
	__u64 handle;
	__u32 flags;
	__u32 __reserved;
	__u64 out_size;
	__u64 out_id;
	__u32 out_kind;
	__u32 out_mode;
	__u32 out_shared;
	__u32 out_mut;
	__u32 out_frozen;
	__u32 out_mappings;
};

/**
 * struct ownbuf_counts - one set of counters in &struct ownbuf_stats
 * @buffers: live buffers owned (session) or in existence (device); buffers
 *	in flight on a move ticket count for the device only
 * @bytes: their total size; a session's also counts the buffers it gave
 *	away that are not taken yet (bytes in flight count against the giver)
 * @borrows: live borrow handles held (a borrow revoked with its buffer
 *	no longer counts; its handle answers ESTALE)
 * @tickets: untaken tickets
 * @sessions: open sessions (device); 1 for the session itself
 * @refused: every refused call, whatever the reason
 * @violations: refused calls by &enum ownbuf_violation
 */
struct ownbuf_counts {
	__u64 buffers;
	__u64 bytes;
	__u64 borrows;
	__u64 tickets;
	__u64 sessions;
	__u64 refused;
	__u64 violations[OWNBUF_VIOLATION_SLOTS];
};

/**
 * struct ownbuf_stats - argument of %OWNBUF_IOC_STATS
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_session: counters of the calling session
 * @out_device: counters of the whole device, since the module was loaded
 * @out_session_mappings: live mappings made through this session's fd
 * @out_device_mappings: live mappings of the device
 *
 * The struct grew by the two mapping counts (from 232 to 248 bytes); a
 * caller built against the older header still passes its 232-byte
 * struct and gets the rest of the answer.
 */
struct ownbuf_stats {
	__u32 flags;
	__u32 __reserved;
	struct ownbuf_counts out_session;
	struct ownbuf_counts out_device;
	__u64 out_session_mappings;
	__u64 out_device_mappings;
};

/* The size of &struct ownbuf_stats before the mapping counts. */
#define OWNBUF_STATS_SIZE_V1 232

/**
 * DOC: mmap
 * A mapping is MAP_SHARED, starts at the buffer's first byte and covers
 * whole pages; bytes past the buffer's size in its last page are zero at
 * first and belong to no other buffer. The rights are the handle's: a
 * writable mapping needs the owner handle of a buffer that is not frozen
 * or a mutable borrow handle (else mmap answers EACCES), and a read-only
 * mapping can never be made writable (mprotect: EACCES). A mapping made
 * through the owner handle is a borrow of its own (shared if read-only,
 * mutable if writable), judged against "many readers XOR one writer"
 * (EBUSY), until its last page is unmapped; one made through a borrow
 * handle belongs to that borrow, which cannot be released while it is
 * mapped (EBUSY). A drop with %OWNBUF_DROP_REVOKE, the owner's exit or the
 * revocation of the borrow tears the mapping down before the memory is
 * freed: every later access raises SIGBUS. A mapping is not inherited
 * across fork, cannot be grown by mremap(2), and keeps its session open.
 * Its pages cannot be pinned (get_user_pages, O_DIRECT, vmsplice, and
 * ownbuf's own read and write, which pin the caller's memory: EFAULT), so
 * no pin can outlive a revocation. mmap(2) answers EINVAL for a private
 * mapping or an offset MAP did not return for this session, ERANGE for a
 * length past the buffer's last page, ESTALE when the handle died since
 * MAP, and EACCES or EBUSY as above; ENOMEM when out of memory.
 */

/**
 * struct ownbuf_map - argument of %OWNBUF_IOC_MAP
 * @handle: any live handle
 * @flags: must be 0
 * @__reserved: must be 0
 * @out_offset: the offset at which mmap(2) of this session's fd maps the
 *	buffer through @handle; the same for every MAP of the same handle,
 *	never that of another live handle. A 64-bit caller's offsets lie in
 *	a window of its session's own (above 16 TiB, so another open
 *	session's offset is EINVAL here), a 32-bit caller's below 16 TiB,
 *	where its mmap2() reaches (it needs a 64-bit off_t,
 *	-D_FILE_OFFSET_BITS=64). A dead handle's offset answers ESTALE until
 *	the next handle of its slot is mapped, then EINVAL; an offset is
 *	handed out again only after the session's 32 TiB window (64-bit) or
 *	the device's 16 TiB (32-bit) of offsets has been used up
 * @out_length: the most that can be mapped: the buffer's size rounded up
 *	to whole pages
 *
 * The first MAP of a buffer moves its bytes into whole pages of their own;
 * the rounding up counts against the device's bytes (EDQUOT), the pages
 * against the caller's memory cgroup. MAP answers the errors of any
 * lookup of a handle, and EDQUOT when no offset is free.
 */
struct ownbuf_map {
	__u64 handle;
	__u32 flags;
	__u32 __reserved;
	__u64 out_offset;
	__u64 out_length;
};

#define OWNBUF_IOC_CREATE	_IOWR(OWNBUF_IOCTL_MAGIC, 0x01, struct ownbuf_create)
#define OWNBUF_IOC_DROP		_IOW(OWNBUF_IOCTL_MAGIC, 0x02, struct ownbuf_handle_op)
#define OWNBUF_IOC_READ		_IOW(OWNBUF_IOCTL_MAGIC, 0x03, struct ownbuf_rw)
#define OWNBUF_IOC_WRITE	_IOW(OWNBUF_IOCTL_MAGIC, 0x04, struct ownbuf_rw)
#define OWNBUF_IOC_BORROW	_IOWR(OWNBUF_IOCTL_MAGIC, 0x05, struct ownbuf_borrow)
#define OWNBUF_IOC_RELEASE	_IOW(OWNBUF_IOCTL_MAGIC, 0x06, struct ownbuf_handle_op)
#define OWNBUF_IOC_GIVE		_IOWR(OWNBUF_IOCTL_MAGIC, 0x07, struct ownbuf_give)
#define OWNBUF_IOC_TAKE		_IOWR(OWNBUF_IOCTL_MAGIC, 0x08, struct ownbuf_ticket_op)
#define OWNBUF_IOC_CANCEL	_IOWR(OWNBUF_IOCTL_MAGIC, 0x09, struct ownbuf_ticket_op)
#define OWNBUF_IOC_LEND		_IOWR(OWNBUF_IOCTL_MAGIC, 0x0a, struct ownbuf_lend)
#define OWNBUF_IOC_ACCEPT	_IOWR(OWNBUF_IOCTL_MAGIC, 0x0b, struct ownbuf_ticket_op)
#define OWNBUF_IOC_CLONE	_IOWR(OWNBUF_IOCTL_MAGIC, 0x0c, struct ownbuf_clone)
#define OWNBUF_IOC_FREEZE	_IOW(OWNBUF_IOCTL_MAGIC, 0x0d, struct ownbuf_handle_op)
#define OWNBUF_IOC_QUERY	_IOWR(OWNBUF_IOCTL_MAGIC, 0x0e, struct ownbuf_query)
#define OWNBUF_IOC_STATS	_IOWR(OWNBUF_IOCTL_MAGIC, 0x0f, struct ownbuf_stats)
#define OWNBUF_IOC_MAP		_IOWR(OWNBUF_IOCTL_MAGIC, 0x10, struct ownbuf_map)

#endif /* _UAPI_LINUX_OWNBUF_H */
