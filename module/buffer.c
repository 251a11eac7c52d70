// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf buffers: allocation and the one place they are freed, the borrow
 * state word, per-call pins, and charging buffers to sessions.
 */

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include <ownbuf/core.h>

#include "ownbuf_trace.h"

/*
 * Design budget: at most 128 bytes of kernel metadata per buffer, its bytes
 * aside. Lock debugging (the debug kernel) inflates the rwsem past that, so
 * the budget is checked where it matters, on production configs.
 */
#if !defined(CONFIG_DEBUG_LOCK_ALLOC) && !defined(CONFIG_DEBUG_RWSEMS) && \
	!defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_PREEMPT_RT)
static_assert(sizeof(struct ownbuf_buffer) <= 128);
#endif

/*
 * The session's buffers and bytes, and (@user) its uid's bytes: the size
 * plus the buffer's kernel metadata, %OWNBUF_BUFFER_OVERHEAD.
 */
static int ownbuf_charge_owner(struct ownbuf_session *s, u64 size, bool user)
{
	const struct ownbuf_limits *lim = s->dev->limits;
	int ret;

	ret = ownbuf_charge(&s->counters.buffers, 1,
			    READ_ONCE(lim->session_max_buffers));
	if (ret)
		return ret;
	ret = ownbuf_charge(&s->counters.bytes, size,
			    READ_ONCE(lim->session_max_bytes));
	if (ret)
		goto uncharge_buffers;
	if (!user)
		return 0;
	ret = ownbuf_charge(&s->user->bytes, size + OWNBUF_BUFFER_OVERHEAD,
			    READ_ONCE(lim->user_max_bytes));
	if (!ret)
		return 0;
	atomic64_sub(size, &s->counters.bytes);
uncharge_buffers:
	atomic64_dec(&s->counters.buffers);
	return ret;
}

/**
 * ownbuf_session_charge() - count a buffer against its owner's quotas
 * @s: the session that is to own the buffer
 * @size: the buffer's size
 *
 * The session's buffers and bytes, and its uid's bytes (the buffer's size
 * plus its kernel metadata, %OWNBUF_BUFFER_OVERHEAD). A buffer given away
 * stops counting as one of its giver's buffers at once, but its bytes stay
 * charged to the giver until it is taken (ownbuf_adopt_charge()).
 *
 * Return: 0, or -EDQUOT over session_max_buffers, session_max_bytes or
 * user_max_bytes.
 */
int ownbuf_session_charge(struct ownbuf_session *s, u64 size)
{
	return ownbuf_charge_owner(s, size, true);
}

/**
 * ownbuf_bytes_uncharge() - a buffer's bytes stop counting against @s
 * @s: the session that owned or gave the buffer
 * @size: the buffer's size
 * @user: and against its uid
 */
void ownbuf_bytes_uncharge(struct ownbuf_session *s, u64 size, bool user)
{
	atomic64_sub(size, &s->counters.bytes);
	if (user)
		atomic64_sub(size + OWNBUF_BUFFER_OVERHEAD, &s->user->bytes);
}

/**
 * ownbuf_session_uncharge() - undo ownbuf_session_charge()
 * @s: the session that owned the buffer
 * @size: the buffer's size
 */
void ownbuf_session_uncharge(struct ownbuf_session *s, u64 size)
{
	atomic64_dec(&s->counters.buffers);
	ownbuf_bytes_uncharge(s, size, true);
}

/**
 * ownbuf_adopt_charge() - count a buffer taken off a move ticket
 * @s: the session taking it
 * @size: the buffer's size
 * @kin: who gave it, relative to @s
 *
 * The giver still carries the buffer's bytes (session and uid) until the
 * take; what the giver and @s share is not charged twice: the taker's own
 * ticket brings back only a buffer count, one of its uid's only the
 * session's share.
 *
 * Return: 0 or -EDQUOT.
 */
int ownbuf_adopt_charge(struct ownbuf_session *s, u64 size, enum ownbuf_kin kin)
{
	if (kin == OWNBUF_KIN_SELF)
		return ownbuf_charge(&s->counters.buffers, 1,
				     READ_ONCE(s->dev->limits->session_max_buffers));
	return ownbuf_charge_owner(s, size, kin == OWNBUF_KIN_OTHER);
}

