// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf_bench: what the ownership checks of /dev/ownbuf cost, next to the
 * kernel interfaces that do the same job without them, measured in the same
 * run of the same guest.
 *
 * Every figure is the time of one operation in ns, from a timed loop of
 * clock_gettime(CLOCK_MONOTONIC) around a calibrated number of calls: the
 * median and the minimum of REPS repetitions. The variants of a group (an
 * ownbuf operation and its peers) take turns, one repetition each, so that
 * noise from the host falls on all of them alike. The table pairs each
 * ownbuf operation with a peer and gives the ratio of their medians.
 *
 * Mappings: map+touch is MAP, mmap(2), one byte written in every page and
 * munmap(2) of an existing buffer, next to the same on a memfd and on a
 * DMA-BUF of the system heap (both allocated and populated once). The
 * hand-off moves 1 MiB between two processes without a copy, one round trip
 * per operation: the producer creates, maps, fills, unmaps and gives the
 * buffer, the ticket goes over a pipe, the consumer takes, maps, sums every
 * 64-bit word, unmaps, drops and answers with the sum. Its peer is a memfd
 * the producer fills through mmap and passes over a unix socket
 * (SCM_RIGHTS), the consumer mapping and summing it the same way.
 *
 * Breakdown: query and borrow of handle 0 (EINVAL) time what a call costs
 * before it does anything (entry, copy in, the answer's check or pin), next
 * to the null ioctl. Move: a 4 KiB buffer given to another process and taken
 * back, one round trip per operation, the tickets over a unix socket; its
 * peer is a memfd sent there and back with SCM_RIGHTS, and its floor an
 * 8-byte ping-pong over a SOCK_SEQPACKET socketpair with another process,
 * no ownbuf and no descriptor: the round trip both of them pay, which
 * bounds how far below the memfd's time ownbuf's can go. Flat cost: create,
 * borrow, query and a stale query with 1, 10^3, 10^5 and 10^6 other live
 * buffers in a session of their own (the module's limits are raised for it
 * and restored after). Tail: percentiles of 10^6 consecutive create+drop,
 * borrow+release, null ioctls and runs of five null ioctls (the machine's
 * own tail, over a time as long as a create+drop's: a timer tick landing
 * in one call makes it an outlier), timed one by one, and (in the CSV)
 * their distribution in log2 buckets.
 *
 * Metadata: kernel memory per live buffer, from /proc/meminfo around the
 * creation of 10^5 buffers of 64 B and of 4 KiB that are kept alive: ownbuf
 * (a session of its own, limits raised as for the flat cost), memfd
 * (memfd_create + ftruncate, descriptors kept open) and DMA-BUF (the system
 * heap). The drop of free memory per buffer (MemFree and the per-CPU free
 * lists), what of it is beyond the buffer's data, and the growth of the
 * slab per buffer; each kind is freed before the next. Scaling: ops/s of 1
 * to N threads at once (N the CPUs online, at least 2), each thread with a
 * session of its own: readers of one buffer lent shared to them all,
 * writers of a buffer each, the null ioctl (the floor), and pread(2) of one
 * memfd (the peer); the threads start together and run for a fixed time.
 * The cost of safety: the same calls on /dev/ownbuf and on
 * /dev/ownbuf_unchecked, a bench-only build of the module with the
 * ownership checks compiled out (loaded by make bench only, never
 * installed), by turns as in every group. Tracepoints: create+drop and
 * borrow+release with ownbuf's events off and on (tracefs), switched before
 * each timed loop; not in --tiny (each switch patches the kernel's text).
 *
 * --only WORD[,WORD] runs the groups with a variant whose name has one of
 * the words; "flat", "tail", "metadata", "scaling", "safety" and "tracing"
 * name those parts. --csv PATH writes every figure of the run to PATH, one row each:
 * part,name,peer,x,value,unit,peer_value,ratio (see write_csv()).
 * --loop OP N makes nothing but N calls of one operation, for a tracer to
 * watch (scripts/guest/breakdown.sh).
 *
 * --tiny runs every group and part with one loop of a few operations, two
 * sizes of session, a short tail, 100 buffers of each kind and a few calls
 * per thread: a check that the benchmark still runs, in seconds, whose
 * figures mean nothing.
 *
 * This is not a test: a slow figure never fails it. It exits non-zero only
 * when it cannot measure (a peer or ownbuf call fails unexpectedly). An
 * ownbuf ioctl answering ENOTTY, or mmap(2) of /dev/ownbuf answering ENODEV,
 * is a module that does not implement it yet: its rows read "n/a" and the
 * peers are measured all the same. So do the DMA-BUF heap's rows on a kernel
 * without CONFIG_DMABUF_HEAPS_SYSTEM.
 */

#define _GNU_SOURCE
/* MAP's offsets are 64-bit, and so must mmap(2)'s be on a 32-bit build. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/types.h>
#include <linux/ownbuf.h>

#define OWNBUF_PATH "/dev/ownbuf"
/* The same module built with its ownership checks compiled out. */
#define UNCHECKED_PATH "/dev/ownbuf_unchecked"
#define HEAP_PATH "/dev/dma_heap/system"
/* The name fail() knows a mapping of /dev/ownbuf by. */
#define OB_MMAP "mmap of " OWNBUF_PATH

/* Repetitions of each timed loop, and how long one loop should run. */
#define REPS 9
#define LOOP_NS 50000000ULL
/* --tiny: one loop of this many operations per figure. */
#define TINY_ITERS 4

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KIB 1024UL
#define MIB (1024UL * 1024UL)
#define MAX_SIZE MIB

/* A command ownbuf does not define: the floor of any ioctl on its fd. */
#define BENCH_IOC_NULL _IO(OWNBUF_IOCTL_MAGIC, 0xff)

enum state {
	ST_OK,
	ST_NA,		/* cannot be measured here: not a failure */
	ST_ERR,		/* an unexpected error: the benchmark is broken */
};

struct variant {
	const char *name;
	int (*setup)(struct variant *v);
	int (*op)(struct variant *v);
	void (*teardown)(struct variant *v);
	size_t size;
	bool unchecked;	/* its ownbuf calls go to UNCHECKED_PATH */
	int events;	/* EV_OFF, EV_ON: ownbuf's tracepoints before each loop */

	/* Filled in by setup and used by op. */
	int fd;
	int fd2;	/* hand-off: where the consumer's replies come from */
	pid_t pid;	/* hand-off, move: the other process */
	unsigned int seq;	/* hand-off: rounds so far, for the fill byte */
	__u64 handle;

	/* Results. */
	enum state state;
	char why[128];
	__u64 iters;
	double ns[REPS];
	double med;
	double min;
};

static int ob_fd = -1;		/* the one /dev/ownbuf session */
static int heap_fd = -1;	/* /dev/dma_heap/system, or -1 */
static int heap_errno;
static char *ubuf;		/* user side of every copy */
static size_t page_size;
static bool tiny;		/* --tiny: run everything, measure nothing */
static int reps = REPS;		/* timed loops per figure */
static bool tcg;		/* the CPU is QEMU's TCG emulation */
static const char *only;	/* --only: the groups to run, else all */
static int unck_fd = -1;	/* UNCHECKED_PATH while the safety part runs */
static char unck_why[128];	/* why it could not be opened */
static FILE *csv;		/* --csv: where every figure goes, or NULL */
static char cpu_model[256] = "unknown";

static bool name_wanted(const char *name);

/*
 * Record why a call failed. ENOTTY from an ownbuf ioctl means the module
 * does not implement it; anything else is an error.
 */
static int fail(struct variant *v, const char *call, int err)
{
	if (err == ENOTTY && !strncmp(call, "OWNBUF_IOC_", 11)) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why),
			 "module does not implement %s", call);
	} else if (err == ENODEV && !strcmp(call, OB_MMAP)) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why),
			 "module does not implement mmap");
	} else if (err == EFBIG && !strcmp(call, "OWNBUF_IOC_CREATE")) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why),
			 "%zu bytes over max_buffer_size", v->size);
	} else if (!strcmp(call, "socketpair") && err != EMFILE && err != ENFILE &&
		   err != ENOMEM) {
		/* The debug kernel is built without unix sockets. */
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why), "no unix sockets in this kernel (%s)",
			 strerror(err));
	} else {
		v->state = ST_ERR;
		snprintf(v->why, sizeof(v->why), "%s: %s", call,
			 err ? strerror(err) : "unexpected success");
	}
	return -1;
}

/* Run one ioctl; on failure record its name and errno in @v. */
static int call_ioctl(struct variant *v, int fd, unsigned long cmd,
		      const char *name, void *arg)
{
	if (ioctl(fd, cmd, arg) < 0)
		return fail(v, name, errno);
	return 0;
}

/* The session @v's ownbuf calls go to: the checked device's or not. */
static int vfd(const struct variant *v)
{
	return v->unchecked ? unck_fd : ob_fd;
}

#define OB(v, cmd, arg) call_ioctl(v, vfd(v), cmd, #cmd, arg)

/*
 * Run an ownbuf ioctl that must be refused with @want; @what names the
 * call in the error that any other answer is.
 */
static int call_refused(struct variant *v, unsigned long cmd, const char *name,
			void *arg, int want, const char *what)
{
	if (ioctl(vfd(v), cmd, arg) == 0)
		return fail(v, what, 0);
	if (errno == want)
		return 0;
	if (errno == ENOTTY)
		return fail(v, name, errno);
	return fail(v, what, errno);
}

#define OB_REFUSED(v, cmd, arg, want, what) \
	call_refused(v, cmd, #cmd, arg, want, #cmd " " what)

static int ob_create(struct variant *v, size_t size, __u64 *handle)
{
	struct ownbuf_create c = { .size = size };

	if (OB(v, OWNBUF_IOC_CREATE, &c))
		return -1;
	*handle = c.out_handle;
	return 0;
}

static int ob_drop(struct variant *v, __u64 handle)
{
	struct ownbuf_handle_op d = { .handle = handle };

	return OB(v, OWNBUF_IOC_DROP, &d);
}

/* create + drop */

static int op_ob_create_drop(struct variant *v)
{
	__u64 h;

	if (ob_create(v, v->size, &h))
		return -1;
	return ob_drop(v, h);
}

static int op_memfd_create_close(struct variant *v)
{
	int fd = memfd_create("ownbuf-bench", MFD_CLOEXEC);

	if (fd < 0)
		return fail(v, "memfd_create", errno);
	if (ftruncate(fd, v->size)) {
		fail(v, "ftruncate", errno);
		close(fd);
		return -1;
	}
	if (close(fd))
		return fail(v, "close", errno);
	return 0;
}

static int setup_heap(struct variant *v)
{
	if (heap_fd < 0) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why), "no %s: %s", HEAP_PATH,
			 strerror(heap_errno));
		return -1;
	}
	return 0;
}

