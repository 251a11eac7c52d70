/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownbuf tracepoints: the life of buffers, borrows, moves, loans and
 * mappings, and every refusal. Readable with tracefs
 * (events/ownbuf/), perf trace -e 'ownbuf:*', trace-cmd and bpftrace.
 *
 * No kernel pointer and no ticket value is ever recorded: a ticket is a
 * capability, and a trace may be read by others. A session is named by
 * its tag (the top 16 bits of its handles), a buffer by its id (the
 * device-wide serial that query and debugfs show).
 *
 * A refusal is two events where the call broke a rule: ownbuf_violation
 * (the class, counted where the rule is judged) and then ownbuf_refuse
 * (the command and errno, at the end of the same call, same task).
 */
#undef TRACE_SYSTEM
#ifdef OWNBUF_UNCHECKED
/* The bench-only build is another module beside ownbuf: events of its own. */
#define TRACE_SYSTEM ownbuf_unchecked
#else
#define TRACE_SYSTEM ownbuf
#endif

#if !defined(_OWNBUF_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _OWNBUF_TRACE_H

#include <linux/tracepoint.h>

#include <ownbuf/core.h>

/* The enums' values, for perf and trace-cmd, which read the format files. */
TRACE_DEFINE_ENUM(OWNBUF_MODE_SHARED);
TRACE_DEFINE_ENUM(OWNBUF_MODE_MUT);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_USE_AFTER_FREE);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_DOUBLE_FREE);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_DATA_RACE);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_NULL_DEREF);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_OVERFLOW);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_USE_AFTER_MOVE);
TRACE_DEFINE_ENUM(OWNBUF_VIOLATION_LIFETIME);

#define ownbuf_show_mode(mode)						\
	__print_symbolic(mode,						\
			 { 0, "owner" },				\
			 { OWNBUF_MODE_SHARED, "shared" },		\
			 { OWNBUF_MODE_MUT, "mut" })

#define ownbuf_show_class(class)					\
	__print_symbolic(class,						\
			 { OWNBUF_VIOLATION_USE_AFTER_FREE, "use_after_free" }, \
			 { OWNBUF_VIOLATION_DOUBLE_FREE, "double_free" },	\
			 { OWNBUF_VIOLATION_DATA_RACE, "data_race" },	\
			 { OWNBUF_VIOLATION_NULL_DEREF, "null_deref" },	\
			 { OWNBUF_VIOLATION_OVERFLOW, "overflow" },	\
			 { OWNBUF_VIOLATION_USE_AFTER_MOVE, "use_after_move" }, \
			 { OWNBUF_VIOLATION_LIFETIME, "lifetime" })

/*
 * A buffer and the handle of a session that acted on it as its owner. The
 * buffer is named by value: by the time the event fires, another thread of
 * the session may have dropped it already.
 */
DECLARE_EVENT_CLASS(ownbuf_owner_class,
	TP_PROTO(const struct ownbuf_session *s, u64 handle, u64 buffer, u64 size),
	TP_ARGS(s, handle, buffer, size),
	TP_STRUCT__entry(
		__field(u32, session)
		__field(u64, handle)
		__field(u64, buffer)
		__field(u64, size)
	),
	TP_fast_assign(
		__entry->session = s->tag;
		__entry->handle = handle;
		__entry->buffer = buffer;
		__entry->size = size;
	),
	TP_printk("session=%u handle=%#llx buffer=%llu size=%llu",
		  __entry->session, __entry->handle, __entry->buffer, __entry->size)
);

#define OWNBUF_OWNER_EVENT(name)					\
	DEFINE_EVENT(ownbuf_owner_class, name,				\
		TP_PROTO(const struct ownbuf_session *s, u64 handle, u64 buffer, u64 size), \
		TP_ARGS(s, handle, buffer, size))

OWNBUF_OWNER_EVENT(ownbuf_create);
OWNBUF_OWNER_EVENT(ownbuf_clone);
/* Also at close, for each buffer it owned; handle 0: freed on its ticket. */
OWNBUF_OWNER_EVENT(ownbuf_drop);
OWNBUF_OWNER_EVENT(ownbuf_give);
OWNBUF_OWNER_EVENT(ownbuf_take);
/*
 * A move ticket taken back by its maker; handle 0: a loan ended (cancelled,
 * its maker closed, or its buffer dropped).
 */
OWNBUF_OWNER_EVENT(ownbuf_cancel);

