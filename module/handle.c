// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf handles: a session's table of slots, and the 64-bit names
 * (tag | generation | index) userspace holds for them.
 *
 * Lookup is an index into one array, whatever the number of buffers.
 * Freed slots are reused last-in first-out with their generation bumped, so
 * a stale handle is recognised by a generation lower than its slot's; a
 * generation higher than the slot's, a foreign tag, an index past the
 * high-water mark or a generation at or below the session's floor (issued
 * by an earlier session with the same tag) was never given (EBADF). A slot
 * whose generation reached OWNBUF_GEN_MAX is retired rather than wrapped.
 */

#include <linux/lockdep.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include <ownbuf/core.h>

/**
 * ownbuf_handle_make() - the handle naming generation @gen of slot @index
 * @s: the session the handle belongs to
 * @index: slot index
 * @gen: generation, 1..OWNBUF_GEN_MAX
 *
 * Return: the handle; never 0, since @gen is never 0.
 */
u64 ownbuf_handle_make(const struct ownbuf_session *s, u32 index, u32 gen)
{
	return ((u64)s->tag << (OWNBUF_GEN_BITS + OWNBUF_INDEX_BITS)) |
	       ((u64)gen << OWNBUF_INDEX_BITS) | index;
}

/*
 * Add a chunk of slots. Called and returns with s->lock held, drops it to
 * allocate. Growers take turns under s->grow_lock, so the directory read
 * without s->lock is not replaced meanwhile, and the one copy growth makes
 * (of chunk pointers, when the directory is full; never of slots) is done
 * with no spinlock held. The caller looks for a free slot again afterwards.
 */
static int ownbuf_table_grow(struct ownbuf_session *s)
	__must_hold(&s->lock)
{
	struct ownbuf_slot **dir = NULL, **old = NULL;
	struct ownbuf_slot *chunk;
	u32 nr, cap;
	bool grown;
	int ret = 0;

	spin_unlock(&s->lock);
	mutex_lock(&s->grow_lock);
	spin_lock(&s->lock);
	/* Another thread grew the table or freed a slot meanwhile. */
	grown = s->free_head || s->used < s->nr_slots;
	spin_unlock(&s->lock);
	nr = s->nr_slots / OWNBUF_CHUNK_SLOTS;
	cap = s->dir_cap;
	if (grown)
		goto out;
	/* Every index of the new chunk must fit a handle's index field. */
	if (s->nr_slots + OWNBUF_CHUNK_SLOTS > OWNBUF_INDEX_MAX + 1) {
		ret = -EDQUOT;
		goto out;
	}
	/* Handle tables are kernel memory of their uid's too. */
	ret = ownbuf_charge(&s->user->bytes, OWNBUF_CHUNK_BYTES,
			    READ_ONCE(s->dev->limits->user_max_bytes));
	if (ret)
		goto out;
	chunk = kcalloc(OWNBUF_CHUNK_SLOTS, sizeof(*chunk), OWNBUF_GFP);
	if (!chunk)
		goto nomem;
	if (nr == cap) {
		cap = cap ? cap * 2 : 1;
		dir = kmalloc_array(cap, sizeof(*dir), OWNBUF_GFP);
		if (!dir) {
			kfree(chunk);
			goto nomem;
		}
		if (nr)
			memcpy(dir, s->chunks, nr * sizeof(*dir));
	}
	spin_lock(&s->lock);
	if (dir) {
		old = s->chunks;
		s->chunks = dir;
		s->dir_cap = cap;
	}
	s->chunks[nr] = chunk;
	s->nr_slots += OWNBUF_CHUNK_SLOTS;
	spin_unlock(&s->lock);
	kfree(old);
	goto out;
nomem:
	atomic64_sub(OWNBUF_CHUNK_BYTES, &s->user->bytes);
	ret = -ENOMEM;
out:
	mutex_unlock(&s->grow_lock);
	spin_lock(&s->lock);
	return ret;
}

/**
 * ownbuf_slot_reserve() - take a slot for a handle about to be made
 * @s: session
 * @index: out, the slot reserved
 *
 * The slot is invisible to lookups until published and can be given back
 * with ownbuf_slot_unreserve() without any handle having existed, so a call
 * that fails after reserving leaves the table as it was.
 *
 * Return: 0, -EDQUOT over session_max_handles or the index space, -ENOMEM.
 */
