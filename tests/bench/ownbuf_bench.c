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
 * peer is a memfd sent there and back with SCM_RIGHTS. Flat cost: create,
 * borrow, query and a stale query with 1, 10^3 and 10^5 other live buffers
 * in a session of their own (the module's limits are raised for it and
 * restored after). Tail: percentiles of consecutive create+drop and
 * borrow+release, timed one by one.
 *
 * --tiny runs every group with one loop of a few operations, two sizes of
 * session and a short tail: a check that the benchmark still runs, in
 * seconds, whose figures mean nothing.
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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/types.h>
#include <linux/ownbuf.h>

#define OWNBUF_PATH "/dev/ownbuf"
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

#define OB(v, cmd, arg) call_ioctl(v, ob_fd, cmd, #cmd, arg)

/*
 * Run an ownbuf ioctl that must be refused with @want; @what names the
 * call in the error that any other answer is.
 */
static int call_refused(struct variant *v, unsigned long cmd, const char *name,
			void *arg, int want, const char *what)
{
	if (ioctl(ob_fd, cmd, arg) == 0)
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
static void drop_quietly(__u64 handle)
{
	struct variant scratch = { .size = 0 };

	if (handle)
		ob_drop(&scratch, handle);
}

static void teardown_ob_buffer(struct variant *v)
{
	drop_quietly(v->handle);
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

	if (ioctl(ob_fd, OWNBUF_IOC_QUERY, &q) == 0)
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
	if (ioctl(ob_fd, BENCH_IOC_NULL, NULL) == 0)
		return fail(v, "undefined ioctl", 0);
	if (errno != ENOTTY)
		return fail(v, "undefined ioctl (want ENOTTY)", errno);
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
	p = mmap(NULL, m.out_length, prot, MAP_SHARED, ob_fd, (off_t)m.out_offset);
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
	drop_quietly(h);
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

/* The variants, and the pairs the table shows */

#define V(vname, vsize, vsetup, vop, vteardown) {			\
	.name = vname, .size = vsize, .setup = vsetup, .op = vop,	\
	.teardown = vteardown, .fd = -1, .fd2 = -1,			\
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
	OB_MOVE, MEMFD_MOVE,
	/* Flat cost and tail: figures of their own, not in the table. */
	FLAT_CREATE, FLAT_BORROW, FLAT_QUERY, FLAT_STALE,
	TAIL_CREATE, TAIL_BORROW,
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
	{ OB_MOVE, MEMFD_MOVE, -1 },
};

/* The flat cost's group, run once per size of session. */
static const int flat_group[] = { FLAT_CREATE, FLAT_BORROW, FLAT_QUERY, FLAT_STALE, -1 };
#define FLAT_OPS (ARRAY_SIZE(flat_group) - 1)

static const int tail_variants[] = { TAIL_CREATE, TAIL_BORROW };

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
	char line[256], model[256] = "unknown";
	FILE *f;

	uname(&u);
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	tcg = strstr(model, "TCG");
	printf("ownbuf bench: kernel %s %s, cpu \"%s\", %ld cpus%s\n",
	       u.release, u.machine, model, sysconf(_SC_NPROCESSORS_ONLN),
	       tcg ? " (TCG emulation)" : "");
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
	const struct variant *o = &variants[OB_HANDOFF], *p = &variants[MEMFD_HANDOFF];
	char ob[64], mf[64], ratio[24] = "n/a";

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

static const unsigned long flat_sizes[] = { 1, 1000, 100000 };
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

/* Raise every limit that @n more buffers (and a few handles) would pass. */
static int raise_limits(unsigned long n)
{
	unsigned long long want;
	struct limit *l;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		l = &limits[i];
		/* Bytes: each buffer, its metadata and handle slot, with room. */
		want = l->bytes ? n * KIB + 64 * MIB : n + 64;
		err = read_param(l->name, &l->old);
		if (!err && l->old < want) {
			err = write_param(l->name, want);
			l->raised = !err;
		}
		if (err) {
			flat_fill.state = ST_NA;
			snprintf(flat_fill.why, sizeof(flat_fill.why), "cannot raise %s: %s",
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
	if (raise_limits(sizes[nr - 1]))
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
#define TAIL_OPS 100000UL		/* under TCG */
#define TAIL_OPS_HW 1000000UL		/* elsewhere */
#define TAIL_OPS_TINY 100UL

/* p50, p99, p99.9 and max of each of tail_variants, in ns. */
static __u64 tail_pct[ARRAY_SIZE(tail_variants)][4];
static unsigned long tail_ops;

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

static void run_tail(struct variant *v, __u64 *pct, __u64 *lat, size_t n)
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
	pct[0] = percentile(lat, n, 500);
	pct[1] = percentile(lat, n, 990);
	pct[2] = percentile(lat, n, 999);
	pct[3] = lat[n - 1];
}

static void run_tails(void)
{
	__u64 *lat;
	size_t i;

	tail_ops = tiny ? TAIL_OPS_TINY : tcg ? TAIL_OPS : TAIL_OPS_HW;
	lat = calloc(tail_ops, sizeof(*lat));
	for (i = 0; i < ARRAY_SIZE(tail_variants); i++) {
		if (lat)
			run_tail(&variants[tail_variants[i]], tail_pct[i], lat, tail_ops);
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
	printf(" (the issue asks 10^6%s)\n", tail_ops < TAIL_OPS_HW ? "; fewer here" : "");
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

/* Count @v's result in the summary. */
static void tally(const struct variant *v, size_t *n, int *na, int *errors)
{
	(*n)++;
	*na += v->state == ST_NA;
	*errors += v->state == ST_ERR;
}

static void print_help(const char *prog)
{
	fprintf(stderr, "usage: %s [--tiny]\n", prog);
	fprintf(stderr, "  --tiny  every group once, with a few operations: a quick run\n");
}

int main(int argc, char **argv)
{
	__u64 t0 = now_ns();
	size_t i, j, n = 0;
	int errors = 0, na = 0;

	if (argc == 2 && !strcmp(argv[1], "--tiny")) {
		tiny = true;
		reps = 1;
	} else if (argc != 1) {
		print_help(argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
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

	print_header();
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		run_group(groups[i]);
	run_flat();
	run_tails();
	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		print_row(&variants[pairs[i][0]], &variants[pairs[i][1]]);
	print_notes();
	print_flat();
	print_tails();
	for (i = 0; i < NR_VARIANTS; i++)
		if (i < FLAT_CREATE || i > FLAT_STALE)
			tally(&variants[i], &n, &na, &errors);
	for (i = 0; i < flat_runs; i++)
		for (j = 0; j < FLAT_OPS; j++)
			tally(&flat[i][j], &n, &na, &errors);
	if (flat_fill.state != ST_OK)
		tally(&flat_fill, &n, &na, &errors);

	printf("\nownbuf bench: done in %.1f s: %zu measurements, %d n/a, %d errors\n",
	       (now_ns() - t0) / 1e9, n, na, errors);
	if (heap_fd >= 0)
		close(heap_fd);
	close(ob_fd);
	return errors ? 1 : 0;
}
