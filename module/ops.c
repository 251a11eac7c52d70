// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf operations on a session's own handles: create, drop, read/write
 * access, borrow, release, clone, freeze, query. Each checks its errors in
 * the contract's order (EINVAL request, EBADF, ESTALE, EINVAL kind, ERANGE,
 * EACCES, EBUSY, then resources) and counts what it refuses by class.
 */

#include <linux/overflow.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <ownbuf/core.h>

#include "ownbuf_trace.h"

/**
 * ownbuf_refuse_stale() - count a refusal from ownbuf_slot_find() by class
 * @s: session
 * @err: -EBADF or -ESTALE
 * @death: why the handle died, for -ESTALE
 * @freeing: the call was a drop or release, so a dead handle is a double free
 *
 * Return: @err.
 */
int ownbuf_refuse_stale(struct ownbuf_session *s, int err,
			enum ownbuf_death death, bool freeing)
{
	if (err != -ESTALE)
		return err;
	switch (death) {
	case OWNBUF_DEATH_MOVED:
		ownbuf_count_violation(s, OWNBUF_VIOLATION_USE_AFTER_MOVE);
		break;
	case OWNBUF_DEATH_REVOKED:
		ownbuf_count_violation(s, OWNBUF_VIOLATION_LIFETIME);
		break;
	default:
		ownbuf_count_violation(s, freeing ? OWNBUF_VIOLATION_DOUBLE_FREE :
					  OWNBUF_VIOLATION_USE_AFTER_FREE);
		break;
	}
	return err;
}

/*
 * A borrow slot whose buffer is dying, found by its holder before the
 * buffer's destruction got to it: ended here as it would be there, and the
 * call that found it refused as a use of a revoked borrow.
 */
static int ownbuf_borrow_revoked(struct ownbuf_session *s, u32 index)
	__must_hold(&s->lock)
{
	struct ownbuf_slot *slot = ownbuf_slot(s, index);

	/* Its destruction must take this lock to revoke it: not freed meanwhile. */
	trace_ownbuf_revoke(s, ownbuf_handle_make(s, index, slot->gen), slot->buf, slot->mode);
	ownbuf_slot_free(s, index, OWNBUF_DEATH_REVOKED);
	ownbuf_count_violation(s, OWNBUF_VIOLATION_LIFETIME);
	return -ESTALE;
}

/**
 * ownbuf_slot_get() - the live slot of @kind that @handle names
 * @s: session, its lock held
 * @handle: from the request
 * @kind: %OWNBUF_SLOT_OWNER or %OWNBUF_SLOT_BORROW
 * @freeing: the call ends the handle (drop, release), so a dead handle is a
 *	double free
 * @index: out: the slot
 *
 * For the calls that act on the slot itself, under the lock: drop, give,
 * freeze, release.
 *
 * Liveness is judged before kind: a borrow handle revoked with its buffer is
 * ESTALE here, whichever kind the call wanted, and is freed as release would.
 *
 * Return: 0; -EINVAL handle 0 or a live handle of the other kind; -EBADF;
 * -ESTALE. Refusals are counted by class.
 */
int ownbuf_slot_get(struct ownbuf_session *s, u64 handle, u8 kind, bool freeing,
		    u32 *index)
{
	enum ownbuf_death death = OWNBUF_DEATH_FREED;
	struct ownbuf_slot *slot;
	int ret;

	lockdep_assert_held(&s->lock);
	if (!handle) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_NULL_DEREF);
		return -EINVAL;
	}
	ret = ownbuf_slot_find(s, handle, index, &death);
	if (ret)
		return ownbuf_refuse_stale(s, ret, death, freeing);
	slot = ownbuf_slot(s, *index);
	if (slot->kind == kind)
		return 0;
	if (slot->kind == OWNBUF_SLOT_BORROW && ownbuf_buffer_dead(slot->buf))
		return ownbuf_borrow_revoked(s, *index);
	return -EINVAL;
}

