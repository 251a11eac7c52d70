// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf sessions: the owner behind each open file description. Closing one
 * frees everything it owns (revoking borrows of it held anywhere), releases
 * the borrows it holds and frees its untaken tickets.
 */

#include <linux/cleanup.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <ownbuf/core.h>

#include "ownbuf_trace.h"

/*
 * A free tag, cyclically from dev->next_tag, with the generation floor its
 * earlier sessions left; its floor entry exists from here on, so that the
 * session's close can update it without allocating.
 *
 * No lock of ownbuf's is held: the ida and the xarray lock themselves and
 * never sleep under their locks, so an opener that reclaims memory here
 * holds up no other open or close. @next_tag is only where the search
 * starts. A tag's floor is stored before its ida_free(), and a tag is read
 * only after ida_alloc_range() returned it: the ida's lock orders the two.
 */
static int ownbuf_tag_alloc(struct ownbuf_device *dev, u32 *floor)
{
	u32 from = max(READ_ONCE(dev->next_tag), 1U);
	void *entry;
	int tag;

	tag = ida_alloc_range(&dev->tags, from, dev->tag_max, OWNBUF_GFP);
	if (tag == -ENOSPC && from > 1)
		tag = ida_alloc_range(&dev->tags, 1, dev->tag_max, OWNBUF_GFP);
	if (tag < 0)
		return tag == -ENOSPC ? -EMFILE : tag;
	entry = xa_load(&dev->gen_floors, tag);
	if (!entry) {
		entry = xa_store(&dev->gen_floors, tag, xa_mk_value(0), OWNBUF_GFP);
		if (xa_is_err(entry)) {
			ida_free(&dev->tags, tag);
			return xa_err(entry);
		}
		entry = xa_mk_value(0);
	}
	*floor = xa_to_value(entry);
	WRITE_ONCE(dev->next_tag, tag + 1);
	return tag;
}

/*
 * Give a closing session's tag back, raised to @floor, the highest
 * generation it used, so that its handle values never name a later
 * session's handles. A tag that has used up half its generations is
 * retired for good instead.
 */
static void ownbuf_tag_free(struct ownbuf_session *s, u32 floor)
{
	/* The entry exists (ownbuf_tag_alloc()): replacing it allocates nothing. */
	xa_store(&s->dev->gen_floors, s->tag, xa_mk_value(floor), GFP_NOWAIT);
	if (floor < OWNBUF_TAG_GEN_LIMIT)
		ida_free(&s->dev->tags, s->tag);
}

/*
 * Count a new session of the calling uid, making its &struct ownbuf_user
 * on its first: -EMFILE over user_max_sessions. The count changes under
 * the users xarray's own lock; the struct is made with no lock held and
 * put in with xa_insert(), which drops that lock to allocate, so nothing
 * waits behind this allocation but this opener.
 */
static int ownbuf_user_get(struct ownbuf_device *dev, struct ownbuf_user **out)
{
	unsigned long uid = __kuid_val(current_uid());
	struct ownbuf_user *u;
	int ret;

	for (;;) {
		u64 max = READ_ONCE(dev->limits->user_max_sessions);

		xa_lock(&dev->users);
		u = xa_load(&dev->users, uid);
		if (u) {
			ret = u->sessions < max ? 0 : -EMFILE;
			if (!ret)
				u->sessions++;
			xa_unlock(&dev->users);
			*out = u;
			return ret;
		}
		xa_unlock(&dev->users);
		if (!max)
			return -EMFILE;
		u = kzalloc(sizeof(*u), OWNBUF_GFP);
		if (!u)
			return -ENOMEM;
		u->uid = current_uid();
		u->sessions = 1;
		ret = xa_insert(&dev->users, uid, u, OWNBUF_GFP);
		if (ret != -EBUSY)
			break;
		/* Another session of the uid made it first: count in that one. */
		kfree(u);
	}
	if (ret) {
		kfree(u);
		return ret;
	}
	*out = u;
	return 0;
}

/* Uncount a closed session; its uid's struct goes with its last one. */
static void ownbuf_user_put(struct ownbuf_device *dev, struct ownbuf_user *u)
{
	bool last;

	xa_lock(&dev->users);
	last = !--u->sessions;
	if (last)
		__xa_erase(&dev->users, __kuid_val(u->uid));
	xa_unlock(&dev->users);
	if (!last)
		return;
	/* Whatever a uid's sessions held was freed or moved on with them. */
	WARN_ON(atomic64_read(&u->bytes) || atomic64_read(&u->tickets));
	kfree(u);
}

/**
 * ownbuf_session_create() - a new, empty session
 * @dev: its device
 *
 * Return: the session, or an ERR_PTR: -ENOMEM, or -EMFILE when the calling
 * uid has user_max_sessions open or every session tag is in use.
 */