int ownbuf_slot_reserve(struct ownbuf_session *s, u32 *index)
{
	u64 max = READ_ONCE(s->dev->limits->session_max_handles);
	struct ownbuf_slot *slot;
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(ownbuf_slot_reserve, s, index);
	spin_lock(&s->lock);
	for (;;) {
		/*
		 * A revoked borrow holds its place until the revoking drop
		 * returns, which then has ended it: no reaping here.
		 */
		if (s->live >= max) {
			ret = -EDQUOT;
			goto out;
		}
		if (s->free_head) {
			*index = s->free_head - 1;
			slot = ownbuf_slot(s, *index);
			s->free_head = slot->next_free;
			break;
		}
		if (s->used < s->nr_slots) {
			*index = s->used++;
			slot = ownbuf_slot(s, *index);
			/* Above every generation this tag's closed sessions used. */
			slot->gen = s->gen_floor;
			break;
		}
		ret = ownbuf_table_grow(s);
		if (ret)
			goto out;
	}
	slot->gen++;
	slot->kind = OWNBUF_SLOT_RESERVED;
	s->live++;
	ret = 0;
out:
	spin_unlock(&s->lock);
	return ret;
}

/**
 * ownbuf_slot_unreserve() - give back a reserved slot, as if never taken
 * @s: session
 * @index: slot from ownbuf_slot_reserve()
 */
void ownbuf_slot_unreserve(struct ownbuf_session *s, u32 index)
{
	struct ownbuf_slot *slot;

	spin_lock(&s->lock);
	slot = ownbuf_slot(s, index);
	WARN_ON_ONCE(slot->kind != OWNBUF_SLOT_RESERVED);
	/*
	 * No handle of this generation was ever live (its value may have been
	 * written to the caller's memory, then put back): it may be issued
	 * again.
	 */
	slot->gen--;
	slot->kind = OWNBUF_SLOT_FREE;
	slot->next_free = s->free_head;
	s->free_head = index + 1;
	s->live--;
	spin_unlock(&s->lock);
}

/**
 * ownbuf_answer_deliver() - tell the caller the handle a reserved slot will be
 * @s: session
 * @index: slot from ownbuf_slot_reserve(), still reserved
 * @a: where the answer goes
 *
 * Called with nothing locked or pinned: @a->deliver may fault in the
 * caller's memory. A reserved slot is EBADF to every lookup, so nobody can
 * use the handle before it is published, and a call that fails later puts
 * the caller's memory back (ownbuf_answer_retract()) and unreserves the
 * slot, which issues the same generation again: the value reached the
 * caller's memory, but no handle of it was ever live.
 *
 * Return: 0, or @a->deliver's error (the call must then undo itself).
 */
int ownbuf_answer_deliver(struct ownbuf_session *s, u32 index,
			  const struct ownbuf_answer *a)
{
	u64 handle;

	if (!a->deliver)
		return 0;
	/* The table may be moving under a growth: its lock is needed. */
	spin_lock(&s->lock);
	handle = ownbuf_handle_make(s, index, ownbuf_slot(s, index)->gen);
	spin_unlock(&s->lock);
	return a->deliver(a, handle);
}

/**
 * ownbuf_answer_retract() - undo ownbuf_answer_deliver() for a failed call
 * @a: the answer delivered
 */
void ownbuf_answer_retract(const struct ownbuf_answer *a)
{
	if (a->deliver)
		a->retract(a);
}

/**
 * ownbuf_slot_publish_owner() - make a reserved slot an owner handle
 * @s: session
 * @index: reserved slot
 * @buf: the buffer @s now owns
 *
 * Return: the new handle.
 */
u64 ownbuf_slot_publish_owner(struct ownbuf_session *s, u32 index,
			      struct ownbuf_buffer *buf)
{
	struct ownbuf_slot *slot;
	u64 handle;

	spin_lock(&s->lock);
	slot = ownbuf_slot(s, index);
	slot->buf = buf;
	slot->kind = OWNBUF_SLOT_OWNER;
	handle = ownbuf_handle_make(s, index, slot->gen);
	spin_unlock(&s->lock);
	return handle;
}

/**
 * ownbuf_slot_publish_borrow() - make a reserved slot a borrow handle
 * @s: session
 * @index: reserved slot
 * @buf: the borrowed buffer, pinned, its borrow counted in its state word
 * @mode: &enum ownbuf_mode
 *
 * Return: the new handle.
 */
u64 ownbuf_slot_publish_borrow(struct ownbuf_session *s, u32 index,
			       struct ownbuf_buffer *buf, u8 mode)
{
	u64 handle;

	spin_lock(&s->lock);
	handle = ownbuf_slot_publish_borrow_locked(s, index, buf, mode);
	spin_unlock(&s->lock);
	return handle;
}

/**
 * ownbuf_slot_publish_borrow_locked() - ownbuf_slot_publish_borrow() for a
 * caller that holds s->lock
 * @s: session, lock held
 * @index: reserved slot
 * @buf: the borrowed buffer, pinned, its borrow counted in its state word
 * @mode: &enum ownbuf_mode
 *
 * The slot goes on the buffer's list while the caller's pin holds off the
 * buffer's destruction, which revokes every slot on that list after the
 * last pin is gone: a borrow made while its buffer is being dropped is
 * revoked with the others, never missed.
 *
 * Return: the new handle.
 */
