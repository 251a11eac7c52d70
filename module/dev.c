// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf: the /dev/ownbuf file operations and ioctl decoding. Glue only:
 * each open file is a session, each ioctl is copied in, checked for
 * reserved fields and flags, handed to the core, and copied back. The
 * ownership rules live in the core, which knows nothing of files or user
 * memory.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include <uapi/linux/ownbuf.h>
#include <ownbuf/core.h>
#include <ownbuf/dev.h>

#include "ownbuf_trace.h"

static int ownbuf_ioc_create(struct ownbuf_session *s, void *arg,
			     const struct ownbuf_answer *a)
{
	struct ownbuf_create *c = arg;

	if (c->__reserved)
		return -EINVAL;
	return ownbuf_create_answer(s, c->size, c->flags, a);
}

static int ownbuf_ioc_drop(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_handle_op *op = arg;

	if (op->__reserved)
		return -EINVAL;
	return ownbuf_drop(s, op->handle, op->flags);
}

/*
 * The user memory of a read or write is pinned before the buffer is: a copy
 * made while holding the buffer's pin and data lock must never wait on a
 * page fault that another process controls (userfaultfd, FUSE), or the
 * owner's drop or exit would wait for it. Pinning everything first also
 * makes a write all or nothing: EFAULT never leaves half of one behind.
 */
struct ownbuf_user_pages {
	struct page **pages;
	struct page *inline_pages[16];
	unsigned int nr;
	unsigned int offset;	/* of the first byte in the first page */
};

static int ownbuf_pin_user(u64 uaddr, u64 len, bool into_user,
			   struct ownbuf_user_pages *up)
{
	unsigned long start = uaddr & PAGE_MASK;
	unsigned long nr;
	int pinned;

	up->offset = offset_in_page(uaddr);
	nr = DIV_ROUND_UP(up->offset + len, PAGE_SIZE);
	up->nr = 0;
	up->pages = up->inline_pages;
	if (nr > ARRAY_SIZE(up->inline_pages)) {
		up->pages = kvmalloc_array(nr, sizeof(*up->pages), OWNBUF_GFP);
		if (!up->pages)
			return -ENOMEM;
	}
	pinned = pin_user_pages_fast(start, nr, into_user ? FOLL_WRITE : 0, up->pages);
	if (pinned > 0)
		up->nr = pinned;
	if (pinned == nr)
		return 0;
	/* ENOMEM or EINTR (fatal signal) as they are; the rest is a bad range. */
	return pinned == -ENOMEM || pinned == -EINTR ? pinned : -EFAULT;
}

static void ownbuf_unpin_user(struct ownbuf_user_pages *up, bool dirty)
{
	if (up->nr)
		unpin_user_pages_dirty_lock(up->pages, up->nr, dirty);
	if (up->pages != up->inline_pages)
		kvfree(up->pages);
}

/* Copy between the buffer and pinned user pages; nothing here can fault. */
static void ownbuf_copy_pages(struct ownbuf_user_pages *up, void *data, size_t len,
			      bool into_user)
{
	unsigned int off = up->offset;
	unsigned int i = 0;
	size_t chunk;

	while (len) {
		chunk = min_t(size_t, len, PAGE_SIZE - off);
		/* These flush the data cache where the architecture needs it. */
		if (into_user)
			memcpy_to_page(up->pages[i], off, data, chunk);
		else
			memcpy_from_page(data, up->pages[i], off, chunk);
		data += chunk;
		len -= chunk;
		off = 0;
		i++;
	}
}