struct ownbuf_session *ownbuf_session_create(struct ownbuf_device *dev)
{
	struct ownbuf_session *s;
	int tag;

	s = kzalloc(sizeof(*s), OWNBUF_GFP);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->dev = dev;
	refcount_set(&s->refs, 1);
	spin_lock_init(&s->lock);
	mutex_init(&s->grow_lock);
	mutex_init(&s->map_lock);
	xa_init(&s->offsets);
	/*
	 * A random start in the window: a closed session whose tag this one
	 * reuses had the same window, and its old offsets should not be
	 * this one's first.
	 */
	s->map_next = 1 + get_random_u64() % (dev->map_window / 2);
	INIT_LIST_HEAD(&s->tickets);
	s->pid = task_tgid_nr(current);
	get_task_comm(s->comm, current);
	atomic64_set(&s->counters.sessions, 1);

	tag = ownbuf_user_get(dev, &s->user);
	if (!tag) {
		tag = ownbuf_tag_alloc(dev, &s->gen_floor);
		if (tag < 0)
			ownbuf_user_put(dev, s->user);
	}
	if (tag < 0) {
		kfree(s);
		return ERR_PTR(tag);
	}
	s->tag = tag;
	/* The session list's mutex is held for no allocation, here or anywhere. */
	scoped_guard(mutex, &dev->sessions_lock)
		list_add_tail(&s->node, &dev->sessions);
	atomic64_inc(&dev->counters.sessions);
	return s;
}

/**
 * ownbuf_session_destroy() - close a session
 * @s: the session; no call of its own may be running
 *
 * Other sessions may be using its buffers through borrows right now: each
 * buffer's destruction waits for those calls to leave, and revokes their
 * handles (ESTALE from then on). The struct itself may outlive this for a
 * moment, held by another buffer's destruction that is revoking one of its
 * borrows (ownbuf_session_put()).
 */
void ownbuf_session_destroy(struct ownbuf_session *s)
{
	struct ownbuf_device *dev = s->dev;
	struct ownbuf_buffer *buf;
	struct ownbuf_slot *slot;
	u32 floor = s->gen_floor;
	u32 i;

	ownbuf_tickets_release_all(s);

	for (i = 0; i < s->used; i++) {
		/* A table can be large: never hog the CPU while closing it. */
		cond_resched();
		spin_lock(&s->lock);
		slot = ownbuf_slot(s, i);
		/* Every value this slot issued, the live one included, is at or below its gen. */
		floor = max(floor, slot->gen);
		switch (slot->kind) {
		case OWNBUF_SLOT_OWNER:
			buf = slot->buf;
			trace_ownbuf_drop(s, ownbuf_handle_make(s, i, slot->gen), buf->serial,
					  buf->size);
			ownbuf_state_kill(buf, true);
			ownbuf_slot_free(s, i, OWNBUF_DEATH_FREED);
			spin_unlock(&s->lock);
			ownbuf_session_uncharge(s, buf->size);
			ownbuf_buffer_destroy(buf);
			continue;
		case OWNBUF_SLOT_BORROW:
			trace_ownbuf_release(s, ownbuf_handle_make(s, i, slot->gen), slot->buf,
					     slot->mode);
			ownbuf_release_on_close(s, i);
			break;
		}
		spin_unlock(&s->lock);
	}
	WARN_ON(s->live);
	atomic64_sub((u64)(s->nr_slots / OWNBUF_CHUNK_SLOTS) * OWNBUF_CHUNK_BYTES,
		     &s->user->bytes);

	scoped_guard(mutex, &dev->sessions_lock)
		list_del(&s->node);
	ownbuf_tag_free(s, floor);
	ownbuf_user_put(dev, s->user);
	atomic64_dec(&dev->counters.sessions);
	ownbuf_session_put(s);
}

/**
 * ownbuf_session_put() - drop a reference to a session's memory
 * @s: the session
 *
 * The last one frees the struct and its handle table. A buffer's
 * destruction holds one while it revokes a borrow slot in the table, so
 * the slot it locks is there even if the session closed meanwhile (its
 * slots are all free by then, and the revoker leaves them alone).
 */
void ownbuf_session_put(struct ownbuf_session *s)
{
	u32 i;

	if (!refcount_dec_and_test(&s->refs))
		return;
	for (i = 0; i < s->nr_slots / OWNBUF_CHUNK_SLOTS; i++)
		kfree(s->chunks[i]);
	kfree(s->chunks);
	mutex_destroy(&s->grow_lock);
	mutex_destroy(&s->map_lock);
	xa_destroy(&s->offsets);
	kfree(s);
}