/**
 * ownbuf_look_locked() - the live buffer a handle names, for a look under
 * s->lock
 * @s: session, its lock held across everything the caller reads of the
 *	buffer: an owner slot is cleared, and a borrow slot revoked, under
 *	this lock before its buffer is freed, so no pin is needed
 * @handle: any owner or borrow handle
 * @ref: out: the buffer (not pinned) and what the handle may do with it
 *
 * Return: as ownbuf_resolve().
 */
int ownbuf_look_locked(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref)
	__must_hold(&s->lock)
{
	enum ownbuf_death death = OWNBUF_DEATH_FREED;
	struct ownbuf_slot *slot;
	int ret;

	if (!handle) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_NULL_DEREF);
		return -EINVAL;
	}
	ret = ownbuf_slot_find(s, handle, &ref->index, &death);
	if (ret)
		return ownbuf_refuse_stale(s, ret, death, false);
	slot = ownbuf_slot(s, ref->index);
	ref->buf = slot->buf;
	if (slot->kind == OWNBUF_SLOT_OWNER) {
		ref->owner = true;
		ref->mode = 0;
		return 0;
	}
	ref->owner = false;
	ref->mode = slot->mode;
	/*
	 * Dead, or past its last pin (its destruction is on its way to this
	 * lock to revoke the slot): revoked now.
	 */
	if (ownbuf_buffer_dead(ref->buf) || !refcount_read(&ref->buf->users))
		return ownbuf_borrow_revoked(s, ref->index);
	return 0;
}

/**
 * ownbuf_resolve_locked() - ownbuf_resolve() under s->lock
 * @s: session, its lock held, which the caller keeps across whatever it
 *	does with the buffer next, so that no give, release or drop of the
 *	handle can come between the lookup and that
 * @handle: any owner or borrow handle
 * @ref: out: as ownbuf_resolve()
 *
 * Return: as ownbuf_resolve().
 */
int ownbuf_resolve_locked(struct ownbuf_session *s, u64 handle,
			  struct ownbuf_ref *ref)
	__must_hold(&s->lock)
{
	int ret;

	ret = ownbuf_look_locked(s, handle, ref);
	if (ret)
		return ret;
	if (ref->owner) {
		refcount_inc(&ref->buf->users);
		return 0;
	}
	/* Its destruction may have taken the last pin since the look. */
	if (!refcount_inc_not_zero(&ref->buf->users))
		return ownbuf_borrow_revoked(s, ref->index);
	return 0;
}

/**
 * ownbuf_resolve() - pin the buffer a live handle names
 * @s: session
 * @handle: any owner or borrow handle
 * @ref: out: the pinned buffer and what the handle may do with it
 *
 * Either kind of handle pins its buffer under the session lock: an owner
 * slot is cleared under that lock before a drop starts waiting, and a
 * borrow slot is revoked under it before its buffer is freed. A borrow of
 * a dropped buffer answers ESTALE (a lifetime violation: the borrow
 * outlived it).
 *
 * Return: 0 with the buffer pinned, or a negative errno (counted).
 */
int ownbuf_resolve(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref)
{
	int ret;

	spin_lock(&s->lock);
	ret = ownbuf_resolve_locked(s, handle, ref);
	spin_unlock(&s->lock);
	return ret;
}

/**
 * ownbuf_ref_recheck() - whether a handle still names what it was resolved to
 * @s: session
 * @handle: the handle the call was made with
 * @ref: what ownbuf_resolve() found for it
 *
 * A call that resolved a handle and then waited for the data lock must not
 * act through a
 * handle released, given away or dropped meanwhile by another thread: that
 * would be a write through a dead borrow, or into a buffer now owned by
 * another session. Called after the wait, so the call is ordered before
 * the handle's end or not at all.
 *
 * Return: 0, or -ESTALE (counted by how the handle died).
 */