/* Read and write: the core locks and checks, the glue copies. */
static int ownbuf_ioc_rw(struct ownbuf_session *s, struct ownbuf_rw *rw, bool write)
{
	struct ownbuf_user_pages up = { .nr = 0 };
	struct ownbuf_access acc;
	int pin_ret = 0;
	int ret;

	if (rw->flags || rw->__reserved)
		return -EINVAL;
	/*
	 * Pin nothing for a call that will be refused: a range longer than a
	 * few pages is judged against the buffer first, so that a read far
	 * past a buffer's end cannot make the kernel fault in gigabytes of the
	 * caller's memory, whatever max_buffer_size is set to. Short ranges
	 * are judged once, after pinning: their pins cost little.
	 */
	if (rw->length > ARRAY_SIZE(up.inline_pages) * PAGE_SIZE) {
		ret = ownbuf_access_begin(s, rw->handle, write, rw->offset,
					  rw->length, &acc);
		if (ret)
			return ret;
		ownbuf_access_end(&acc);
	}
	/* A pointer the kernel's own cannot hold (32-bit) is bad, not cut short. */
	if (rw->length && rw->ptr != (unsigned long)rw->ptr)
		pin_ret = -EFAULT;
	else if (rw->length && rw->ptr)
		pin_ret = ownbuf_pin_user(rw->ptr, rw->length, !write, &up);
	/*
	 * Even when pinning failed, the core's checks run: their errors come
	 * first (a stale handle is ESTALE, whatever the pointer).
	 */
	ret = ownbuf_access_begin(s, rw->handle, write, rw->offset, rw->length, &acc);
	if (ret)
		goto unpin;
	if (acc.len && !rw->ptr) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_NULL_DEREF);
		ret = -EFAULT;
	} else if (pin_ret) {
		ret = pin_ret;
	} else if (acc.len) {
		ownbuf_copy_pages(&up, acc.data, acc.len, !write);
	}
	ownbuf_access_end(&acc);
unpin:
	ownbuf_unpin_user(&up, !write && !ret);
	return ret;
}

static int ownbuf_ioc_read(struct ownbuf_session *s, void *arg)
{
	return ownbuf_ioc_rw(s, arg, false);
}

static int ownbuf_ioc_write(struct ownbuf_session *s, void *arg)
{
	return ownbuf_ioc_rw(s, arg, true);
}

static int ownbuf_ioc_borrow(struct ownbuf_session *s, void *arg,
			     const struct ownbuf_answer *a)
{
	struct ownbuf_borrow *b = arg;

	return ownbuf_borrow_answer(s, b->handle, b->mode, b->flags, a);
}

static int ownbuf_ioc_release(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_handle_op *op = arg;

	if (op->__reserved)
		return -EINVAL;
	return ownbuf_release(s, op->handle, op->flags);
}

static int ownbuf_ioc_give(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_give *g = arg;

	if (g->__reserved)
		return -EINVAL;
	return ownbuf_give(s, g->handle, g->flags, &g->out_ticket);
}

static int ownbuf_ioc_take(struct ownbuf_session *s, void *arg,
			   const struct ownbuf_answer *a)
{
	struct ownbuf_ticket_op *t = arg;

	if (t->__reserved)
		return -EINVAL;
	return ownbuf_take_answer(s, t->ticket, t->flags, a);
}

static int ownbuf_ioc_cancel(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_ticket_op *t = arg;

	if (t->__reserved)
		return -EINVAL;
	return ownbuf_cancel(s, t->ticket, t->flags, &t->out_handle);
}

static int ownbuf_ioc_lend(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_lend *l = arg;

	return ownbuf_lend(s, l->handle, l->mode, l->flags, &l->out_ticket);
}

static int ownbuf_ioc_accept(struct ownbuf_session *s, void *arg,
			     const struct ownbuf_answer *a)
{
	struct ownbuf_ticket_op *t = arg;

	if (t->__reserved)
		return -EINVAL;
	return ownbuf_accept_answer(s, t->ticket, t->flags, a);
}

static int ownbuf_ioc_clone(struct ownbuf_session *s, void *arg,
			    const struct ownbuf_answer *a)
{
	struct ownbuf_clone *c = arg;

	if (c->__reserved)
		return -EINVAL;
	return ownbuf_clone_answer(s, c->handle, c->flags, a);
}

static int ownbuf_ioc_freeze(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_handle_op *op = arg;

	if (op->__reserved)
		return -EINVAL;
	return ownbuf_freeze(s, op->handle, op->flags);
}

static int ownbuf_ioc_query(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_query *q = arg;

	if (q->flags || q->__reserved)
		return -EINVAL;
	return ownbuf_query(s, q->handle, q);
}

static int ownbuf_ioc_map(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_map *mp = arg;

	if (mp->__reserved)
		return -EINVAL;
	return ownbuf_map(s, mp->handle, mp->flags, &mp->out_offset, &mp->out_length);
}

static int ownbuf_ioc_stats(struct ownbuf_session *s, void *arg)
{
	struct ownbuf_stats *st = arg;

	if (st->flags || st->__reserved)
		return -EINVAL;
	ownbuf_stats(s, st);
	return 0;
}

