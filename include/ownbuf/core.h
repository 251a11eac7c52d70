/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownbuf core: ownership state, handles, borrows, tickets, sessions, quotas
 * and counters. Nothing here knows about files or user pointers, so KUnit
 * drives it directly; module/dev.c is the only caller in production.
 *
 * Spinlocks are taken and released by hand, not with guard(): sparse (C=2
 * is part of the lint) reports a context imbalance for every spinlock
 * guard. Mutexes, which sparse does not track, use guard().
 *
 * Lock nesting (outer first); no other nesting exists:
 *
 *   ownbuf_device.sessions_lock (mutex: the session list; debugfs reads)
 *     -> ownbuf_session.lock (the graph walks each handle table)
 *     -> ownbuf_device.tickets_lock (the graph walks the tickets)
 *   ownbuf_buffer.data_lock (rwsem, held across the copy of a read/write)
 *     -> ownbuf_session.lock (the handle is checked again under it)
 *     -> ownbuf_buffer.lock (MAP gives the buffer its list of mappings)
 *   ownbuf_session.grow_lock (mutex, growth of the handle table)
 *     -> ownbuf_session.lock
 *   ownbuf_session.lock
 *     -> ownbuf_buffer.lock (a borrow slot or a mapping joins or leaves its
 *        buffer's list)
 *   ownbuf_session.map_lock (mutex, MAP)
 *     -> ownbuf_buffer.data_lock (a buffer made mappable)
 *   mm's mmap_lock (mmap(), munmap(), a fault; VMA callbacks run under it)
 *     -> ownbuf_session.lock -> ownbuf_buffer.lock (mmap() counts a mapping)
 *     -> ownbuf_mapping.lock (read in a fault; write in the last close)
 *   ownbuf_mapping.lock (write: its end or revocation)
 *     -> ownbuf_session.lock, ownbuf_buffer.lock (an end gives its borrow back)
 *     -> the mm's i_mmap_rwsem and page table locks (a revocation zaps)
 * No ownbuf lock is held across a fault on an ownbuf mapping: read and
 * write pin the caller's memory before they lock, and the pages of a
 * mapping cannot be pinned.
 *
 * ownbuf_session.lock (spinlock, handle table) and ownbuf_device.tickets_lock
 * (spinlock, tickets and loans) are never held together. Under either, the
 * only other things touched are atomics and, under the first, the lock of
 * a buffer whose borrow slot or mapping is being counted.
 *
 * A buffer's life is decided by its owner alone. Calls that are using a
 * buffer hold a "pin" (ownbuf_buffer.users) only for the duration of that
 * one call, so that a drop racing with them waits until they leave instead
 * of freeing memory under them. Borrows hold no pin: a borrow slot points at
 * its buffer and is on the buffer's list of borrows, and the buffer's
 * destruction revokes every slot on that list, under each holder's session
 * lock, before it frees anything. Revocation is done once, by the one who
 * revokes: a borrow slot of a live session either names a buffer that has
 * not finished dying or is already dead itself, so a borrow can never reach
 * freed memory and never keeps a buffer alive. Mappings are the same: each
 * is on its buffer's list of mappings, and the buffer's destruction ends
 * every one (zapping its pages, so that the next access raises SIGBUS)
 * before it frees the memory.
 */
#ifndef _OWNBUF_CORE_H
#define _OWNBUF_CORE_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <uapi/linux/ownbuf.h>

/*
 * OWNBUF_CHECKS is 0 only in ownbuf_unchecked.ko, which scripts/bench.sh
 * builds (OWNBUF_UNCHECKED=1) to measure what the ownership checks cost:
 * it is never installed, and no test loads it. There the rules that make a
 * call wrong rather than unsafe are compiled out: a handle's generation (a
 * stale handle reaches whatever live slot its index names), rule 2 (the
 * state word neither judges nor counts borrows), a borrow's mode, a frozen
 * buffer, and the second look at a handle after the data lock. What keeps
 * the kernel safe stays: bounds, the pin, the data lock (a first MAP moves
 * the bytes under it), revocation.
 */
#ifdef OWNBUF_UNCHECKED
#define OWNBUF_CHECKS 0
#else
#define OWNBUF_CHECKS 1
#endif

/*
 * KUnit's static stubs let a suite step into a core function (to see what
 * is locked or pinned when it runs); without KUnit the redirection is
 * nothing, and kernels built without KUnit may lack the header.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) ((void)(real_fn_name))
#endif

/*
 * How the module allocates on behalf of a caller: charged to the caller's
 * memory cgroup and, over that cgroup's limit, failing with ENOMEM rather
 * than calling the OOM killer on the caller (__GFP_RETRY_MAYFAIL makes the
 * memcg charge give up too), without a warning on the console.
 */
#define OWNBUF_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/*
 * A handle is tag:16 | generation:24 | index:24. The tag names the session
 * (so another session's handles are recognised as never given, EBADF), the
 * index is a slot of the session's table (O(1) lookup), the generation is
 * bumped each time the slot is reused (stale handles stay stale). A slot
 * whose generation would wrap is retired, never reused.
 */
#define OWNBUF_INDEX_BITS	24
#define OWNBUF_GEN_BITS		24
#define OWNBUF_TAG_BITS		16
#define OWNBUF_GEN_MAX		((1U << OWNBUF_GEN_BITS) - 1)
#define OWNBUF_INDEX_MAX	((1U << OWNBUF_INDEX_BITS) - 1)
#define OWNBUF_TAG_MAX		((1U << OWNBUF_TAG_BITS) - 1)
/*
 * A tag whose closed sessions used generations past this is retired, so that
 * a session always has half the generation space to itself.
 */
#define OWNBUF_TAG_GEN_LIMIT	(OWNBUF_GEN_MAX / 2)

/**
 * struct ownbuf_limits - quotas, read on every call (writable at run time)
 * @max_buffer_size: largest buffer, bytes (EFBIG above)
 * @session_max_bytes: bytes a session may own (EDQUOT above)
 * @session_max_buffers: buffers a session may own
 * @session_max_handles: live handles (owner and borrow) in a session
 * @session_max_tickets: untaken tickets a session may have made
 * @device_max_bytes: bytes in all buffers of the device, in flight included
 * @user_max_sessions: sessions one uid may have open (EMFILE above)
 * @user_max_bytes: what one uid's buffers may take, each counted as its
 *	size plus %OWNBUF_BUFFER_OVERHEAD of kernel metadata, in flight
 *	included, and its sessions' handle tables
 * @user_max_tickets: untaken tickets one uid's sessions may have made
 */
struct ownbuf_limits {
	u64 max_buffer_size;
	u64 session_max_bytes;
	u64 session_max_buffers;
	u64 session_max_handles;
	u64 session_max_tickets;
	u64 device_max_bytes;
	u64 user_max_sessions;
	u64 user_max_bytes;
	u64 user_max_tickets;
};

/*
 * Kernel memory a buffer costs beside its bytes, charged against its user's
 * byte limit: the struct (at most 128 bytes) and what the allocator rounds
 * it up to, with room to spare. Handle tables are charged by the chunk (%OWNBUF_CHUNK_BYTES).
 */
#define OWNBUF_BUFFER_OVERHEAD	256

/**
 * struct ownbuf_user - what one uid holds in a device, for its limits
 * @uid: the uid
 * @sessions: its open sessions (the lock of &ownbuf_device.users); the struct
 *	lives while there is one
 * @bytes: its buffers' sizes plus their overhead, in flight included, and
 *	its sessions' handle tables
 * @tickets: untaken tickets its sessions made
 */
struct ownbuf_user {
	kuid_t uid;
	u64 sessions;
	atomic64_t bytes;
	atomic64_t tickets;
};

/**
 * struct ownbuf_counters - live totals and refusals, all atomic
 * @buffers: live buffers
 * @bytes: their bytes
 * @borrows: borrow handles
 * @tickets: untaken tickets
 * @sessions: open sessions
 * @mappings: live mappings
 * @refused: refused calls, any reason
 * @violations: refused calls by &enum ownbuf_violation
 */
struct ownbuf_counters {
	atomic64_t buffers;
	atomic64_t bytes;
	atomic64_t borrows;
	atomic64_t tickets;
	atomic64_t sessions;
	atomic64_t mappings;
	atomic64_t refused;
	atomic64_t violations[OWNBUF_VIOLATION_SLOTS];
};

/**
 * struct ownbuf_device - everything shared by the sessions of one device
 * @limits: quotas (the module parameters, or a KUnit test's own)
 * @counters: device-wide counters
 * @serial: last buffer serial handed out; serials are never reused
 * @tickets_lock: protects @tickets and every session's ticket list
 * @tickets: untaken tickets by value
 * @sessions_lock: protects @sessions; no allocation is made under it, so
 *	an open or a close never waits behind another opener's reclaim
 * @sessions: open sessions, for stats and debugfs
 * @tags: session tags in use, allocated cyclically from @next_tag so that a
 *	closed session's tag is not soon reused (the ida's own lock)
 * @next_tag: where the next tag allocation starts; a hint, read and
 *	written without a lock
 * @gen_floors: tag -> the highest generation any closed session with that
 *	tag issued (an xa_mk_value()); a new session with the tag starts above
 *	it, so old handle values never name its handles
 * @tag_max: highest session tag (OWNBUF_TAG_MAX; KUnit makes it small)
 * @map_cursor: where the next mmap offset of a 32-bit caller starts, in
 *	pages, modulo @map_compat_space: device-wide, so that such an offset
 *	is another session's only once the space has wrapped
 * @map_window: pages of offsets each session has for 64-bit callers
 *	(%OWNBUF_MAP_WINDOW; KUnit makes it small)
 * @map_compat_space: pages of offsets for 32-bit callers
 *	(%OWNBUF_MAP_COMPAT_SPACE; KUnit makes it small)
 * @users: uid -> &struct ownbuf_user of the uids with a session open; its
 *	own lock also guards each &ownbuf_user.sessions
 */
struct ownbuf_device {
	const struct ownbuf_limits *limits;
	struct ownbuf_counters counters;
	atomic64_t serial;
	spinlock_t tickets_lock;	/* @tickets, every session's ticket list */
	struct rhashtable tickets;
	struct mutex sessions_lock;	/* @sessions */
	struct list_head sessions;
	struct ida tags;
	u32 next_tag;
	struct xarray gen_floors;
	u32 tag_max;
	struct xarray users;
	atomic64_t map_cursor;
	u64 map_window;
	u64 map_compat_space;
};

/*
 * mmap offsets, in pages. A 64-bit caller's come from its session's own
 * window, which starts at 2^32 + tag * 2^33 pages, so that no two open
 * sessions ever share one and no 64-bit offset is a 32-bit caller's; the
 * last window ends below 2^50 pages (2^62 bytes: loff_t holds it). A
 * 32-bit caller's come from below 2^32 pages, what its mmap2() can pass,
 * shared by the device. Never 0, so that an offset nobody asked MAP for is
 * refused rather than taken for a buffer.
 */
#define OWNBUF_MAP_COMPAT_SPACE	BIT_ULL(32)
#define OWNBUF_MAP_WINDOW	BIT_ULL(33)
/* Tries at a free offset before MAP gives up (EDQUOT): never a long spin. */
#define OWNBUF_MAP_TRIES	64

/*
 * Borrow state of a buffer, one atomic word so that borrowing is a single
 * compare-and-exchange: flags in the low byte, shared borrows above it.
 * Untaken lend tickets and mappings made through the owner handle count
 * here like borrows.
 */
#define OWNBUF_ST_DEAD		BIT(0)	/* dropped: every call now answers ESTALE */
#define OWNBUF_ST_FROZEN	BIT(1)	/* immutable for good */
#define OWNBUF_ST_TRANSIT	BIT(2)	/* on a move ticket, owned by nobody */
#define OWNBUF_ST_MUT		BIT(3)	/* a mutable borrow is out */
#define OWNBUF_ST_SHARED_SHIFT	8
#define OWNBUF_ST_SHARED_ONE	BIT(OWNBUF_ST_SHARED_SHIFT)
#define OWNBUF_ST_BORROWED	(OWNBUF_ST_MUT | ~(OWNBUF_ST_SHARED_ONE - 1))

/**
 * struct ownbuf_buffer - one buffer and its borrow state
 * @state: borrow state word, OWNBUF_ST_*
 * @users: calls currently using the buffer, plus one while it is alive;
 *	the owner's drop removes that one and waits for zero
 * @lock: protects @borrows
 * @borrows: the borrow slots of this buffer, in any session
 *	(&ownbuf_slot.link), which its destruction revokes
 * @loans: its untaken lend tickets (&ownbuf_device.tickets_lock), which
 *	its destruction ends
 * @data_lock: readers share it, writers hold it alone, so no reader sees
 *	a torn write; held across the usercopy
 * @data: the bytes, zeroed at creation
 * @size: bytes in @data, fixed for life
 * @serial: device-wide serial, never reused; its id in query and debugfs
 * @dev: the device it belongs to
 * @maps: its mappings, once a MAP made it mappable (&ownbuf_buffer.lock)
 */
struct ownbuf_buffer {
	atomic_long_t state;
	refcount_t users;
	spinlock_t lock;		/* @borrows */
	struct list_head borrows;
	struct list_head loans;
	struct rw_semaphore data_lock;
	void *data;
	size_t size;
	u64 serial;
	struct ownbuf_device *dev;
	struct ownbuf_buffer_maps *maps;
};

/**
 * struct ownbuf_buffer_maps - what a buffer has once it is mappable
 * @mappings: its live mappings (&ownbuf_mapping.link), in any session
 * @nr: how many
 *
 * Allocated by its first MAP, which also moves its bytes into whole pages
 * of their own (vmalloc) if they were not: buffers never mapped pay
 * nothing for mmap. Protected by &ownbuf_buffer.lock.
 */
struct ownbuf_buffer_maps {
	struct list_head mappings;
	u32 nr;
};

/**
 * struct ownbuf_mapping - one mmap(2) of a buffer, from the call until its
 * last page is unmapped (partial munmap and splits keep it alive)
 * @lock: faults hold it shared while they look at the buffer and insert
 *	pages; the mapping's end and its revocation hold it alone
 * @ended: revoked with its buffer, or unmapped: faults raise SIGBUS and
 *	@buf is never touched again
 * @buf: the buffer, valid while not @ended
 * @s: the session whose fd was mapped; valid while a VMA of it exists
 * @mapping: that fd's address_space, where its pages are zapped
 * @refs: one for its VMAs, one for a destruction that is revoking it
 * @vmas: VMAs of it still mapped; the last one to go ends it
 * @link: in &ownbuf_buffer_maps.mappings, while it counts
 * @pgoff: its offset, in pages (the first page of the buffer)
 * @npages: pages it maps
 * @index: the handle's slot, for a mapping through a borrow handle
 * @gen: the handle's generation, likewise
 * @mode: %OWNBUF_MODE_MUT if writable, else %OWNBUF_MODE_SHARED
 * @owner: made through the owner handle: a borrow of its own in the
 *	buffer's state word; else it belongs to the borrow handle's slot
 *	(&ownbuf_slot.maps)
 */
struct ownbuf_mapping {
	struct rw_semaphore lock;
	bool ended;
	bool owner;
	u8 mode;
	struct ownbuf_buffer *buf;
	struct ownbuf_session *s;
	struct address_space *mapping;
	refcount_t refs;
	refcount_t vmas;
	struct list_head link;
	unsigned long pgoff;
	unsigned long npages;
	u32 index;
	u32 gen;
};

/*
 * How a handle died, which decides the violation class of its later uses:
 * freed (dropped or released: use after free, double free), moved away
 * (use after move) or revoked with its buffer (lifetime). Two bits.
 */
enum ownbuf_death {
	OWNBUF_DEATH_FREED,
	OWNBUF_DEATH_MOVED,
	OWNBUF_DEATH_REVOKED,
};

#define OWNBUF_DEATH_BITS	2
/* Dead handles of one slot whose class the slot remembers, newest first. */
#define OWNBUF_DEATHS_KEPT	(32 / OWNBUF_DEATH_BITS)

enum ownbuf_slot_kind {
	OWNBUF_SLOT_FREE,
	OWNBUF_SLOT_RESERVED,	/* handle being made, not yet usable */
	OWNBUF_SLOT_OWNER,
	OWNBUF_SLOT_BORROW,
};

/**
 * struct ownbuf_slot - one entry of a session's handle table
 * @gen: generation of the current handle, or of the last one when free
 * @kind: &enum ownbuf_slot_kind
 * @mode: borrow mode, for a borrow slot
 * @deaths: &enum ownbuf_death of the slot's last %OWNBUF_DEATHS_KEPT dead
 *	handles, the newest in the low bits
 * @next_free: next free index + 1, when free (0 ends the list)
 * @index: the slot's own index, for a borrow slot, for the revoker
 * @map_pgoff: the mmap offset (pages) MAP handed out for the slot's current
 *	or last handle, 0 if none; the offset stays valid while that handle
 *	lives and is forgotten when a later handle of the slot is mapped
 * @maps: mappings made through this borrow handle, which keep it from
 *	being released
 * @buf: the owned or borrowed buffer, for an owner or borrow slot. A
 *	borrow slot's buffer stays valid while the slot is a borrow of it:
 *	the buffer's destruction ends the slot first, under @holder's lock.
 * @holder: the session whose table this is, for a borrow slot, so that
 *	the buffer's destruction can find it
 * @link: in &ownbuf_buffer.borrows, for a borrow slot
 */
struct ownbuf_slot {
	u32 gen;
	u8 kind;
	u8 mode;
	u32 deaths;
	union {
		u32 next_free;
		u32 index;
	};
	u32 maps;
	u64 map_pgoff;
	struct ownbuf_buffer *buf;
	struct ownbuf_session *holder;
	struct list_head link;
};

/**
 * struct ownbuf_session - one open file description: the owner
 * @dev: its device
 * @lock: protects @chunks, @nr_slots, @used, @free_head, @live and the slots
 * @grow_lock: serializes growth of the table (taken before @lock)
 * @chunks: the handle table: a directory of chunks of %OWNBUF_CHUNK_SLOTS
 *	slots; chunks never move, so growing the table copies no slot
 * @dir_cap: entries allocated in @chunks
 * @nr_slots: slots in all the chunks
 * @used: entries ever handed out (the high-water mark)
 * @free_head: first free index + 1 (0: none)
 * @live: live handles
 * @refs: one for the open file, one for each buffer destruction that is
 *	about to revoke a borrow slot of this session; the struct and its
 *	table are freed with the last
 * @gen_floor: generations up to this one were issued under @tag by sessions
 *	closed before this one: never by this session (EBADF)
 * @user: the uid that opened it, whose limits it counts against
 * @tag: this session's handle tag
 * @pid: tgid of the opener, for debugfs
 * @comm: command name of the opener, for debugfs
 * @tickets: untaken tickets this session made (dev->tickets_lock)
 * @node: in &ownbuf_device.sessions
 * @counters: this session's counters
 * @map_lock: serializes MAP in the session
 * @map_next: where the session's next 64-bit offset starts in its window,
 *	at first a random page of its first half
 * @offsets: mmap offset (pages) -> the handle MAP gave it for, as an
 *	xa_mk_value() of generation and index; one per slot at most
 */
struct ownbuf_session {
	struct ownbuf_device *dev;
	spinlock_t lock;		/* the handle table: @chunks .. @live */
	struct mutex grow_lock;		/* growth of @chunks */
	struct ownbuf_slot **chunks;
	u32 dir_cap;
	u32 nr_slots;
	u32 used;
	u32 free_head;
	u32 live;
	refcount_t refs;
	u32 gen_floor;
	struct ownbuf_user *user;
	u16 tag;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct list_head tickets;
	struct list_head node;
	struct ownbuf_counters counters;
	struct mutex map_lock;		/* MAP, @map_next */
	u64 map_next;
	struct xarray offsets;
};

/*
 * A handle table grows by chunks of 4 KiB (what each costs its uid): as
 * many slots as fit.
 */
#define OWNBUF_CHUNK_BYTES	4096
#define OWNBUF_CHUNK_SLOTS	((u32)(OWNBUF_CHUNK_BYTES / sizeof(struct ownbuf_slot)))

/**
 * ownbuf_slot() - a slot of a session's handle table
 * @s: session, its lock held
 * @index: below @s->nr_slots
 *
 * Return: the slot; its address never changes while the session lives.
 */
static inline struct ownbuf_slot *ownbuf_slot(const struct ownbuf_session *s, u32 index)
{
	return &s->chunks[index / OWNBUF_CHUNK_SLOTS][index % OWNBUF_CHUNK_SLOTS];
}

enum ownbuf_ticket_kind {
	OWNBUF_TICKET_MOVE = 1,
	OWNBUF_TICKET_LEND = 2,
};

/**
 * struct ownbuf_ticket - an untaken move or loan
 * @value: what userspace holds; random, never 0
 * @kind: &enum ownbuf_ticket_kind
 * @mode: borrow mode of a lend ticket
 * @maker: the session that made it; it alone may cancel it
 * @hnode: in &ownbuf_device.tickets; a move ticket is hashed with @kind 0
 *	(found by nobody) until its giver's handle is dead
 * @maker_node: in &ownbuf_session.tickets
 * @loan_node: in the lent buffer's &ownbuf_buffer.loans, for a lend ticket
 * @buf: the buffer in flight (move) or lent (lend). A lend ticket's buffer
 *	is valid while the ticket is hashed: the buffer's destruction unhashes
 *	its loans before it frees anything.
 *
 * Whoever unhashes a ticket (under tickets_lock) owns it and frees it.
 */
struct ownbuf_ticket {
	u64 value;
	u8 kind;
	u8 mode;
	struct ownbuf_session *maker;
	struct rhash_head hnode;
	struct list_head maker_node;
	struct list_head loan_node;
	struct ownbuf_buffer *buf;
};

/**
 * struct ownbuf_access - a read or write in progress, from
 * ownbuf_access_begin() to ownbuf_access_end()
 * @buf: the pinned buffer, data_lock held
 * @data: first byte to copy
 * @len: bytes to copy
 * @write: whether data_lock is held for writing
 */
struct ownbuf_access {
	struct ownbuf_buffer *buf;
	void *data;
	size_t len;
	bool write;
};

/* device.c */
int ownbuf_device_init(struct ownbuf_device *dev, const struct ownbuf_limits *limits);
void ownbuf_device_destroy(struct ownbuf_device *dev);
void ownbuf_count_violation(struct ownbuf_session *s, enum ownbuf_violation v);
void ownbuf_count_refused(struct ownbuf_session *s);
int ownbuf_charge(atomic64_t *ctr, u64 amount, u64 limit);

/* session.c */
struct ownbuf_session *ownbuf_session_create(struct ownbuf_device *dev);
void ownbuf_session_destroy(struct ownbuf_session *s);
void ownbuf_session_put(struct ownbuf_session *s);
void ownbuf_stats(struct ownbuf_session *s, struct ownbuf_stats *out);
struct seq_file;
struct inode;
struct file;
int ownbuf_graph_open(struct inode *inode, struct file *file);
void ownbuf_show_comm(struct seq_file *m, struct ownbuf_session *s);

/* handle.c: the session's handle table */
int ownbuf_slot_reserve(struct ownbuf_session *s, u32 *index);
u64 ownbuf_slot_publish_owner(struct ownbuf_session *s, u32 index,
			      struct ownbuf_buffer *buf);
u64 ownbuf_slot_publish_borrow(struct ownbuf_session *s, u32 index,
			       struct ownbuf_buffer *buf, u8 mode);
u64 ownbuf_slot_publish_borrow_locked(struct ownbuf_session *s, u32 index,
				      struct ownbuf_buffer *buf, u8 mode);
void ownbuf_slot_unreserve(struct ownbuf_session *s, u32 index);
void ownbuf_slot_free(struct ownbuf_session *s, u32 index, enum ownbuf_death why);
int ownbuf_slot_find(struct ownbuf_session *s, u64 handle, u32 *index,
		     enum ownbuf_death *death);
u64 ownbuf_handle_make(const struct ownbuf_session *s, u32 index, u32 gen);

/* buffer.c: buffers and their borrow state */
int ownbuf_buffer_charge(struct ownbuf_session *s, u64 size);
void ownbuf_buffer_uncharge(struct ownbuf_session *s, u64 size);
int ownbuf_buffer_alloc(struct ownbuf_session *s, u64 size,
			struct ownbuf_buffer **out);
void ownbuf_buffer_destroy(struct ownbuf_buffer *buf);
void ownbuf_buffer_unpin(struct ownbuf_buffer *buf);
void ownbuf_borrow_revoke(struct ownbuf_buffer *buf, struct ownbuf_session *holder,
			  struct ownbuf_slot *slot);
int ownbuf_state_may_borrow(struct ownbuf_buffer *buf, u8 mode);
int ownbuf_state_borrow(struct ownbuf_buffer *buf, u8 mode);
void ownbuf_state_unborrow(struct ownbuf_buffer *buf, u8 mode);
int ownbuf_state_kill(struct ownbuf_buffer *buf, bool revoke);
int ownbuf_state_give(struct ownbuf_buffer *buf);
int ownbuf_state_freeze(struct ownbuf_buffer *buf);
bool ownbuf_buffer_dead(struct ownbuf_buffer *buf);
/* Who gave a buffer on a move ticket, relative to who takes it. */
enum ownbuf_kin {
	OWNBUF_KIN_SELF,	/* the same session */
	OWNBUF_KIN_USER,	/* another session of the same uid */
	OWNBUF_KIN_OTHER,	/* another uid's */
};

int ownbuf_session_charge(struct ownbuf_session *s, u64 size);
void ownbuf_session_uncharge(struct ownbuf_session *s, u64 size);
void ownbuf_bytes_uncharge(struct ownbuf_session *s, u64 size, bool user);
int ownbuf_adopt_charge(struct ownbuf_session *s, u64 size, enum ownbuf_kin kin);
void ownbuf_adopt_uncharge(struct ownbuf_session *s, u64 size, enum ownbuf_kin kin);

/**
 * struct ownbuf_ref - a live handle resolved for one call
 * @buf: the buffer: pinned until ownbuf_buffer_unpin() when it comes from
 *	ownbuf_resolve() or ownbuf_resolve_locked(); from ownbuf_look_locked(),
 *	safe only while the session lock stays held
 * @index: the handle's slot
 * @owner: whether the handle is the owner handle
 * @mode: &enum ownbuf_mode of a borrow handle, 0 for the owner
 */
struct ownbuf_ref {
	struct ownbuf_buffer *buf;
	u32 index;
	bool owner;
	u8 mode;
};

/* ops.c: the contract's operations */
int ownbuf_resolve(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref);
int ownbuf_look_locked(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref);
int ownbuf_resolve_locked(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref);
int ownbuf_refuse_stale(struct ownbuf_session *s, int err,
			enum ownbuf_death death, bool freeing);
int ownbuf_ref_recheck(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref);
int ownbuf_ref_check_alive(struct ownbuf_session *s, struct ownbuf_ref *ref);
int ownbuf_slot_get(struct ownbuf_session *s, u64 handle, u8 kind, bool freeing,
		    u32 *index);
int ownbuf_borrow_begin(struct ownbuf_session *s, u64 handle, u32 mode,
			struct ownbuf_ref *ref);
bool ownbuf_mode_valid(u32 mode);
void ownbuf_release_on_close(struct ownbuf_session *s, u32 index);
/**
 * struct ownbuf_answer - where a call that makes a handle puts it
 * @out: the new handle, once it is live
 * @deliver: NULL, or called with the handle-to-be while its slot is still
 *	reserved (nothing locked or pinned), so that the caller learns it
 *	before anyone can use it; an error (the glue's -EFAULT) undoes the
 *	call. The ioctl glue writes it to user memory here instead of pinning
 *	that memory for the whole call.
 * @retract: with @deliver: the call failed after delivering, put back what
 *	@deliver overwrote
 */
struct ownbuf_answer {
	u64 *out;
	int (*deliver)(const struct ownbuf_answer *a, u64 handle);
	void (*retract)(const struct ownbuf_answer *a);
};

int ownbuf_answer_deliver(struct ownbuf_session *s, u32 index,
			  const struct ownbuf_answer *a);
void ownbuf_answer_retract(const struct ownbuf_answer *a);

int ownbuf_create_answer(struct ownbuf_session *s, u64 size, u32 flags,
			 const struct ownbuf_answer *a);
int ownbuf_drop(struct ownbuf_session *s, u64 handle, u32 flags);
int ownbuf_access_begin(struct ownbuf_session *s, u64 handle, bool write,
			u64 off, u64 len, struct ownbuf_access *acc);
void ownbuf_access_end(struct ownbuf_access *acc);
int ownbuf_borrow_answer(struct ownbuf_session *s, u64 handle, u32 mode, u32 flags,
			 const struct ownbuf_answer *a);
int ownbuf_release(struct ownbuf_session *s, u64 handle, u32 flags);
int ownbuf_clone_answer(struct ownbuf_session *s, u64 handle, u32 flags,
			const struct ownbuf_answer *a);
int ownbuf_freeze(struct ownbuf_session *s, u64 handle, u32 flags);
int ownbuf_query(struct ownbuf_session *s, u64 handle, struct ownbuf_query *q);

/* mapping.c: MAP and the mappings' lives */
int ownbuf_map(struct ownbuf_session *s, u64 handle, u32 flags, u64 *offset,
	       u64 *length);
int ownbuf_mapping_begin(struct ownbuf_session *s, unsigned long pgoff,
			 unsigned long npages, bool writable,
			 struct address_space *mapping, struct ownbuf_mapping **out);
void ownbuf_mapping_end(struct ownbuf_mapping *m);
void ownbuf_mappings_revoke(struct ownbuf_buffer *buf);
void ownbuf_buffer_maps_free(struct ownbuf_buffer *buf);
u32 ownbuf_buffer_mappings(struct ownbuf_buffer *buf);

/* ticket.c */
int ownbuf_ticket_insert(struct ownbuf_session *s, struct ownbuf_ticket *t, u64 *value);
int ownbuf_give(struct ownbuf_session *s, u64 handle, u32 flags, u64 *ticket);
int ownbuf_take_answer(struct ownbuf_session *s, u64 ticket, u32 flags,
		       const struct ownbuf_answer *a);
int ownbuf_cancel(struct ownbuf_session *s, u64 ticket, u32 flags, u64 *out);
int ownbuf_lend(struct ownbuf_session *s, u64 handle, u32 mode, u32 flags,
		u64 *ticket);
int ownbuf_accept_answer(struct ownbuf_session *s, u64 ticket, u32 flags,
			 const struct ownbuf_answer *a);
void ownbuf_tickets_release_all(struct ownbuf_session *s);
void ownbuf_loans_end(struct ownbuf_buffer *buf);
int ownbuf_tickets_init(struct ownbuf_device *dev);
void ownbuf_tickets_destroy(struct ownbuf_device *dev);

/*
 * The calls that make a handle, answering in *@out only: what the core's
 * own callers (KUnit, the stress of revocation) need.
 */
#define OWNBUF_ANSWER_IN(out) (&(const struct ownbuf_answer){ .out = (out) })

static inline int ownbuf_create(struct ownbuf_session *s, u64 size, u32 flags, u64 *out)
{
	return ownbuf_create_answer(s, size, flags, OWNBUF_ANSWER_IN(out));
}

static inline int ownbuf_borrow(struct ownbuf_session *s, u64 handle, u32 mode,
				u32 flags, u64 *out)
{
	return ownbuf_borrow_answer(s, handle, mode, flags, OWNBUF_ANSWER_IN(out));
}

static inline int ownbuf_clone(struct ownbuf_session *s, u64 handle, u32 flags, u64 *out)
{
	return ownbuf_clone_answer(s, handle, flags, OWNBUF_ANSWER_IN(out));
}

static inline int ownbuf_take(struct ownbuf_session *s, u64 ticket, u32 flags, u64 *out)
{
	return ownbuf_take_answer(s, ticket, flags, OWNBUF_ANSWER_IN(out));
}

static inline int ownbuf_accept(struct ownbuf_session *s, u64 ticket, u32 flags, u64 *out)
{
	return ownbuf_accept_answer(s, ticket, flags, OWNBUF_ANSWER_IN(out));
}

#endif /* _OWNBUF_CORE_H */