int ownbuf_ref_recheck(struct ownbuf_session *s, u64 handle, struct ownbuf_ref *ref)
{
	enum ownbuf_death death = OWNBUF_DEATH_FREED;
	struct ownbuf_slot *slot;
	u32 index;
	int ret;

	spin_lock(&s->lock);
	ret = ownbuf_slot_find(s, handle, &index, &death);
	if (!ret) {
		/* Same generation, same object; checked all the same. */
		slot = ownbuf_slot(s, index);
		if (slot->buf != ref->buf)
			ret = -ESTALE;
	}
	spin_unlock(&s->lock);
	return ret ? ownbuf_refuse_stale(s, -ESTALE, death, false) : 0;
}

/**
 * ownbuf_ref_check_alive() - whether a resolved buffer is still alive
 * @s: session
 * @ref: what ownbuf_resolve() found
 *
 * A pinned buffer may have been dropped since the lookup (by another thread
 * of the owner, or with REVOKE): the handle is stale from that moment.
 *
 * Return: 0, or -ESTALE counted as a use after free (owner handle) or a
 * lifetime violation (borrow handle).
 */
int ownbuf_ref_check_alive(struct ownbuf_session *s, struct ownbuf_ref *ref)
{
	if (!ownbuf_buffer_dead(ref->buf))
		return 0;
	ownbuf_count_violation(s, ref->owner ? OWNBUF_VIOLATION_USE_AFTER_FREE :
				  OWNBUF_VIOLATION_LIFETIME);
	return -ESTALE;
}

/**
 * ownbuf_mode_valid() - whether @mode is a borrow mode userspace may ask for
 * @mode: from the request
 *
 * Return: true for %OWNBUF_MODE_SHARED and %OWNBUF_MODE_MUT.
 */
bool ownbuf_mode_valid(u32 mode)
{
	return mode == OWNBUF_MODE_SHARED || mode == OWNBUF_MODE_MUT;
}

/*
 * Everything a new buffer of @size for @s needs but its bytes, in the
 * contract's order: EFBIG, the quotas (EDQUOT), then a handle slot (EDQUOT,
 * or ENOMEM when the table must grow). Undone by ownbuf_unprepare().
 */
static int ownbuf_prepare(struct ownbuf_session *s, u64 size, u32 *index)
{
	int ret;

	if (size > READ_ONCE(s->dev->limits->max_buffer_size) || size > INT_MAX)
		return -EFBIG;
	ret = ownbuf_buffer_charge(s, size);
	if (ret)
		return ret;
	ret = ownbuf_slot_reserve(s, index);
	if (ret)
		ownbuf_buffer_uncharge(s, size);
	return ret;
}

static void ownbuf_unprepare(struct ownbuf_session *s, u64 size, u32 index)
{
	ownbuf_slot_unreserve(s, index);
	ownbuf_buffer_uncharge(s, size);
}

/*
 * A buffer allocated for a slot that was never published (its answer could
 * not be delivered, or its copy failed): freed as a drop would, then the
 * slot given back.
 */
static void ownbuf_unmake(struct ownbuf_session *s, u32 index, struct ownbuf_buffer *buf)
{
	ownbuf_state_kill(buf, true);
	ownbuf_session_uncharge(s, buf->size);
	ownbuf_buffer_destroy(buf);
	ownbuf_slot_unreserve(s, index);
}

/* Publish @buf in the slot reserved (and answered) for it. */
static void ownbuf_publish_made(struct ownbuf_session *s, u32 index,
				struct ownbuf_buffer *buf, const struct ownbuf_answer *a,
				bool cloned)
{
	/* Named by value: once published, another thread may drop it. */
	u64 id = buf->serial, size = buf->size;

	*a->out = ownbuf_slot_publish_owner(s, index, buf);
	if (cloned)
		trace_ownbuf_clone(s, *a->out, id, size);
	else
		trace_ownbuf_create(s, *a->out, id, size);
}

/*
 * A new zeroed buffer of @size owned by @s. The answer goes out as soon as
 * the slot is reserved: a caller whose memory cannot take it costs no
 * allocation, and its EFAULT leaves not even a serial used.
 */