/**
 * struct ownbuf_ioctl_op - one row of the dispatch table
 * @cmd: the full command number (direction and size included)
 * @size: size of its argument struct
 * @old_size: the size an older version of the struct had, 0 if none
 * @looks: the command only looks (query, stats): a failed copy of its
 *	answer leaves nothing done, so its memory needs no pinning first
 * @answer: for @make, the offset of the new handle in the struct
 * @fn: the handler, on a kernel copy of the argument
 * @make: instead of @fn, for a command whose answer is one new handle: the
 *	handler delivers it into the caller's struct itself (struct
 *	ownbuf_answer), before the handle is live
 */
struct ownbuf_ioctl_op {
	unsigned int cmd;
	unsigned int size;
	unsigned int old_size;
	bool looks;
	unsigned int answer;
	int (*fn)(struct ownbuf_session *s, void *arg);
	int (*make)(struct ownbuf_session *s, void *arg, const struct ownbuf_answer *a);
};

#define OWNBUF_OP(_cmd, _struct, _fn) \
	[_IOC_NR(_cmd)] = { .cmd = _cmd, .size = sizeof(struct _struct), .fn = _fn }
#define OWNBUF_OP_MAKE(_cmd, _struct, _fn) \
	[_IOC_NR(_cmd)] = { .cmd = _cmd, .size = sizeof(struct _struct), \
			    .answer = offsetof(struct _struct, out_handle), .make = _fn }
#define OWNBUF_OP_LOOK(_cmd, _struct, _fn) \
	[_IOC_NR(_cmd)] = { .cmd = _cmd, .size = sizeof(struct _struct), .looks = true, \
			    .fn = _fn }
#define OWNBUF_OP_LOOK_GREW(_cmd, _struct, _old, _fn) \
	[_IOC_NR(_cmd)] = { .cmd = _cmd, .size = sizeof(struct _struct), .old_size = _old, \
			    .looks = true, .fn = _fn }

static const struct ownbuf_ioctl_op ownbuf_ops[] = {
	OWNBUF_OP_MAKE(OWNBUF_IOC_CREATE, ownbuf_create, ownbuf_ioc_create),
	OWNBUF_OP(OWNBUF_IOC_DROP, ownbuf_handle_op, ownbuf_ioc_drop),
	OWNBUF_OP(OWNBUF_IOC_READ, ownbuf_rw, ownbuf_ioc_read),
	OWNBUF_OP(OWNBUF_IOC_WRITE, ownbuf_rw, ownbuf_ioc_write),
	OWNBUF_OP_MAKE(OWNBUF_IOC_BORROW, ownbuf_borrow, ownbuf_ioc_borrow),
	OWNBUF_OP(OWNBUF_IOC_RELEASE, ownbuf_handle_op, ownbuf_ioc_release),
	OWNBUF_OP(OWNBUF_IOC_GIVE, ownbuf_give, ownbuf_ioc_give),
	OWNBUF_OP_MAKE(OWNBUF_IOC_TAKE, ownbuf_ticket_op, ownbuf_ioc_take),
	OWNBUF_OP(OWNBUF_IOC_CANCEL, ownbuf_ticket_op, ownbuf_ioc_cancel),
	OWNBUF_OP(OWNBUF_IOC_LEND, ownbuf_lend, ownbuf_ioc_lend),
	OWNBUF_OP_MAKE(OWNBUF_IOC_ACCEPT, ownbuf_ticket_op, ownbuf_ioc_accept),
	OWNBUF_OP_MAKE(OWNBUF_IOC_CLONE, ownbuf_clone, ownbuf_ioc_clone),
	OWNBUF_OP(OWNBUF_IOC_FREEZE, ownbuf_handle_op, ownbuf_ioc_freeze),
	OWNBUF_OP_LOOK(OWNBUF_IOC_QUERY, ownbuf_query, ownbuf_ioc_query),
	OWNBUF_OP_LOOK_GREW(OWNBUF_IOC_STATS, ownbuf_stats, OWNBUF_STATS_SIZE_V1,
			    ownbuf_ioc_stats),
	OWNBUF_OP(OWNBUF_IOC_MAP, ownbuf_map, ownbuf_ioc_map),
};

/* Big enough for every argument struct; checked at build time below. */
union ownbuf_ioctl_arg {
	struct ownbuf_create create;
	struct ownbuf_handle_op handle_op;
	struct ownbuf_rw rw;
	struct ownbuf_borrow borrow;
	struct ownbuf_lend lend;
	struct ownbuf_give give;
	struct ownbuf_ticket_op ticket_op;
	struct ownbuf_clone clone;
	struct ownbuf_query query;
	struct ownbuf_stats stats;
	struct ownbuf_map map;
};

