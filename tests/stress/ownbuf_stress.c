// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf_stress: random operations on /dev/ownbuf from several processes
 * and threads, checked two ways.
 *
 * - The model: a session driven by one thread is predicted call by call by
 *   a reference model written from the contract (../../Documentation and
 *   tests/COVERAGE.md name its rules): every errno, every returned field,
 *   every byte read, and the session's counters. The first difference is
 *   printed with the operations that led to it and the seed; the run fails.
 *   This part depends on the seed alone, so a failing seed replays exactly.
 * - The races: sessions shared by threads, tickets passed between
 *   processes through shared memory, children SIGKILLed at random points.
 *   Nothing here can be predicted, so invariants are checked instead: every
 *   errno is one the contract allows for that operation, no read sees a
 *   torn write (writers fill whole buffers with one byte value), every
 *   access through a mapping either works or, once its buffer is revoked,
 *   raises SIGBUS, and once every process is gone the device holds
 *   nothing.
 *
 * Prints TAP, so the guests run it as they run the selftests, then ops/s
 * and a table of operations by errno.
 *
 * Usage: ownbuf_stress [-d SECONDS] [-s SEED] [-p PROCESSES] [-t THREADS]
 * With no -d and no -s (as the guests run it in `make check`): the seconds
 * in /etc/ownbuf/stress-seconds (60 when absent) with seed 1, then a third
 * of that with a fresh seed, which it prints.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ownbuf.h>
#include <linux/types.h>

#define DEV "/dev/ownbuf"
#define MAX_PROCS 16

/* ---- randomness: splitmix64, one state per thread ---- */