static int ownbuf_make(struct ownbuf_session *s, u64 size, const struct ownbuf_answer *a)
{
	struct ownbuf_buffer *buf;
	u32 index;
	int ret;

	ret = ownbuf_prepare(s, size, &index);
	if (ret)
		return ret;
	ret = ownbuf_answer_deliver(s, index, a);
	if (ret)
		goto unprepare;
	ret = ownbuf_buffer_alloc(s, size, &buf);
	if (ret) {
		ownbuf_answer_retract(a);
		goto unprepare;
	}
	ownbuf_publish_made(s, index, buf, a, false);
	return 0;

unprepare:
	ownbuf_unprepare(s, size, index);
	return ret;
}

/**
 * ownbuf_create_answer() - a new zeroed buffer owned by @s
 * @s: session
 * @size: bytes
 * @flags: must be 0
 * @a: where the owner handle goes
 *
 * Return: 0; -EINVAL size 0 or flags; -EFBIG; -EDQUOT; -ENOMEM; or the
 * error of @a->deliver.
 */
int ownbuf_create_answer(struct ownbuf_session *s, u64 size, u32 flags,
			 const struct ownbuf_answer *a)
{
	if (flags || !size)
		return -EINVAL;
	return ownbuf_make(s, size, a);
}

/**
 * ownbuf_drop() - free an owned buffer now
 * @s: session
 * @handle: owner handle
 * @flags: 0, or %OWNBUF_DROP_REVOKE to revoke borrows and loans first
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE (a double free when it was dropped);
 * -EBUSY borrows or loans out without REVOKE.
 */
int ownbuf_drop(struct ownbuf_session *s, u64 handle, u32 flags)
{
	struct ownbuf_buffer *buf;
	u32 index;
	int ret;

	if (flags & ~OWNBUF_DROP_REVOKE)
		return -EINVAL;
	spin_lock(&s->lock);
	ret = ownbuf_slot_get(s, handle, OWNBUF_SLOT_OWNER, true, &index);
	if (ret) {
		spin_unlock(&s->lock);
		return ret;
	}
	buf = ownbuf_slot(s, index)->buf;
	ret = ownbuf_state_kill(buf, flags & OWNBUF_DROP_REVOKE);
	if (ret) {
		spin_unlock(&s->lock);
		ownbuf_count_violation(s, OWNBUF_VIOLATION_LIFETIME);
		return ret;
	}
	ownbuf_slot_free(s, index, OWNBUF_DEATH_FREED);
	spin_unlock(&s->lock);

	trace_ownbuf_drop(s, handle, buf->serial, buf->size);
	ownbuf_session_uncharge(s, buf->size);
	ownbuf_buffer_destroy(buf);
	return 0;
}

/**
 * ownbuf_access_begin() - check and start a read or write of a range
 * @s: session
 * @handle: any live handle
 * @write: whether the caller will write
 * @off: first byte
 * @len: bytes; 0 is allowed when @off <= size
 * @acc: out: what to copy, with the buffer pinned and locked
 *
 * On success the caller copies @acc->len bytes at @acc->data, then calls
 * ownbuf_access_end(). Writers hold the data lock alone, readers share it,
 * so a read never sees part of a write.
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE; -ERANGE; -EACCES write through a
 * shared borrow or to a frozen buffer; -EBUSY through the owner handle while
 * a mutable borrow (read) or any borrow (write) is out.
 */
