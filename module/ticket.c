// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf tickets: moves (give/take) and loans (lend/accept) between
 * sessions, and cancel by their maker.
 *
 * A ticket lives in the device's hash, keyed by its random value, and on its
 * maker's list, both under tickets_lock. Whoever unhashes it owns it: take,
 * accept, cancel, or the maker's close. Calls that must reserve resources
 * first (a slot, a quota) look the ticket up, reserve, then look it up again
 * to unhash it, so a ticket never dies on a failed call.
 */

#include <linux/random.h>
#include <linux/slab.h>

#include <ownbuf/core.h>

#include "ownbuf_trace.h"

/* Tickets by value: O(1) at any count, resized as they come and go. */
static const struct rhashtable_params ownbuf_ticket_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct ownbuf_ticket, value),
	.head_offset = offsetof(struct ownbuf_ticket, hnode),
	.automatic_shrinking = true,
};

/**
 * ownbuf_tickets_init() - set up a device's ticket table
 * @dev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int ownbuf_tickets_init(struct ownbuf_device *dev)
{
	return rhashtable_init(&dev->tickets, &ownbuf_ticket_params);
}

/**
 * ownbuf_tickets_destroy() - tear down an empty ticket table
 * @dev: the device, with no session left
 */
void ownbuf_tickets_destroy(struct ownbuf_device *dev)
{
	rhashtable_destroy(&dev->tickets);
}

/* The live ticket of that value; one a give is still making is not. */
static struct ownbuf_ticket *ownbuf_ticket_find(struct ownbuf_device *dev, u64 value)
{
	struct ownbuf_ticket *t;

	lockdep_assert_held(&dev->tickets_lock);
	t = rhashtable_lookup_fast(&dev->tickets, &value, ownbuf_ticket_params);
	return t && t->kind ? t : NULL;
}

/**
 * ownbuf_ticket_insert() - hash a new ticket under a fresh value
 * @s: its maker, whose quota the caller charged
 * @t: the ticket, counted for the device from here on
 * @value: out: its value, read while the ticket was still the caller's
 *
 * A move ticket goes in unarmed (kind 0, found by nobody) before its
 * giver's handle dies, so that nothing can fail after. A loan goes on its
 * buffer's list too, unless the buffer died meanwhile (its destruction may
 * already have ended the loans it had). Once this returns, a hashed loan
 * belongs to whoever ends it (its buffer's destruction, from another
 * thread): the caller must not touch @t again.
 *
 * Return: 0; -ESTALE the loan's buffer died; -ENOMEM the table cannot take
 * it now.
 */
int ownbuf_ticket_insert(struct ownbuf_session *s, struct ownbuf_ticket *t, u64 *value)
{
	struct ownbuf_device *dev = s->dev;
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(ownbuf_ticket_insert, s, t, value);
	t->maker = s;
	spin_lock(&dev->tickets_lock);
	if (t->kind == OWNBUF_TICKET_LEND && ownbuf_buffer_dead(t->buf)) {
		spin_unlock(&dev->tickets_lock);
		return -ESTALE;
	}
	do {
		t->value = get_random_u64();
		ret = t->value ? rhashtable_lookup_insert_fast(&dev->tickets, &t->hnode,
							       ownbuf_ticket_params) : -EEXIST;
	} while (ret == -EEXIST);
	if (ret) {
		spin_unlock(&dev->tickets_lock);
		return -ENOMEM;
	}
	if (t->kind == OWNBUF_TICKET_LEND)
		list_add_tail(&t->loan_node, &t->buf->loans);
	list_add_tail(&t->maker_node, &s->tickets);
	atomic64_inc(&dev->counters.tickets);
	*value = t->value;
	spin_unlock(&dev->tickets_lock);
	return 0;
}

/* Count an untaken ticket of @s against its and its user's quotas. */
static int ownbuf_charge_ticket(struct ownbuf_session *s)
{
	const struct ownbuf_limits *lim = s->dev->limits;
	int ret;

	ret = ownbuf_charge(&s->counters.tickets, 1, READ_ONCE(lim->session_max_tickets));
	if (ret)
		return ret;
	ret = ownbuf_charge(&s->user->tickets, 1, READ_ONCE(lim->user_max_tickets));
	if (ret)
		atomic64_dec(&s->counters.tickets);
	return ret;
}

static void ownbuf_uncharge_ticket(struct ownbuf_session *s)
{
	atomic64_dec(&s->counters.tickets);
	atomic64_dec(&s->user->tickets);
}

