// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf mappings, the core side: MAP hands out an mmap offset for a
 * handle; a mapping made at that offset is a borrow (through the owner
 * handle) or part of the borrow it was made through, judged by the same
 * rules as any borrow; it ends when its last page is unmapped, or when its
 * buffer dies, which zaps its pages first. The file and VMA side is in
 * module/mmap.c.
 */

#include <linux/cleanup.h>
#include <linux/compat.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <ownbuf/core.h>

#include "ownbuf_trace.h"

/* What the offsets xarray holds for a handle: its generation and slot. */
static void *ownbuf_offset_entry(u32 gen, u32 index)
{
	return xa_mk_value((unsigned long)gen << OWNBUF_INDEX_BITS | index);
}

static_assert(BITS_PER_LONG - 1 >= OWNBUF_GEN_BITS + OWNBUF_INDEX_BITS);

/* The generation and slot a handle value carries. */
static void ownbuf_handle_split(u64 handle, u32 *gen, u32 *index)
{
	*index = handle & OWNBUF_INDEX_MAX;
	*gen = (handle >> OWNBUF_INDEX_BITS) & OWNBUF_GEN_MAX;
}

/*
 * A fresh offset for @npages pages, entered for the handle in @s->offsets.
 * A 64-bit caller's comes from the session's own window, from where the
 * last one ended, so that a dead handle's offset is not soon another's; a
 * 32-bit caller's from the device's cursor below 2^32 pages. A range never
 * straddles the end of its space, nor starts at 0. Past the end, the space
 * is used again from its start, skipping offsets still held, a bounded
 * number of times.
 *
 * Return: 0; -EFBIG for a buffer too big for the space; -EDQUOT when no
 * offset was free; -EINTR on a fatal signal; -ENOMEM.
 */