int ownbuf_access_begin(struct ownbuf_session *s, u64 handle, bool write,
			u64 off, u64 len, struct ownbuf_access *acc)
{
	struct ownbuf_ref ref;
	u64 end;
	long st;
	int ret;

	ret = ownbuf_resolve(s, handle, &ref);
	if (ret)
		return ret;
	if (check_add_overflow(off, len, &end) || end > ref.buf->size) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_OVERFLOW);
		ret = -ERANGE;
		goto unpin;
	}
	if (OWNBUF_CHECKS && write && !ref.owner && ref.mode != OWNBUF_MODE_MUT) {
		ret = -EACCES;
		goto unpin;
	}

	/* Killable: a task being killed does not wait out a long copy. */
	ret = write ? down_write_killable(&ref.buf->data_lock) :
		      down_read_killable(&ref.buf->data_lock);
	if (ret)
		goto unpin;

	/* The handle's own death first: it names the violation best. */
	ret = OWNBUF_CHECKS ? ownbuf_ref_recheck(s, handle, &ref) : 0;
	if (!ret)
		ret = ownbuf_ref_check_alive(s, &ref);
	if (ret)
		goto unlock;
	st = OWNBUF_CHECKS ? atomic_long_read(&ref.buf->state) : 0;
	if (write && (st & OWNBUF_ST_FROZEN)) {
		ret = -EACCES;
		goto unlock;
	}
	if (ref.owner && (st & (write ? OWNBUF_ST_BORROWED : OWNBUF_ST_MUT))) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_DATA_RACE);
		ret = -EBUSY;
		goto unlock;
	}
	acc->buf = ref.buf;
	acc->data = ref.buf->data + off;
	acc->len = len;
	acc->write = write;
	return 0;

unlock:
	if (write)
		up_write(&ref.buf->data_lock);
	else
		up_read(&ref.buf->data_lock);
unpin:
	ownbuf_buffer_unpin(ref.buf);
	return ret;
}

/**
 * ownbuf_access_end() - finish what ownbuf_access_begin() started
 * @acc: the access
 */
void ownbuf_access_end(struct ownbuf_access *acc)
{
	if (acc->write)
		up_write(&acc->buf->data_lock);
	else
		up_read(&acc->buf->data_lock);
	ownbuf_buffer_unpin(acc->buf);
}

/*
 * Under s->lock: resolve @handle and check a borrow of @mode against the
 * buffer's state, counting it (@count: the buffer comes pinned in @ref) or
 * only judging it (nothing pinned). Lookup, check and
 * state change are one critical section: a handle given away, released or
 * dropped meanwhile cannot leave a borrow counted for nobody (a "phantom"
 * that another session's write would trip over).
 */
static int ownbuf_borrow_locked(struct ownbuf_session *s, u64 handle, u32 mode,
				bool count, struct ownbuf_ref *ref)
	__must_hold(&s->lock)
{
	int ret;

	/* Judging only looks; counting pins, for the slot's publication. */
	ret = count ? ownbuf_resolve_locked(s, handle, ref) :
		      ownbuf_look_locked(s, handle, ref);
	if (ret)
		return ret;
	ret = count ? ownbuf_state_borrow(ref->buf, mode) :
		      ownbuf_state_may_borrow(ref->buf, mode);
	if (ret == -ESTALE)
		/* Only a revoked borrow's buffer can be dead under the lock. */
		ret = ownbuf_ref_check_alive(s, ref) ?: -ESTALE;
	else if (ret == -EBUSY)
		ownbuf_count_violation(s, OWNBUF_VIOLATION_DATA_RACE);
	if (ret && count)
		ownbuf_buffer_unpin(ref->buf);
	return ret;
}

/**
 * ownbuf_borrow_begin() - count a new borrow of @mode of what @handle names
 * @s: session
 * @handle: any live handle of the buffer
 * @mode: &enum ownbuf_mode, already validated
 * @ref: out: the buffer, pinned; the borrow is counted in its state word
 *
 * The first half of lend, which hands the counted borrow to a ticket or
 * undoes it with ownbuf_state_unborrow(), and unpins @ref->buf either way.
 * Nothing may be allocated while the buffer is pinned: its owner's drop
 * would wait for that allocation.
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE; -EACCES; -EBUSY (counted).
 */
int ownbuf_borrow_begin(struct ownbuf_session *s, u64 handle, u32 mode,
			struct ownbuf_ref *ref)
{
	int ret;

	spin_lock(&s->lock);
	ret = ownbuf_borrow_locked(s, handle, mode, true, ref);
	spin_unlock(&s->lock);
	return ret;
}