static int op_heap_alloc_close(struct variant *v)
{
	struct dma_heap_allocation_data a = {
		.len = v->size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (call_ioctl(v, heap_fd, DMA_HEAP_IOCTL_ALLOC, "DMA_HEAP_IOCTL_ALLOC", &a))
		return -1;
	if (close(a.fd))
		return fail(v, "close", errno);
	return 0;
}

/* Calls on a live buffer, and on a dead one */

static int setup_ob_buffer(struct variant *v)
{
	return ob_create(v, v->size, &v->handle);
}

/*
 * Drop a buffer once the figures are taken, or on the way out of a failed
 * operation whose error is already recorded. A failed drop here undoes
 * nothing: the session's close frees the buffer.
 */
static void drop_quietly(const struct variant *v, __u64 handle)
{
	struct variant scratch = { .unchecked = v->unchecked };

	if (handle)
		ob_drop(&scratch, handle);
}

static void teardown_ob_buffer(struct variant *v)
{
	drop_quietly(v, v->handle);
	v->handle = 0;
}

static int setup_ob_stale(struct variant *v)
{
	__u64 h;

	if (ob_create(v, v->size, &h) || ob_drop(v, h))
		return -1;
	v->handle = h;
	return 0;
}

static int op_ob_borrow_release(struct variant *v)
{
	struct ownbuf_borrow b = {
		.handle = v->handle,
		.mode = OWNBUF_MODE_SHARED,
	};
	struct ownbuf_handle_op r = { 0 };

	if (OB(v, OWNBUF_IOC_BORROW, &b))
		return -1;
	r.handle = b.out_handle;
	return OB(v, OWNBUF_IOC_RELEASE, &r);
}

static int op_ob_query(struct variant *v)
{
	struct ownbuf_query q = { .handle = v->handle };

	return OB(v, OWNBUF_IOC_QUERY, &q);
}

static int op_ob_query_stale(struct variant *v)
{
	struct ownbuf_query q = { .handle = v->handle };

	if (ioctl(vfd(v), OWNBUF_IOC_QUERY, &q) == 0)
		return fail(v, "OWNBUF_IOC_QUERY on a dropped handle", 0);
	if (errno == ESTALE)
		return 0;
	if (errno == ENOTTY)
		return fail(v, "OWNBUF_IOC_QUERY", errno);
	return fail(v, "OWNBUF_IOC_QUERY on a dropped handle (want ESTALE)", errno);
}

/* What a call costs before it acts: its request refused at once. */
static int op_ob_query0(struct variant *v)
{
	struct ownbuf_query q = { .handle = 0 };

	return OB_REFUSED(v, OWNBUF_IOC_QUERY, &q, EINVAL, "of handle 0 (want EINVAL)");
}

static int op_ob_borrow0(struct variant *v)
{
	struct ownbuf_borrow b = { .handle = 0, .mode = OWNBUF_MODE_SHARED };

	return OB_REFUSED(v, OWNBUF_IOC_BORROW, &b, EINVAL, "of handle 0 (want EINVAL)");
}

static int op_null_ioctl(struct variant *v)
{
	if (ioctl(vfd(v), BENCH_IOC_NULL, NULL) == 0)
		return fail(v, "undefined ioctl", 0);
	if (errno != ENOTTY)
		return fail(v, "undefined ioctl (want ENOTTY)", errno);
	return 0;
}

/* Five null ioctls in a row: the machine's tail over a create+drop's time. */
static int op_null_ioctl5(struct variant *v)
{
	int i;

	for (i = 0; i < 5; i++)
		if (op_null_ioctl(v))
			return -1;
	return 0;
}

/* Copies: ownbuf read/write against memfd pread/pwrite */

static int op_ob_read(struct variant *v)
{
	struct ownbuf_rw rw = {
		.handle = v->handle,
		.length = v->size,
		.ptr = (unsigned long)ubuf,
	};

	return OB(v, OWNBUF_IOC_READ, &rw);
}

static int op_ob_write(struct variant *v)
{
	struct ownbuf_rw rw = {
		.handle = v->handle,
		.length = v->size,
		.ptr = (unsigned long)ubuf,
	};

	return OB(v, OWNBUF_IOC_WRITE, &rw);
}

static int setup_memfd(struct variant *v)
{
	v->fd = memfd_create("ownbuf-bench", MFD_CLOEXEC);
	if (v->fd < 0)
		return fail(v, "memfd_create", errno);
	if (ftruncate(v->fd, v->size))
		return fail(v, "ftruncate", errno);
	/* Populate the pages, as a created ownbuf buffer is. */
	if (pwrite(v->fd, ubuf, v->size, 0) != (ssize_t)v->size)
		return fail(v, "pwrite", errno);
	return 0;
}

static void teardown_fd(struct variant *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

static int op_memfd_pread(struct variant *v)
{
	ssize_t n = pread(v->fd, ubuf, v->size, 0);

	if (n != (ssize_t)v->size)
		return fail(v, "pread", n < 0 ? errno : EIO);
	return 0;
}

static int op_memfd_pwrite(struct variant *v)
{
	ssize_t n = pwrite(v->fd, ubuf, v->size, 0);

	if (n != (ssize_t)v->size)
		return fail(v, "pwrite", n < 0 ? errno : EIO);
	return 0;
}

/* Mappings: map + one byte written per page + unmap */

/* Write one byte in every page of @len bytes at @p. */
static void touch_pages(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += page_size)
		p[off] = 1;
}

/*
 * MAP @handle and mmap(2) the whole of it with @prot: the mapping's address
 * and length go to @addr and @len.
 */
static int ob_map(struct variant *v, __u64 handle, int prot, char **addr, size_t *len)
{
	struct ownbuf_map m = { .handle = handle };
	void *p;

	if (OB(v, OWNBUF_IOC_MAP, &m))
		return -1;
	if (m.out_length < v->size) {
		v->state = ST_ERR;
		snprintf(v->why, sizeof(v->why),
			 "OWNBUF_IOC_MAP: out_length %llu for %zu bytes",
			 (unsigned long long)m.out_length, v->size);
		return -1;
	}
	p = mmap(NULL, m.out_length, prot, MAP_SHARED, vfd(v), (off_t)m.out_offset);
	if (p == MAP_FAILED)
		return fail(v, OB_MMAP, errno);
	*addr = p;
	*len = m.out_length;
	return 0;
}

static int op_ob_map_touch(struct variant *v)
{
	size_t len;
	char *p;

	if (ob_map(v, v->handle, PROT_READ | PROT_WRITE, &p, &len))
		return -1;
	touch_pages(p, len);
	if (munmap(p, len))
		return fail(v, "munmap", errno);
	return 0;
}

/* The same on the memfd or DMA-BUF in v->fd. */
static int op_fd_map_touch(struct variant *v)
{
	char *p;

	p = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (p == MAP_FAILED)
		return fail(v, "mmap", errno);
	touch_pages(p, v->size);
	if (munmap(p, v->size))
		return fail(v, "munmap", errno);
	return 0;
}

/* One DMA-BUF of the system heap, allocated (and so populated) once. */
static int setup_heap_buffer(struct variant *v)
{
	struct dma_heap_allocation_data a = {
		.len = v->size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (setup_heap(v))
		return -1;
	if (call_ioctl(v, heap_fd, DMA_HEAP_IOCTL_ALLOC, "DMA_HEAP_IOCTL_ALLOC", &a))
		return -1;
	v->fd = a.fd;
	return 0;
}

/*
 * Hand-off of a buffer to another process. One operation is a round trip:
 * the producer (this process) fills a new buffer and sends it, the consumer
 * (a child) sums it and answers with this reply.
 */
struct handoff_reply {
	__u64 sum;
	__u64 ticket;		/* move: the ticket that gives the buffer back */
	__s32 err;		/* errno of the call that failed, or 0 */
	char call[52];		/* its name */
};

/* The byte the producer fills round @seq with: never the same twice running. */
static unsigned int fill_byte(unsigned int seq)
{
	return seq % 255 + 1;
}

static __u64 sum_words(const char *p, size_t size)
{
	const __u64 *w = (const __u64 *)p;
	__u64 sum = 0;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++)
		sum += w[i];
	return sum;
}

static void reply_err(struct handoff_reply *r, const char *call, int err)
{
	r->err = err ? err : EIO;
	snprintf(r->call, sizeof(r->call), "%s", call);
}

static void send_reply(int fd, const struct handoff_reply *r)
{
	if (write(fd, r, sizeof(*r)) != (ssize_t)sizeof(*r))
		_exit(1);
}

/*
 * The consumer keeps none of the producer's descriptors but its own
 * channel's: a pipe end held by the other consumer would keep it waiting
 * for an end of file that never comes.
 */
static void close_other_fds(int keep1, int keep2)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep1 && fd != keep2)
			close(fd);
}

/* Consumer, ownbuf: take the buffer a ticket moves, map it, sum it, drop it. */
static void consume_ob_one(int fd, __u64 ticket, size_t size, struct handoff_reply *r)
{
	struct ownbuf_ticket_op t = { .ticket = ticket };
	struct ownbuf_handle_op d = { 0 };
	struct ownbuf_map m = { 0 };
	void *p;

	if (ioctl(fd, OWNBUF_IOC_TAKE, &t)) {
		reply_err(r, "OWNBUF_IOC_TAKE", errno);
		return;
	}
	m.handle = t.out_handle;
	if (ioctl(fd, OWNBUF_IOC_MAP, &m)) {
		reply_err(r, "OWNBUF_IOC_MAP", errno);
		goto drop;
	}
	if (m.out_length < size) {
		reply_err(r, "OWNBUF_IOC_MAP out_length", ERANGE);
		goto drop;
	}
	p = mmap(NULL, m.out_length, PROT_READ, MAP_SHARED, fd, (off_t)m.out_offset);
	if (p == MAP_FAILED) {
		reply_err(r, OB_MMAP, errno);
		goto drop;
	}
	r->sum = sum_words(p, size);
	if (munmap(p, m.out_length))
		reply_err(r, "munmap", errno);
drop:
	d.handle = t.out_handle;
	if (ioctl(fd, OWNBUF_IOC_DROP, &d) && !r->err)
		reply_err(r, "OWNBUF_IOC_DROP", errno);
}

static void __attribute__((noreturn)) consume_ob(int in, int out, size_t size)
{
	struct handoff_reply r;
	__u64 ticket;
	int fd, open_err;
	ssize_t n;

	fd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
	open_err = errno;
	for (;;) {
		n = read(in, &ticket, sizeof(ticket));
		if (n == 0)
			_exit(0);
		memset(&r, 0, sizeof(r));
		if (n != (ssize_t)sizeof(ticket)) {
			reply_err(&r, "read of a ticket", n < 0 ? errno : EIO);
			send_reply(out, &r);
			_exit(1);
		}
		if (fd < 0)
			reply_err(&r, "open " OWNBUF_PATH, open_err);
		else
			consume_ob_one(fd, ticket, size, &r);
		send_reply(out, &r);
	}
}

/* Consumer, memfd: receive a descriptor, map it, sum it, close it. */
static void consume_memfd_one(int fd, size_t size, struct handoff_reply *r)
{
	void *p;

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		reply_err(r, "mmap of the memfd received", errno);
		return;
	}
	r->sum = sum_words(p, size);
	if (munmap(p, size))
		reply_err(r, "munmap", errno);
}

/* Send @fd over the unix socket @sock with one byte; -1 and errno on failure. */
static int send_fd(int sock, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	char byte = 'm';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sock, &m, 0) != 1)
		return -1;
	return 0;
}

/*
 * Receive what send_fd() sent: the descriptor goes to @fd, -1 when none
 * came. Returns what recvmsg(2) did: 0 is the end of the peer.
 */
static ssize_t recv_fd(int sock, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(*fd));
	return n;
}

static void __attribute__((noreturn)) consume_memfd(int sock, size_t size)
{
	struct handoff_reply r;
	ssize_t n;
	int fd;

	for (;;) {
		n = recv_fd(sock, &fd);
		if (n == 0)
			_exit(0);
		memset(&r, 0, sizeof(r));
		if (fd < 0) {
			reply_err(&r, "recvmsg of a memfd", n < 0 ? errno : EPROTO);
			send_reply(sock, &r);
			_exit(1);
		}
		consume_memfd_one(fd, size, &r);
		if (close(fd) && !r.err)
			reply_err(&r, "close of the memfd received", errno);
		send_reply(sock, &r);
	}
}

/* Read the other process's reply; a failure it reports is @v's. */
static int read_reply(struct variant *v, struct handoff_reply *r)
{
	ssize_t n;

	n = read(v->fd2, r, sizeof(*r));
	if (n != (ssize_t)sizeof(*r))
		return fail(v, "read of the consumer's reply", n < 0 ? errno : EPIPE);
	if (r->err) {
		r->call[sizeof(r->call) - 1] = '\0';
		return fail(v, r->call, r->err);
	}
	return 0;
}

/* Wait for the consumer's answer to round v->seq and check its sum. */
static int await_reply(struct variant *v)
{
	__u64 want = (__u64)(v->size / 8) * (fill_byte(v->seq) * 0x0101010101010101ULL);
	struct handoff_reply r;

	if (read_reply(v, &r))
		return -1;
	if (r.sum != want) {
		v->state = ST_ERR;
		snprintf(v->why, sizeof(v->why), "the consumer summed %#llx, want %#llx",
			 (unsigned long long)r.sum, (unsigned long long)want);
		return -1;
	}
	return 0;
}

/* Start the consumer: ownbuf tickets over one pipe, replies over another. */
static int setup_ob_handoff(struct variant *v)
{
	int tp[2], rp[2];

	if (pipe2(tp, O_CLOEXEC))
		return fail(v, "pipe2", errno);
	if (pipe2(rp, O_CLOEXEC)) {
		close(tp[0]);
		close(tp[1]);
		return fail(v, "pipe2", errno);
	}
	v->pid = fork();
	if (v->pid == 0) {
		close_other_fds(tp[0], rp[1]);
		consume_ob(tp[0], rp[1], v->size);
	}
	close(tp[0]);
	close(rp[1]);
	v->fd = tp[1];
	v->fd2 = rp[0];
	if (v->pid < 0)
		return fail(v, "fork", errno);
	return 0;
}

/*
 * Start @child in a process of its own, connected to this one by a unix
 * socket, whose end here goes to @sock (for the teardown to close).
 */
static int fork_peer(struct variant *v, void (*child)(int sock, size_t size), int *sock)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return fail(v, "socketpair", errno);
	v->pid = fork();
	if (v->pid == 0) {
		close_other_fds(sv[1], -1);
		child(sv[1], v->size);
		_exit(1);
	}
	close(sv[1]);
	*sock = sv[0];
	if (v->pid < 0)
		return fail(v, "fork", errno);
	return 0;
}

/* Start the consumer: memfds and replies over one unix socket. */
static int setup_memfd_handoff(struct variant *v)
{
	int ret = fork_peer(v, consume_memfd, &v->fd2);

	v->fd = v->fd2;
	return ret;
}

/* End of file on its channel ends the consumer; one that failed is an error. */
static void teardown_handoff(struct variant *v)
{
	int status;

	if (v->fd2 >= 0 && v->fd2 != v->fd)
		close(v->fd2);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->fd2 = -1;
	if (v->pid <= 0)
		return;
	if (waitpid(v->pid, &status, 0) != v->pid) {
		fail(v, "waitpid", errno);
	} else if ((!WIFEXITED(status) || WEXITSTATUS(status)) && v->state == ST_OK) {
		v->state = ST_ERR;
		snprintf(v->why, sizeof(v->why), "the consumer ended with status %#x", status);
	}
	v->pid = 0;
}