static int ownbuf_offset_alloc(struct ownbuf_session *s, unsigned long npages, void *entry,
			       u64 *pgoff)
	__must_hold(&s->map_lock)
{
	struct ownbuf_device *dev = s->dev;
	bool compat = in_compat_syscall();
	u64 space = compat ? dev->map_compat_space : dev->map_window;
	u64 base = compat ? 0 : OWNBUF_MAP_COMPAT_SPACE + (u64)s->tag * dev->map_window;
	u64 start;
	int tries, ret;

	if (npages > space / 4)
		return -EFBIG;
	for (tries = 0; tries < OWNBUF_MAP_TRIES; tries++) {
		if (compat) {
			start = (u64)atomic64_add_return(npages, &dev->map_cursor) - npages;
			start %= space;
		} else {
			start = s->map_next;
			s->map_next += npages;
		}
		if (!start || start + npages > space) {
			if (!compat)
				s->map_next = 1;
			continue;
		}
		ret = xa_insert(&s->offsets, base + start, entry, OWNBUF_GFP);
		if (ret != -EBUSY) {
			*pgoff = base + start;
			return ret;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return -EDQUOT;
}

/*
 * Move a buffer's bytes into whole pages of their own, which a mapping can
 * show without showing anything else, and give it its list of mappings.
 * The rounding up to pages counts against the device's bytes (EDQUOT),
 * until the buffer dies (ownbuf_buffer_maps_free()); the pages are charged
 * to the caller's memory cgroup. Allocates with no pin held (an owner's
 * drop must never wait for another process's allocation), then looks the
 * handle up again; the bytes move under the data lock, held alone, so no
 * read or write is in flight.
 */
static int ownbuf_make_mappable(struct ownbuf_session *s, u64 handle, size_t size)
{
	u64 extra = PAGE_ALIGN(size) - size;
	atomic64_t *dev_bytes = &s->dev->counters.bytes;
	struct ownbuf_buffer_maps *maps;
	struct ownbuf_ref ref;
	void *pages = NULL;
	void *old = NULL;
	bool made = false;
	int ret;

	ret = ownbuf_charge(dev_bytes, extra, READ_ONCE(s->dev->limits->device_max_bytes));
	if (ret)
		return ret;
	ret = -ENOMEM;
	maps = kzalloc(sizeof(*maps), OWNBUF_GFP);
	if (!maps)
		goto uncharge;
	INIT_LIST_HEAD(&maps->mappings);
	pages = __vmalloc(PAGE_ALIGN(size), OWNBUF_GFP | __GFP_ZERO);
	if (!pages)
		goto free;

	ret = ownbuf_resolve(s, handle, &ref);
	if (ret)
		goto free;
	ret = down_write_killable(&ref.buf->data_lock);
	if (ret)
		goto unpin;
	ret = ownbuf_ref_recheck(s, handle, &ref) ?: ownbuf_ref_check_alive(s, &ref);
	if (ret || ref.buf->maps)
		goto unlock;
	memcpy(pages, ref.buf->data, size);
	old = ref.buf->data;
	ref.buf->data = pages;
	pages = NULL;
	spin_lock(&ref.buf->lock);
	WRITE_ONCE(ref.buf->maps, maps);
	spin_unlock(&ref.buf->lock);
	maps = NULL;
	made = true;
unlock:
	up_write(&ref.buf->data_lock);
unpin:
	ownbuf_buffer_unpin(ref.buf);
free:
	kvfree(old);
	vfree(pages);
	kfree(maps);
uncharge:
	/* Failed, or another call made it mappable first: no rounding. */
	if (!made)
		atomic64_sub(extra, dev_bytes);
	return ret;
}

/**
 * ownbuf_map() - the mmap offset of a handle
 * @s: session
 * @handle: any live handle
 * @flags: must be 0
 * @offset: out: the offset for mmap(2) of this session's fd, in bytes
 * @length: out: the buffer's size rounded up to whole pages
 *
 * The first MAP of a buffer makes it mappable (ownbuf_make_mappable()); the
 * first MAP of a handle gives it a fresh offset, which later MAPs of the
 * same handle return again. The offset names the handle, not the buffer:
 * once the handle is dead, mmap at it answers ESTALE.
 *
 * Return: 0; -EINVAL; -EBADF; -ESTALE; -EFBIG for a buffer too big for the
 * offset space; -EDQUOT when the session's offsets are all held; -EINTR;
 * -ENOMEM.
 */
int ownbuf_map(struct ownbuf_session *s, u64 handle, u32 flags, u64 *offset,
	       u64 *length)
{
	struct ownbuf_ref ref;
	struct ownbuf_slot *slot;
	enum ownbuf_death death;
	u64 pgoff;
	unsigned long npages;
	bool mappable;
	u32 gen, index;
	size_t size;
	void *entry;
	int ret;

	if (flags)
		return -EINVAL;
	ret = ownbuf_resolve(s, handle, &ref);
	if (ret)
		return ret;
	ret = ownbuf_ref_check_alive(s, &ref);
	size = ref.buf->size;
	spin_lock(&ref.buf->lock);
	mappable = ref.buf->maps;
	spin_unlock(&ref.buf->lock);
	ownbuf_buffer_unpin(ref.buf);
	if (ret)
		return ret;
	npages = DIV_ROUND_UP(size, PAGE_SIZE);
	*length = (u64)npages << PAGE_SHIFT;
	ownbuf_handle_split(handle, &gen, &index);
	entry = ownbuf_offset_entry(gen, index);

	guard(mutex)(&s->map_lock);
	/* Mapped before: the same offset (the slot's is this handle's). */
	spin_lock(&s->lock);
	pgoff = ownbuf_slot(s, index)->map_pgoff;
	spin_unlock(&s->lock);
	if (pgoff && xa_load(&s->offsets, pgoff) == entry) {
		*offset = pgoff << PAGE_SHIFT;
		return 0;
	}
	/*
	 * The offset of the slot's earlier handle, dead: forgotten now (one
	 * offset per slot), so that it never holds a place this one needs.
	 */
	if (pgoff) {
		xa_erase(&s->offsets, pgoff);
		spin_lock(&s->lock);
		ownbuf_slot(s, index)->map_pgoff = 0;
		spin_unlock(&s->lock);
	}

	/* The offset first: once the buffer is mappable, nothing may fail. */
	ret = ownbuf_offset_alloc(s, npages, entry, &pgoff);
	if (ret)
		return ret;
	if (!mappable) {
		ret = ownbuf_make_mappable(s, handle, size);
		if (ret) {
			xa_erase(&s->offsets, pgoff);
			return ret;
		}
	}

	/* Still the same handle? Then the slot's offset is this one. */
	spin_lock(&s->lock);
	ret = ownbuf_slot_find(s, handle, &index, &death);
	if (!ret) {
		slot = ownbuf_slot(s, index);
		slot->map_pgoff = pgoff;
	}
	spin_unlock(&s->lock);
	if (ret) {
		xa_erase(&s->offsets, pgoff);
		return ownbuf_refuse_stale(s, ret, death, false);
	}
	*offset = pgoff << PAGE_SHIFT;
	return 0;
}

/*
 * Under s->lock: resolve the handle of a mapping being made and judge it,
 * in the contract's order (ERANGE, EACCES, EBUSY), counting it (@count:
 * as a borrow of its own through the owner handle, as one more mapping of
 * the borrow through a borrow handle) or only judging it.
 */
static int ownbuf_mapping_judge(struct ownbuf_session *s, u64 handle,
				unsigned long npages, u8 mode, bool count,
				struct ownbuf_ref *ref)
	__must_hold(&s->lock)
{
	int ret;

	ret = ownbuf_resolve_locked(s, handle, ref);
	if (ret)
		return ret;
	/*
	 * MAP enters the offset before it makes the buffer mappable: until
	 * then, the offset is not given yet. Once set, @maps stays while the
	 * buffer lives.
	 */
	if (!READ_ONCE(ref->buf->maps)) {
		ownbuf_buffer_unpin(ref->buf);
		return -EINVAL;
	}
	if (npages > DIV_ROUND_UP(ref->buf->size, PAGE_SIZE)) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_OVERFLOW);
		ret = -ERANGE;
	} else if (!ref->owner) {
		if (mode == OWNBUF_MODE_MUT && ref->mode != OWNBUF_MODE_MUT)
			ret = -EACCES;
		else if (count)
			ownbuf_slot(s, ref->index)->maps++;
	} else {
		ret = count ? ownbuf_state_borrow(ref->buf, mode) :
			      ownbuf_state_may_borrow(ref->buf, mode);
		if (ret == -EBUSY)
			ownbuf_count_violation(s, OWNBUF_VIOLATION_DATA_RACE);
	}
	if (ret)
		ownbuf_buffer_unpin(ref->buf);
	return ret;
}