/**
 * ownbuf_borrow_answer() - a new borrow handle in @s
 * @s: session
 * @handle: any live handle of the buffer (borrowing a borrow is allowed; the
 *	new borrow stands on its own)
 * @mode: &enum ownbuf_mode
 * @flags: must be 0
 * @a: where the borrow handle goes
 *
 * The borrow is judged first, then its slot is reserved with nothing pinned
 * (the reservation may allocate) and the answer delivered, then the borrow
 * is judged again and counted together with the slot's publication, under
 * one lock.
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE; -EACCES mutable borrow of a frozen
 * buffer; -EBUSY rule 2; -EDQUOT; -ENOMEM; or the error of @a->deliver.
 */
int ownbuf_borrow_answer(struct ownbuf_session *s, u64 handle, u32 mode, u32 flags,
			 const struct ownbuf_answer *a)
{
	struct ownbuf_ref ref;
	u32 index;
	int ret;

	if (flags || !ownbuf_mode_valid(mode))
		return -EINVAL;
	/* EBUSY and EACCES come before EDQUOT and ENOMEM. */
	spin_lock(&s->lock);
	ret = ownbuf_borrow_locked(s, handle, mode, false, &ref);
	spin_unlock(&s->lock);
	if (ret)
		return ret;

	ret = ownbuf_slot_reserve(s, &index);
	if (ret)
		return ret;
	ret = ownbuf_answer_deliver(s, index, a);
	if (ret) {
		ownbuf_slot_unreserve(s, index);
		return ret;
	}
	spin_lock(&s->lock);
	ret = ownbuf_borrow_locked(s, handle, mode, true, &ref);
	if (!ret)
		*a->out = ownbuf_slot_publish_borrow_locked(s, index, ref.buf, mode);
	spin_unlock(&s->lock);
	if (ret) {
		ownbuf_answer_retract(a);
		ownbuf_slot_unreserve(s, index);
		return ret;
	}
	trace_ownbuf_borrow(s, *a->out, ref.buf, mode);
	ownbuf_buffer_unpin(ref.buf);
	return 0;
}

/**
 * ownbuf_release() - end a borrow
 * @s: session
 * @handle: borrow handle
 * @flags: must be 0
 *
 * A borrow revoked with its buffer answers ESTALE (its handle died with
 * the buffer).
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE released (double free) or revoked;
 * -EBUSY while a mapping made through it lives.
 */
int ownbuf_release(struct ownbuf_session *s, u64 handle, u32 flags)
{
	struct ownbuf_slot *slot;
	u32 index;
	int ret;

	if (flags)
		return -EINVAL;
	spin_lock(&s->lock);
	ret = ownbuf_slot_get(s, handle, OWNBUF_SLOT_BORROW, true, &index);
	if (!ret) {
		slot = ownbuf_slot(s, index);
		if (ownbuf_buffer_dead(slot->buf)) {
			ret = ownbuf_borrow_revoked(s, index);
		} else if (slot->maps) {
			/* Its mappings would outlive it: a lifetime error. */
			ownbuf_count_violation(s, OWNBUF_VIOLATION_LIFETIME);
			ret = -EBUSY;
		} else {
			trace_ownbuf_release(s, handle, slot->buf, slot->mode);
			ownbuf_release_on_close(s, index);
		}
	}
	spin_unlock(&s->lock);
	return ret;
}

/**
 * ownbuf_release_on_close() - end a borrow slot, giving its place in the
 * buffer's state word back
 * @s: session, its lock held
 * @index: a borrow slot
 *
 * For release, and for a closing session's borrows. The buffer may be gone
 * as soon as the slot is off its list: it is not touched after that.
 */
void ownbuf_release_on_close(struct ownbuf_session *s, u32 index)
{
	struct ownbuf_slot *slot = ownbuf_slot(s, index);

	lockdep_assert_held(&s->lock);
	if (!ownbuf_buffer_dead(slot->buf))
		ownbuf_state_unborrow(slot->buf, slot->mode);
	ownbuf_slot_free(s, index, OWNBUF_DEATH_FREED);
}