u64 ownbuf_slot_publish_borrow_locked(struct ownbuf_session *s, u32 index,
				      struct ownbuf_buffer *buf, u8 mode)
{
	struct ownbuf_slot *slot;
	u64 handle;

	lockdep_assert_held(&s->lock);
	slot = ownbuf_slot(s, index);
	slot->buf = buf;
	slot->holder = s;
	slot->index = index;
	slot->mode = mode;
	slot->kind = OWNBUF_SLOT_BORROW;
	spin_lock(&buf->lock);
	list_add_tail(&slot->link, &buf->borrows);
	spin_unlock(&buf->lock);
	handle = ownbuf_handle_make(s, index, slot->gen);
	atomic64_inc(&s->counters.borrows);
	atomic64_inc(&s->dev->counters.borrows);
	return handle;
}

/**
 * ownbuf_slot_free() - end the live handle of a slot
 * @s: session, lock held
 * @index: a live owner or borrow slot
 * @why: recorded so later uses of the dead handle are classified
 *
 * A borrow slot leaves its buffer's list (unless a revoking destruction
 * took it off already and is on its way to this lock) and stops counting;
 * its place in the buffer's state word is the caller's to give back.
 */
void ownbuf_slot_free(struct ownbuf_session *s, u32 index, enum ownbuf_death why)
{
	struct ownbuf_slot *slot = ownbuf_slot(s, index);
	struct ownbuf_buffer *buf = slot->buf;

	lockdep_assert_held(&s->lock);
	if (slot->kind == OWNBUF_SLOT_BORROW) {
		spin_lock(&buf->lock);
		list_del_init(&slot->link);
		spin_unlock(&buf->lock);
		slot->holder = NULL;
		atomic64_dec(&s->counters.borrows);
		atomic64_dec(&s->dev->counters.borrows);
	}
	slot->kind = OWNBUF_SLOT_FREE;
	slot->maps = 0;
	slot->deaths = slot->deaths << OWNBUF_DEATH_BITS | why;
	slot->buf = NULL;
	s->live--;
	/* A slot whose generation cannot grow is retired, never reused. */
	if (slot->gen >= OWNBUF_GEN_MAX)
		return;
	slot->next_free = s->free_head;
	s->free_head = index + 1;
}

/**
 * ownbuf_slot_find() - the slot a handle names, if it is live
 * @s: session, lock held
 * @handle: the handle userspace passed, not 0
 * @index: out, the slot
 * @death: out, on -ESTALE: how the handle died, as far as the slot still
 *	remembers (its last %OWNBUF_DEATHS_KEPT dead handles); older ones
 *	read as freed
 *
 * Return: 0 for a live owner or borrow handle; -EBADF for a value this
 * session never gave out; -ESTALE for one it gave that is no longer live.
 */
int ownbuf_slot_find(struct ownbuf_session *s, u64 handle, u32 *index,
		     enum ownbuf_death *death)
{
	u32 tag = handle >> (OWNBUF_GEN_BITS + OWNBUF_INDEX_BITS);
	u32 gen = (handle >> OWNBUF_INDEX_BITS) & OWNBUF_GEN_MAX;
	u32 idx = handle & OWNBUF_INDEX_MAX;
	struct ownbuf_slot *slot;
	u32 back;

	lockdep_assert_held(&s->lock);
	if (tag != s->tag || idx >= s->used)
		return -EBADF;
	/* The index comes from userspace: no speculative load past the table. */
	idx = array_index_nospec(idx, s->used);
	slot = ownbuf_slot(s, idx);
	*index = idx;
	if (!OWNBUF_CHECKS)
		gen = slot->gen;
	if (gen <= s->gen_floor || gen > slot->gen)
		return -EBADF;
	if (gen == slot->gen) {
		switch (slot->kind) {
		case OWNBUF_SLOT_OWNER:
		case OWNBUF_SLOT_BORROW:
			return 0;
		case OWNBUF_SLOT_RESERVED:
			/* Not returned to userspace yet: nobody holds it. */
			return -EBADF;
		}
	}
	/*
	 * How many handles of this slot died after this one: the slot's own
	 * current handle, when it is live or being made, has not died yet.
	 */
	back = slot->gen - gen - (slot->kind != OWNBUF_SLOT_FREE);
	*death = back < OWNBUF_DEATHS_KEPT ?
		 (slot->deaths >> (back * OWNBUF_DEATH_BITS)) &
		 ((1U << OWNBUF_DEATH_BITS) - 1) : OWNBUF_DEATH_FREED;
	return -ESTALE;
}