/**
 * ownbuf_mapping_begin() - judge and count a new mapping at an offset
 * @s: the session whose fd is being mapped
 * @pgoff: the offset asked for, in pages
 * @npages: pages asked for
 * @writable: whether the mapping may be written
 * @mapping: the address_space its pages are zapped in (NULL in KUnit)
 * @out: the mapping, on the buffer's list, with one VMA
 *
 * Return: 0; -EINVAL an offset MAP did not give this session; -ESTALE the
 * handle died since; -ERANGE past the buffer's last page; -EACCES a
 * writable mapping through a shared borrow or of a frozen buffer; -EBUSY
 * a mapping through the owner handle that rule 2 refuses; -ENOMEM.
 */
int ownbuf_mapping_begin(struct ownbuf_session *s, unsigned long pgoff,
			 unsigned long npages, bool writable,
			 struct address_space *mapping, struct ownbuf_mapping **out)
{
	u8 mode = writable ? OWNBUF_MODE_MUT : OWNBUF_MODE_SHARED;
	struct ownbuf_mapping *m;
	struct ownbuf_ref ref;
	void *entry;
	u64 handle;
	int ret;

	entry = xa_load(&s->offsets, pgoff);
	if (!entry)
		return -EINVAL;
	handle = ownbuf_handle_make(s, xa_to_value(entry) & OWNBUF_INDEX_MAX,
				    xa_to_value(entry) >> OWNBUF_INDEX_BITS);
	/* Judged before anything is allocated, so errors come in order. */
	spin_lock(&s->lock);
	ret = ownbuf_mapping_judge(s, handle, npages, mode, false, &ref);
	spin_unlock(&s->lock);
	if (ret)
		return ret;
	ownbuf_buffer_unpin(ref.buf);

	m = kzalloc(sizeof(*m), OWNBUF_GFP);
	if (!m)
		return -ENOMEM;
	init_rwsem(&m->lock);
	refcount_set(&m->refs, 1);
	refcount_set(&m->vmas, 1);
	m->s = s;
	m->mapping = mapping;
	m->pgoff = pgoff;
	m->npages = npages;
	m->mode = mode;

	spin_lock(&s->lock);
	ret = ownbuf_mapping_judge(s, handle, npages, mode, true, &ref);
	if (!ret) {
		m->buf = ref.buf;
		m->owner = ref.owner;
		m->index = ref.index;
		m->gen = ownbuf_slot(s, ref.index)->gen;
		/* Pinned: the buffer's destruction has not taken its list yet. */
		spin_lock(&ref.buf->lock);
		list_add_tail(&m->link, &ref.buf->maps->mappings);
		ref.buf->maps->nr++;
		spin_unlock(&ref.buf->lock);
		/* Counted before the unpin lets a revocation uncount it. */
		atomic64_inc(&s->counters.mappings);
		atomic64_inc(&s->dev->counters.mappings);
	}
	spin_unlock(&s->lock);
	if (ret) {
		kfree(m);
		return ret;
	}
	trace_ownbuf_map(s, ref.buf, npages, writable);
	ownbuf_buffer_unpin(ref.buf);
	*out = m;
	return 0;
}