/**
 * ownbuf_clone_answer() - a deep copy, owned by @s
 * @s: session
 * @handle: any live handle the caller may read through
 * @flags: must be 0
 * @a: where the owner handle of the copy goes (the copy is never frozen)
 *
 * Return: as a read of the whole buffer, then as create.
 */
int ownbuf_clone_answer(struct ownbuf_session *s, u64 handle, u32 flags,
			const struct ownbuf_answer *a)
{
	struct ownbuf_buffer *copy;
	struct ownbuf_access acc;
	u32 index;
	size_t size;
	int ret;

	if (flags)
		return -EINVAL;
	if (!handle) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_NULL_DEREF);
		return -EINVAL;
	}
	/* Admission first, so EBUSY and friends win over resource errors. */
	ret = ownbuf_access_begin(s, handle, false, 0, 0, &acc);
	if (ret)
		return ret;
	size = acc.buf->size;
	ownbuf_access_end(&acc);

	/*
	 * Allocate without holding the source: a borrower in reclaim must not
	 * keep the source's owner waiting in its drop.
	 */
	ret = ownbuf_prepare(s, size, &index);
	if (ret)
		return ret;
	ret = ownbuf_answer_deliver(s, index, a);
	if (ret)
		goto unprepare;
	ret = ownbuf_buffer_alloc(s, size, &copy);
	if (ret)
		goto retract;

	ret = ownbuf_access_begin(s, handle, false, 0, 0, &acc);
	if (ret)
		goto free_copy;
	memcpy(copy->data, acc.buf->data, size);
	ownbuf_access_end(&acc);
	ownbuf_publish_made(s, index, copy, a, true);
	return 0;

free_copy:
	ownbuf_answer_retract(a);
	ownbuf_unmake(s, index, copy);
	return ret;
retract:
	ownbuf_answer_retract(a);
unprepare:
	ownbuf_unprepare(s, size, index);
	return ret;
}

/**
 * ownbuf_freeze() - make an owned buffer immutable for good
 * @s: session
 * @handle: owner handle
 * @flags: must be 0
 *
 * Return: 0 (also when already frozen); -EINVAL; -EBADF; -ESTALE; -EBUSY a
 * mutable borrow or loan is out.
 */
int ownbuf_freeze(struct ownbuf_session *s, u64 handle, u32 flags)
{
	u32 index;
	int ret;

	if (flags)
		return -EINVAL;
	spin_lock(&s->lock);
	ret = ownbuf_slot_get(s, handle, OWNBUF_SLOT_OWNER, false, &index);
	if (!ret)
		ret = ownbuf_state_freeze(ownbuf_slot(s, index)->buf);
	spin_unlock(&s->lock);
	if (ret == -EBUSY)
		ownbuf_count_violation(s, OWNBUF_VIOLATION_DATA_RACE);
	return ret;
}

/**
 * ownbuf_query() - describe a buffer through one of its handles
 * @s: session
 * @handle: any live handle
 * @q: out: the out_* fields are filled, the rest left alone
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE.
 */
int ownbuf_query(struct ownbuf_session *s, u64 handle, struct ownbuf_query *q)
{
	struct ownbuf_ref ref;
	long st;
	int ret;

	/* A look: under the session lock, nothing pinned. */
	spin_lock(&s->lock);
	ret = ownbuf_look_locked(s, handle, &ref);
	if (!ret)
		ret = ownbuf_ref_check_alive(s, &ref);
	if (!ret) {
		st = atomic_long_read(&ref.buf->state);
		q->out_size = ref.buf->size;
		q->out_id = ref.buf->serial;
		q->out_kind = ref.owner ? OWNBUF_KIND_OWNER : OWNBUF_KIND_BORROW;
		q->out_mode = ref.mode;
		q->out_shared = (unsigned long)st >> OWNBUF_ST_SHARED_SHIFT;
		q->out_mut = !!(st & OWNBUF_ST_MUT);
		q->out_frozen = !!(st & OWNBUF_ST_FROZEN);
		q->out_mappings = ownbuf_buffer_mappings(ref.buf);
	}
	spin_unlock(&s->lock);
	return ret;
}