/**
 * ownbuf_adopt_uncharge() - undo ownbuf_adopt_charge()
 * @s: the session
 * @size: the buffer's size
 * @kin: as given to ownbuf_adopt_charge()
 */
void ownbuf_adopt_uncharge(struct ownbuf_session *s, u64 size, enum ownbuf_kin kin)
{
	atomic64_dec(&s->counters.buffers);
	if (kin != OWNBUF_KIN_SELF)
		ownbuf_bytes_uncharge(s, size, kin == OWNBUF_KIN_OTHER);
}

/**
 * ownbuf_buffer_charge() - count a new buffer against every quota it uses
 * @s: the session that is to own it
 * @size: its size, at most max_buffer_size
 *
 * Charged before anything is allocated for it, so that EDQUOT is decided
 * before any ENOMEM can be.
 *
 * Return: 0, or -EDQUOT over a session or device quota.
 */
int ownbuf_buffer_charge(struct ownbuf_session *s, u64 size)
{
	struct ownbuf_device *dev = s->dev;
	int ret;

	ret = ownbuf_session_charge(s, size);
	if (ret)
		return ret;
	ret = ownbuf_charge(&dev->counters.bytes, size,
			    READ_ONCE(dev->limits->device_max_bytes));
	if (ret)
		ownbuf_session_uncharge(s, size);
	return ret;
}

/**
 * ownbuf_buffer_uncharge() - undo ownbuf_buffer_charge() for a buffer that
 * was never allocated
 * @s: the session
 * @size: the size charged
 */
void ownbuf_buffer_uncharge(struct ownbuf_session *s, u64 size)
{
	atomic64_sub(size, &s->dev->counters.bytes);
	ownbuf_session_uncharge(s, size);
}

/**
 * ownbuf_buffer_alloc() - a new zeroed buffer, already charged
 * @s: the session that will own it, charged with ownbuf_buffer_charge()
 * @size: bytes, not 0, at most max_buffer_size
 * @out: the buffer, not yet reachable by any handle
 *
 * Once allocated, the buffer's destruction uncharges the device; the
 * session's charge is its owner's to undo.
 *
 * Return: 0, or -ENOMEM with nothing allocated.
 */
int ownbuf_buffer_alloc(struct ownbuf_session *s, u64 size,
			struct ownbuf_buffer **out)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_buffer *buf;

	buf = kzalloc(sizeof(*buf), OWNBUF_GFP);
	if (!buf)
		return -ENOMEM;
	buf->size = size;
	buf->dev = dev;
	refcount_set(&buf->users, 1);
	spin_lock_init(&buf->lock);
	INIT_LIST_HEAD(&buf->borrows);
	INIT_LIST_HEAD(&buf->loans);
	init_rwsem(&buf->data_lock);

	buf->data = kvzalloc(size, OWNBUF_GFP);
	if (!buf->data) {
		kfree(buf);
		return -ENOMEM;
	}
	buf->serial = atomic64_inc_return(&dev->serial);
	atomic64_inc(&dev->counters.buffers);
	*out = buf;
	return 0;
}

/**
 * ownbuf_borrow_revoke() - end one borrow slot taken off a dying buffer's list
 * @buf: the buffer, dead, with no pin left
 * @holder: the session whose slot it is, a reference held for this call
 * @slot: the slot, off @buf's list
 *
 * Under the holder's lock, unless the holder got there first (a release,
 * its close, or a call that found the buffer dead) and the slot is no
 * longer a borrow of @buf. Then the reference is dropped, which may free
 * a session that closed meanwhile.
 */
void ownbuf_borrow_revoke(struct ownbuf_buffer *buf, struct ownbuf_session *holder,
			  struct ownbuf_slot *slot)
{
	KUNIT_STATIC_STUB_REDIRECT(ownbuf_borrow_revoke, buf, holder, slot);
	spin_lock(&holder->lock);
	if (slot->kind == OWNBUF_SLOT_BORROW && slot->buf == buf) {
		trace_ownbuf_revoke(holder, ownbuf_handle_make(holder, slot->index, slot->gen),
				    buf, slot->mode);
		ownbuf_slot_free(holder, slot->index, OWNBUF_DEATH_REVOKED);
	}
	spin_unlock(&holder->lock);
	ownbuf_session_put(holder);
}