/* A mapping stops counting: its end or its revocation, once. */
static void ownbuf_mapping_uncount(struct ownbuf_mapping *m)
{
	atomic64_dec(&m->s->counters.mappings);
	atomic64_dec(&m->s->dev->counters.mappings);
}

static void ownbuf_mapping_put(struct ownbuf_mapping *m)
{
	if (refcount_dec_and_test(&m->refs))
		kfree(m);
}

/**
 * ownbuf_mapping_end() - the last page of a mapping was unmapped
 * @m: the mapping; its VMAs' reference is dropped
 *
 * Gives its borrow back, unless its buffer's destruction has already
 * taken it off the list (then that destruction ends it).
 */
void ownbuf_mapping_end(struct ownbuf_mapping *m)
{
	struct ownbuf_session *s = m->s;
	struct ownbuf_buffer *buf = m->buf;
	struct ownbuf_slot *slot;
	bool linked = false;

	down_write(&m->lock);
	if (!m->ended) {
		/*
		 * Not ended, so on the list or being revoked: @buf is alive,
		 * until it is off the list and the lock dropped. Its borrow is
		 * given back before that.
		 */
		spin_lock(&buf->lock);
		if (!list_empty(&m->link)) {
			trace_ownbuf_unmap(s, buf, m->npages, m->mode == OWNBUF_MODE_MUT);
			if (m->owner)
				ownbuf_state_unborrow(buf, m->mode);
			list_del_init(&m->link);
			buf->maps->nr--;
			linked = true;
		}
		spin_unlock(&buf->lock);
		m->ended = true;
		ownbuf_mapping_uncount(m);
	}
	/* A borrow's mapping: the count is on its slot, not on @buf. */
	if (linked && !m->owner) {
		spin_lock(&s->lock);
		slot = ownbuf_slot(s, m->index);
		if (slot->kind == OWNBUF_SLOT_BORROW && slot->gen == m->gen && slot->maps)
			slot->maps--;
		spin_unlock(&s->lock);
	}
	up_write(&m->lock);
	ownbuf_mapping_put(m);
}

/**
 * ownbuf_mappings_revoke() - end every mapping of a dying buffer
 * @buf: dead, with no pin left
 *
 * Each mapping is taken off the list under the buffer's lock, then ended
 * under its own lock with its pages zapped, so that a fault after this
 * raises SIGBUS and no page of the buffer stays mapped anywhere when its
 * memory is freed. A fault in flight holds the mapping's lock shared: it
 * either finished inserting its page (which the zap removes) or finds the
 * mapping ended.
 */
void ownbuf_mappings_revoke(struct ownbuf_buffer *buf)
{
	struct ownbuf_mapping *m;

	if (!buf->maps)
		return;
	for (;;) {
		spin_lock(&buf->lock);
		m = list_first_entry_or_null(&buf->maps->mappings,
					     struct ownbuf_mapping, link);
		if (m) {
			list_del_init(&m->link);
			buf->maps->nr--;
			refcount_inc(&m->refs);
		}
		spin_unlock(&buf->lock);
		if (!m)
			return;
		down_write(&m->lock);
		/*
		 * Not ended: a VMA of it still exists, and so do its session
		 * and @mapping.
		 */
		if (!m->ended) {
			trace_ownbuf_unmap(m->s, buf, m->npages, m->mode == OWNBUF_MODE_MUT);
			if (m->mapping)
				unmap_mapping_range(m->mapping, (loff_t)m->pgoff << PAGE_SHIFT,
						    (loff_t)m->npages << PAGE_SHIFT, 1);
			m->ended = true;
			ownbuf_mapping_uncount(m);
		}
		up_write(&m->lock);
		ownbuf_mapping_put(m);
		cond_resched();
	}
}

/**
 * ownbuf_buffer_maps_free() - free what made a buffer mappable
 * @buf: being freed, its mappings revoked
 *
 * Its rounding up to whole pages stops counting against the device.
 */
void ownbuf_buffer_maps_free(struct ownbuf_buffer *buf)
{
	if (!buf->maps)
		return;
	atomic64_sub(PAGE_ALIGN(buf->size) - buf->size, &buf->dev->counters.bytes);
	kfree(buf->maps);
}

/**
 * ownbuf_buffer_mappings() - how many mappings of a buffer are live
 * @buf: a pinned buffer, or one a live slot names under its session lock
 *
 * Return: the count, for query.
 */
u32 ownbuf_buffer_mappings(struct ownbuf_buffer *buf)
{
	u32 nr;

	spin_lock(&buf->lock);
	nr = buf->maps ? buf->maps->nr : 0;
	spin_unlock(&buf->lock);
	return nr;
}