/* Take @t out of the hash and its lists: the caller now owns it. */
static void ownbuf_ticket_unhash(struct ownbuf_device *dev, struct ownbuf_ticket *t)
{
	lockdep_assert_held(&dev->tickets_lock);
	rhashtable_remove_fast(&dev->tickets, &t->hnode, ownbuf_ticket_params);
	list_del_init(&t->maker_node);
	if (t->kind == OWNBUF_TICKET_LEND)
		list_del_init(&t->loan_node);
	ownbuf_uncharge_ticket(t->maker);
	atomic64_dec(&dev->counters.tickets);
}

/*
 * The buffer of a hashed lend ticket, pinned, unless it was dropped: then
 * NULL. Under tickets_lock a hashed loan's buffer is not yet destroyed.
 */
static struct ownbuf_buffer *ownbuf_loan_pin(struct ownbuf_device *dev,
					     struct ownbuf_ticket *t)
{
	lockdep_assert_held(&dev->tickets_lock);
	if (ownbuf_buffer_dead(t->buf) || !refcount_inc_not_zero(&t->buf->users))
		return NULL;
	return t->buf;
}

/**
 * ownbuf_loans_end() - end the loans of a buffer that is being destroyed
 * @buf: the buffer, dead, being destroyed
 *
 * Their tickets are unhashed and freed: they answer ENOENT from now on and
 * no longer count against their makers' quotas.
 */
void ownbuf_loans_end(struct ownbuf_buffer *buf)
{
	struct ownbuf_device *dev = buf->dev;
	struct ownbuf_ticket *t, *tmp;
	LIST_HEAD(dead);

	spin_lock(&dev->tickets_lock);
	list_for_each_entry_safe(t, tmp, &buf->loans, loan_node) {
		/* Its maker cannot finish closing while the ticket is hashed. */
		trace_ownbuf_cancel(t->maker, 0, buf->serial, buf->size);
		ownbuf_ticket_unhash(dev, t);
		list_add_tail(&t->maker_node, &dead);
	}
	spin_unlock(&dev->tickets_lock);
	list_for_each_entry_safe(t, tmp, &dead, maker_node)
		kfree(t);
}

/**
 * ownbuf_give() - move a buffer out of @s onto a ticket
 * @s: session
 * @handle: owner handle; dead when this returns 0
 * @flags: must be 0
 * @ticket: out: the move ticket
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE; -EBUSY borrows or loans out;
 * -EDQUOT over session_max_tickets; -ENOMEM.
 */
int ownbuf_give(struct ownbuf_session *s, u64 handle, u32 flags, u64 *ticket)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_buffer *buf;
	struct ownbuf_ticket *t;
	u64 value;
	u32 index;
	int ret;

	if (flags)
		return -EINVAL;
	t = kzalloc(sizeof(*t), OWNBUF_GFP);

	/* Judged first, in the contract's order; ENOMEM comes last. */
	spin_lock(&s->lock);
	ret = ownbuf_slot_get(s, handle, OWNBUF_SLOT_OWNER, false, &index);
	if (!ret && atomic_long_read(&ownbuf_slot(s, index)->buf->state) & OWNBUF_ST_BORROWED)
		ret = -EBUSY;
	spin_unlock(&s->lock);
	if (!ret)
		ret = ownbuf_charge_ticket(s);
	else if (ret == -EBUSY)
		ownbuf_count_violation(s, OWNBUF_VIOLATION_LIFETIME);
	if (ret) {
		kfree(t);
		return ret;
	}
	/* Hashed unarmed before the handle dies: nothing can fail after. */
	ret = t ? ownbuf_ticket_insert(s, t, &value) : -ENOMEM;
	if (ret) {
		ownbuf_uncharge_ticket(s);
		kfree(t);
		return ret;
	}

	spin_lock(&s->lock);
	ret = ownbuf_slot_get(s, handle, OWNBUF_SLOT_OWNER, false, &index);
	if (!ret) {
		buf = ownbuf_slot(s, index)->buf;
		ret = ownbuf_state_give(buf);
		if (ret) {
			ownbuf_count_violation(s, OWNBUF_VIOLATION_LIFETIME);
		} else {
			ownbuf_slot_free(s, index, OWNBUF_DEATH_MOVED);
			/* The ticket is not armed: nobody can take it yet. */
			trace_ownbuf_give(s, handle, buf->serial, buf->size);
		}
	}
	/* No longer its buffer; its bytes count against it until taken. */
	if (!ret)
		atomic64_dec(&s->counters.buffers);
	spin_unlock(&s->lock);

	spin_lock(&dev->tickets_lock);
	if (ret) {
		/* Another thread dropped, gave or borrowed it meanwhile. */
		ownbuf_ticket_unhash(dev, t);
	} else {
		t->buf = buf;
		t->kind = OWNBUF_TICKET_MOVE;
		*ticket = value;
	}
	spin_unlock(&dev->tickets_lock);
	if (ret)
		kfree(t);
	return ret;
}