/*
 * Revoke every borrow slot of a dying buffer, in whichever session holds
 * it. The list is taken one slot at a time under the buffer's lock, the
 * holder kept alive by a reference, and the slot ended under the holder's
 * own lock, so the revoker never holds two locks the other way round from
 * the holder's release (session lock, then buffer lock).
 */
static void ownbuf_borrows_revoke(struct ownbuf_buffer *buf)
{
	struct ownbuf_session *holder;
	struct ownbuf_slot *slot;

	for (;;) {
		spin_lock(&buf->lock);
		slot = list_first_entry_or_null(&buf->borrows, struct ownbuf_slot, link);
		if (slot) {
			list_del_init(&slot->link);
			holder = slot->holder;
			/* Linked, so its session has not finished closing. */
			refcount_inc(&holder->refs);
		}
		spin_unlock(&buf->lock);
		if (!slot)
			return;
		ownbuf_borrow_revoke(buf, holder, slot);
		/* Borrowers decide how many there are: never hog the CPU. */
		cond_resched();
	}
}

/**
 * ownbuf_buffer_destroy() - free a buffer its owner let go of
 * @buf: a buffer marked dead (ownbuf_state_kill()) and reachable from no
 *	handle or ticket of its owner any more
 *
 * Its loans end; calls already inside it are waited for (no new one can
 * start: an owner handle's pin is taken under the lock that freed its slot
 * with the kill, a borrow's and a loan's only while the buffer is not dead
 * and still pinned by someone, refcount_inc_not_zero());
 * then every borrow slot of it is revoked where it is held, and only then
 * are the struct and the bytes freed. When this returns, no handle or
 * ticket anywhere names the buffer. This is the only place a buffer is
 * freed, and only the owner's drop, close or untaken move ticket gets here.
 * Called with no lock held.
 */
void ownbuf_buffer_destroy(struct ownbuf_buffer *buf)
{
	struct ownbuf_device *dev = buf->dev;

	might_sleep();
	/* Its loans die with it, and stop counting against their makers. */
	ownbuf_loans_end(buf);
	if (!refcount_dec_and_test(&buf->users)) {
		wait_var_event(&buf->users, !refcount_read(&buf->users));
		smp_acquire__after_ctrl_dep();
	}
	/*
	 * After the pins: a borrow or mapping being made holds one until it is
	 * on its list, so every one that will ever exist is on it now. The
	 * mappings' pages are zapped before anything is freed.
	 */
	ownbuf_mappings_revoke(buf);
	ownbuf_borrows_revoke(buf);
	atomic64_dec(&dev->counters.buffers);
	atomic64_sub(buf->size, &dev->counters.bytes);
	ownbuf_buffer_maps_free(buf);
	kvfree(buf->data);
	kfree(buf);
}

/**
 * ownbuf_buffer_unpin() - end one call's use of a buffer
 * @buf: pinned by a lookup
 */
void ownbuf_buffer_unpin(struct ownbuf_buffer *buf)
{
	if (refcount_dec_and_test(&buf->users))
		wake_up_var(&buf->users);
}

/**
 * ownbuf_buffer_dead() - whether the owner has dropped the buffer
 * @buf: a pinned buffer, or one a borrow slot names under its session lock
 *
 * Return: true once dropped; every call through any handle then fails.
 */
bool ownbuf_buffer_dead(struct ownbuf_buffer *buf)
{
	return atomic_long_read(&buf->state) & OWNBUF_ST_DEAD;
}

/* The state word after one more borrow of @mode, or an errno. */
static int ownbuf_state_add(long old, u8 mode, long *new)
{
	if (old & (OWNBUF_ST_DEAD | OWNBUF_ST_TRANSIT))
		return -ESTALE;
	if (mode == OWNBUF_MODE_MUT) {
		if (old & OWNBUF_ST_FROZEN)
			return -EACCES;
		if (old & OWNBUF_ST_BORROWED)
			return -EBUSY;
		*new = old | OWNBUF_ST_MUT;
		return 0;
	}
	if (old & OWNBUF_ST_MUT)
		return -EBUSY;
	/* Quotas keep this far away; never wrap into the flags. */
	if ((unsigned long)old >> OWNBUF_ST_SHARED_SHIFT >=
	    ULONG_MAX >> (OWNBUF_ST_SHARED_SHIFT + 1))
		return -EBUSY;
	*new = old + OWNBUF_ST_SHARED_ONE;
	return 0;
}