static int op_ob_handoff(struct variant *v)
{
	struct ownbuf_give g = { 0 };
	size_t len;
	char *p;
	__u64 h;

	v->seq++;
	if (ob_create(v, v->size, &h))
		return -1;
	if (ob_map(v, h, PROT_READ | PROT_WRITE, &p, &len))
		goto drop;
	memset(p, fill_byte(v->seq), v->size);
	if (munmap(p, len)) {
		fail(v, "munmap", errno);
		goto drop;
	}
	g.handle = h;
	if (OB(v, OWNBUF_IOC_GIVE, &g))
		goto drop;
	if (write(v->fd, &g.out_ticket, sizeof(g.out_ticket)) != (ssize_t)sizeof(g.out_ticket))
		return fail(v, "write of a ticket", errno);
	return await_reply(v);
drop:
	drop_quietly(v, h);
	return -1;
}

static int op_memfd_handoff(struct variant *v)
{
	int fd, ret = -1;
	char *p;

	v->seq++;
	fd = memfd_create("ownbuf-bench", MFD_CLOEXEC);
	if (fd < 0)
		return fail(v, "memfd_create", errno);
	if (ftruncate(fd, v->size)) {
		fail(v, "ftruncate", errno);
		goto out;
	}
	p = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail(v, "mmap", errno);
		goto out;
	}
	memset(p, fill_byte(v->seq), v->size);
	if (munmap(p, v->size)) {
		fail(v, "munmap", errno);
		goto out;
	}
	ret = send_fd(v->fd, fd);
	if (ret)
		fail(v, "sendmsg of a memfd", errno);
out:
	close(fd);
	return ret ? ret : await_reply(v);
}

/*
 * Move: a buffer given to another process and taken back, one round trip
 * per operation. The other process takes each ticket it receives in a
 * session of its own, gives the buffer straight back and answers with the
 * new ticket.
 */
static void move_ob_one(int fd, __u64 ticket, struct handoff_reply *r)
{
	struct ownbuf_ticket_op t = { .ticket = ticket };
	struct ownbuf_give g = { 0 };

	if (ioctl(fd, OWNBUF_IOC_TAKE, &t)) {
		reply_err(r, "OWNBUF_IOC_TAKE", errno);
		return;
	}
	g.handle = t.out_handle;
	if (ioctl(fd, OWNBUF_IOC_GIVE, &g)) {
		reply_err(r, "OWNBUF_IOC_GIVE", errno);
		return;
	}
	r->ticket = g.out_ticket;
}

static void __attribute__((noreturn)) move_ob_peer(int sock, size_t size)
{
	struct handoff_reply r;
	__u64 ticket;
	int fd, open_err;
	ssize_t n;

	(void)size;
	fd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
	open_err = errno;
	for (;;) {
		n = read(sock, &ticket, sizeof(ticket));
		if (n == 0)
			_exit(0);
		memset(&r, 0, sizeof(r));
		if (n != (ssize_t)sizeof(ticket)) {
			reply_err(&r, "read of a ticket", n < 0 ? errno : EIO);
			send_reply(sock, &r);
			_exit(1);
		}
		if (fd < 0)
			reply_err(&r, "open " OWNBUF_PATH, open_err);
		else
			move_ob_one(fd, ticket, &r);
		send_reply(sock, &r);
	}
}

/* The memfd's other process: send every descriptor straight back. */
static void __attribute__((noreturn)) move_memfd_peer(int sock, size_t size)
{
	ssize_t n;
	int fd;

	(void)size;
	for (;;) {
		n = recv_fd(sock, &fd);
		if (n == 0)
			_exit(0);
		if (fd < 0 || send_fd(sock, fd))
			_exit(1);
		close(fd);
	}
}

static int setup_ob_move(struct variant *v)
{
	int ret;

	if (setup_ob_buffer(v))
		return -1;
	ret = fork_peer(v, move_ob_peer, &v->fd2);
	v->fd = v->fd2;
	return ret;
}

static void teardown_ob_move(struct variant *v)
{
	teardown_handoff(v);
	teardown_ob_buffer(v);
}

static int op_ob_move(struct variant *v)
{
	struct ownbuf_give g = { .handle = v->handle };
	struct ownbuf_ticket_op t = { 0 };
	struct handoff_reply r;

	if (OB(v, OWNBUF_IOC_GIVE, &g))
		return -1;
	v->handle = 0;
	if (write(v->fd, &g.out_ticket, sizeof(g.out_ticket)) != (ssize_t)sizeof(g.out_ticket))
		return fail(v, "write of a ticket", errno);
	if (read_reply(v, &r))
		return -1;
	t.ticket = r.ticket;
	if (OB(v, OWNBUF_IOC_TAKE, &t))
		return -1;
	v->handle = t.out_handle;
	return 0;
}

/* The memfd in v->fd, its other process at the end of v->fd2. */
static int setup_memfd_move(struct variant *v)
{
	if (setup_memfd(v))
		return -1;
	return fork_peer(v, move_memfd_peer, &v->fd2);
}

static int op_memfd_move(struct variant *v)
{
	ssize_t n;
	int fd;

	if (send_fd(v->fd2, v->fd))
		return fail(v, "sendmsg of a memfd", errno);
	n = recv_fd(v->fd2, &fd);
	if (fd < 0)
		return fail(v, "recvmsg of the memfd sent back", n < 0 ? errno : EPIPE);
	close(v->fd);
	v->fd = fd;
	return 0;
}

/*
 * The floor of move: 8 bytes there and back over a SOCK_SEQPACKET
 * socketpair, the other process answering each message with itself. No
 * ownbuf call and no descriptor: what any round trip between two processes
 * costs, move's and its peer's alike.
 */
static void __attribute__((noreturn)) pingpong_peer(int sock, size_t size)
{
	__u64 word;
	ssize_t n;

	(void)size;
	for (;;) {
		n = read(sock, &word, sizeof(word));
		if (n == 0)
			_exit(0);
		if (n != (ssize_t)sizeof(word) ||
		    write(sock, &word, sizeof(word)) != (ssize_t)sizeof(word))
			_exit(1);
	}
}

static int setup_pingpong(struct variant *v)
{
	int ret = fork_peer(v, pingpong_peer, &v->fd2);

	v->fd = v->fd2;
	return ret;
}

static int op_pingpong(struct variant *v)
{
	__u64 word = ++v->seq, back = 0;
	ssize_t n;

	if (write(v->fd, &word, sizeof(word)) != (ssize_t)sizeof(word))
		return fail(v, "write of the ping", errno);
	n = read(v->fd, &back, sizeof(back));
	if (n != (ssize_t)sizeof(back))
		return fail(v, "read of the pong", n < 0 ? errno : EPIPE);
	if (back != word)
		return fail(v, "read of the pong (not the ping)", EPROTO);
	return 0;
}

/*
 * The cost of safety: a buffer on the unchecked build's device, opened by
 * run_safety() when it is there.
 */
static int setup_unck_buffer(struct variant *v)
{
	if (unck_fd < 0) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why), "%s", unck_why);
		return -1;
	}
	return setup_ob_buffer(v);
}

/*
 * Tracepoints: the same calls with ownbuf's events off and on (tracefs),
 * switched before each timed loop, so the two take turns like any group.
 */
#define EVENTS_PATH "/sys/kernel/tracing/events/ownbuf/enable"
enum { EV_ANY, EV_OFF, EV_ON };
static int events_fd = -1;

static int set_events(struct variant *v)
{
	const char *val = v->events == EV_ON ? "1" : "0";

	if (pwrite(events_fd, val, 1, 0) != 1)
		return fail(v, "write of " EVENTS_PATH, errno);
	return 0;
}

static int setup_events(struct variant *v)
{
	if (events_fd < 0) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why), "no %s", EVENTS_PATH);
		return -1;
	}
	return v->size == 4 * KIB ? setup_ob_buffer(v) : 0;
}

/* The variants, and the pairs the table shows */

#define V_(vname, vsize, vsetup, vop, vteardown, vunchecked) {		\
	.name = vname, .size = vsize, .setup = vsetup, .op = vop,	\
	.teardown = vteardown, .fd = -1, .fd2 = -1,			\
	.unchecked = vunchecked,					\
}

#define V(vname, vsize, vsetup, vop, vteardown)				\
	V_(vname, vsize, vsetup, vop, vteardown, false)
/* The same operation on UNCHECKED_PATH. */
#define VU(vname, vsize, vop)						\
	V_(vname, vsize, setup_unck_buffer, vop, teardown_ob_buffer, true)
/* With ownbuf's events set off or on before each timed loop. */
#define EV(vname, vsize, vop, vevents) {				\
	.name = vname, .size = vsize, .setup = setup_events, .op = vop,	\
	.teardown = teardown_ob_buffer, .fd = -1, .fd2 = -1,		\
	.events = vevents,						\
}

enum {
	OB_CREATE, MEMFD_CREATE, HEAP_ALLOC,
	OB_BORROW, OB_QUERY, OB_STALE, NULL_IOCTL, OB_QUERY0, OB_BORROW0,
	OB_READ_4K, MEMFD_PREAD_4K, OB_WRITE_4K, MEMFD_PWRITE_4K,
	OB_READ_64K, MEMFD_PREAD_64K, OB_WRITE_64K, MEMFD_PWRITE_64K,
	OB_READ_1M, MEMFD_PREAD_1M, OB_WRITE_1M, MEMFD_PWRITE_1M,
	OB_MAP_4K, MEMFD_MAP_4K, HEAP_MAP_4K,
	OB_MAP_1M, MEMFD_MAP_1M, HEAP_MAP_1M,
	OB_HANDOFF, MEMFD_HANDOFF,
	OB_MOVE, MEMFD_MOVE, MOVE_FLOOR,
	/* Flat cost and tail: figures of their own, not in the table. */
	FLAT_CREATE, FLAT_BORROW, FLAT_QUERY, FLAT_STALE,
	TAIL_CREATE, TAIL_BORROW, TAIL_NULL, TAIL_NULL5,
	/* The cost of safety: each operation checked, then unchecked. */
	SAFE_READ_64, UNCK_READ_64, SAFE_WRITE_64, UNCK_WRITE_64,
	SAFE_READ_4K, UNCK_READ_4K, SAFE_WRITE_4K, UNCK_WRITE_4K,
	SAFE_BORROW, UNCK_BORROW, SAFE_QUERY, UNCK_QUERY,
	/* Tracepoints: each operation with ownbuf's events off, then on. */
	EV_CREATE_OFF, EV_CREATE_ON, EV_BORROW_OFF, EV_BORROW_ON,
	NR_VARIANTS,
};