/* Who made @t, relative to @s. */
static enum ownbuf_kin ownbuf_kin_of(struct ownbuf_session *s, struct ownbuf_ticket *t)
{
	if (t->maker == s)
		return OWNBUF_KIN_SELF;
	return t->maker->user == s->user ? OWNBUF_KIN_USER : OWNBUF_KIN_OTHER;
}

/* The request checks every ticket call starts with: EINVAL first. */
static int ownbuf_ticket_request(struct ownbuf_session *s, u64 value, u32 flags)
{
	if (flags)
		return -EINVAL;
	if (!value) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_NULL_DEREF);
		return -EINVAL;
	}
	return 0;
}

/*
 * Check a take or accept before reserving anything for it: the request,
 * then ENOENT when the ticket is gone (a loan of a dead buffer included),
 * EINVAL when it is of the other kind, and the size of a moving buffer for
 * the quota charge.
 */
static int ownbuf_ticket_peek(struct ownbuf_session *s, u64 value, u32 flags,
			      u8 want, u64 *size, enum ownbuf_kin *kin)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_ticket *t;
	int ret;

	ret = ownbuf_ticket_request(s, value, flags);
	if (ret)
		return ret;
	spin_lock(&dev->tickets_lock);
	t = ownbuf_ticket_find(dev, value);
	if (!t)
		ret = -ENOENT;
	else if (t->kind == OWNBUF_TICKET_LEND && ownbuf_buffer_dead(t->buf))
		ret = -ENOENT;
	else if (want && t->kind != want)
		ret = -EINVAL;
	else if (t->kind == OWNBUF_TICKET_MOVE)
		*size = t->buf->size;
	if (!ret)
		*kin = ownbuf_kin_of(s, t);
	spin_unlock(&dev->tickets_lock);
	return ret;
}

/*
 * Unhash the ticket peeked at, if it is still there and unchanged (@kin:
 * who made it, relative to @s). A loan's buffer comes pinned in *@loan, or NULL when it died
 * (the ticket is unhashed all the same: a loan of a dead buffer is over). A
 * moving buffer's bytes stop counting against its giver here, while the
 * giver is sure to be there.
 */
static struct ownbuf_ticket *ownbuf_ticket_claim(struct ownbuf_session *s, u64 value,
						 u8 kind, enum ownbuf_kin kin, u64 size,
						 struct ownbuf_buffer **loan)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_ticket *t;

	spin_lock(&dev->tickets_lock);
	t = ownbuf_ticket_find(dev, value);
	if (t && (t->kind != kind || ownbuf_kin_of(s, t) != kin ||
		  (kind == OWNBUF_TICKET_MOVE && t->buf->size != size)))
		t = NULL;
	if (t && kind == OWNBUF_TICKET_LEND)
		*loan = ownbuf_loan_pin(dev, t);
	if (t && kind == OWNBUF_TICKET_MOVE && kin != OWNBUF_KIN_SELF)
		ownbuf_bytes_uncharge(t->maker, size, kin == OWNBUF_KIN_OTHER);
	if (t)
		ownbuf_ticket_unhash(dev, t);
	spin_unlock(&dev->tickets_lock);
	return t;
}

/*
 * take and cancel of a move ticket: the buffer gets an owner handle in @s,
 * and its charges move from its giver (@kin, ownbuf_adopt_charge()).
 */