/**
 * ownbuf_state_may_borrow() - whether rule 2 allows a borrow of @mode now
 * @buf: a pinned buffer, or one a live slot names under its session lock
 * @mode: &enum ownbuf_mode
 *
 * Judges without counting anything, so that a call can find its errors in
 * the contract's order before it reserves resources.
 *
 * Return: as ownbuf_state_borrow().
 */
int ownbuf_state_may_borrow(struct ownbuf_buffer *buf, u8 mode)
{
	long new;

	if (!OWNBUF_CHECKS)
		return 0;
	return ownbuf_state_add(atomic_long_read(&buf->state), mode, &new);
}

/**
 * ownbuf_state_borrow() - add a borrow of @mode, if rule 2 allows it
 * @buf: a pinned buffer
 * @mode: &enum ownbuf_mode
 *
 * Return: 0; -ESTALE dropped or moved away; -EACCES a mutable borrow of a
 * frozen buffer; -EBUSY it would break "many readers XOR one writer".
 */
int ownbuf_state_borrow(struct ownbuf_buffer *buf, u8 mode)
{
	long old = atomic_long_read(&buf->state), new;
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(ownbuf_state_borrow, buf, mode);
	if (!OWNBUF_CHECKS)
		return 0;
	do {
		ret = ownbuf_state_add(old, mode, &new);
		if (ret)
			return ret;
	} while (!atomic_long_try_cmpxchg(&buf->state, &old, new));
	return 0;
}

/**
 * ownbuf_state_unborrow() - remove a borrow added by ownbuf_state_borrow()
 * @buf: a pinned buffer, or one a borrow slot names under its session lock
 * @mode: the borrow's mode
 */
void ownbuf_state_unborrow(struct ownbuf_buffer *buf, u8 mode)
{
	if (!OWNBUF_CHECKS)
		return;
	if (mode == OWNBUF_MODE_MUT)
		atomic_long_andnot(OWNBUF_ST_MUT, &buf->state);
	else
		atomic_long_sub(OWNBUF_ST_SHARED_ONE, &buf->state);
}

/**
 * ownbuf_state_kill() - mark a buffer dropped
 * @buf: an owned buffer
 * @revoke: whether borrows and loans still out are revoked (else refused)
 *
 * Return: 0, or -EBUSY when borrows are out and @revoke is false.
 */
int ownbuf_state_kill(struct ownbuf_buffer *buf, bool revoke)
{
	long old = atomic_long_read(&buf->state);

	do {
		if ((old & OWNBUF_ST_BORROWED) && !revoke)
			return -EBUSY;
	} while (!atomic_long_try_cmpxchg(&buf->state, &old, old | OWNBUF_ST_DEAD));
	return 0;
}

/**
 * ownbuf_state_give() - mark a buffer as moving out of its owner
 * @buf: an owned buffer
 *
 * Return: 0, or -EBUSY when borrows or loans are out.
 */
int ownbuf_state_give(struct ownbuf_buffer *buf)
{
	long old = atomic_long_read(&buf->state);

	do {
		if (old & OWNBUF_ST_BORROWED)
			return -EBUSY;
	} while (!atomic_long_try_cmpxchg(&buf->state, &old, old | OWNBUF_ST_TRANSIT));
	return 0;
}

/**
 * ownbuf_state_freeze() - make a buffer immutable for good
 * @buf: an owned buffer
 *
 * Return: 0 (also when already frozen), or -EBUSY when a mutable borrow or
 * loan is out.
 */
int ownbuf_state_freeze(struct ownbuf_buffer *buf)
{
	long old = atomic_long_read(&buf->state);

	do {
		if (old & OWNBUF_ST_MUT)
			return -EBUSY;
	} while (!atomic_long_try_cmpxchg(&buf->state, &old, old | OWNBUF_ST_FROZEN));
	return 0;
}