/*
 * The ABI is the same for 32- and 64-bit callers only if no struct has
 * implicit padding: every size is a multiple of 8 made of __u64/__u32.
 */
static_assert(sizeof(struct ownbuf_create) == 24);
static_assert(sizeof(struct ownbuf_handle_op) == 16);
static_assert(sizeof(struct ownbuf_rw) == 40);
static_assert(sizeof(struct ownbuf_borrow) == 24);
static_assert(sizeof(struct ownbuf_lend) == 24);
static_assert(sizeof(struct ownbuf_give) == 24);
static_assert(sizeof(struct ownbuf_ticket_op) == 24);
static_assert(sizeof(struct ownbuf_clone) == 24);
static_assert(sizeof(struct ownbuf_query) == 56);
static_assert(sizeof(struct ownbuf_counts) == 112);
static_assert(sizeof(struct ownbuf_stats) == 248);
static_assert(offsetof(struct ownbuf_stats, out_session_mappings) == OWNBUF_STATS_SIZE_V1);
static_assert(sizeof(struct ownbuf_map) == 32);

/*
 * @copy (copy_from_user() or copy_to_user()) of an argument struct of
 * @size bytes, with the size a constant in each branch as in a driver with
 * one struct per command: hardened usercopy then checks the kernel side
 * when building, instead of walking the stack frame on every call (three
 * times per call, a sixth of a create's time and more than a quarter of a
 * query's under ftrace). Every size of the table is here; the default only
 * serves a size added without a case. Evaluates to 0 or -EFAULT.
 */
#define ownbuf_arg_copy(copy, to, from, size) ({				\
	unsigned long __left;							\
										\
	switch (size) {								\
	case 16:								\
		__left = copy(to, from, 16);					\
		break;								\
	case 24:								\
		__left = copy(to, from, 24);					\
		break;								\
	case 32:								\
		__left = copy(to, from, 32);					\
		break;								\
	case 40:								\
		__left = copy(to, from, 40);					\
		break;								\
	case 56:								\
		__left = copy(to, from, 56);					\
		break;								\
	case OWNBUF_STATS_SIZE_V1:						\
		__left = copy(to, from, OWNBUF_STATS_SIZE_V1);			\
		break;								\
	case 248:								\
		__left = copy(to, from, 248);					\
		break;								\
	default:								\
		__left = copy(to, from, size);					\
		break;								\
	}									\
	__left ? -EFAULT : 0;							\
})

/**
 * struct ownbuf_user_answer - a new handle's way into the caller's struct
 * @a: what the core calls
 * @uout: the struct's out_handle, in user memory
 * @was: what the caller had there, put back if the call fails after all
 */
struct ownbuf_user_answer {
	struct ownbuf_answer a;
	u64 __user *uout;
	u64 was;
};

static int ownbuf_user_deliver(const struct ownbuf_answer *a, u64 handle)
{
	const struct ownbuf_user_answer *ua = container_of(a, struct ownbuf_user_answer, a);

	return put_user(handle, ua->uout) ? -EFAULT : 0;
}

static void ownbuf_user_retract(const struct ownbuf_answer *a)
{
	const struct ownbuf_user_answer *ua = container_of(a, struct ownbuf_user_answer, a);

	/* Should this fail, the memory is gone: nobody can read it any more. */
	(void)put_user(ua->was, ua->uout);
}

/**
 * ownbuf_ioctl_dispatch() - decode and run one ioctl for a session
 * @s: the session the file description stands for
 * @cmd: ioctl command number
 * @arg: ioctl argument, a user pointer for every defined command
 *
 * Kept apart from the file operations so that KUnit can drive the decoder
 * without a struct file. A command is known by its type, number and
 * direction, with the size of the struct this version defines or a larger
 * one (a newer caller's), whose tail must then be zero (E2BIG otherwise):
 * the rule of copy_struct_from_user(). Only the known part is written back.
 * A struct that grew is also known by its older size (an older caller's):
 * it reads as zero-extended, and only its part of the answer is written.
 *
 * Return: 0 on success, a negative errno on failure; -ENOTTY for any
 * command this device does not define.
 */