static int ownbuf_adopt_moved(struct ownbuf_session *s, u64 value, enum ownbuf_kin kin,
			      u64 size, const struct ownbuf_answer *a, bool cancel)
{
	struct ownbuf_ticket *t;
	struct ownbuf_buffer *buf;
	u32 index;
	u64 id;
	int ret;

	/* The quota first: EDQUOT comes before a table growth's ENOMEM. */
	ret = ownbuf_adopt_charge(s, size, kin);
	if (ret)
		return ret;
	ret = ownbuf_slot_reserve(s, &index);
	if (ret)
		goto uncharge;
	/* Before the claim, which cannot be undone. */
	ret = ownbuf_answer_deliver(s, index, a);
	if (ret)
		goto unreserve;
	t = ownbuf_ticket_claim(s, value, OWNBUF_TICKET_MOVE, kin, size, NULL);
	if (!t) {
		ownbuf_answer_retract(a);
		ret = -ENOENT;
		goto unreserve;
	}
	buf = t->buf;
	kfree(t);
	atomic_long_andnot(OWNBUF_ST_TRANSIT, &buf->state);
	/* Named by value: once published, another thread may drop it. */
	id = buf->serial;
	*a->out = ownbuf_slot_publish_owner(s, index, buf);
	if (cancel)
		trace_ownbuf_cancel(s, *a->out, id, size);
	else
		trace_ownbuf_take(s, *a->out, id, size);
	return 0;

unreserve:
	ownbuf_slot_unreserve(s, index);
uncharge:
	ownbuf_adopt_uncharge(s, size, kin);
	return ret;
}

/**
 * ownbuf_take_answer() - move a buffer in: a new owner handle in @s
 * @s: session (the maker's own session may take its ticket)
 * @value: a move ticket
 * @flags: must be 0
 * @a: where the owner handle goes
 *
 * Return: 0; -EINVAL flags, ticket 0, or a live lend ticket (which stays
 * valid); -ENOENT; -EDQUOT; -ENOMEM; or the error of @a->deliver.
 */
int ownbuf_take_answer(struct ownbuf_session *s, u64 value, u32 flags,
		       const struct ownbuf_answer *a)
{
	enum ownbuf_kin kin = OWNBUF_KIN_OTHER;
	u64 size = 0;
	int ret;

	ret = ownbuf_ticket_peek(s, value, flags, OWNBUF_TICKET_MOVE, &size, &kin);
	if (ret)
		return ret;
	return ownbuf_adopt_moved(s, value, kin, size, a, false);
}

/**
 * ownbuf_cancel() - the maker takes an untaken ticket back
 * @s: session that made the ticket
 * @value: the ticket
 * @flags: must be 0
 * @out: a new owner handle for a move ticket; 0 for a lend ticket
 *
 * Return: 0; -EINVAL; -ENOENT unknown, used, another session's, or a loan
 * of a buffer that is gone; -EDQUOT; -ENOMEM.
 */
int ownbuf_cancel(struct ownbuf_session *s, u64 value, u32 flags, u64 *out)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_ticket *t;
	struct ownbuf_buffer *buf;
	u64 size = 0;
	int ret;

	ret = ownbuf_ticket_request(s, value, flags);
	if (ret)
		return ret;
	spin_lock(&dev->tickets_lock);
	t = ownbuf_ticket_find(dev, value);
	if (!t || t->maker != s) {
		spin_unlock(&dev->tickets_lock);
		return -ENOENT;
	}
	if (t->kind == OWNBUF_TICKET_MOVE) {
		size = t->buf->size;
		spin_unlock(&dev->tickets_lock);
		return ownbuf_adopt_moved(s, value, OWNBUF_KIN_SELF, size,
					  OWNBUF_ANSWER_IN(out), true);
	}
	/* A loan just ends; nothing to reserve. */
	buf = ownbuf_loan_pin(dev, t);
	ownbuf_ticket_unhash(dev, t);
	spin_unlock(&dev->tickets_lock);

	*out = 0;
	ret = -ENOENT;
	if (buf) {
		trace_ownbuf_cancel(s, 0, buf->serial, buf->size);
		ownbuf_state_unborrow(buf, t->mode);
		ownbuf_buffer_unpin(buf);
		ret = 0;
	}
	kfree(t);
	return ret;
}

/**
 * ownbuf_lend() - a borrow carried by a ticket, counted from now on
 * @s: session
 * @handle: any live handle of the buffer
 * @mode: &enum ownbuf_mode
 * @flags: must be 0
 * @ticket: out: the lend ticket
 *
 * Return: as ownbuf_borrow(), and -EDQUOT over session_max_tickets.
 */