static void ownbuf_counts_fill(struct ownbuf_counts *out,
			       const struct ownbuf_counters *c)
{
	int i;

	out->buffers = atomic64_read(&c->buffers);
	out->bytes = atomic64_read(&c->bytes);
	out->borrows = atomic64_read(&c->borrows);
	out->tickets = atomic64_read(&c->tickets);
	out->sessions = atomic64_read(&c->sessions);
	out->refused = atomic64_read(&c->refused);
	for (i = 0; i < OWNBUF_VIOLATION_SLOTS; i++)
		out->violations[i] = atomic64_read(&c->violations[i]);
}

/**
 * ownbuf_stats() - the session's and the device's counters
 * @s: session
 * @out: out_session and out_device are filled
 */
void ownbuf_stats(struct ownbuf_session *s, struct ownbuf_stats *out)
{
	ownbuf_counts_fill(&out->out_session, &s->counters);
	ownbuf_counts_fill(&out->out_device, &s->dev->counters);
	out->out_session_mappings = atomic64_read(&s->counters.mappings);
	out->out_device_mappings = atomic64_read(&s->dev->counters.mappings);
}

static void ownbuf_show_state(struct seq_file *m, long st)
{
	const char *sep = "";

	seq_puts(m, " state=");
	if (st & OWNBUF_ST_FROZEN) {
		seq_printf(m, "%sfrozen", sep);
		sep = ",";
	}
	if (st & OWNBUF_ST_MUT) {
		seq_printf(m, "%smut", sep);
		sep = ",";
	}
	if (st >> OWNBUF_ST_SHARED_SHIFT) {
		seq_printf(m, "%sshared:%ld", sep, st >> OWNBUF_ST_SHARED_SHIFT);
		sep = ",";
	}
	if (st & OWNBUF_ST_TRANSIT) {
		seq_printf(m, "%stransit", sep);
		sep = ",";
	}
	if (!*sep)
		seq_putc(m, '-');
	seq_putc(m, '\n');
}

static const char *ownbuf_mode_str(u8 mode)
{
	return mode == OWNBUF_MODE_MUT ? "mut" : "shared";
}

/**
 * ownbuf_show_comm() - a session's command name, for debugfs
 * @m: the seq_file
 * @s: the session
 *
 * A process names itself: a newline in its name must not start a record
 * of its own, so newlines and backslashes are escaped (octal, \012).
 */
void ownbuf_show_comm(struct seq_file *m, struct ownbuf_session *s)
{
	seq_escape(m, s->comm, "\n\\");
}

/*
 * The graph is read in units: a session's line with the first chunk of its
 * handle table, each further chunk, then each session's tickets. The
 * session list is held for one read() (seq_file's start to stop), a
 * session's lock for one chunk only, so no lock is held across the whole
 * device, and an output larger than seq_file's buffer redoes one unit, not
 * the whole walk.
 */
struct ownbuf_graph_iter {
	struct ownbuf_device *dev;
	struct ownbuf_session *s;
	u32 chunk;
	bool tickets;
};

static u32 ownbuf_graph_chunks(struct ownbuf_session *s)
{
	return max(1U, DIV_ROUND_UP(READ_ONCE(s->used), OWNBUF_CHUNK_SLOTS));
}

/* The unit after @it's, or NULL at the end. */
static void *ownbuf_graph_step(struct ownbuf_graph_iter *it)
{
	struct list_head *sessions = &it->dev->sessions;

	if (!it->tickets && ++it->chunk < ownbuf_graph_chunks(it->s))
		return it;
	it->chunk = 0;
	if (!list_is_last(&it->s->node, sessions)) {
		it->s = list_next_entry(it->s, node);
		return it;
	}
	if (it->tickets)
		return NULL;
	it->tickets = true;
	it->s = list_first_entry(sessions, struct ownbuf_session, node);
	return it;
}

/* Takes the session list's mutex, which ownbuf_graph_stop() gives back. */
static void *ownbuf_graph_start(struct seq_file *m, loff_t *pos)
{
	struct ownbuf_graph_iter *it = m->private;
	loff_t n;

	mutex_lock(&it->dev->sessions_lock);
	if (list_empty(&it->dev->sessions))
		return NULL;
	it->s = list_first_entry(&it->dev->sessions, struct ownbuf_session, node);
	it->chunk = 0;
	it->tickets = false;
	for (n = 0; n < *pos; n++)
		if (!ownbuf_graph_step(it))
			return NULL;
	return it;
}

static void *ownbuf_graph_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return ownbuf_graph_step(v);
}

static void ownbuf_graph_stop(struct seq_file *m, void *v)
{
	struct ownbuf_graph_iter *it = m->private;

	mutex_unlock(&it->dev->sessions_lock);
}

/*
 * The mappings of an owned buffer, in whichever session: under its owner's
 * lock, with its own (the nesting of ownbuf_session.lock -> buffer lock).
 * A mapping on the list has a VMA, so its session is open.
 */