long ownbuf_ioctl_dispatch(struct ownbuf_session *s, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct ownbuf_ioctl_op *op;
	struct ownbuf_user_pages up;
	union ownbuf_ioctl_arg buf;
	unsigned int nr, usize, wsize;
	int ret;

	nr = _IOC_NR(cmd);
	if (_IOC_TYPE(cmd) != OWNBUF_IOCTL_MAGIC || nr >= ARRAY_SIZE(ownbuf_ops))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(ownbuf_ops));
	op = &ownbuf_ops[nr];
	usize = _IOC_SIZE(cmd);
	if ((!op->fn && !op->make) || _IOC_DIR(cmd) != _IOC_DIR(op->cmd) ||
	    (usize < op->size && (!op->old_size || usize != op->old_size)))
		return -ENOTTY;
	/* What is copied back: the caller's struct, or as much as is known. */
	wsize = min(usize, op->size);

	if (!uarg) {
		ownbuf_count_violation(s, OWNBUF_VIOLATION_NULL_DEREF);
		ret = -EFAULT;
		goto out;
	}
	/* -EFAULT, or -E2BIG for a tail this version cannot honour. */
	if (usize == op->size)
		ret = ownbuf_arg_copy(copy_from_user, &buf, uarg, usize);
	else
		ret = copy_struct_from_user(&buf, op->size, uarg, usize);
	if (ret)
		goto out;
	if (!(_IOC_DIR(cmd) & _IOC_READ)) {
		ret = op->fn(s, &buf);
		goto out;
	}
	/*
	 * A command that only looks changes nothing a failed copy could strand:
	 * writing the request back (the same bytes) proves the answer's memory
	 * writable, for EFAULT's place first in the error order, at a fraction
	 * of a pin's cost.
	 */
	if (op->looks) {
		ret = ownbuf_arg_copy(copy_to_user, uarg, &buf, wsize) ?: op->fn(s, &buf);
		if (!ret)
			ret = ownbuf_arg_copy(copy_to_user, uarg, &buf, wsize);
		goto out;
	}
	/*
	 * A command that makes a handle writes it into the caller's struct
	 * itself, while the handle cannot be used yet, and undoes itself if
	 * that fails: the same promise as a pin, for two small copies.
	 */
	if (op->make) {
		u64 out;
		struct ownbuf_user_answer ua = {
			.a = { .out = &out, .deliver = ownbuf_user_deliver,
			       .retract = ownbuf_user_retract },
			.uout = uarg + op->answer,
		};

		memcpy(&ua.was, (u8 *)&buf + op->answer, sizeof(ua.was));
		ret = ownbuf_arg_copy(copy_to_user, uarg, &buf, wsize) ?:
		      op->make(s, &buf, &ua.a);
		goto out;
	}
	/*
	 * The answer's pages are pinned before acting and the answer is
	 * written through the pins, which cannot fail: a copy that failed
	 * after the op would leave it done but unreported (a give's ticket or
	 * a take's handle lost, a create's buffer stranded), and EFAULT must
	 * mean that nothing happened.
	 */
	ret = ownbuf_pin_user((unsigned long)uarg, wsize, true, &up);
	if (!ret)
		ret = op->fn(s, &buf);
	if (!ret)
		ownbuf_copy_pages(&up, &buf, wsize, true);
	ownbuf_unpin_user(&up, !ret);
out:
	if (ret) {
		trace_ownbuf_refuse(s, nr, ret);
		ownbuf_count_refused(s);
	}
	return ret;
}

static int ownbuf_open(struct inode *inode, struct file *file)
{
	struct ownbuf_session *s = ownbuf_session_create(&ownbuf_device);

	if (IS_ERR(s))
		return PTR_ERR(s);
	file->private_data = s;
	return nonseekable_open(inode, file);
}

static int ownbuf_release_file(struct inode *inode, struct file *file)
{
	ownbuf_session_destroy(file->private_data);
	return 0;
}

static long ownbuf_unlocked_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return ownbuf_ioctl_dispatch(file->private_data, cmd, arg);
}

static const struct file_operations ownbuf_fops = {
	.owner = THIS_MODULE,
	.open = ownbuf_open,
	.release = ownbuf_release_file,
	.unlocked_ioctl = ownbuf_unlocked_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
	.mmap = ownbuf_mmap,
};

struct miscdevice ownbuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = OWNBUF_DEVICE_NAME,
	.fops = &ownbuf_fops,
	.mode = 0600,	/* widened by the udev rule: tools/udev/60-ownbuf.rules */
};