/* A borrow: made, given up, carried by a loan, or revoked. */
DECLARE_EVENT_CLASS(ownbuf_borrow_class,
	TP_PROTO(const struct ownbuf_session *s, u64 handle,
		 const struct ownbuf_buffer *buf, u8 mode),
	TP_ARGS(s, handle, buf, mode),
	TP_STRUCT__entry(
		__field(u32, session)
		__field(u64, handle)
		__field(u64, buffer)
		__field(u8, mode)
	),
	TP_fast_assign(
		__entry->session = s->tag;
		__entry->handle = handle;
		__entry->buffer = buf->serial;
		__entry->mode = mode;
	),
	TP_printk("session=%u handle=%#llx buffer=%llu mode=%s",
		  __entry->session, __entry->handle, __entry->buffer,
		  ownbuf_show_mode(__entry->mode))
);

#define OWNBUF_BORROW_EVENT(name)					\
	DEFINE_EVENT(ownbuf_borrow_class, name,				\
		TP_PROTO(const struct ownbuf_session *s, u64 handle,	\
			 const struct ownbuf_buffer *buf, u8 mode),	\
		TP_ARGS(s, handle, buf, mode))

OWNBUF_BORROW_EVENT(ownbuf_borrow);
/* Also at close, for each borrow the session held. */
OWNBUF_BORROW_EVENT(ownbuf_release);
/* @handle: the handle the loan was made through; the ticket is not shown. */
OWNBUF_BORROW_EVENT(ownbuf_lend);
OWNBUF_BORROW_EVENT(ownbuf_accept);
/* @s: the session that held the borrow, not the one whose drop revoked it. */
OWNBUF_BORROW_EVENT(ownbuf_revoke);

/* A mapping of @pages pages made by mmap(2), or ended (munmap, revocation). */
DECLARE_EVENT_CLASS(ownbuf_mapping_class,
	TP_PROTO(const struct ownbuf_session *s, const struct ownbuf_buffer *buf,
		 unsigned long pages, bool writable),
	TP_ARGS(s, buf, pages, writable),
	TP_STRUCT__entry(
		__field(u32, session)
		__field(u64, buffer)
		__field(unsigned long, pages)
		__field(bool, writable)
	),
	TP_fast_assign(
		__entry->session = s->tag;
		__entry->buffer = buf->serial;
		__entry->pages = pages;
		__entry->writable = writable;
	),
	TP_printk("session=%u buffer=%llu pages=%lu %s",
		  __entry->session, __entry->buffer, __entry->pages,
		  __entry->writable ? "rw" : "ro")
);

DEFINE_EVENT(ownbuf_mapping_class, ownbuf_map,
	TP_PROTO(const struct ownbuf_session *s, const struct ownbuf_buffer *buf,
		 unsigned long pages, bool writable),
	TP_ARGS(s, buf, pages, writable));
DEFINE_EVENT(ownbuf_mapping_class, ownbuf_unmap,
	TP_PROTO(const struct ownbuf_session *s, const struct ownbuf_buffer *buf,
		 unsigned long pages, bool writable),
	TP_ARGS(s, buf, pages, writable));

TRACE_EVENT(ownbuf_violation,
	TP_PROTO(const struct ownbuf_session *s, enum ownbuf_violation class),
	TP_ARGS(s, class),
	TP_STRUCT__entry(
		__field(u32, session)
		__field(u32, class)
	),
	TP_fast_assign(
		__entry->session = s->tag;
		__entry->class = class;
	),
	TP_printk("session=%u class=%s", __entry->session,
		  ownbuf_show_class(__entry->class))
);

#define ownbuf_show_op(op)						\
	__print_symbolic(op,						\
			 { 0x01, "create" }, { 0x02, "drop" },		\
			 { 0x03, "read" }, { 0x04, "write" },		\
			 { 0x05, "borrow" }, { 0x06, "release" },	\
			 { 0x07, "give" }, { 0x08, "take" },		\
			 { 0x09, "cancel" }, { 0x0a, "lend" },		\
			 { 0x0b, "accept" }, { 0x0c, "clone" },		\
			 { 0x0d, "freeze" }, { 0x0e, "query" },		\
			 { 0x0f, "stats" }, { 0x10, "map" })

/*
 * @op: the command's number (_IOC_NR; unknown ones print as numbers),
 * @err: the errno it answered, negative.
 */
TRACE_EVENT(ownbuf_refuse,
	TP_PROTO(const struct ownbuf_session *s, unsigned int op, int err),
	TP_ARGS(s, op, err),
	TP_STRUCT__entry(
		__field(u32, session)
		__field(u32, op)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->session = s->tag;
		__entry->op = op;
		__entry->err = err;
	),
	TP_printk("session=%u op=%s err=%d", __entry->session,
		  ownbuf_show_op(__entry->op), __entry->err)
);

#endif /* _OWNBUF_TRACE_H */

/* Out of tree: the header is found beside this file, not in include/trace. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ownbuf_trace
#include <trace/define_trace.h>