static __u64 rnd_next(__u64 *st)
{
	__u64 z = (*st += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 rnd_below(__u64 *st, __u32 n)
{
	return n ? (__u32)(rnd_next(st) % n) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- operations, and the counts every process adds to ---- */

enum op_kind {
	OP_CREATE, OP_DROP, OP_DROP_REVOKE, OP_READ, OP_WRITE, OP_BORROW,
	OP_RELEASE, OP_GIVE, OP_TAKE, OP_CANCEL, OP_LEND, OP_ACCEPT, OP_CLONE,
	OP_FREEZE, OP_QUERY, OP_STATS, OP_MAP, OP_MMAP, OP_NR
};

static const char *const op_names[OP_NR] = {
	"create", "drop", "drop_revoke", "read", "write", "borrow", "release",
	"give", "take", "cancel", "lend", "accept", "clone", "freeze", "query",
	"stats", "map", "mmap",
};

/* The errnos counted one by one; anything else lands in the last column. */
static const int errnos[] = {
	0, EINVAL, EBADF, ESTALE, ENOENT, ERANGE, EACCES, EBUSY, EDQUOT, ENOMEM,
	EFAULT,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NR_ERRNOS ARRAY_SIZE(errnos)

struct shared {
	__u64 counts[OP_NR][NR_ERRNOS + 1];
	__u64 torn;
	__u64 bad_errno;
	__u64 sigbus;		/* accesses through a mapping after a revocation */
	__u64 children_killed;
	__u64 model_failed;
	__u64 model_sessions, model_ops;
	/* Tickets in flight between processes: 0 is an empty box. */
	__u64 mailbox[64];
	/*
	 * Handle values of each process's race session (one at a time per
	 * process): to any other process's session, foreign.
	 */
	__u64 foreign[MAX_PROCS][16];
	char first_bad[256];
};

static struct shared *sh;

static void count(enum op_kind op, int err)
{
	unsigned int i;

	for (i = 0; i < NR_ERRNOS; i++)
		if (errnos[i] == -err)
			break;
	__atomic_add_fetch(&sh->counts[op][i], 1, __ATOMIC_RELAXED);
}

/* ---- the device, one ioctl each; 0 or the errno ---- */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static int ob_create(int fd, __u64 size, __u64 *h)
{
	struct ownbuf_create c = { .size = size };
	int err = xioctl(fd, OWNBUF_IOC_CREATE, &c);

	*h = err ? 0 : c.out_handle;
	return err;
}

static int ob_handle_op(int fd, unsigned long cmd, __u64 h, __u32 flags)
{
	struct ownbuf_handle_op o = { .handle = h, .flags = flags };

	return xioctl(fd, cmd, &o);
}

static int ob_rw(int fd, bool write, __u64 h, __u64 off, __u64 len, void *p)
{
	struct ownbuf_rw rw = { .handle = h, .offset = off, .length = len,
				.ptr = (uintptr_t)p };

	return xioctl(fd, write ? OWNBUF_IOC_WRITE : OWNBUF_IOC_READ, &rw);
}

static int ob_borrow(int fd, bool lend, __u64 h, __u32 mode, __u64 *out)
{
	struct ownbuf_borrow b = { .handle = h, .mode = mode };
	struct ownbuf_lend l = { .handle = h, .mode = mode };
	int err;

	if (lend) {
		err = xioctl(fd, OWNBUF_IOC_LEND, &l);
		*out = err ? 0 : l.out_ticket;
	} else {
		err = xioctl(fd, OWNBUF_IOC_BORROW, &b);
		*out = err ? 0 : b.out_handle;
	}
	return err;
}

static int ob_give(int fd, __u64 h, __u64 *t)
{
	struct ownbuf_give g = { .handle = h };
	int err = xioctl(fd, OWNBUF_IOC_GIVE, &g);

	*t = err ? 0 : g.out_ticket;
	return err;
}

static int ob_ticket(int fd, unsigned long cmd, __u64 t, __u64 *h)
{
	struct ownbuf_ticket_op o = { .ticket = t };
	int err = xioctl(fd, cmd, &o);

	*h = err ? 0 : o.out_handle;
	return err;
}

static int ob_clone(int fd, __u64 h, __u64 *out)
{
	struct ownbuf_clone c = { .handle = h };
	int err = xioctl(fd, OWNBUF_IOC_CLONE, &c);

	*out = err ? 0 : c.out_handle;
	return err;
}

static int ob_query(int fd, __u64 h, struct ownbuf_query *q)
{
	memset(q, 0, sizeof(*q));
	q->handle = h;
	return xioctl(fd, OWNBUF_IOC_QUERY, q);
}

static int ob_stats(int fd, struct ownbuf_stats *st)
{
	memset(st, 0, sizeof(*st));
	return xioctl(fd, OWNBUF_IOC_STATS, st);
}

/*
 * A value this session was never given: a live or dead handle of its own
 * with the top generation bit flipped. Generations start low and grow by
 * one per reuse of a slot, so that one is far beyond any it issued.
 */
static __u64 never_given(__u64 h)
{
	return h ^ (1ULL << 47);
}

/* Where a SIGBUS in this thread's mapping access goes back to. */
static __thread struct {
	sigjmp_buf *to;
} bus;

static void on_sigbus(int sig)
{
	if (bus.to)
		siglongjmp(*bus.to, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One byte through a mapping: 0, or the signal the access raised. */
static int touch_one(__u8 *p, bool write, __u8 *v)
{
	sigjmp_buf jb;
	int sig;

	bus.to = &jb;
	sig = sigsetjmp(jb, 1);
	if (!sig) {
		if (write)
			__atomic_store_n(p, *v, __ATOMIC_RELAXED);
		else
			*v = __atomic_load_n(p, __ATOMIC_RELAXED);
	}
	bus.to = NULL;
	return sig;
}

/* ==== The model ==== */

#define MAX_SIZE	4096
#define M_BUFS		256
#define M_HANDLES	512
#define M_TICKETS	128
#define M_LIVE_MAX	48	/* live handles the driver keeps at most: far from quotas */
#define M_RECENT	15	/* dead handles used again: their slot's class is kept */
#define M_HISTORY	1024	/* log lines kept: a whole session's (MODEL_OPS) */
#define M_MAPS		6	/* mappings a model session keeps at once */

enum death { D_FREED, D_MOVED, D_REVOKED };
enum m_kind { K_OWNER = 1, K_BORROW };

struct m_buf {
	__u64 size;
	bool dead, frozen;
	__u32 shared;	/* shared borrows and shared loans */
	bool mut;		/* a mutable borrow or loan */
	__u8 data[MAX_SIZE];
};

struct m_handle {
	__u64 value;
	int buf;
	enum m_kind kind;
	__u32 mode;
	bool live;
	enum death death;
	__u32 maps;	/* mappings made through this borrow handle */
};

/* A mapping: a borrow of its own (owner handle) or part of its handle's. */
struct m_map {
	__u8 *addr;
	size_t len;
	int buf, handle;
	bool owner, write;
	bool live;	/* not unmapped yet */
};

struct m_ticket {
	__u64 value;
	int buf;
	bool move;
	__u32 mode;
	bool live;
};

struct model {
	int fd;
	__u64 rnd;
	__u64 seed;		/* of the whole run */
	unsigned long round;
	int proc;
	struct m_buf *bufs;
	int nbufs;
	struct m_handle handles[M_HANDLES];
	int nhandles;
	struct m_ticket tickets[M_TICKETS];
	int ntickets;
	struct m_map maps[M_MAPS];
	int recent[M_RECENT];	/* indexes of the last dead handles */
	int nrecent;
	__u64 violations[OWNBUF_VIOLATION_SLOTS];
	__u64 refused;
	char history[M_HISTORY][160];
	unsigned long lines;	/* log lines written; an op may write two */
	unsigned long ops;
};

static void m_log(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->history[m->lines % M_HISTORY], sizeof(m->history[0]), fmt, ap);
	va_end(ap);
	m->lines++;
}

/*
 * Print what led here (the session's whole log, every line tagged with the
 * process, as two processes may fail at once), say how to replay it, and
 * fail the whole run.
 */
static void m_fail(struct model *m, const char *fmt, ...)
{
	unsigned long i, first = m->lines > M_HISTORY ? m->lines - M_HISTORY : 0;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# MODEL MISMATCH (seed %llu, process %d, round %lu, op %lu): %s\n",
		m->seed, m->proc, m->round, m->ops, what);
	fprintf(stderr, "# [p%d] the operations before it, oldest first:\n", m->proc);
	for (i = first; i < m->lines; i++)
		fprintf(stderr, "# [p%d]   %s\n", m->proc, m->history[i % M_HISTORY]);
	fprintf(stderr, "# [p%d] replay this session alone: ownbuf_stress -s %llu -r %d:%lu\n",
		m->proc, m->seed, m->proc, m->round);
	fprintf(stderr, "# [p%d] or from the host: make stress SEED=%llu REPLAY=%d:%lu\n",
		m->proc, m->seed, m->proc, m->round);
	__atomic_add_fetch(&sh->model_failed, 1, __ATOMIC_RELAXED);
	exit(1);
}

static void m_expect(struct model *m, enum op_kind op, int got, int want)
{
	count(op, got);
	if (got != want)
		m_fail(m, "%s answered %s, the contract says %s", op_names[op],
		       got ? strerror(-got) : "success", want ? strerror(-want) : "success");
	if (want)
		m->refused++;
}

static void m_violation(struct model *m, enum ownbuf_violation v)
{
	m->violations[v]++;
}

static int m_new_handle(struct model *m, __u64 value, int buf, enum m_kind kind,
			__u32 mode)
{
	struct m_handle *h;

	if (m->nhandles == M_HANDLES)
		m_fail(m, "the model ran out of handle records");
	h = &m->handles[m->nhandles];
	*h = (struct m_handle){ value, buf, kind, mode, true, D_FREED };
	if (!value)
		m_fail(m, "a new handle of value 0");
	return m->nhandles++;
}

static void m_kill(struct model *m, int i, enum death why)
{
	m->handles[i].live = false;
	m->handles[i].death = why;
	memmove(&m->recent[1], &m->recent[0], sizeof(m->recent[0]) * (M_RECENT - 1));
	m->recent[0] = i;
	if (m->nrecent < M_RECENT)
		m->nrecent++;
}

static int m_live_count(struct model *m)
{
	int i, n = 0;

	for (i = 0; i < m->nhandles; i++)
		n += m->handles[i].live;
	return n;
}

/* Borrows (handles and loans) of a buffer, for rule 2. */
static bool m_borrowed(struct m_buf *b)
{
	return b->shared || b->mut;
}

static void m_unborrow(struct m_buf *b, __u32 mode)
{
	if (mode == OWNBUF_MODE_MUT)
		b->mut = false;
	else
		b->shared--;
}

/*
 * The buffer dies: its owner handle as freed (the caller's), every borrow
 * handle of it as revoked, its loans end.
 */
static void m_buffer_dies(struct model *m, int buf)
{
	int i;

	m->bufs[buf].dead = true;
	for (i = 0; i < m->nhandles; i++)
		if (m->handles[i].live && m->handles[i].buf == buf &&
		    m->handles[i].kind == K_BORROW)
			m_kill(m, i, D_REVOKED);
	for (i = 0; i < m->ntickets; i++)
		if (m->tickets[i].live && m->tickets[i].buf == buf && !m->tickets[i].move)
			m->tickets[i].live = false;
}

/* Live mappings of @buf (-1: of any live buffer), as query and stats count them. */
static __u32 m_mappings(struct model *m, int buf)
{
	__u32 n = 0;
	int i;

	for (i = 0; i < M_MAPS; i++)
		n += m->maps[i].live && !m->bufs[m->maps[i].buf].dead &&
		     (buf < 0 || m->maps[i].buf == buf);
	return n;
}

/*
 * What the contract says of a handle value before the op looks at kind:
 * EINVAL for 0, EBADF never given, ESTALE dead (class by how it died, and
 * whether the op frees), else 0 with *idx set.
 */
static int m_resolve(struct model *m, __u64 value, int idx, bool freeing)
{
	struct m_handle *h;

	if (!value) {
		m_violation(m, OWNBUF_VIOLATION_NULL_DEREF);
		return -EINVAL;
	}
	if (idx < 0)
		return -EBADF;
	h = &m->handles[idx];
	if (h->live)
		return 0;
	switch (h->death) {
	case D_MOVED:
		m_violation(m, OWNBUF_VIOLATION_USE_AFTER_MOVE);
		break;
	case D_REVOKED:
		m_violation(m, OWNBUF_VIOLATION_LIFETIME);
		break;
	default:
		m_violation(m, freeing ? OWNBUF_VIOLATION_DOUBLE_FREE :
			    OWNBUF_VIOLATION_USE_AFTER_FREE);
	}
	return -ESTALE;
}

/*
 * A handle to use: mostly live ones, sometimes a recently dead one, 0, or
 * one never given. *value is what to pass; the index is -1 for the last two.
 */
static int m_pick(struct model *m, __u64 *value)
{
	__u32 r = rnd_below(&m->rnd, 100);
	int live[M_HANDLES], n = 0, i;

	for (i = 0; i < m->nhandles; i++)
		if (m->handles[i].live)
			live[n++] = i;
	if (r < 3) {
		*value = 0;
		return -1;
	}
	if (r < 6 && m->nhandles) {
		*value = never_given(m->handles[rnd_below(&m->rnd, m->nhandles)].value);
		return -1;
	}
	if ((r < 20 || !n) && m->nrecent) {
		i = m->recent[rnd_below(&m->rnd, m->nrecent)];
		*value = m->handles[i].value;
		return i;
	}
	if (!n) {
		*value = 0;
		return -1;
	}
	i = live[rnd_below(&m->rnd, n)];
	*value = m->handles[i].value;
	return i;
}

static int m_pick_ticket(struct model *m, __u64 *value)
{
	__u32 r = rnd_below(&m->rnd, 100);
	int i;

	if (r < 3) {
		*value = 0;
		return -1;
	}
	if (r < 8 || !m->ntickets) {
		*value = rnd_next(&m->rnd) | 1;	/* unknown */
		return -1;
	}
	i = rnd_below(&m->rnd, m->ntickets);
	*value = m->tickets[i].value;
	return i;
}

static int m_new_buffer(struct model *m, __u64 size)
{
	struct m_buf *b;

	if (m->nbufs == M_BUFS)
		m_fail(m, "the model ran out of buffer records");
	b = &m->bufs[m->nbufs];
	memset(b, 0, sizeof(*b));
	b->size = size;
	return m->nbufs++;
}

/* The range check, overflow-safe: ERANGE counted as an overflow. */
static bool m_range_bad(struct model *m, struct m_buf *b, __u64 off, __u64 len)
{
	if (off > b->size || len > b->size - off) {
		m_violation(m, OWNBUF_VIOLATION_OVERFLOW);
		return true;
	}
	return false;
}

static void m_op_create(struct model *m)
{
	__u64 size = rnd_below(&m->rnd, 8) ? 1 + rnd_below(&m->rnd, MAX_SIZE) : 0;
	__u64 h;
	int err = ob_create(m->fd, size, &h);

	m_log(m, "create(%llu) = %d 0x%llx", size, err, h);
	if (!size) {
		m_expect(m, OP_CREATE, err, -EINVAL);
		return;
	}
	m_expect(m, OP_CREATE, err, 0);
	m_new_handle(m, h, m_new_buffer(m, size), K_OWNER, 0);
}

static void m_op_drop(struct model *m, bool revoke)
{
	enum op_kind op = revoke ? OP_DROP_REVOKE : OP_DROP;
	__u64 v;
	int i = m_pick(m, &v), want, err;
	struct m_buf *b;

	err = ob_handle_op(m->fd, OWNBUF_IOC_DROP, v, revoke ? OWNBUF_DROP_REVOKE : 0);
	m_log(m, "drop%s(0x%llx) = %d", revoke ? "_revoke" : "", v, err);
	want = m_resolve(m, v, i, true);
	if (!want && m->handles[i].kind != K_OWNER)
		want = -EINVAL;
	if (!want) {
		b = &m->bufs[m->handles[i].buf];
		if (m_borrowed(b) && !revoke) {
			m_violation(m, OWNBUF_VIOLATION_LIFETIME);
			want = -EBUSY;
		}
	}
	m_expect(m, op, err, want);
	if (!want) {
		m_kill(m, i, D_FREED);
		m_buffer_dies(m, m->handles[i].buf);
	}
}

static void m_op_rw(struct model *m, bool write)
{
	enum op_kind op = write ? OP_WRITE : OP_READ;
	__u8 io[MAX_SIZE + 16];
	__u64 v, off, len, size = MAX_SIZE;
	int i = m_pick(m, &v), want, err;
	struct m_handle *h = i >= 0 ? &m->handles[i] : NULL;
	struct m_buf *b = h ? &m->bufs[h->buf] : NULL;
	__u8 fill = rnd_next(&m->rnd);

	if (b)
		size = b->size;
	off = rnd_below(&m->rnd, 10) ? rnd_below(&m->rnd, size + 1) :
	      rnd_below(&m->rnd, 2) ? ~0ULL - rnd_below(&m->rnd, 4) : size + 1;
	len = rnd_below(&m->rnd, 10) ? rnd_below(&m->rnd, size - (off < size ? off : size) + 1) :
	      rnd_below(&m->rnd, 2) ? ~0ULL : size + 1;
	memset(io, write ? fill : 0xee, sizeof(io));
	err = ob_rw(m->fd, write, v, off, len, io);
	m_log(m, "%s(0x%llx, %llu, %llu) = %d", op_names[op], v,
	      off, len, err);
	want = m_resolve(m, v, i, false);
	if (!want && m_range_bad(m, b, off, len))
		want = -ERANGE;
	if (!want && write && (b->frozen ||
			       (h->kind == K_BORROW && h->mode != OWNBUF_MODE_MUT)))
		want = -EACCES;
	if (!want && h->kind == K_OWNER && (write ? m_borrowed(b) : b->mut)) {
		m_violation(m, OWNBUF_VIOLATION_DATA_RACE);
		want = -EBUSY;
	}
	m_expect(m, op, err, want);
	if (want)
		return;
	if (write)
		memset(b->data + off, fill, len);
	else if (memcmp(io, b->data + off, len))
		m_fail(m, "read returned bytes that were never written there");
}

static void m_op_borrow(struct model *m, bool lend)
{
	enum op_kind op = lend ? OP_LEND : OP_BORROW;
	__u32 mode = rnd_below(&m->rnd, 2) ? OWNBUF_MODE_SHARED : OWNBUF_MODE_MUT;
	__u64 v, out;
	int i = m_pick(m, &v), want, err;
	struct m_buf *b;

	err = ob_borrow(m->fd, lend, v, mode, &out);
	m_log(m, "%s(0x%llx, %s) = %d 0x%llx", op_names[op], v,
	      mode == OWNBUF_MODE_MUT ? "mut" : "shared", err, out);
	want = m_resolve(m, v, i, false);
	b = want ? NULL : &m->bufs[m->handles[i].buf];
	if (!want && mode == OWNBUF_MODE_MUT && b->frozen)
		want = -EACCES;
	if (!want && (mode == OWNBUF_MODE_MUT ? m_borrowed(b) : b->mut)) {
		m_violation(m, OWNBUF_VIOLATION_DATA_RACE);
		want = -EBUSY;
	}
	m_expect(m, op, err, want);
	if (want)
		return;
	if (mode == OWNBUF_MODE_MUT)
		b->mut = true;
	else
		b->shared++;
	if (!lend) {
		m_new_handle(m, out, m->handles[i].buf, K_BORROW, mode);
		return;
	}
	if (m->ntickets == M_TICKETS)
		m_fail(m, "the model ran out of ticket records");
	m->tickets[m->ntickets++] = (struct m_ticket){ out, m->handles[i].buf, false, mode, true };
}

static void m_op_release(struct model *m)
{
	__u64 v;
	int i = m_pick(m, &v), want, err;

	err = ob_handle_op(m->fd, OWNBUF_IOC_RELEASE, v, 0);
	m_log(m, "release(0x%llx) = %d", v, err);
	want = m_resolve(m, v, i, true);
	if (!want && m->handles[i].kind != K_BORROW)
		want = -EINVAL;
	if (!want && m->handles[i].maps) {
		m_violation(m, OWNBUF_VIOLATION_LIFETIME);
		want = -EBUSY;
	}
	m_expect(m, OP_RELEASE, err, want);
	if (want)
		return;
	m_unborrow(&m->bufs[m->handles[i].buf], m->handles[i].mode);
	m_kill(m, i, D_FREED);
}

static void m_op_give(struct model *m)
{
	__u64 v, t;
	int i = m_pick(m, &v), want, err;

	err = ob_give(m->fd, v, &t);
	m_log(m, "give(0x%llx) = %d 0x%llx", v, err, t);
	want = m_resolve(m, v, i, false);
	if (!want && m->handles[i].kind != K_OWNER)
		want = -EINVAL;
	if (!want && m_borrowed(&m->bufs[m->handles[i].buf])) {
		m_violation(m, OWNBUF_VIOLATION_LIFETIME);
		want = -EBUSY;
	}
	m_expect(m, OP_GIVE, err, want);
	if (want)
		return;
	m_kill(m, i, D_MOVED);
	if (m->ntickets == M_TICKETS)
		m_fail(m, "the model ran out of ticket records");
	m->tickets[m->ntickets++] = (struct m_ticket){ t, m->handles[i].buf, true, 0, true };
}

/* take, accept and cancel. */
static void m_op_ticket(struct model *m, enum op_kind op)
{
	unsigned long cmd = op == OP_TAKE ? OWNBUF_IOC_TAKE :
			    op == OP_ACCEPT ? OWNBUF_IOC_ACCEPT : OWNBUF_IOC_CANCEL;
	__u64 v, h;
	int i = m_pick_ticket(m, &v), want = 0, err;
	struct m_ticket *t = i >= 0 ? &m->tickets[i] : NULL;

	err = ob_ticket(m->fd, cmd, v, &h);
	m_log(m, "%s(0x%llx) = %d 0x%llx", op_names[op], v, err, h);
	if (!v) {
		m_violation(m, OWNBUF_VIOLATION_NULL_DEREF);
		want = -EINVAL;
	} else if (!t || !t->live) {
		want = -ENOENT;
	} else if ((op == OP_TAKE && !t->move) || (op == OP_ACCEPT && t->move)) {
		want = -EINVAL;
	}
	m_expect(m, op, err, want);
	if (want)
		return;
	t->live = false;
	if (t->move) {
		m_new_handle(m, h, t->buf, K_OWNER, 0);
	} else if (op == OP_ACCEPT) {
		m_new_handle(m, h, t->buf, K_BORROW, t->mode);
	} else {
		if (h)
			m_fail(m, "cancel of a loan returned handle 0x%llx", h);
		m_unborrow(&m->bufs[t->buf], t->mode);
	}
}

static void m_op_clone(struct model *m)
{
	__u64 v, out;
	int i = m_pick(m, &v), want, err, nb;
	struct m_buf *b;

	err = ob_clone(m->fd, v, &out);
	m_log(m, "clone(0x%llx) = %d 0x%llx", v, err, out);
	want = m_resolve(m, v, i, false);
	b = want ? NULL : &m->bufs[m->handles[i].buf];
	if (!want && m->handles[i].kind == K_OWNER && b->mut) {
		m_violation(m, OWNBUF_VIOLATION_DATA_RACE);
		want = -EBUSY;
	}
	m_expect(m, OP_CLONE, err, want);
	if (want)
		return;
	nb = m_new_buffer(m, b->size);
	b = &m->bufs[m->handles[i].buf];
	memcpy(m->bufs[nb].data, b->data, b->size);
	m_new_handle(m, out, nb, K_OWNER, 0);
}

static void m_op_freeze(struct model *m)
{
	__u64 v;
	int i = m_pick(m, &v), want, err;
	struct m_buf *b;

	err = ob_handle_op(m->fd, OWNBUF_IOC_FREEZE, v, 0);
	m_log(m, "freeze(0x%llx) = %d", v, err);
	want = m_resolve(m, v, i, false);
	if (!want && m->handles[i].kind != K_OWNER)
		want = -EINVAL;
	b = want ? NULL : &m->bufs[m->handles[i].buf];
	if (!want && b->mut) {
		m_violation(m, OWNBUF_VIOLATION_DATA_RACE);
		want = -EBUSY;
	}
	m_expect(m, OP_FREEZE, err, want);
	if (!want)
		b->frozen = true;
}

static void m_op_query(struct model *m)
{
	struct ownbuf_query q;
	__u64 v;
	int i = m_pick(m, &v), want, err;
	struct m_handle *h;
	struct m_buf *b;

	err = ob_query(m->fd, v, &q);
	m_log(m, "query(0x%llx) = %d", v, err);
	want = m_resolve(m, v, i, false);
	m_expect(m, OP_QUERY, err, want);
	if (want)
		return;
	h = &m->handles[i];
	b = &m->bufs[h->buf];
	if (q.out_mappings != m_mappings(m, h->buf))
		m_fail(m, "query: %u mappings, the model: %u", q.out_mappings,
		       m_mappings(m, h->buf));
	if (q.out_size != b->size || q.out_kind != h->kind || q.out_mode != h->mode ||
	    q.out_shared != b->shared || q.out_mut != b->mut || q.out_frozen != b->frozen) {
		char got[96], want_s[96];

		snprintf(got, sizeof(got), "%llu %u %u %u %u %u", q.out_size, q.out_kind,
			 q.out_mode, q.out_shared, q.out_mut, q.out_frozen);
		snprintf(want_s, sizeof(want_s), "%llu %d %u %u %d %d", b->size, h->kind,
			 h->mode, b->shared, b->mut, b->frozen);
		m_fail(m, "query size, kind, mode, shared, mut, frozen: %s; the model: %s",
		       got, want_s);
	}
}

/* The session's own counters, as the model counted them. */
static void m_op_stats(struct model *m)
{
	struct ownbuf_stats st;
	__u64 buffers = 0, bytes = 0, borrows = 0, tickets = 0;
	int i, err = ob_stats(m->fd, &st);

	m_log(m, "stats() = %d", err);
	m_expect(m, OP_STATS, err, 0);
	for (i = 0; i < m->nhandles; i++) {
		struct m_handle *h = &m->handles[i];

		if (!h->live)
			continue;
		if (h->kind == K_OWNER) {
			buffers++;
			bytes += m->bufs[h->buf].size;
		} else {
			borrows++;
		}
	}
	for (i = 0; i < m->ntickets; i++) {
		if (!m->tickets[i].live)
			continue;
		tickets++;
		/* A buffer in flight still counts its bytes against its giver. */
		if (m->tickets[i].move)
			bytes += m->bufs[m->tickets[i].buf].size;
	}
	if (st.out_session.buffers != buffers || st.out_session.bytes != bytes ||
	    st.out_session.borrows != borrows || st.out_session.tickets != tickets) {
		fprintf(stderr, "# the model's stats: %llu %llu %llu %llu\n", buffers, bytes,
			borrows, tickets);
		m_fail(m, "stats buffers bytes borrows tickets: %llu %llu %llu %llu",
		       st.out_session.buffers, st.out_session.bytes, st.out_session.borrows,
		       st.out_session.tickets);
	}
	for (i = 0; i < OWNBUF_VIOLATION_SLOTS; i++)
		if (st.out_session.violations[i] != m->violations[i])
			m_fail(m, "stats: %llu refusals of class %d, the model: %llu",
			       st.out_session.violations[i], i, m->violations[i]);
	if (st.out_session.refused != m->refused)
		m_fail(m, "stats: %llu refused calls, the model: %llu",
		       st.out_session.refused, m->refused);
	if (st.out_session_mappings != m_mappings(m, -1))
		m_fail(m, "stats: %llu mappings, the model: %u", st.out_session_mappings,
		       m_mappings(m, -1));
}

/*
 * MAP a handle, and map all of it read-only or writable: rights and rule 2
 * as the contract says for mmap; then one byte through it, which must be
 * what the model holds (or becomes it, written).
 */
static void m_op_mmap(struct model *m)
{
	struct ownbuf_map mp = { 0 };
	bool write = rnd_below(&m->rnd, 2);
	struct m_handle *h;
	struct m_buf *b;
	int i, j, want, err;
	__u8 byte;
	void *p;

	i = m_pick(m, &mp.handle);
	err = xioctl(m->fd, OWNBUF_IOC_MAP, &mp);
	m_log(m, "map(0x%llx) = %d 0x%llx", mp.handle, err, mp.out_offset);
	want = m_resolve(m, mp.handle, i, false);
	m_expect(m, OP_MAP, err, want);
	if (want)
		return;
	for (j = 0; j < M_MAPS && m->maps[j].live; j++)
		;
	if (j == M_MAPS)
		return;
	h = &m->handles[i];
	b = &m->bufs[h->buf];
	if (mp.out_length != (b->size + 4095) / 4096 * 4096)
		m_fail(m, "map: length %llu for a buffer of %llu", mp.out_length, b->size);
	p = mmap(NULL, mp.out_length, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
		 m->fd, (off_t)mp.out_offset);
	err = p == MAP_FAILED ? -errno : 0;
	m_log(m, "mmap(0x%llx, %s) = %d", mp.out_offset, write ? "rw" : "ro", err);
	want = 0;
	if (h->kind == K_BORROW) {
		if (write && h->mode != OWNBUF_MODE_MUT)
			want = -EACCES;
	} else if (write && b->frozen) {
		want = -EACCES;
	} else if (write ? m_borrowed(b) : b->mut) {
		m_violation(m, OWNBUF_VIOLATION_DATA_RACE);
		want = -EBUSY;
	}
	m_expect(m, OP_MMAP, err, want);
	if (want)
		return;
	m->maps[j] = (struct m_map){ p, mp.out_length, h->buf, i, h->kind == K_OWNER, write,
				     true };
	if (h->kind == K_BORROW)
		h->maps++;
	else if (write)
		b->mut = true;
	else
		b->shared++;
	byte = (__u8)rnd_next(&m->rnd);
	if (write) {
		if (touch_one(p, true, &byte))
			m_fail(m, "a write through a live mapping faulted");
		b->data[0] = byte;
	} else if (touch_one(p, false, &byte) || byte != b->data[0]) {
		m_fail(m, "a read through a live mapping: %u, the model: %u", byte, b->data[0]);
	}
}

/*
 * Touch a mapping, then maybe unmap it: SIGBUS once its buffer is dead,
 * what the model holds while it lives; the unmap gives its borrow back.
 */
static void m_op_munmap(struct model *m)
{
	int j = rnd_below(&m->rnd, M_MAPS), sig;
	struct m_map *mp = &m->maps[j];
	struct m_buf *b;
	__u8 byte;

	if (!mp->live)
		return;
	b = &m->bufs[mp->buf];
	sig = touch_one(mp->addr + rnd_below(&m->rnd, mp->len), false, &byte);
	m_log(m, "touch mapping %d = %d", j, sig);
	if (b->dead ? sig != SIGBUS : sig != 0)
		m_fail(m, "a touch of a mapping of a %s buffer raised %d",
		       b->dead ? "dead" : "live", sig);
	/* The refused touch counts as a refusal of class lifetime. */
	if (sig) {
		m_violation(m, OWNBUF_VIOLATION_LIFETIME);
		m->refused++;
	}
	if (rnd_below(&m->rnd, 2))
		return;
	m_log(m, "munmap(mapping %d)", j);
	if (munmap(mp->addr, mp->len))
		m_fail(m, "munmap: %s", strerror(errno));
	mp->live = false;
	if (b->dead)
		return;
	if (!mp->owner)
		m->handles[mp->handle].maps--;
	else
		m_unborrow(b, mp->write ? OWNBUF_MODE_MUT : OWNBUF_MODE_SHARED);
}

/*
 * One session, one thread, @nops operations predicted by the model. The
 * generator keeps the session small (no quota is ever near) and its
 * records bounded, then the session is closed.
 */
static void model_run(__u64 seed, unsigned long round, int proc, unsigned long nops)
{
	struct model *m = calloc(1, sizeof(*m));
	int i;

	if (!m)
		exit(2);
	m->bufs = calloc(M_BUFS, sizeof(*m->bufs));
	if (!m->bufs)
		exit(2);
	m->seed = seed;
	m->round = round;
	m->proc = proc;
	/* Of the seed, the process and the round alone: replayable. */
	m->rnd = (seed * 1000003ULL + round) * 0x100000001b3ULL + proc;
	m->fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (m->fd < 0)
		exit(2);
	for (m->ops = 0; m->ops < nops; m->ops++) {
		__u32 r = rnd_below(&m->rnd, 100);

		if (rnd_below(&m->rnd, 12) == 0) {
			if (rnd_below(&m->rnd, 2))
				m_op_mmap(m);
			else
				m_op_munmap(m);
			continue;
		}
		bool full = m_live_count(m) >= M_LIVE_MAX || m->nbufs > M_BUFS - 4 ||
			    m->nhandles > M_HANDLES - 4 || m->ntickets > M_TICKETS - 4;

		if (full && r < 12)
			r = 12;		/* no more creates once the records fill */
		if (m->nhandles > M_HANDLES - 4 || m->nbufs > M_BUFS - 4 ||
		    m->ntickets > M_TICKETS - 4)
			break;		/* the records are full: this session is done */
		if (r < 10)
			m_op_create(m);
		else if (r < 12)
			m_op_clone(m);
		else if (r < 17)
			m_op_drop(m, false);
		else if (r < 21)
			m_op_drop(m, true);
		else if (r < 33)
			m_op_rw(m, false);
		else if (r < 45)
			m_op_rw(m, true);
		else if (r < 55)
			m_op_borrow(m, false);
		else if (r < 63)
			m_op_release(m);
		else if (r < 67)
			m_op_give(m);
		else if (r < 71)
			m_op_ticket(m, OP_TAKE);
		else if (r < 75)
			m_op_ticket(m, OP_CANCEL);
		else if (r < 79)
			m_op_borrow(m, true);
		else if (r < 83)
			m_op_ticket(m, OP_ACCEPT);
		else if (r < 86)
			m_op_freeze(m);
		else if (r < 96)
			m_op_query(m);
		else
			m_op_stats(m);
	}
	m_op_stats(m);
	/* A mapping keeps its session open: unmapped, so the close frees all. */
	for (i = 0; i < M_MAPS; i++)
		if (m->maps[i].live)
			munmap(m->maps[i].addr, m->maps[i].len);
	__atomic_add_fetch(&sh->model_sessions, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->model_ops, m->ops + 1, __ATOMIC_RELAXED);
	close(m->fd);
	free(m->bufs);
	free(m);
}

/* ==== The races ==== */

#define RACE_SIZE	1024
#define RACE_POOL	32
#define HOT_SIZE	(64 * 1024)

struct race {
	int fd;
	double deadline;
	__u64 seed;
	int proc;		/* the worker's index; -1 in a killed child */
	__u64 pool[RACE_POOL];	/* handles of the session, shared by its threads */
	__u64 hot;		/* one big buffer every thread writes and reads whole */
};

struct race_thread {
	struct race *r;
	__u64 rnd;
	pthread_t tid;
};

/* The errnos the contract allows each operation here (0 included). */
static bool allowed(enum op_kind op, int err)
{
	switch (err) {
	case 0:
		return true;
	case -EDQUOT:
		return op == OP_CREATE || op == OP_BORROW || op == OP_LEND || op == OP_GIVE ||
		       op == OP_TAKE || op == OP_ACCEPT || op == OP_CANCEL || op == OP_CLONE;
	case -ENOMEM:
		return op == OP_CREATE || op == OP_BORROW || op == OP_LEND || op == OP_GIVE ||
		       op == OP_TAKE || op == OP_ACCEPT || op == OP_CANCEL || op == OP_CLONE ||
		       op == OP_MAP || op == OP_MMAP;
	case -EINVAL:	/* handle 0 (an empty pool place), the wrong kind, an old offset */
		return op != OP_CREATE && op != OP_STATS && op != OP_CANCEL;
	case -ESTALE:
		return op != OP_CREATE && op != OP_STATS && op != OP_TAKE &&
		       op != OP_ACCEPT && op != OP_CANCEL;
	case -ENOENT:
		return op == OP_TAKE || op == OP_ACCEPT || op == OP_CANCEL;
	case -EACCES:
		return op == OP_WRITE || op == OP_BORROW || op == OP_LEND || op == OP_MMAP;
	case -EBUSY:
		return op == OP_DROP || op == OP_READ || op == OP_WRITE || op == OP_BORROW ||
		       op == OP_LEND || op == OP_GIVE || op == OP_CLONE || op == OP_FREEZE ||
		       op == OP_RELEASE || op == OP_MMAP;
	}
	return false;
}

static void race_note(enum op_kind op, int err)
{
	count(op, err);
	if (allowed(op, err))
		return;
	if (__atomic_add_fetch(&sh->bad_errno, 1, __ATOMIC_RELAXED) == 1)
		snprintf(sh->first_bad, sizeof(sh->first_bad), "%s answered %s",
			 op_names[op], strerror(-err));
}

static void torn(const char *how)
{
	if (__atomic_add_fetch(&sh->torn, 1, __ATOMIC_RELAXED) == 1)
		snprintf(sh->first_bad, sizeof(sh->first_bad), "%s", how);
}

/* A whole-buffer read: every byte the same, or a write was seen in part. */
static void race_read(struct race *r, __u64 h)
{
	__u8 io[RACE_SIZE];
	int err = ob_rw(r->fd, false, h, 0, RACE_SIZE, io);

	race_note(OP_READ, err);
	if (!err) {
		int i;

		for (i = 1; i < RACE_SIZE; i++)
			if (io[i] != io[0]) {
				torn("a read saw two byte values: a torn write");
				break;
			}
	}
}

static void mailbox_put(__u64 t, __u64 *rnd)
{
	__u64 empty = 0;
	int i = rnd_below(rnd, 64);

	__atomic_compare_exchange_n(&sh->mailbox[i], &empty, t, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static __u64 mailbox_get(__u64 *rnd)
{
	return __atomic_exchange_n(&sh->mailbox[rnd_below(rnd, 64)], 0, __ATOMIC_ACQ_REL);
}

/*
 * A mutable borrow kept by one thread alone: what it wrote, it reads back,
 * unless the buffer was revoked meanwhile (ESTALE).
 */
static void race_private_mut(struct race *r, __u64 h, __u64 *rnd)
{
	__u8 in[RACE_SIZE], out[RACE_SIZE];
	__u64 b;
	int err = ob_borrow(r->fd, false, h, OWNBUF_MODE_MUT, &b);

	race_note(OP_BORROW, err);
	if (err)
		return;
	memset(in, (__u8)rnd_next(rnd), sizeof(in));
	err = ob_rw(r->fd, true, b, 0, RACE_SIZE, in);
	race_note(OP_WRITE, err);
	if (!err) {
		err = ob_rw(r->fd, false, b, 0, RACE_SIZE, out);
		race_note(OP_READ, err);
		if (!err && memcmp(in, out, RACE_SIZE))
			torn("a read through a mutable borrow did not see its own write");
	}
	race_note(OP_RELEASE, ob_handle_op(r->fd, OWNBUF_IOC_RELEASE, b, 0));
}

/*
 * The hot buffer: long copies from every thread at once, so that a write
 * that is not alone (a writer sharing the data lock) is seen in part.
 */
static void race_hot(struct race *r, __u64 *rnd)
{
	static __thread __u8 io[HOT_SIZE];
	int err, i;

	if (rnd_below(rnd, 2)) {
		memset(io, (__u8)rnd_next(rnd), sizeof(io));
		race_note(OP_WRITE, ob_rw(r->fd, true, r->hot, 0, HOT_SIZE, io));
		return;
	}
	err = ob_rw(r->fd, false, r->hot, 0, HOT_SIZE, io);
	race_note(OP_READ, err);
	for (i = 1; !err && i < HOT_SIZE; i++)
		if (io[i] != io[0]) {
			torn("a read saw two byte values: a torn write");
			break;
		}
}

/*
 * A handle value another session holds is EBADF here, whatever happened to
 * it there: checked exactly, not against the allowed set.
 */
static void race_foreign(struct race *r, __u64 *rnd)
{
	unsigned int other = rnd_below(rnd, MAX_PROCS);
	__u64 v = __atomic_load_n(&sh->foreign[other][rnd_below(rnd, 16)], __ATOMIC_RELAXED);
	__u8 io[16];
	int err;

	if (other == (unsigned int)r->proc || !v)
		return;
	err = ob_rw(r->fd, false, v, 0, sizeof(io), io);
	count(OP_READ, err);
	if (err != -EBADF && __atomic_add_fetch(&sh->bad_errno, 1, __ATOMIC_RELAXED) == 1)
		snprintf(sh->first_bad, sizeof(sh->first_bad),
			 "another session's handle answered %s, not EBADF", strerror(-err));
}

/*
 * Fill (or read) what a mapping shows: either every access works, or a
 * revocation made the rest of them SIGBUS; never anything else.
 */
static void race_touch(__u8 *p, bool write, __u8 v)
{
	sigjmp_buf jb;
	int i;

	bus.to = &jb;
	if (sigsetjmp(jb, 1)) {
		__atomic_add_fetch(&sh->sigbus, 1, __ATOMIC_RELAXED);
	} else {
		for (i = 0; i < RACE_SIZE; i++)
			if (write)
				__atomic_store_n(&p[i], v, __ATOMIC_RELAXED);
			else
				(void)__atomic_load_n(&p[i], __ATOMIC_RELAXED);
	}
	bus.to = NULL;
}

/*
 * MAP a handle of the pool, map it read-only or writable, use the
 * mapping, unmap it; another thread may drop, revoke, release or give
 * the handle at any point.
 */
static void race_map(struct race *r, __u64 h, __u64 *rnd)
{
	struct ownbuf_map mp = { .handle = h };
	bool write = rnd_below(rnd, 2);
	struct ownbuf_query q;
	void *p;
	int err;

	/*
	 * Byte by byte, a write through a mapping is not one write: only
	 * through the owner handle, whose writable mapping shuts out every
	 * reader, can no read ioctl see it half done. Through a mutable
	 * borrow, the borrow's own read would race with it, a race within
	 * one borrow that the contract does not forbid.
	 */
	if (write && (ob_query(r->fd, h, &q) || q.out_kind != OWNBUF_KIND_OWNER))
		write = false;

	err = xioctl(r->fd, OWNBUF_IOC_MAP, &mp);
	race_note(OP_MAP, err);
	if (err)
		return;
	p = mmap(NULL, 4096, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, r->fd,
		 (off_t)mp.out_offset);
	race_note(OP_MMAP, p == MAP_FAILED ? -errno : 0);
	if (p == MAP_FAILED)
		return;
	race_touch(p, write, (__u8)rnd_next(rnd));
	if (rnd_below(rnd, 2))
		usleep(rnd_below(rnd, 200));
	race_touch(p, false, 0);
	munmap(p, 4096);
}

static void race_publish(struct race *r, __u64 h, __u64 *rnd)
{
	__atomic_store_n(&sh->foreign[r->proc][rnd_below(rnd, 16)], h, __ATOMIC_RELAXED);
}

static void race_step(struct race *r, __u64 *rnd)
{
	__u32 op = rnd_below(rnd, 100), mode;
	__u64 *place = &r->pool[rnd_below(rnd, RACE_POOL)];
	__u64 h = __atomic_load_n(place, __ATOMIC_RELAXED), out = 0, t;
	__u8 io[RACE_SIZE];
	struct ownbuf_query q;
	struct ownbuf_stats st;
	int err;

	mode = rnd_below(rnd, 2) ? OWNBUF_MODE_SHARED : OWNBUF_MODE_MUT;
	if (r->hot && rnd_below(rnd, 8) == 0) {
		race_hot(r, rnd);
		return;
	}
	if (r->proc >= 0 && rnd_below(rnd, 32) == 0) {
		race_foreign(r, rnd);
		return;
	}
	if (rnd_below(rnd, 16) == 0) {
		race_map(r, h, rnd);
		return;
	}
	if (op < 12) {
		err = ob_create(r->fd, RACE_SIZE, &out);
		race_note(OP_CREATE, err);
	} else if (op < 18) {
		err = ob_handle_op(r->fd, OWNBUF_IOC_DROP, h, 0);
		race_note(OP_DROP, err);
	} else if (op < 24) {
		err = ob_handle_op(r->fd, OWNBUF_IOC_DROP, h, OWNBUF_DROP_REVOKE);
		race_note(OP_DROP_REVOKE, err);
	} else if (op < 36) {
		race_read(r, h);
	} else if (op < 46) {
		memset(io, (__u8)rnd_next(rnd), sizeof(io));
		race_note(OP_WRITE, ob_rw(r->fd, true, h, 0, RACE_SIZE, io));
	} else if (op < 54) {
		err = ob_borrow(r->fd, false, h, mode, &out);
		race_note(OP_BORROW, err);
	} else if (op < 60) {
		race_note(OP_RELEASE, ob_handle_op(r->fd, OWNBUF_IOC_RELEASE, h, 0));
	} else if (op < 64) {
		err = ob_give(r->fd, h, &t);
		race_note(OP_GIVE, err);
		if (!err)
			mailbox_put(t, rnd);
	} else if (op < 68) {
		err = ob_borrow(r->fd, true, h, mode, &t);
		race_note(OP_LEND, err);
		if (!err)
			mailbox_put(t, rnd);
	} else if (op < 76) {
		t = mailbox_get(rnd);
		if (t) {
			enum op_kind which = rnd_below(rnd, 2) ? OP_TAKE : OP_ACCEPT;

			err = ob_ticket(r->fd, which == OP_TAKE ? OWNBUF_IOC_TAKE :
					OWNBUF_IOC_ACCEPT, t, &out);
			race_note(which, err);
			/* The wrong kind stays valid: pass it on. */
			if (err == -EINVAL)
				mailbox_put(t, rnd);
		}
	} else if (op < 78) {
		t = mailbox_get(rnd);
		if (t) {
			err = ob_ticket(r->fd, OWNBUF_IOC_CANCEL, t, &out);
			race_note(OP_CANCEL, err);
		}
	} else if (op < 81) {
		race_note(OP_CLONE, ob_clone(r->fd, h, &out));
	} else if (op < 83) {
		race_note(OP_FREEZE, ob_handle_op(r->fd, OWNBUF_IOC_FREEZE, h, 0));
	} else if (op < 90) {
		err = ob_query(r->fd, h, &q);
		race_note(OP_QUERY, err);
		if (!err && q.out_size != RACE_SIZE)
			torn("query gave a size no buffer of this session has");
	} else if (op < 97) {
		race_private_mut(r, h, rnd);
	} else {
		race_note(OP_STATS, ob_stats(r->fd, &st));
	}
	if (!out)
		return;
	if (r->proc >= 0 && rnd_below(rnd, 4) == 0)
		race_publish(r, out, rnd);
	/*
	 * The new handle takes the place of the one there, which is ended so
	 * that a session stays far from its quotas (another thread may be
	 * using it: that is one more race).
	 */
	h = __atomic_exchange_n(place, out, __ATOMIC_RELAXED);
	err = ob_handle_op(r->fd, OWNBUF_IOC_DROP, h, OWNBUF_DROP_REVOKE);
	race_note(OP_DROP_REVOKE, err);
	if (err == -EINVAL)
		race_note(OP_RELEASE, ob_handle_op(r->fd, OWNBUF_IOC_RELEASE, h, 0));
}

static void *race_thread_fn(void *arg)
{
	struct race_thread *rt = arg;

	while (now_s() < rt->r->deadline)
		race_step(rt->r, &rt->rnd);
	return NULL;
}

/* One session shared by @threads threads for @seconds, then closed. */
static void race_run(__u64 seed, int proc, int threads, double seconds)
{
	struct race r = { .seed = seed, .deadline = now_s() + seconds, .proc = proc };
	struct race_thread rt[16];
	int i;

	r.fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (r.fd < 0)
		exit(2);
	if (ob_create(r.fd, HOT_SIZE, &r.hot))
		r.hot = 0;
	for (i = 0; i < threads; i++) {
		rt[i] = (struct race_thread){ &r, seed ^ ((__u64)i << 32) ^ getpid() };
		if (pthread_create(&rt[i].tid, NULL, race_thread_fn, &rt[i]))
			exit(2);
	}
	for (i = 0; i < threads; i++)
		pthread_join(rt[i].tid, NULL);
	close(r.fd);
}

/*
 * A child that makes buffers, loans and moves for the others and dies by
 * SIGKILL at a random point: everything it held must go with it.
 */
static void killed_child(__u64 seed)
{
	__u64 rnd = seed;
	pid_t pid = fork();

	if (pid < 0)
		return;
	if (!pid) {
		struct race r = { .seed = seed, .deadline = now_s() + 10, .proc = -1 };

		r.fd = open(DEV, O_RDWR | O_CLOEXEC);
		if (r.fd < 0)
			_exit(2);
		while (now_s() < r.deadline)
			race_step(&r, &rnd);
		_exit(0);
	}
	usleep(rnd_below(&rnd, 20000));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	__atomic_add_fetch(&sh->children_killed, 1, __ATOMIC_RELAXED);
}

/* ==== The run ==== */

struct opts {
	double seconds;
	__u64 seed;
	int procs, threads;
	int replay_proc;
	unsigned long replay_round;
};

#define MODEL_OPS	400

static void worker(const struct opts *o, int proc)
{
	double end = now_s() + o->seconds;
	__u64 rnd = o->seed ^ ((__u64)proc << 40);
	unsigned long round;

	for (round = 0; now_s() < end; round++) {
		model_run(o->seed, round, proc, MODEL_OPS);
		race_run(rnd_next(&rnd), proc, o->threads, 0.2 + rnd_below(&rnd, 300) / 1000.0);
		if (rnd_below(&rnd, 2))
			killed_child(rnd_next(&rnd));
	}
	exit(0);
}

/* Whatever is left in the mailbox belongs to sessions that are all closed. */
static int device_empty(void)
{
	struct ownbuf_stats st;
	int fd = open(DEV, O_RDWR | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = ob_stats(fd, &st);
	close(fd);
	if (err)
		return err;
	printf("# device after: buffers %llu bytes %llu borrows %llu tickets %llu mappings %llu",
	       (unsigned long long)st.out_device.buffers, (unsigned long long)st.out_device.bytes,
	       (unsigned long long)st.out_device.borrows, (unsigned long long)st.out_device.tickets,
	       (unsigned long long)st.out_device_mappings);
	printf(" sessions %llu\n", (unsigned long long)st.out_device.sessions);
	return st.out_device.buffers || st.out_device.bytes || st.out_device.borrows ||
	       st.out_device.tickets || st.out_device_mappings ||
	       st.out_device.sessions != 1 ? -1 : 0;
}

static void print_table(double seconds)
{
	__u64 total = 0;
	unsigned int op, e;

	printf("# %-12s", "op");
	for (e = 0; e < NR_ERRNOS; e++)
		printf(" %9s", errnos[e] ? strerrorname_np(errnos[e]) : "ok");
	printf(" %9s\n", "other");
	for (op = 0; op < OP_NR; op++) {
		printf("# %-12s", op_names[op]);
		for (e = 0; e <= NR_ERRNOS; e++) {
			printf(" %9llu", sh->counts[op][e]);
			total += sh->counts[op][e];
		}
		printf("\n");
	}
	printf("# %llu operations in %.1f s: %.0f ops/s; %llu children SIGKILLed; %llu SIGBUS\n",
	       total, seconds, total / seconds, sh->children_killed, sh->sigbus);
}

/* One run of the given seed; 0 when every check held. */
static int run(const struct opts *o, int *tap)
{
	double start = now_s(), took;
	int i, status, failed_procs = 0, rc = 0;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	printf("# seed %llu: %d processes of %d threads for %.0f s\n", o->seed,
	       o->procs, o->threads, o->seconds);
	fflush(stdout);
	for (i = 0; i < o->procs; i++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (!pid)
			worker(o, i);
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed_procs++;
	took = now_s() - start;
	print_table(took);

	printf("%s %d seed %llu: the model predicted every answer (%llu sessions, %llu ops)\n",
	       sh->model_failed ? "not ok" : "ok",
	       ++*tap, o->seed, sh->model_sessions, sh->model_ops);
	printf("%s %d seed %llu: races answered only what the contract allows, no torn read\n",
	       sh->torn || sh->bad_errno ? "not ok" : "ok", ++*tap, o->seed);
	if (sh->torn || sh->bad_errno)
		printf("# first: %s (%llu torn, %llu errnos outside the contract)\n",
		       sh->first_bad, sh->torn, sh->bad_errno);
	i = device_empty();
	printf("%s %d seed %llu: the device holds nothing once every process is gone\n",
	       i ? "not ok" : "ok", ++*tap, o->seed);
	printf("%s %d seed %llu: every process exited cleanly\n",
	       failed_procs ? "not ok" : "ok", ++*tap, o->seed);
	if (sh->model_failed || sh->torn || sh->bad_errno || i || failed_procs)
		rc = 1;
	return rc;
}

static double default_seconds(void)
{
	FILE *f = fopen("/etc/ownbuf/stress-seconds", "r");
	double s = 60;

	if (f) {
		if (fscanf(f, "%lf", &s) != 1)
			s = 60;
		fclose(f);
	}
	return s;
}

static void print_usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-d SECS] [-s SEED] [-p PROCS] [-t THREADS] [-r PROC:ROUND]\n",
		argv0);
	fprintf(stderr, "  -r: one model session of seed SEED alone, as a failure named it\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .seconds = 0, .seed = 0, .procs = 4, .threads = 4,
			  .replay_proc = -1 };
	struct sigaction bus = { .sa_handler = on_sigbus, .sa_flags = SA_NODEFER };
	bool given = false;
	int c, tap = 0, rc = 0;

	while ((c = getopt(argc, argv, "d:s:p:t:r:h")) != -1) {
		switch (c) {
		case 'd':
			o.seconds = atof(optarg);
			given = true;
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			given = true;
			break;
		case 'p':
			o.procs = atoi(optarg);
			break;
		case 't':
			o.threads = atoi(optarg);
			break;
		case 'r':
			if (sscanf(optarg, "%d:%lu", &o.replay_proc, &o.replay_round) != 2)
				print_usage(argv[0]);
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (o.procs < 1 || o.procs > MAX_PROCS || o.threads < 1 || o.threads > 16)
		print_usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	if (access(DEV, R_OK | W_OK)) {
		printf("1..0 # SKIP no %s\n", DEV);
		return 0;
	}
	/* Accesses through revoked mappings are expected: caught, counted. */
	if (sigaction(SIGBUS, &bus, NULL))
		return 2;
	if (o.replay_proc >= 0) {
		model_run(o.seed, o.replay_round, o.replay_proc, MODEL_OPS);
		printf("# the model session replayed without a mismatch\n");
		return 0;
	}
	if (given) {
		printf("TAP version 13\n1..4\n");
		if (!o.seconds)
			o.seconds = 60;
		return run(&o, &tap);
	}
	/* make check's slice: a fixed seed, then a fresh one, printed. */
	printf("TAP version 13\n1..8\n");
	o.seconds = default_seconds();
	o.seed = 1;
	rc |= run(&o, &tap);
	if (getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = (__u64)time(NULL) * 2654435761ULL;
	o.seconds /= 3;
	printf("# a fresh seed: %llu (replay: ownbuf_stress -s %llu -d %.0f)\n",
	       o.seed, o.seed, o.seconds);
	rc |= run(&o, &tap);
	return rc;
}