int ownbuf_lend(struct ownbuf_session *s, u64 handle, u32 mode, u32 flags,
		u64 *ticket)
{
	struct ownbuf_ticket *t;
	struct ownbuf_ref ref;
	int ret;

	if (flags || !ownbuf_mode_valid(mode))
		return -EINVAL;
	/* Allocated first; ENOMEM is reported only after every other check. */
	t = kzalloc(sizeof(*t), OWNBUF_GFP);
	ret = ownbuf_borrow_begin(s, handle, mode, &ref);
	if (ret)
		goto free;
	/* The quota first: EDQUOT comes before ENOMEM. */
	ret = ownbuf_charge_ticket(s);
	if (!ret && !t) {
		ownbuf_uncharge_ticket(s);
		ret = -ENOMEM;
	}
	if (ret)
		goto unborrow;
	t->kind = OWNBUF_TICKET_LEND;
	t->mode = mode;
	t->buf = ref.buf;
	ret = ownbuf_ticket_insert(s, t, ticket);
	if (ret) {
		ownbuf_uncharge_ticket(s);
		/* ESTALE: the buffer was dropped since the borrow was counted. */
		if (ret == -ESTALE)
			ret = ownbuf_ref_check_alive(s, &ref) ?: -ESTALE;
		goto unborrow;
	}
	/* Hashed: the loan's own now, which its buffer's drop may end at once. */
	t = NULL;
	trace_ownbuf_lend(s, handle, ref.buf, mode);
	goto unpin;
unborrow:
	ownbuf_state_unborrow(ref.buf, mode);
unpin:
	ownbuf_buffer_unpin(ref.buf);
free:
	kfree(t);
	return ret;
}

/**
 * ownbuf_accept_answer() - turn a lend ticket into a borrow handle in @s
 * @s: session (the maker's own session may accept its ticket)
 * @value: a lend ticket
 * @flags: must be 0
 * @a: where the borrow handle goes
 *
 * Return: 0; -EINVAL flags, ticket 0, or a live move ticket (which stays
 * valid); -ENOENT; -EDQUOT; -ENOMEM; or the error of @a->deliver.
 */
int ownbuf_accept_answer(struct ownbuf_session *s, u64 value, u32 flags,
			 const struct ownbuf_answer *a)
{
	struct ownbuf_buffer *buf;
	struct ownbuf_ticket *t;
	enum ownbuf_kin kin = OWNBUF_KIN_OTHER;
	u64 size = 0;
	u32 index;
	int ret;

	ret = ownbuf_ticket_peek(s, value, flags, OWNBUF_TICKET_LEND, &size, &kin);
	if (ret)
		return ret;
	ret = ownbuf_slot_reserve(s, &index);
	if (ret)
		return ret;
	/* Before the claim, which cannot be undone. */
	ret = ownbuf_answer_deliver(s, index, a);
	if (ret) {
		ownbuf_slot_unreserve(s, index);
		return ret;
	}
	buf = NULL;
	t = ownbuf_ticket_claim(s, value, OWNBUF_TICKET_LEND, kin, 0, &buf);
	if (!buf) {
		/* Gone meanwhile: the loan died with its buffer. */
		ownbuf_answer_retract(a);
		ownbuf_slot_unreserve(s, index);
		kfree(t);
		return -ENOENT;
	}
	/* The loan's place in the borrow state passes to the handle. */
	*a->out = ownbuf_slot_publish_borrow(s, index, buf, t->mode);
	trace_ownbuf_accept(s, *a->out, buf, t->mode);
	ownbuf_buffer_unpin(buf);
	kfree(t);
	return 0;
}

/**
 * ownbuf_tickets_release_all() - free every untaken ticket of a closing
 * session: moving buffers are freed with it, loans end
 * @s: the closing session
 */
void ownbuf_tickets_release_all(struct ownbuf_session *s)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_ticket *t, *tmp;
	struct ownbuf_buffer *buf;
	LIST_HEAD(mine);

	spin_lock(&dev->tickets_lock);
	list_for_each_entry_safe(t, tmp, &s->tickets, maker_node) {
		/* A loan's buffer stays pinned (or NULL) until it is ended. */
		if (t->kind == OWNBUF_TICKET_LEND)
			t->buf = ownbuf_loan_pin(dev, t);
		ownbuf_ticket_unhash(dev, t);
		list_add_tail(&t->maker_node, &mine);
	}
	spin_unlock(&dev->tickets_lock);

	list_for_each_entry_safe(t, tmp, &mine, maker_node) {
		list_del(&t->maker_node);
		buf = t->buf;
		if (t->kind == OWNBUF_TICKET_MOVE) {
			/* Owned by the ticket alone: freed with it, handle 0. */
			trace_ownbuf_drop(s, 0, buf->serial, buf->size);
			ownbuf_bytes_uncharge(s, buf->size, true);
			ownbuf_state_kill(buf, true);
			ownbuf_buffer_destroy(buf);
		} else if (buf) {
			trace_ownbuf_cancel(s, 0, buf->serial, buf->size);
			ownbuf_state_unborrow(buf, t->mode);
			ownbuf_buffer_unpin(buf);
		}
		kfree(t);
	}
}