static void ownbuf_graph_show_mappings(struct seq_file *m, struct ownbuf_buffer *buf)
{
	struct ownbuf_mapping *map;

	spin_lock(&buf->lock);
	if (buf->maps)
		list_for_each_entry(map, &buf->maps->mappings, link)
			seq_printf(m, "mapping session=%u buffer=%llu mode=%s through=%s pages=%lu\n",
				   map->s->tag, buf->serial, ownbuf_mode_str(map->mode),
				   map->owner ? "owner" : "borrow", map->npages);
	spin_unlock(&buf->lock);
}

static void ownbuf_graph_show_slots(struct seq_file *m, struct ownbuf_session *s, u32 chunk)
{
	struct ownbuf_slot *slot;
	u32 i, end;

	if (!chunk) {
		seq_printf(m, "session tag=%u pid=%d comm=", s->tag, s->pid);
		ownbuf_show_comm(m, s);
		seq_putc(m, '\n');
	}
	spin_lock(&s->lock);
	end = min(s->used, (chunk + 1) * OWNBUF_CHUNK_SLOTS);
	for (i = chunk * OWNBUF_CHUNK_SLOTS; i < end; i++) {
		slot = ownbuf_slot(s, i);
		if (slot->kind == OWNBUF_SLOT_OWNER) {
			seq_printf(m, "owner session=%u handle=0x%016llx gen=%u buffer=%llu size=%zu",
				   s->tag, ownbuf_handle_make(s, i, slot->gen), slot->gen,
				   slot->buf->serial, slot->buf->size);
			ownbuf_show_state(m, atomic_long_read(&slot->buf->state));
			ownbuf_graph_show_mappings(m, slot->buf);
		} else if (slot->kind == OWNBUF_SLOT_BORROW &&
			   !ownbuf_buffer_dead(slot->buf)) {
			/* Under s->lock its buffer is there; a dying one is not shown. */
			seq_printf(m, "borrow session=%u handle=0x%016llx gen=%u buffer=%llu mode=%s\n",
				   s->tag, ownbuf_handle_make(s, i, slot->gen), slot->gen,
				   slot->buf->serial, ownbuf_mode_str(slot->mode));
		}
	}
	spin_unlock(&s->lock);
}

/*
 * Under tickets_lock, every ticket on a maker's list has its buffer there;
 * a move a give is still making (kind 0) is nobody's yet.
 */
static void ownbuf_graph_show_tickets(struct seq_file *m, struct ownbuf_session *s)
{
	struct ownbuf_ticket *t;

	spin_lock(&s->dev->tickets_lock);
	list_for_each_entry(t, &s->tickets, maker_node) {
		if (t->kind == OWNBUF_TICKET_MOVE)
			seq_printf(m, "ticket kind=move maker=%u buffer=%llu mode=- size=%zu\n",
				   s->tag, t->buf->serial, t->buf->size);
		else if (t->kind == OWNBUF_TICKET_LEND)
			seq_printf(m, "ticket kind=lend maker=%u buffer=%llu mode=%s size=%zu\n",
				   s->tag, t->buf->serial, ownbuf_mode_str(t->mode),
				   t->buf->size);
	}
	spin_unlock(&s->dev->tickets_lock);
}

static int ownbuf_graph_show(struct seq_file *m, void *v)
{
	struct ownbuf_graph_iter *it = v;

	if (it->tickets)
		ownbuf_graph_show_tickets(m, it->s);
	else
		ownbuf_graph_show_slots(m, it->s, it->chunk);
	return 0;
}

static const struct seq_operations ownbuf_graph_seq_ops = {
	.start = ownbuf_graph_start,
	.next = ownbuf_graph_next,
	.stop = ownbuf_graph_stop,
	.show = ownbuf_graph_show,
};

/**
 * ownbuf_graph_open() - open debugfs ownbuf/graph: who owns what and who
 * borrows it
 * @inode: the debugfs inode; its private data is the device
 * @file: the file
 *
 * One record per line, key=value: sessions, the owner and borrow handles
 * in each, then tickets in flight. Buffers are named by their serial and
 * sessions by their tag, never by a kernel pointer; ticket values are
 * secrets (whoever knows one may take it) and are never shown. A read
 * changes nothing; a borrow of a buffer whose destruction has not reached
 * it yet is left to that destruction, and not shown. Sessions that open or close between two
 * read() calls may be seen in part, as with any file read in pieces.
 *
 * Return: 0 or -ENOMEM.
 */
int ownbuf_graph_open(struct inode *inode, struct file *file)
{
	struct ownbuf_graph_iter *it;

	it = __seq_open_private(file, &ownbuf_graph_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->dev = inode->i_private;
	return 0;
}