static struct variant variants[NR_VARIANTS] = {
	[OB_CREATE] = V("create+drop 4 KiB", 4 * KIB,
			NULL, op_ob_create_drop, NULL),
	[MEMFD_CREATE] = V("memfd+ftruncate+close 4 KiB", 4 * KIB,
			   NULL, op_memfd_create_close, NULL),
	[HEAP_ALLOC] = V("dma-heap alloc+close 4 KiB", 4 * KIB,
			 setup_heap, op_heap_alloc_close, NULL),
	[OB_BORROW] = V("borrow+release (shared)", 4 * KIB,
			setup_ob_buffer, op_ob_borrow_release, teardown_ob_buffer),
	[OB_QUERY] = V("query", 4 * KIB,
		       setup_ob_buffer, op_ob_query, teardown_ob_buffer),
	[OB_STALE] = V("query stale (ESTALE)", 4 * KIB,
		       setup_ob_stale, op_ob_query_stale, NULL),
	[NULL_IOCTL] = V("null ioctl (ENOTTY)", 0,
			 NULL, op_null_ioctl, NULL),
	[OB_QUERY0] = V("query of handle 0 (EINVAL)", 0,
			NULL, op_ob_query0, NULL),
	[OB_BORROW0] = V("borrow of handle 0 (EINVAL)", 0,
			 NULL, op_ob_borrow0, NULL),
	[OB_READ_4K] = V("read 4 KiB", 4 * KIB,
			 setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[MEMFD_PREAD_4K] = V("memfd pread 4 KiB", 4 * KIB,
			     setup_memfd, op_memfd_pread, teardown_fd),
	[OB_WRITE_4K] = V("write 4 KiB", 4 * KIB,
			  setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[MEMFD_PWRITE_4K] = V("memfd pwrite 4 KiB", 4 * KIB,
			      setup_memfd, op_memfd_pwrite, teardown_fd),
	[OB_READ_64K] = V("read 64 KiB", 64 * KIB,
			  setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[MEMFD_PREAD_64K] = V("memfd pread 64 KiB", 64 * KIB,
			      setup_memfd, op_memfd_pread, teardown_fd),
	[OB_WRITE_64K] = V("write 64 KiB", 64 * KIB,
			   setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[MEMFD_PWRITE_64K] = V("memfd pwrite 64 KiB", 64 * KIB,
			       setup_memfd, op_memfd_pwrite, teardown_fd),
	[OB_READ_1M] = V("read 1 MiB", MIB,
			 setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[MEMFD_PREAD_1M] = V("memfd pread 1 MiB", MIB,
			     setup_memfd, op_memfd_pread, teardown_fd),
	[OB_WRITE_1M] = V("write 1 MiB", MIB,
			  setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[MEMFD_PWRITE_1M] = V("memfd pwrite 1 MiB", MIB,
			      setup_memfd, op_memfd_pwrite, teardown_fd),
	[OB_MAP_4K] = V("map+touch 4 KiB", 4 * KIB,
			setup_ob_buffer, op_ob_map_touch, teardown_ob_buffer),
	[MEMFD_MAP_4K] = V("memfd mmap+touch 4 KiB", 4 * KIB,
			   setup_memfd, op_fd_map_touch, teardown_fd),
	[HEAP_MAP_4K] = V("dma-heap mmap+touch 4 KiB", 4 * KIB,
			  setup_heap_buffer, op_fd_map_touch, teardown_fd),
	[OB_MAP_1M] = V("map+touch 1 MiB", MIB,
			setup_ob_buffer, op_ob_map_touch, teardown_ob_buffer),
	[MEMFD_MAP_1M] = V("memfd mmap+touch 1 MiB", MIB,
			   setup_memfd, op_fd_map_touch, teardown_fd),
	[HEAP_MAP_1M] = V("dma-heap mmap+touch 1 MiB", MIB,
			  setup_heap_buffer, op_fd_map_touch, teardown_fd),
	[OB_HANDOFF] = V("hand-off 1 MiB", MIB,
			 setup_ob_handoff, op_ob_handoff, teardown_handoff),
	[MEMFD_HANDOFF] = V("memfd+SCM_RIGHTS 1 MiB", MIB,
			    setup_memfd_handoff, op_memfd_handoff, teardown_handoff),
	[OB_MOVE] = V("move 4 KiB (round trip)", 4 * KIB,
		      setup_ob_move, op_ob_move, teardown_ob_move),
	[MEMFD_MOVE] = V("memfd SCM_RIGHTS 4 KiB", 4 * KIB,
			 setup_memfd_move, op_memfd_move, teardown_handoff),
	[MOVE_FLOOR] = V("socket ping-pong 8 B (floor)", 8,
			 setup_pingpong, op_pingpong, teardown_handoff),
	[FLAT_CREATE] = V("create+drop 64 B", 64,
			  NULL, op_ob_create_drop, NULL),
	[FLAT_BORROW] = V("borrow+release (shared)", 64,
			  setup_ob_buffer, op_ob_borrow_release, teardown_ob_buffer),
	[FLAT_QUERY] = V("query", 64,
			 setup_ob_buffer, op_ob_query, teardown_ob_buffer),
	[FLAT_STALE] = V("query stale (ESTALE)", 64,
			 setup_ob_stale, op_ob_query_stale, NULL),
	[TAIL_CREATE] = V("create+drop 4 KiB", 4 * KIB,
			  NULL, op_ob_create_drop, NULL),
	[TAIL_BORROW] = V("borrow+release (shared)", 4 * KIB,
			  setup_ob_buffer, op_ob_borrow_release, teardown_ob_buffer),
	/* The machine's own tail (timer ticks, the host): no ownbuf work. */
	[TAIL_NULL] = V("null ioctl (ENOTTY)", 0, NULL, op_null_ioctl, NULL),
	/* As long as create+drop: as likely to have a timer tick land in it. */
	[TAIL_NULL5] = V("5 null ioctls", 0, NULL, op_null_ioctl5, NULL),
	[SAFE_READ_64] = V("read 64 B", 64,
			   setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[UNCK_READ_64] = VU("read 64 B unchecked", 64, op_ob_read),
	[SAFE_WRITE_64] = V("write 64 B", 64,
			    setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[UNCK_WRITE_64] = VU("write 64 B unchecked", 64, op_ob_write),
	[SAFE_READ_4K] = V("read 4 KiB", 4 * KIB,
			   setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[UNCK_READ_4K] = VU("read 4 KiB unchecked", 4 * KIB, op_ob_read),
	[SAFE_WRITE_4K] = V("write 4 KiB", 4 * KIB,
			    setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[UNCK_WRITE_4K] = VU("write 4 KiB unchecked", 4 * KIB, op_ob_write),
	[SAFE_BORROW] = V("borrow+release (shared)", 4 * KIB,
			  setup_ob_buffer, op_ob_borrow_release, teardown_ob_buffer),
	[UNCK_BORROW] = VU("borrow+release (shared) unchecked", 4 * KIB,
			   op_ob_borrow_release),
	[SAFE_QUERY] = V("query", 4 * KIB,
			 setup_ob_buffer, op_ob_query, teardown_ob_buffer),
	[UNCK_QUERY] = VU("query unchecked", 4 * KIB, op_ob_query),
	[EV_CREATE_OFF] = EV("create+drop 64 B", 64, op_ob_create_drop, EV_OFF),
	[EV_CREATE_ON] = EV("create+drop 64 B, events on", 64, op_ob_create_drop, EV_ON),
	[EV_BORROW_OFF] = EV("borrow+release (shared)", 4 * KIB, op_ob_borrow_release, EV_OFF),
	[EV_BORROW_ON] = EV("borrow+release, events on", 4 * KIB, op_ob_borrow_release, EV_ON),
};

/* Variants measured by turns; -1 ends a group. */
static const int groups[][8] = {
	{ OB_CREATE, MEMFD_CREATE, HEAP_ALLOC, -1 },
	{ OB_BORROW, OB_QUERY, OB_STALE, NULL_IOCTL, OB_QUERY0, OB_BORROW0, -1 },
	{ OB_READ_4K, MEMFD_PREAD_4K, -1 },
	{ OB_WRITE_4K, MEMFD_PWRITE_4K, -1 },
	{ OB_READ_64K, MEMFD_PREAD_64K, -1 },
	{ OB_WRITE_64K, MEMFD_PWRITE_64K, -1 },
	{ OB_READ_1M, MEMFD_PREAD_1M, -1 },
	{ OB_WRITE_1M, MEMFD_PWRITE_1M, -1 },
	{ OB_MAP_4K, MEMFD_MAP_4K, HEAP_MAP_4K, -1 },
	{ OB_MAP_1M, MEMFD_MAP_1M, HEAP_MAP_1M, -1 },
	{ OB_HANDOFF, MEMFD_HANDOFF, -1 },
	{ OB_MOVE, MEMFD_MOVE, MOVE_FLOOR, -1 },
};

/* The cost of safety: each a checked variant and its unchecked twin. */
static const int safety_groups[][3] = {
	{ SAFE_READ_64, UNCK_READ_64, -1 },
	{ SAFE_WRITE_64, UNCK_WRITE_64, -1 },
	{ SAFE_READ_4K, UNCK_READ_4K, -1 },
	{ SAFE_WRITE_4K, UNCK_WRITE_4K, -1 },
	{ SAFE_BORROW, UNCK_BORROW, -1 },
	{ SAFE_QUERY, UNCK_QUERY, -1 },
};

static const int events_groups[][3] = {
	{ EV_CREATE_OFF, EV_CREATE_ON, -1 },
	{ EV_BORROW_OFF, EV_BORROW_ON, -1 },
};

/* The flat cost's group, run once per size of session. */
static const int flat_group[] = { FLAT_CREATE, FLAT_BORROW, FLAT_QUERY, FLAT_STALE, -1 };
#define FLAT_OPS (ARRAY_SIZE(flat_group) - 1)

static const int tail_variants[] = { TAIL_CREATE, TAIL_BORROW, TAIL_NULL, TAIL_NULL5 };

/* Rows of the table: an ownbuf operation and its peer. */
static const int pairs[][2] = {
	{ OB_CREATE, MEMFD_CREATE },
	{ OB_CREATE, HEAP_ALLOC },
	{ OB_BORROW, NULL_IOCTL },
	{ OB_QUERY, NULL_IOCTL },
	{ OB_STALE, NULL_IOCTL },
	{ OB_QUERY0, NULL_IOCTL },
	{ OB_BORROW0, NULL_IOCTL },
	{ OB_READ_4K, MEMFD_PREAD_4K },
	{ OB_WRITE_4K, MEMFD_PWRITE_4K },
	{ OB_READ_64K, MEMFD_PREAD_64K },
	{ OB_WRITE_64K, MEMFD_PWRITE_64K },
	{ OB_READ_1M, MEMFD_PREAD_1M },
	{ OB_WRITE_1M, MEMFD_PWRITE_1M },
	{ OB_MAP_4K, MEMFD_MAP_4K },
	{ OB_MAP_4K, HEAP_MAP_4K },
	{ OB_MAP_1M, MEMFD_MAP_1M },
	{ OB_MAP_1M, HEAP_MAP_1M },
	{ OB_HANDOFF, MEMFD_HANDOFF },
	{ OB_MOVE, MEMFD_MOVE },
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Time @n calls of @v's operation; 0 when one of them failed. */
static __u64 timed_loop(struct variant *v, __u64 n)
{
	__u64 i, t0, t;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (v->op(v))
			return 0;
	t = now_ns() - t0;
	return t ? t : 1;
}

/* Find how many calls take about LOOP_NS; --tiny makes a few. */
static int calibrate(struct variant *v)
{
	__u64 n = 1, t;

	if (tiny) {
		v->iters = TINY_ITERS;
		return 0;
	}
	for (;;) {
		t = timed_loop(v, n);
		if (!t)
			return -1;
		if (t >= LOOP_NS / 4 || n >= (1ULL << 32))
			break;
		n *= t < LOOP_NS / 256 ? 16 : 2;
	}
	n = n * LOOP_NS / t;
	v->iters = n ? n : 1;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void run_group(const int *g)
{
	struct variant *v;
	int i, rep;
	__u64 t;

	for (i = 0; g[i] >= 0; i++) {
		v = &variants[g[i]];
		v->state = ST_OK;
		if (v->setup && v->setup(v))
			continue;
		calibrate(v);
	}
	for (rep = 0; rep < reps; rep++) {
		for (i = 0; g[i] >= 0; i++) {
			v = &variants[g[i]];
			if (v->state != ST_OK)
				continue;
			/*
			 * A switch patches kernel text, which an emulator then
			 * translates again: warm up before timing.
			 */
			if (v->events != EV_ANY &&
			    (set_events(v) || !timed_loop(v, v->iters / 2 + 1)))
				continue;
			t = timed_loop(v, v->iters);
			if (t)
				v->ns[rep] = (double)t / v->iters;
		}
	}
	for (i = 0; g[i] >= 0; i++) {
		v = &variants[g[i]];
		if (v->teardown)
			v->teardown(v);
		if (v->state != ST_OK)
			continue;
		qsort(v->ns, reps, sizeof(v->ns[0]), cmp_double);
		v->min = v->ns[0];
		v->med = v->ns[reps / 2];
	}
}

static void fmt_ns(char *buf, size_t len, const struct variant *v, double ns)
{
	if (v->state == ST_OK)
		snprintf(buf, len, "%.0f", ns);
	else
		snprintf(buf, len, "%s", v->state == ST_NA ? "n/a" : "error");
}

static void print_row(const struct variant *o, const struct variant *p)
{
	char om[24], on[24], pm[24], pn[24], ratio[160];
	const struct variant *bad = o->state != ST_OK ? o : p;

	fmt_ns(om, sizeof(om), o, o->med);
	fmt_ns(on, sizeof(on), o, o->min);
	fmt_ns(pm, sizeof(pm), p, p->med);
	fmt_ns(pn, sizeof(pn), p, p->min);
	if (o->state == ST_OK && p->state == ST_OK)
		snprintf(ratio, sizeof(ratio), "%.2f", o->med / p->med);
	else
		snprintf(ratio, sizeof(ratio), "%s (%s)",
			 bad->state == ST_NA ? "n/a" : "error", bad->why);
	printf("%-28s %10s %10s  %-28s %10s %10s  %s\n",
	       o->name, om, on, p->name, pm, pn, ratio);
}

static void print_header(void)
{
	struct utsname u;
	char line[256];
	FILE *f;

	uname(&u);
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(cpu_model, sizeof(cpu_model), "%s", c + 2);
			cpu_model[strcspn(cpu_model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	tcg = strstr(cpu_model, "TCG");
	/* Under TCG a time is an emulated CPU's: only the ratios mean anything. */
	printf("ownbuf bench: kernel %s %s, cpu \"%s\", %ld cpus%s\n",
	       u.release, u.machine, cpu_model, sysconf(_SC_NPROCESSORS_ONLN),
	       tcg ? " (TCG emulation)" :
	       " (absolute times are meaningful: hardware virtualization)");
	if (tiny)
		printf("--tiny: one loop of %d operations per figure; the figures mean nothing\n",
		       TINY_ITERS);
	else
		printf("ns per operation, median and min of %d timed loops of ~%llu ms each; ",
		       REPS, LOOP_NS / 1000000ULL);
	printf("ratio = ownbuf median / peer median (below 1: ownbuf faster)\n\n");
	printf("%-28s %10s %10s  %-28s %10s %10s  %s\n",
	       "ownbuf", "median ns", "min ns", "peer", "median ns", "min ns", "ratio");
}

/* One side of a round trip's summary: time per @what and how many per second. */
static void fmt_trip(char *buf, size_t len, const struct variant *v, const char *what)
{
	if (v->state == ST_OK)
		snprintf(buf, len, "%.1f us per %s (%.0f/s)", v->med / 1e3, what, 1e9 / v->med);
	else
		snprintf(buf, len, "%s", v->state == ST_NA ? "n/a" : "error");
}

static void print_notes(void)
{
	const struct variant *o = &variants[OB_HANDOFF], *p = &variants[MEMFD_HANDOFF], *f;
	char ob[64], mf[64], fl[192], ratio[24] = "n/a";

	printf("\n");
	printf("map+touch: MAP, mmap, a byte written per page, munmap of a buffer made once;\n");
	printf("  peers: the same on a memfd populated once, on a DMA-BUF allocated once\n");
	printf("  from the system heap (no DMA_BUF_IOCTL_SYNC)\n");
	printf("hand-off: a round trip between two processes; the producer creates, maps,\n");
	printf("  fills, unmaps, gives, sends the ticket over a pipe; the consumer takes,\n");
	printf("  maps, sums the 64-bit words, unmaps, drops and answers with the sum;\n");
	printf("  peer: a new memfd filled through mmap, sent over a unix socket\n");
	printf("  (SCM_RIGHTS), mapped and summed by the consumer\n");
	fmt_trip(ob, sizeof(ob), o, "hand-off");
	fmt_trip(mf, sizeof(mf), p, "hand-off");
	if (o->state == ST_OK && p->state == ST_OK)
		snprintf(ratio, sizeof(ratio), "%.2f", o->med / p->med);
	printf("%s, medians: ownbuf %s, memfd %s, ownbuf/memfd %s\n",
	       o->name, ob, mf, ratio);

	o = &variants[OB_MOVE];
	p = &variants[MEMFD_MOVE];
	printf("move: give, the ticket over a unix socket, take and give in another\n");
	printf("  process's session, the ticket back, take; one round trip per operation;\n");
	printf("  peer: a memfd sent there and back over a unix socket (SCM_RIGHTS)\n");
	fmt_trip(ob, sizeof(ob), o, "round trip");
	fmt_trip(mf, sizeof(mf), p, "round trip");
	snprintf(ratio, sizeof(ratio), "n/a");
	if (o->state == ST_OK && p->state == ST_OK)
		snprintf(ratio, sizeof(ratio), "%.2f", o->med / p->med);
	printf("move 4 KiB, medians: ownbuf %s, memfd %s, ownbuf/memfd %s (goal: 0.50 or below)\n",
	       ob, mf, ratio);

	f = &variants[MOVE_FLOOR];
	printf("floor: 8 bytes there and back over a SOCK_SEQPACKET socketpair with another\n");
	printf("  process, no ownbuf, no descriptor passed: the round trip that move and its\n");
	printf("  peer both make, so ownbuf/memfd cannot go below floor/memfd even were\n");
	printf("  ownbuf's own part free\n");
	if (f->state == ST_OK)
		fmt_trip(fl, sizeof(fl), f, "round trip");
	else
		snprintf(fl, sizeof(fl), "%s (%s)", f->state == ST_NA ? "n/a" : "error", f->why);
	snprintf(ob, sizeof(ob), "n/a");
	snprintf(mf, sizeof(mf), "n/a");
	snprintf(ratio, sizeof(ratio), "n/a");
	if (f->state == ST_OK && o->state == ST_OK)
		snprintf(ob, sizeof(ob), "%.2f", o->med / f->med);
	if (f->state == ST_OK && p->state == ST_OK) {
		snprintf(mf, sizeof(mf), "%.2f", p->med / f->med);
		snprintf(ratio, sizeof(ratio), "%.2f", f->med / p->med);
	}
	printf("move floor, median: %s; ownbuf/floor %s, memfd/floor %s,\n", fl, ob, mf);
	printf("  floor/memfd %s (the least ownbuf/memfd can be)\n", ratio);
}

/*
 * Flat cost: the same calls with more and more other live buffers in the
 * session. The session is one of its own, filled with 64-byte buffers, and
 * the module's limits are raised for it where they are too low, then put
 * back.
 */
#define PARAM_DIR "/sys/module/ownbuf/parameters/"
#define FLAT_BUF_SIZE 64
/* Longest the filling of the session may take before the largest size. */
#define FLAT_SETUP_NS 20000000000ULL

struct limit {
	const char *name;
	bool bytes;		/* a limit in bytes, not in buffers or handles */
	bool raised;
	unsigned long long old;
};

static struct limit limits[] = {
	{ .name = "session_max_buffers" },
	{ .name = "session_max_handles" },
	{ .name = "session_max_bytes", .bytes = true },
	{ .name = "user_max_bytes", .bytes = true },
	{ .name = "device_max_bytes", .bytes = true },
};

static const unsigned long flat_sizes[] = { 1, 1000, 100000, 1000000 };
static const unsigned long flat_sizes_tiny[] = { 1, 10 };
#define FLAT_ROWS ARRAY_SIZE(flat_sizes)

static struct variant flat[FLAT_ROWS][FLAT_OPS];
static unsigned long flat_n[FLAT_ROWS];	/* other live buffers of each run */
static unsigned long flat_asked[FLAT_ROWS];	/* and how many were meant */
static size_t flat_runs;
/* Filling the session; an n/a here is limits that could not be raised. */
static struct variant flat_fill = { .name = "filling the session", .size = FLAT_BUF_SIZE };

static int read_param(const char *name, unsigned long long *val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return errno;
	ret = fscanf(f, "%llu", val) == 1 ? 0 : EIO;
	fclose(f);
	return ret;
}

static int write_param(const char *name, unsigned long long val)
{
	char path[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return errno;
	if (fprintf(f, "%llu\n", val) < 0)
		ret = EIO;
	if (fclose(f) && !ret)
		ret = errno;
	return ret;
}

/*
 * Raise every limit that @n more buffers of @size bytes (and a few handles)
 * would pass; when one cannot be, @v is n/a.
 */
static int raise_limits(struct variant *v, unsigned long n, size_t size)
{
	unsigned long long want;
	struct limit *l;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		l = &limits[i];
		/* Bytes: each buffer, its metadata and handle slot, with room. */
		want = l->bytes ? n * (size + KIB) + 64 * MIB : n + 64;
		err = read_param(l->name, &l->old);
		if (!err && l->old < want) {
			err = write_param(l->name, want);
			l->raised = !err;
		}
		if (err) {
			v->state = ST_NA;
			snprintf(v->why, sizeof(v->why), "cannot raise %s: %s",
				 l->name, strerror(err));
			return -1;
		}
	}
	return 0;
}

static void restore_limits(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		if (!limits[i].raised)
			continue;
		err = write_param(limits[i].name, limits[i].old);
		if (err)
			fprintf(stderr, "ownbuf bench: cannot restore %s to %llu: %s\n",
				limits[i].name, limits[i].old, strerror(err));
		limits[i].raised = false;
	}
}

static void run_flat(void)
{
	const unsigned long *sizes = tiny ? flat_sizes_tiny : flat_sizes;
	size_t nr = tiny ? ARRAY_SIZE(flat_sizes_tiny) : ARRAY_SIZE(flat_sizes);
	unsigned long live = 0, n;
	int main_fd = ob_fd, fd;
	__u64 t0, fill_ns = 0, h;
	size_t i, j;

	flat_fill.state = ST_OK;
	if (raise_limits(&flat_fill, sizes[nr - 1], FLAT_BUF_SIZE))
		goto out;
	fd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail(&flat_fill, "open " OWNBUF_PATH, errno);
		goto out;
	}
	ob_fd = fd;
	for (i = 0; i < nr; i++) {
		n = sizes[i];
		flat_asked[i] = n;
		/* At the rate of the buffers made so far, a tenth if too slow. */
		if (live && fill_ns / live * (n - live) > FLAT_SETUP_NS)
			n = n / 10 > live ? n / 10 : live;
		t0 = now_ns();
		while (live < n && !ob_create(&flat_fill, FLAT_BUF_SIZE, &h))
			live++;
		fill_ns += now_ns() - t0;
		if (flat_fill.state != ST_OK)
			break;
		run_group(flat_group);
		for (j = 0; j < FLAT_OPS; j++)
			flat[i][j] = variants[flat_group[j]];
		flat_n[i] = n;
		flat_runs = i + 1;
	}
	/* Closing the session frees every buffer in it. */
	ob_fd = main_fd;
	close(fd);
out:
	restore_limits();
}

static void print_flat(void)
{
	const struct variant *v, *v1;
	char med[24], min[24], ratio[160];
	size_t i, j;

	printf("\nflat cost: ns per operation with N other live buffers of %d B in the session,\n",
	       FLAT_BUF_SIZE);
	printf("  median and min; ratio = median / median with N=1 (1: the cost is flat)\n");
	for (i = 0; i < flat_runs; i++) {
		if (flat_n[i] == flat_asked[i])
			continue;
		printf("  N=%lu instead of %lu: setting up %lu buffers would take over %llu s\n",
		       flat_n[i], flat_asked[i], flat_asked[i], FLAT_SETUP_NS / 1000000000ULL);
	}
	if (flat_fill.state != ST_OK)
		printf("  %s after N=%lu: %s (%s)\n", flat_fill.name,
		       flat_runs ? flat_n[flat_runs - 1] : 0UL,
		       flat_fill.state == ST_NA ? "n/a" : "error", flat_fill.why);
	printf("%-28s %7s %10s %10s  %s\n", "ownbuf", "N", "median ns", "min ns", "ratio to N=1");
	for (j = 0; j < FLAT_OPS; j++) {
		for (i = 0; i < flat_runs; i++) {
			v = &flat[i][j];
			v1 = &flat[0][j];
			fmt_ns(med, sizeof(med), v, v->med);
			fmt_ns(min, sizeof(min), v, v->min);
			if (v->state == ST_OK && v1->state == ST_OK)
				snprintf(ratio, sizeof(ratio), "%.2f", v->med / v1->med);
			else if (v->state != ST_OK)
				snprintf(ratio, sizeof(ratio), "%s (%s)",
					 v->state == ST_NA ? "n/a" : "error", v->why);
			else
				snprintf(ratio, sizeof(ratio), "n/a (none with N=1)");
			printf("%-28s %7lu %10s %10s  %s\n", v->name, flat_n[i], med, min, ratio);
		}
	}
}

/*
 * Tail: consecutive operations timed one by one, for the percentiles of
 * their latency.
 */
#define TAIL_OPS 1000000UL		/* a few seconds each, even under TCG */
#define TAIL_OPS_TINY 100UL

/* p50, p99, p99.9 and max of each of tail_variants, in ns. */
static __u64 tail_pct[ARRAY_SIZE(tail_variants)][4];
static unsigned long tail_ops;
/*
 * And their distribution: bucket k counts the latencies below 2^k ns and
 * not below 2^(k-1) (bucket 0: those of 0 ns), for the CSV.
 */
#define HIST_BUCKETS 64
static unsigned long tail_hist[ARRAY_SIZE(tail_variants)][HIST_BUCKETS];

static unsigned int hist_bucket(__u64 ns)
{
	unsigned int k = ns ? 64 - __builtin_clzll(ns) : 0;

	return k < HIST_BUCKETS ? k : HIST_BUCKETS - 1;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

/* The @permille-th thousandth of @n sorted latencies (nearest rank). */
static __u64 percentile(const __u64 *lat, size_t n, unsigned int permille)
{
	size_t rank = (n * permille + 999) / 1000;

	return lat[rank ? rank - 1 : 0];
}

static void run_tail(struct variant *v, __u64 *pct, unsigned long *hist, __u64 *lat, size_t n)
{
	size_t i;
	__u64 t0;

	v->state = ST_OK;
	if (v->setup && v->setup(v))
		return;
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (v->op(v))
			break;
		lat[i] = now_ns() - t0;
	}
	if (v->teardown)
		v->teardown(v);
	if (v->state != ST_OK)
		return;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	for (i = 0; i < n; i++)
		hist[hist_bucket(lat[i])]++;
	pct[0] = percentile(lat, n, 500);
	pct[1] = percentile(lat, n, 990);
	pct[2] = percentile(lat, n, 999);
	pct[3] = lat[n - 1];
}

static void run_tails(void)
{
	__u64 *lat;
	size_t i;

	tail_ops = tiny ? TAIL_OPS_TINY : TAIL_OPS;
	lat = calloc(tail_ops, sizeof(*lat));
	for (i = 0; i < ARRAY_SIZE(tail_variants); i++) {
		if (lat)
			run_tail(&variants[tail_variants[i]], tail_pct[i], tail_hist[i],
				 lat, tail_ops);
		else
			fail(&variants[tail_variants[i]], "calloc", errno);
	}
	free(lat);
}

static void print_tails(void)
{
	const struct variant *v;
	const __u64 *p;
	size_t i;

	printf("\ntail: %lu consecutive operations each, clock_gettime(2) around every one",
	       tail_ops);
	printf("; the null ioctl's is the machine's own\n");
	printf("%-28s %10s %10s %10s %10s  %s\n",
	       "ownbuf", "p50 ns", "p99 ns", "p99.9 ns", "max ns", "p99.9/p50");
	for (i = 0; i < ARRAY_SIZE(tail_variants); i++) {
		v = &variants[tail_variants[i]];
		p = tail_pct[i];
		if (v->state != ST_OK) {
			printf("%-28s %s (%s)\n", v->name,
			       v->state == ST_NA ? "n/a" : "error", v->why);
			continue;
		}
		printf("%-28s %10llu %10llu %10llu %10llu  %.2f\n", v->name,
		       (unsigned long long)p[0], (unsigned long long)p[1],
		       (unsigned long long)p[2], (unsigned long long)p[3],
		       p[0] ? (double)p[2] / p[0] : 0.0);
	}
}

/*
 * Metadata: the kernel memory a live buffer costs, read from /proc/meminfo
 * before and after creating many buffers that stay alive. The drop of
 * MemFree (with the free pages on per-CPU lists, see pcp_kb()) counts
 * everything the kernel took for them; the growth of the slab tells how
 * much of it is small objects. The benchmark's own memory (the array of
 * descriptors, the fd table) is allocated and touched before the first
 * reading, so that it is not counted.
 */
#define META_N 100000UL
#define META_N_TINY 100UL
/* Before each reading: time for the deferred frees of the kind before. */
#define META_SETTLE_MS 300
#define META_SETTLE_MS_TINY 10
#define VMSTAT_REFRESH "/proc/sys/vm/stat_refresh"

enum meta_kind { MK_OWNBUF, MK_MEMFD, MK_HEAP };

struct meta_row {
	struct variant v;	/* name and size; state and why */
	enum meta_kind kind;
	unsigned long n;	/* buffers created */
	unsigned long asked;	/* and how many were meant */
	double total;		/* bytes per buffer: MemFree's drop */
	double beyond;		/* of it, beyond the buffer's data */
	double slab;		/* bytes per buffer: the slab's growth */
};

static struct meta_row meta[] = {
	{ .v = V("ownbuf 64 B", 64, NULL, NULL, NULL), .kind = MK_OWNBUF },
	{ .v = V("ownbuf 4 KiB", 4 * KIB, NULL, NULL, NULL), .kind = MK_OWNBUF },
	{ .v = V("memfd 64 B", 64, NULL, NULL, NULL), .kind = MK_MEMFD },
	{ .v = V("memfd 4 KiB", 4 * KIB, NULL, NULL, NULL), .kind = MK_MEMFD },
	{ .v = V("dma-buf 64 B", 64, NULL, NULL, NULL), .kind = MK_HEAP },
	{ .v = V("dma-buf 4 KiB", 4 * KIB, NULL, NULL, NULL), .kind = MK_HEAP },
};

struct meminfo {
	long long free_kb;	/* MemFree, and the pages on per-CPU lists */
	long long slab_kb;	/* SReclaimable + SUnreclaim */
};

/*
 * The pages on the per-CPU free lists, which MemFree does not count: a
 * kernel that tunes their length (6.7 on) can keep tens of MiB there after
 * a burst of frees, and hand them out again without MemFree moving.
 */
static long long pcp_kb(void)
{
	long long pages = 0, val;
	char line[128];
	FILE *f;

	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &val) == 1)
			pages += val;
	fclose(f);
	return pages * (long long)(page_size / KIB);
}

static int read_meminfo(struct meminfo *mi)
{
	unsigned int found = 0;
	char line[128];
	long long val;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return errno;
	mi->free_kb = 0;
	mi->slab_kb = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemFree: %lld", &val) == 1) {
			mi->free_kb = val;
			found |= 1;
		} else if (sscanf(line, "SReclaimable: %lld", &val) == 1) {
			mi->slab_kb += val;
			found |= 2;
		} else if (sscanf(line, "SUnreclaim: %lld", &val) == 1) {
			mi->slab_kb += val;
			found |= 4;
		}
	}
	fclose(f);
	mi->free_kb += pcp_kb();
	return found == 7 ? 0 : ENOENT;
}

/*
 * Let deferred frees (RCU, the last fput) land, then fold every CPU's
 * pending counter updates into the totals /proc/meminfo shows: without
 * stat_refresh they lag by up to a second and some hundred pages a CPU.
 */
static void settle(void)
{
	unsigned int ms = tiny ? META_SETTLE_MS_TINY : META_SETTLE_MS;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	ssize_t ret;
	int fd;

	nanosleep(&ts, NULL);
	fd = open(VMSTAT_REFRESH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Refused (an old kernel), the counters only lag a little. */
	ret = write(fd, "1\n", 2);
	(void)ret;
	close(fd);
}

/* Create @m's buffers and keep them: in the session @sfd, or in @fds. */
static int meta_create(struct meta_row *m, int sfd, int *fds)
{
	struct variant *v = &m->v;
	unsigned long i;

	for (i = 0; i < m->n; i++) {
		if (m->kind == MK_OWNBUF) {
			struct ownbuf_create c = { .size = v->size };

			if (call_ioctl(v, sfd, OWNBUF_IOC_CREATE, "OWNBUF_IOC_CREATE", &c))
				return -1;
		} else if (m->kind == MK_MEMFD) {
			fds[i] = memfd_create("ownbuf-bench", MFD_CLOEXEC);
			if (fds[i] < 0)
				return fail(v, "memfd_create", errno);
			if (ftruncate(fds[i], v->size))
				return fail(v, "ftruncate", errno);
		} else {
			struct dma_heap_allocation_data a = {
				.len = v->size,
				.fd_flags = O_RDWR | O_CLOEXEC,
			};

			if (call_ioctl(v, heap_fd, DMA_HEAP_IOCTL_ALLOC,
				       "DMA_HEAP_IOCTL_ALLOC", &a))
				return -1;
			fds[i] = a.fd;
		}
	}
	return 0;
}

/*
 * Descriptors for @n buffers: RLIMIT_NOFILE raised where it is too low
 * (the old one goes to @old, *@raised says so), the fd table grown to hold
 * them all (it never shrinks: a kind measured after another would not pay
 * for it), and the array that keeps them, touched.
 */
static int *meta_fds(struct variant *v, unsigned long n, struct rlimit *old, bool *raised)
{
	struct rlimit rl;
	int *fds, fd;

	if (getrlimit(RLIMIT_NOFILE, old)) {
		fail(v, "getrlimit", errno);
		return NULL;
	}
	rl = *old;
	if (rl.rlim_cur < n + 128) {
		rl.rlim_cur = n + 128;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			v->state = ST_NA;
			snprintf(v->why, sizeof(v->why), "cannot raise RLIMIT_NOFILE to %lu: %s",
				 n + 128, strerror(errno));
			return NULL;
		}
		*raised = true;
	}
	fd = fcntl(ob_fd, F_DUPFD_CLOEXEC, (int)(n + 64));
	if (fd < 0) {
		fail(v, "fcntl(F_DUPFD) to grow the fd table", errno);
		return NULL;
	}
	close(fd);
	fds = malloc(n * sizeof(*fds));
	if (!fds) {
		fail(v, "malloc", errno);
		return NULL;
	}
	memset(fds, 0xff, n * sizeof(*fds));	/* all -1 */
	return fds;
}

static void run_meta_one(struct meta_row *m)
{
	struct variant *v = &m->v;
	struct meminfo before, after;
	unsigned long i, per, room;
	struct rlimit old;
	bool raised = false;
	int *fds = NULL, sfd = -1, err;

	v->state = ST_OK;
	m->asked = tiny ? META_N_TINY : META_N;
	m->n = 0;
	if (m->kind == MK_HEAP && setup_heap(v))
		return;
	err = read_meminfo(&before);
	if (err) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why), "cannot read /proc/meminfo: %s", strerror(err));
		return;
	}
	/* Half the free memory at most, at a page and some a buffer. */
	per = (v->size + page_size - 1) / page_size * page_size + 4 * KIB;
	room = before.free_kb > 0 ? (unsigned long)(before.free_kb * 1024 / 2) / per : 0;
	m->n = m->asked < room ? m->asked : room;
	if (!m->n) {
		v->state = ST_NA;
		snprintf(v->why, sizeof(v->why), "%lld kB free", before.free_kb);
		return;
	}
	if (m->kind == MK_OWNBUF) {
		if (raise_limits(v, m->n, v->size))
			goto out;
		sfd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
		if (sfd < 0) {
			fail(v, "open " OWNBUF_PATH, errno);
			goto out;
		}
	} else {
		fds = meta_fds(v, m->n, &old, &raised);
		if (!fds)
			goto out;
	}
	settle();
	err = read_meminfo(&before);
	if (!err && !meta_create(m, sfd, fds)) {
		settle();
		err = read_meminfo(&after);
	}
	if (err) {
		fail(v, "read of /proc/meminfo", err);
	} else if (v->state == ST_OK) {
		m->total = (double)(before.free_kb - after.free_kb) * 1024 / m->n;
		m->slab = (double)(after.slab_kb - before.slab_kb) * 1024 / m->n;
		/* ftruncate allocates no page: all of a memfd's is metadata. */
		m->beyond = m->kind == MK_MEMFD ? m->total : m->total - v->size;
	}
out:
	/* Closing the session frees every buffer in it. */
	if (sfd >= 0)
		close(sfd);
	if (m->kind == MK_OWNBUF)
		restore_limits();
	for (i = 0; fds && i < m->n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	if (raised && setrlimit(RLIMIT_NOFILE, &old))
		fprintf(stderr, "ownbuf bench: cannot restore RLIMIT_NOFILE: %s\n",
			strerror(errno));
}

static void run_meta(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(meta); i++)
		run_meta_one(&meta[i]);
}

/* A part --only left out: one line instead of its table. */
static bool part_skipped(const char *word, const char *title)
{
	if (name_wanted(word))
		return false;
	printf("\n%s: not asked for (--only)\n", title);
	return true;
}

static void print_meta(void)
{
	const struct meta_row *m;
	size_t i;

	if (part_skipped("metadata", "metadata"))
		return;
	printf("\nmetadata: kernel memory per live buffer, from /proc/meminfo before and after\n");
	printf("  creating N buffers that stay alive: total = drop of MemFree (with the free\n");
	printf("  pages on per-CPU lists, /proc/zoneinfo) / N; beyond data = total - the\n");
	printf("  buffer's size, except memfd: ftruncate allocates no page, so all of its\n");
	printf("  figure is metadata; slab = growth of SReclaimable + SUnreclaim / N\n");
	printf("  (ownbuf's data is slab memory too; a DMA-BUF of 64 B takes a whole page)\n");
	for (i = 0; i < ARRAY_SIZE(meta); i++) {
		m = &meta[i];
		if (m->v.state == ST_OK && m->n != m->asked)
			printf("  %s: N=%lu instead of %lu, to keep half the free memory free\n",
			       m->v.name, m->n, m->asked);
	}
	printf("%-28s %7s %12s %14s %12s\n", "kind", "N", "total B/buf", "beyond data B",
	       "slab B/buf");
	for (i = 0; i < ARRAY_SIZE(meta); i++) {
		m = &meta[i];
		if (m->v.state != ST_OK)
			printf("%-28s %s (%s)\n", m->v.name,
			       m->v.state == ST_NA ? "n/a" : "error", m->v.why);
		else
			printf("%-28s %7lu %12.0f %14.0f %12.0f\n", m->v.name, m->n,
			       m->total, m->beyond, m->slab);
	}
	printf("goal: ownbuf <= 128 B beyond the data\n");
}

/*
 * Scaling: the same call made by 1 to N threads at once, each on a session
 * (a file) of its own, counted for a fixed time. The threads are started,
 * wait until all of them are there, and run until told to stop; each times
 * its own run, and their rates are summed.
 */
#define SCALE_NS 200000000ULL
#define SCALE_REPS 5
#define SCALE_MAX_THREADS 64
#define SCALE_SIZE 64

/* One thread's state, on cache lines of its own: its copies land in @buf. */
struct scale_thread {
	char buf[SCALE_SIZE];
	int (*op)(struct scale_thread *t);
	pthread_t tid;
	int fd;
	__u64 handle;
	__u64 ops;
	__u64 ns;
	const char *call;	/* the call that failed, and its errno */
	int err;
} __attribute__((aligned(128)));

enum { SC_READ, SC_WRITE, SC_NULL, SC_PREAD, SC_NR };

struct scale_work {
	struct variant v;	/* name; state and why; the memfd in v.fd */
	int (*op)(struct scale_thread *t);
	int fds[SCALE_MAX_THREADS];	/* each thread's session */
	__u64 handles[SCALE_MAX_THREADS];	/* and its handle there */
	double ops[SCALE_MAX_THREADS + 1][SCALE_REPS];	/* ops/s by threads, run */
	double med[SCALE_MAX_THREADS + 1];
};

static int scale_fail(struct scale_thread *t, const char *call, int err)
{
	t->call = call;
	t->err = err;
	return -1;
}

static int sc_read(struct scale_thread *t)
{
	struct ownbuf_rw rw = {
		.handle = t->handle,
		.length = SCALE_SIZE,
		.ptr = (unsigned long)t->buf,
	};

	if (ioctl(t->fd, OWNBUF_IOC_READ, &rw))
		return scale_fail(t, "OWNBUF_IOC_READ", errno);
	return 0;
}

static int sc_write(struct scale_thread *t)
{
	struct ownbuf_rw rw = {
		.handle = t->handle,
		.length = SCALE_SIZE,
		.ptr = (unsigned long)t->buf,
	};

	if (ioctl(t->fd, OWNBUF_IOC_WRITE, &rw))
		return scale_fail(t, "OWNBUF_IOC_WRITE", errno);
	return 0;
}

static int sc_null(struct scale_thread *t)
{
	if (ioctl(t->fd, BENCH_IOC_NULL, NULL) == 0)
		return scale_fail(t, "undefined ioctl", 0);
	if (errno != ENOTTY)
		return scale_fail(t, "undefined ioctl (want ENOTTY)", errno);
	return 0;
}

static int sc_pread(struct scale_thread *t)
{
	ssize_t n = pread(t->fd, t->buf, SCALE_SIZE, 0);

	if (n != SCALE_SIZE)
		return scale_fail(t, "pread", n < 0 ? errno : EIO);
	return 0;
}

static struct scale_work scale[SC_NR] = {
	[SC_READ] = { .v = V("read 64 B (shared borrows of one buffer)", SCALE_SIZE,
			     NULL, NULL, NULL), .op = sc_read },
	[SC_WRITE] = { .v = V("write 64 B (a buffer per thread)", SCALE_SIZE,
			      NULL, NULL, NULL), .op = sc_write },
	[SC_NULL] = { .v = V("null ioctl (a fd per thread)", 0,
			     NULL, NULL, NULL), .op = sc_null },
	[SC_PREAD] = { .v = V("memfd pread 64 B (one memfd)", SCALE_SIZE,
			      NULL, NULL, NULL), .op = sc_pread },
};

static struct scale_thread scale_threads[SCALE_MAX_THREADS];
static int scale_nr;		/* N: the most threads */
static int scale_reps;		/* runs of each figure */
static pthread_mutex_t scale_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t scale_cond = PTHREAD_COND_INITIALIZER;
static int scale_ready;		/* threads waiting to start */
static bool scale_go;		/* all are there, or some could not be made */
static bool scale_abort;	/* the latter: do nothing */
static int scale_stop;		/* the time is up; atomic */

/* A session for each of @nr threads, and what @k's threads work on there. */
static int scale_setup(int k, int nr)
{
	struct scale_work *w = &scale[k];
	struct variant *v = &w->v;
	int i;

	for (i = 0; i < SCALE_MAX_THREADS; i++)
		w->fds[i] = -1;
	v->state = ST_OK;
	if (k == SC_PREAD)
		return setup_memfd(v);
	/* The readers' buffer is the main session's, lent shared to each. */
	if (k == SC_READ && ob_create(v, SCALE_SIZE, &v->handle))
		return -1;
	for (i = 0; i < nr; i++) {
		w->fds[i] = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
		if (w->fds[i] < 0)
			return fail(v, "open " OWNBUF_PATH, errno);
		if (k == SC_READ) {
			struct ownbuf_lend l = { .handle = v->handle, .mode = OWNBUF_MODE_SHARED };
			struct ownbuf_ticket_op t = { 0 };

			if (OB(v, OWNBUF_IOC_LEND, &l))
				return -1;
			t.ticket = l.out_ticket;
			if (call_ioctl(v, w->fds[i], OWNBUF_IOC_ACCEPT, "OWNBUF_IOC_ACCEPT", &t))
				return -1;
			w->handles[i] = t.out_handle;
		} else if (k == SC_WRITE) {
			struct ownbuf_create c = { .size = SCALE_SIZE };

			if (call_ioctl(v, w->fds[i], OWNBUF_IOC_CREATE, "OWNBUF_IOC_CREATE", &c))
				return -1;
			w->handles[i] = c.out_handle;
		}
	}
	return 0;
}

static void scale_teardown(struct scale_work *w)
{
	struct ownbuf_handle_op d = { .handle = w->v.handle, .flags = OWNBUF_DROP_REVOKE };
	int i;

	/* Closing a session ends its borrows and frees its buffers. */
	for (i = 0; i < SCALE_MAX_THREADS; i++) {
		if (w->fds[i] >= 0)
			close(w->fds[i]);
		w->fds[i] = -1;
	}
	/* With a loan that was never accepted, a plain drop would be EBUSY. */
	if (w->v.handle)
		ioctl(ob_fd, OWNBUF_IOC_DROP, &d);
	w->v.handle = 0;
	teardown_fd(&w->v);
}

static void *scale_thread_main(void *arg)
{
	struct scale_thread *t = arg;
	__u64 n = 0, t0;
	bool run;

	pthread_mutex_lock(&scale_lock);
	scale_ready++;
	pthread_cond_broadcast(&scale_cond);
	while (!scale_go)
		pthread_cond_wait(&scale_cond, &scale_lock);
	run = !scale_abort;
	pthread_mutex_unlock(&scale_lock);
	t0 = now_ns();
	while (run && (tiny ? n < TINY_ITERS : !__atomic_load_n(&scale_stop, __ATOMIC_RELAXED))) {
		if (t->op(t))
			break;
		n++;
	}
	t->ns = now_ns() - t0;
	t->ops = n;
	return NULL;
}

/* Run @w on @nr threads at once: their ops/s summed, or -1 on a failure. */
static double scale_run(struct scale_work *w, int nr)
{
	struct timespec ts = {
		.tv_sec = SCALE_NS / 1000000000ULL,
		.tv_nsec = SCALE_NS % 1000000000ULL,
	};
	struct scale_thread *t;
	int i, made, err = 0;
	double rate = 0;

	scale_ready = 0;
	scale_go = false;
	scale_abort = false;
	__atomic_store_n(&scale_stop, 0, __ATOMIC_RELAXED);
	for (made = 0; made < nr; made++) {
		t = &scale_threads[made];
		memset(t, 0, sizeof(*t));
		t->op = w->op;
		t->fd = w->fds[made] >= 0 ? w->fds[made] : w->v.fd;
		t->handle = w->handles[made];
		err = pthread_create(&t->tid, NULL, scale_thread_main, t);
		if (err)
			break;
	}
	/* All start at once; if one could not be made, none does anything. */
	pthread_mutex_lock(&scale_lock);
	while (!err && scale_ready < made)
		pthread_cond_wait(&scale_cond, &scale_lock);
	scale_abort = err;
	scale_go = true;
	pthread_cond_broadcast(&scale_cond);
	pthread_mutex_unlock(&scale_lock);
	if (!err && !tiny) {
		nanosleep(&ts, NULL);
		__atomic_store_n(&scale_stop, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < made; i++)
		pthread_join(scale_threads[i].tid, NULL);
	if (err)
		return fail(&w->v, "pthread_create", err);
	for (i = 0; i < nr; i++) {
		t = &scale_threads[i];
		if (t->call)
			return fail(&w->v, t->call, t->err);
		rate += t->ops * 1e9 / (t->ns ? t->ns : 1);
	}
	return rate;
}

static void run_scaling(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct scale_work *w;
	int k, nr, rep;
	double rate;

	scale_nr = cpus < 2 ? 2 : cpus > SCALE_MAX_THREADS ? SCALE_MAX_THREADS : cpus;
	scale_reps = tiny ? 1 : SCALE_REPS;
	for (k = 0; k < SC_NR; k++)
		scale_setup(k, scale_nr);
	/* By turns, as the groups: the host's noise falls on every figure alike. */
	for (rep = 0; rep < scale_reps; rep++) {
		for (nr = 1; nr <= scale_nr; nr++) {
			for (k = 0; k < SC_NR; k++) {
				w = &scale[k];
				if (w->v.state != ST_OK)
					continue;
				rate = scale_run(w, nr);
				if (rate >= 0)
					w->ops[nr][rep] = rate;
			}
		}
	}
	for (k = 0; k < SC_NR; k++) {
		w = &scale[k];
		scale_teardown(w);
		if (w->v.state != ST_OK)
			continue;
		for (nr = 1; nr <= scale_nr; nr++) {
			qsort(w->ops[nr], scale_reps, sizeof(w->ops[nr][0]), cmp_double);
			w->med[nr] = w->ops[nr][scale_reps / 2];
		}
	}
}

static void print_scaling(void)
{
	const struct scale_work *w;
	int k, nr;

	if (part_skipped("scaling", "scaling"))
		return;
	printf("\nscaling: ops/s of T threads at once, each with a session (fd) of its own,\n");
	if (tiny)
		printf("  %d calls a thread (--tiny);", TINY_ITERS);
	else
		printf("  median of %d runs of ~%llu ms;", scale_reps, SCALE_NS / 1000000ULL);
	printf(" ratio = ops/s / ops/s with 1 thread\n");
	printf("  read: one buffer of another session lent shared to every thread's session,\n");
	printf("  read through its borrow; write: a buffer of its own for each thread; null\n");
	printf("  ioctl: the floor of any call; memfd pread: one memfd, one open file shared\n");
	printf("  by all the threads (the peer)\n");
	if (tcg)
		printf("  under TCG each vCPU is a host thread: the host's idle cores bound it\n");
	printf("%-40s %7s %12s  %s\n", "workload", "threads", "ops/s", "ratio to 1");
	for (k = 0; k < SC_NR; k++) {
		w = &scale[k];
		if (w->v.state != ST_OK) {
			printf("%-40s %s (%s)\n", w->v.name,
			       w->v.state == ST_NA ? "n/a" : "error", w->v.why);
			continue;
		}
		for (nr = 1; nr <= scale_nr; nr++)
			printf("%-40s %7d %12.0f  %.2f\n", w->v.name, nr, w->med[nr],
			       w->med[nr] / w->med[1]);
	}
	printf("goal: 2 threads >= 1.8x one thread\n");
}

/*
 * The cost of safety: the same calls on the module built with its checks
 * compiled out. Each pair takes turns like any group.
 */
static void run_safety(void)
{
	size_t i;

	unck_fd = open(UNCHECKED_PATH, O_RDWR | O_CLOEXEC);
	if (unck_fd < 0 && errno == ENOENT)
		snprintf(unck_why, sizeof(unck_why),
			 "no " UNCHECKED_PATH " (make bench loads it; never installed)");
	else if (unck_fd < 0)
		snprintf(unck_why, sizeof(unck_why), "cannot open " UNCHECKED_PATH ": %s",
			 strerror(errno));
	for (i = 0; i < ARRAY_SIZE(safety_groups); i++)
		run_group(safety_groups[i]);
	/* Closing the session frees whatever a failed teardown left. */
	if (unck_fd >= 0)
		close(unck_fd);
	unck_fd = -1;
}

/*
 * Tracepoints off and on. Not in --tiny, the run of make check: each switch
 * patches the kernel's text, which the newest kernel under TCG has died of.
 */
static void run_events(void)
{
	size_t i;

	events_fd = open(EVENTS_PATH, O_WRONLY | O_CLOEXEC);
	/* A guest's /init mounts no tracefs: root may. */
	if (events_fd < 0 && !mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL))
		events_fd = open(EVENTS_PATH, O_WRONLY | O_CLOEXEC);
	for (i = 0; i < ARRAY_SIZE(events_groups); i++)
		run_group(events_groups[i]);
	if (events_fd >= 0) {
		if (pwrite(events_fd, "0", 1, 0) != 1)
			fprintf(stderr, "ownbuf bench: cannot turn ownbuf's events off\n");
		close(events_fd);
	}
	events_fd = -1;
}

static void print_events(void)
{
	const struct variant *o, *e;
	char om[24], em[24], ratio[160];
	size_t i;

	if (part_skipped("tracing", "tracepoints"))
		return;
	printf("\ntracepoints: the same calls with ownbuf's events off and on (tracefs),\n");
	printf("  by turns; ns per operation, median; ratio = on / off. Off, each\n");
	printf("  tracepoint is a static key's no-op: the checked rows above have them off\n");
	printf("%-28s %12s %12s  %s\n", "ownbuf", "events off", "events on", "ratio");
	for (i = 0; i < ARRAY_SIZE(events_groups); i++) {
		o = &variants[events_groups[i][0]];
		e = &variants[events_groups[i][1]];
		fmt_ns(om, sizeof(om), o, o->med);
		fmt_ns(em, sizeof(em), e, e->med);
		if (o->state == ST_OK && e->state == ST_OK)
			snprintf(ratio, sizeof(ratio), "%.2f", e->med / o->med);
		else
			snprintf(ratio, sizeof(ratio), "%s (%s)",
				 o->state == ST_ERR || e->state == ST_ERR ? "error" : "n/a",
				 o->state != ST_OK ? o->why : e->why);
		printf("%-28s %12s %12s  %s\n", o->name, om, em, ratio);
	}
}

static void print_safety(void)
{
	const struct variant *c, *u;
	char cm[24], um[24], ratio[160];
	size_t i;

	if (part_skipped("safety", "the cost of safety"))
		return;
	printf("\nthe cost of safety: the same calls on %s and on %s (the same\n",
	       OWNBUF_PATH, UNCHECKED_PATH);
	printf("  module, its ownership checks compiled out), by turns; ns per operation,\n");
	printf("  median; ratio = checked / unchecked\n");
	printf("%-28s %12s %12s  %s\n", "ownbuf", "checked ns", "unchecked ns", "ratio");
	for (i = 0; i < ARRAY_SIZE(safety_groups); i++) {
		c = &variants[safety_groups[i][0]];
		u = &variants[safety_groups[i][1]];
		fmt_ns(cm, sizeof(cm), c, c->med);
		fmt_ns(um, sizeof(um), u, u->med);
		if (c->state == ST_OK && u->state == ST_OK)
			snprintf(ratio, sizeof(ratio), "%.2f", c->med / u->med);
		else
			snprintf(ratio, sizeof(ratio), "%s (%s)",
				 c->state == ST_NA || (c->state == ST_OK && u->state == ST_NA) ?
				 "n/a" : "error", c->state != ST_OK ? c->why : u->why);
		printf("%-28s %12s %12s  %s\n", c->name, cm, um, ratio);
	}
	printf("goal: checked within 1.1x of unchecked\n");
}

/*
 * --csv PATH: every figure of the run, one row each, after the tables:
 *
 *   part,name,peer,x,value,unit,peer_value,ratio
 *
 *   info      name kernel, cpu, cpus, accel (tcg or hw) or date; value the text
 *   table     name an ownbuf variant, peer its peer; their medians in ns
 *   move      name ownbuf, memfd or floor: median us per round trip; peer
 *             floor, for the two others
 *   flat      name the op, x the other live buffers; peer_value at N=1
 *   tail      name the op, x the percentile (50, 99, 99.9, 100); ns
 *   hist      name the op, x the upper bound in ns of a log2 bucket (the
 *             latencies from x/2 up to below x); value how many, every
 *             bucket from the lowest to the highest not empty
 *   metadata  name the kind, x the buffers; value B per buffer beyond the
 *             data, peer_value the total B per buffer
 *   slab      name the kind, x the buffers; value the slab's B per buffer
 *   scaling   name the workload, x the threads; ops/s, peer_value with one
 *   safety    name the checked op, peer the unchecked one; medians in ns
 *
 * ratio = value / peer_value where the row has both (not in metadata, where
 * the two are parts of one figure). A field that does not
 * apply is empty; a figure that could not be measured has no row, and a
 * peer that could not, an empty peer_value. There is no quoting: a comma
 * in a text (none in the names) is written as ';'.
 */
static void csv_text(const char *s)
{
	for (; s && *s; s++)
		fputc(*s == ',' ? ';' : *s == '\n' || *s == '"' ? ' ' : *s, csv);
}

/* A number, NAN for none: integers as such, other figures to 1/100. */
static void csv_num(double d, const char *fmt)
{
	if (isnan(d))
		return;
	if (d == (double)(long long)d)
		fprintf(csv, "%lld", (long long)d);
	else
		fprintf(csv, fmt, d);
}

/* A row of figures; ratio = value / peer_value, unless the part is metadata. */
static void csv_row(const char *part, const char *name, const char *peer, const char *x,
		    double value, const char *unit, double peer_value)
{
	bool ratio = strcmp(part, "metadata") && !isnan(peer_value) && peer_value;

	csv_text(part);
	fputc(',', csv);
	csv_text(name);
	fputc(',', csv);
	csv_text(peer);
	fputc(',', csv);
	csv_text(x);
	fputc(',', csv);
	csv_num(value, "%.2f");
	fputc(',', csv);
	csv_text(unit);
	fputc(',', csv);
	csv_num(peer_value, "%.2f");
	fputc(',', csv);
	csv_num(ratio ? value / peer_value : NAN, "%.4f");
	fputc('\n', csv);
}

static void csv_info(const char *name, const char *text)
{
	fprintf(csv, "info,");
	csv_text(name);
	fprintf(csv, ",,,");
	csv_text(text);
	fprintf(csv, ",,,\n");
}

/* @v's median, NAN when it has none. */
static double med_of(const struct variant *v)
{
	return v->state == ST_OK ? v->med : NAN;
}

static void csv_table(void)
{
	const struct variant *o, *p, *f = &variants[MOVE_FLOOR];
	static const struct { const char *name; int v; } move[] = {
		{ "ownbuf", OB_MOVE }, { "memfd", MEMFD_MOVE }, { "floor", MOVE_FLOOR },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		o = &variants[pairs[i][0]];
		p = &variants[pairs[i][1]];
		if (o->state == ST_OK)
			csv_row("table", o->name, p->name, "", o->med, "ns", med_of(p));
	}
	for (i = 0; i < ARRAY_SIZE(move); i++) {
		o = &variants[move[i].v];
		if (o->state != ST_OK)
			continue;
		if (o == f || f->state != ST_OK)
			csv_row("move", move[i].name, "", "", o->med / 1e3, "us", NAN);
		else
			csv_row("move", move[i].name, "floor", "", o->med / 1e3, "us",
				f->med / 1e3);
	}
}

static void csv_flat_tail(void)
{
	static const char *const pct[] = { "50", "99", "99.9", "100" };
	const struct variant *v;
	char x[32];
	size_t i, j, k, lo, hi;

	for (j = 0; j < FLAT_OPS; j++) {
		for (i = 0; i < flat_runs; i++) {
			v = &flat[i][j];
			snprintf(x, sizeof(x), "%lu", flat_n[i]);
			if (v->state == ST_OK)
				csv_row("flat", v->name, "", x, v->med, "ns",
					med_of(&flat[0][j]));
		}
	}
	for (i = 0; i < ARRAY_SIZE(tail_variants); i++) {
		v = &variants[tail_variants[i]];
		if (v->state != ST_OK)
			continue;
		for (k = 0; k < ARRAY_SIZE(pct); k++)
			csv_row("tail", v->name, "", pct[k], tail_pct[i][k], "ns", NAN);
		for (lo = 0; lo < HIST_BUCKETS && !tail_hist[i][lo]; lo++)
			;
		for (hi = HIST_BUCKETS; hi > lo && !tail_hist[i][hi - 1]; hi--)
			;
		for (k = lo; k < hi; k++) {
			snprintf(x, sizeof(x), "%llu", 1ULL << k);
			csv_row("hist", v->name, "", x, tail_hist[i][k], "ops", NAN);
		}
	}
}

static void csv_parts(void)
{
	const struct variant *c, *u;
	const struct scale_work *w;
	const struct meta_row *m;
	char x[32];
	size_t i;
	int nr;

	for (i = 0; i < ARRAY_SIZE(meta); i++) {
		m = &meta[i];
		if (m->v.state != ST_OK)
			continue;
		snprintf(x, sizeof(x), "%lu", m->n);
		csv_row("metadata", m->v.name, "", x, m->beyond, "B", m->total);
		csv_row("slab", m->v.name, "", x, m->slab, "B", NAN);
	}
	for (i = 0; i < SC_NR; i++) {
		w = &scale[i];
		for (nr = 1; w->v.state == ST_OK && nr <= scale_nr; nr++) {
			snprintf(x, sizeof(x), "%d", nr);
			csv_row("scaling", w->v.name, "", x, w->med[nr], "ops/s", w->med[1]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(safety_groups); i++) {
		c = &variants[safety_groups[i][0]];
		u = &variants[safety_groups[i][1]];
		if (c->state == ST_OK)
			csv_row("safety", c->name, u->name, "", c->med, "ns", med_of(u));
	}
	for (i = 0; i < ARRAY_SIZE(events_groups); i++) {
		c = &variants[events_groups[i][1]];
		u = &variants[events_groups[i][0]];
		if (c->state == ST_OK)
			csv_row("tracing", c->name, u->name, "", c->med, "ns", med_of(u));
	}
}

static void write_csv(void)
{
	struct utsname u;
	char text[320];
	time_t now = time(NULL);
	struct tm tm;

	fprintf(csv, "part,name,peer,x,value,unit,peer_value,ratio\n");
	uname(&u);
	snprintf(text, sizeof(text), "%s %s", u.release, u.machine);
	csv_info("kernel", text);
	csv_info("cpu", cpu_model);
	snprintf(text, sizeof(text), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	csv_info("cpus", text);
	csv_info("accel", tcg ? "tcg" : "hw");
	if (gmtime_r(&now, &tm) && strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm))
		csv_info("date", text);
	csv_table();
	csv_flat_tail();
	csv_parts();
}

/* Count @v's result in the summary. */
static void tally(const struct variant *v, size_t *n, int *na, int *errors)
{
	(*n)++;
	*na += v->state == ST_NA;
	*errors += v->state == ST_ERR;
}

static void print_help(const char *prog)
{
	fprintf(stderr, "usage: %s [--tiny] [--only WORD] [--csv PATH] | --loop OP N\n", prog);
	fprintf(stderr, "  --tiny       every group once, with a few operations: a quick run\n");
	fprintf(stderr, "  --only WORD[,WORD...]  only the groups with a variant whose name\n");
	fprintf(stderr, "               has one of the WORDs (\"flat\", \"tail\",\n");
	fprintf(stderr, "               \"metadata\", \"scaling\", \"safety\" and\n");
	fprintf(stderr, "               \"tracing\" name those parts)\n");
	fprintf(stderr, "  --csv PATH   every figure also to PATH, one CSV row each\n");
	fprintf(stderr, "  --loop OP N  only N calls of OP (create-drop, borrow-release or\n");
	fprintf(stderr, "               query), silent: for a tracer to watch\n");
}

/* --only: does @name have one of the comma-separated words asked for? */
static bool name_wanted(const char *name)
{
	const char *w = only;
	char word[64];
	size_t len;

	if (!only)
		return true;
	while (*w) {
		len = strcspn(w, ",");
		if (len && len < sizeof(word)) {
			memcpy(word, w, len);
			word[len] = '\0';
			if (strstr(name, word))
				return true;
		}
		w += len + (w[len] == ',');
	}
	return false;
}

/* --only: is group @g (-1 ended) one the run asked for? */
static bool group_wanted(const int *g)
{
	int i;

	for (i = 0; g[i] >= 0; i++)
		if (name_wanted(variants[g[i]].name))
			return true;
	return false;
}

/*
 * --loop OP N: nothing but N calls of OP in one loop, silent unless it
 * fails, for a tracer to watch (scripts/guest/breakdown.sh).
 */
static int run_loop(const char *op, const char *count)
{
	static const struct { const char *name; int v; } loops[] = {
		{ "create-drop", OB_CREATE },
		{ "borrow-release", OB_BORROW },
		{ "query", OB_QUERY },
	};
	unsigned long long n;
	struct variant *v = NULL;
	char *end;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(loops); i++)
		if (!strcmp(op, loops[i].name))
			v = &variants[loops[i].v];
	n = strtoull(count, &end, 10);
	if (!v || !n || *end) {
		fprintf(stderr, "ownbuf bench: --loop create-drop|borrow-release|query N\n");
		return 2;
	}
	v->state = ST_OK;
	if (!v->setup || !v->setup(v))
		timed_loop(v, n);
	if (v->teardown)
		v->teardown(v);
	if (v->state == ST_OK)
		return 0;
	fprintf(stderr, "ownbuf bench: --loop %s: %s%s\n", op,
		v->state == ST_NA ? "n/a: " : "", v->why);
	return 1;
}

/* --only: @v is left out, which counts as n/a. */
static void not_asked(struct variant *v)
{
	v->state = ST_NA;
	snprintf(v->why, sizeof(v->why), "not asked for (--only)");
}

int main(int argc, char **argv)
{
	const char *csv_path = NULL, *loop_op = NULL, *loop_n = NULL;
	__u64 t0 = now_ns();
	size_t i, j, n = 0;
	int errors = 0, na = 0;

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--tiny")) {
			tiny = true;
			reps = 1;
		} else if (!strcmp(argv[i], "--only") && i + 1 < (size_t)argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--csv") && i + 1 < (size_t)argc) {
			csv_path = argv[++i];
		} else if (!strcmp(argv[i], "--loop") && i + 2 < (size_t)argc) {
			loop_op = argv[++i];
			loop_n = argv[++i];
		} else {
			print_help(argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Before any measurement: a path that cannot be written wastes no run. */
	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv) {
			fprintf(stderr, "ownbuf bench: %s: %s\n", csv_path, strerror(errno));
			return 1;
		}
	}
	/* A consumer that died is an error of its variant, not the end of all. */
	signal(SIGPIPE, SIG_IGN);
	page_size = sysconf(_SC_PAGESIZE);
	ubuf = mmap(NULL, MAX_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (ubuf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(ubuf, 0xa5, MAX_SIZE);
	ob_fd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
	if (ob_fd < 0) {
		perror("open " OWNBUF_PATH);
		return 1;
	}
	heap_fd = open(HEAP_PATH, O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0)
		heap_errno = errno;
	if (loop_op)
		return run_loop(loop_op, loop_n);

	print_header();
	for (i = 0; only && i < NR_VARIANTS; i++)
		not_asked(&variants[i]);
	for (i = 0; only && i < ARRAY_SIZE(meta); i++)
		not_asked(&meta[i].v);
	for (i = 0; only && i < SC_NR; i++)
		not_asked(&scale[i].v);
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (group_wanted(groups[i]))
			run_group(groups[i]);
	if (name_wanted("safety"))
		run_safety();
	if (tiny && (!only || !name_wanted("tracing"))) {
		for (i = EV_CREATE_OFF; i <= EV_BORROW_ON; i++) {
			variants[i].state = ST_NA;
			snprintf(variants[i].why, sizeof(variants[i].why),
				 "not in --tiny: each switch patches kernel text");
		}
	} else if (name_wanted("tracing")) {
		run_events();
	}
	if (name_wanted("flat"))
		run_flat();
	if (name_wanted("tail"))
		run_tails();
	if (name_wanted("metadata"))
		run_meta();
	if (name_wanted("scaling"))
		run_scaling();
	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		print_row(&variants[pairs[i][0]], &variants[pairs[i][1]]);
	print_notes();
	print_flat();
	print_tails();
	print_meta();
	print_scaling();
	print_safety();
	print_events();
	for (i = 0; i < NR_VARIANTS; i++)
		if (i < FLAT_CREATE || i > FLAT_STALE)
			tally(&variants[i], &n, &na, &errors);
	for (i = 0; i < flat_runs; i++)
		for (j = 0; j < FLAT_OPS; j++)
			tally(&flat[i][j], &n, &na, &errors);
	if (flat_fill.state != ST_OK)
		tally(&flat_fill, &n, &na, &errors);
	for (i = 0; i < ARRAY_SIZE(meta); i++)
		tally(&meta[i].v, &n, &na, &errors);
	for (i = 0; i < SC_NR; i++)
		tally(&scale[i].v, &n, &na, &errors);
	if (csv) {
		write_csv();
		/* Asked for and not written: the run did not give what it should. */
		j = ferror(csv);
		if (fclose(csv) || j) {
			fprintf(stderr, "ownbuf bench: cannot write %s\n", csv_path);
			errors++;
		}
	}

	printf("\nownbuf bench: done in %.1f s: %zu measurements, %d n/a, %d errors\n",
	       (now_ns() - t0) / 1e9, n, na, errors);
	if (heap_fd >= 0)
		close(heap_fd);
	close(ob_fd);
	return errors ? 1 : 0;
}
