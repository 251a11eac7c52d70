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
	pid_t pid;	/* hand-off: the consumer */
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

static void __attribute__((noreturn)) consume_memfd(int sock, size_t size)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct handoff_reply r;
	struct cmsghdr *c;
	struct msghdr m;
	struct iovec iov;
	char byte;
	ssize_t n;
	int fd;

	for (;;) {
		memset(&m, 0, sizeof(m));
		iov.iov_base = &byte;
		iov.iov_len = 1;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
		if (n == 0)
			_exit(0);
		memset(&r, 0, sizeof(r));
		c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
		if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len != CMSG_LEN(sizeof(int))) {
			reply_err(&r, "recvmsg of a memfd", n < 0 ? errno : EPROTO);
			send_reply(sock, &r);
			_exit(1);
		}
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		consume_memfd_one(fd, size, &r);
		if (close(fd) && !r.err)
			reply_err(&r, "close of the memfd received", errno);
		send_reply(sock, &r);
	}
}

/* Wait for the consumer's answer to round v->seq and check its sum. */
static int await_reply(struct variant *v)
{
	__u64 want = (__u64)(v->size / 8) * (fill_byte(v->seq) * 0x0101010101010101ULL);
	struct handoff_reply r;
	ssize_t n;

	n = read(v->fd2, &r, sizeof(r));
	if (n != (ssize_t)sizeof(r))
		return fail(v, "read of the consumer's reply", n < 0 ? errno : EPIPE);
	if (r.err) {
		r.call[sizeof(r.call) - 1] = '\0';
		return fail(v, r.call, r.err);
	}
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

/* Start the consumer: memfds and replies over one unix socket. */
static int setup_memfd_handoff(struct variant *v)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return fail(v, "socketpair", errno);
	v->pid = fork();
	if (v->pid == 0) {
		close_other_fds(sv[1], -1);
		consume_memfd(sv[1], v->size);
	}
	close(sv[1]);
	v->fd = sv[0];
	v->fd2 = sv[0];
	if (v->pid < 0)
		return fail(v, "fork", errno);
	return 0;
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

static int send_fd(struct variant *v, int fd)
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
	if (sendmsg(v->fd, &m, 0) != 1)
		return fail(v, "sendmsg of a memfd", errno);
	return 0;
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
	ret = send_fd(v, fd);
out:
	close(fd);
	return ret ? ret : await_reply(v);
}

/* The variants, and the pairs the table shows */

#define V(vname, vsize, vsetup, vop, vteardown) {			\
	.name = vname, .size = vsize, .setup = vsetup, .op = vop,	\
	.teardown = vteardown, .fd = -1, .fd2 = -1,			\
}

enum {
	OB_CREATE, MEMFD_CREATE, HEAP_ALLOC,
	OB_BORROW, OB_QUERY, OB_STALE, NULL_IOCTL,
	OB_READ_4K, MEMFD_PREAD_4K, OB_WRITE_4K, MEMFD_PWRITE_4K,
	OB_READ_64K, MEMFD_PREAD_64K, OB_WRITE_64K, MEMFD_PWRITE_64K,
	OB_READ_1M, MEMFD_PREAD_1M, OB_WRITE_1M, MEMFD_PWRITE_1M,
	OB_MAP_4K, MEMFD_MAP_4K, HEAP_MAP_4K,
	OB_MAP_1M, MEMFD_MAP_1M, HEAP_MAP_1M,
	OB_HANDOFF, MEMFD_HANDOFF,
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
};

/* Variants measured by turns; -1 ends a group. */
static const int groups[][5] = {
	{ OB_CREATE, MEMFD_CREATE, HEAP_ALLOC, -1 },
	{ OB_BORROW, OB_QUERY, OB_STALE, NULL_IOCTL, -1 },
	{ OB_READ_4K, MEMFD_PREAD_4K, -1 },
	{ OB_WRITE_4K, MEMFD_PWRITE_4K, -1 },
	{ OB_READ_64K, MEMFD_PREAD_64K, -1 },
	{ OB_WRITE_64K, MEMFD_PWRITE_64K, -1 },
	{ OB_READ_1M, MEMFD_PREAD_1M, -1 },
	{ OB_WRITE_1M, MEMFD_PWRITE_1M, -1 },
	{ OB_MAP_4K, MEMFD_MAP_4K, HEAP_MAP_4K, -1 },
	{ OB_MAP_1M, MEMFD_MAP_1M, HEAP_MAP_1M, -1 },
	{ OB_HANDOFF, MEMFD_HANDOFF, -1 },
};

/* Rows of the table: an ownbuf operation and its peer. */
static const int pairs[][2] = {
	{ OB_CREATE, MEMFD_CREATE },
	{ OB_CREATE, HEAP_ALLOC },
	{ OB_BORROW, NULL_IOCTL },
	{ OB_QUERY, NULL_IOCTL },
	{ OB_STALE, NULL_IOCTL },
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
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

/* Find how many calls take about LOOP_NS. */
static int calibrate(struct variant *v)
{
	__u64 n = 1, t;

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
	for (rep = 0; rep < REPS; rep++) {
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
		qsort(v->ns, REPS, sizeof(v->ns[0]), cmp_double);
		v->min = v->ns[0];
		v->med = v->ns[REPS / 2];
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
	printf("%-24s %10s %10s  %-28s %10s %10s  %s\n",
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
	printf("ownbuf bench: kernel %s %s, cpu \"%s\", %ld cpus%s\n",
	       u.release, u.machine, model, sysconf(_SC_NPROCESSORS_ONLN),
	       strstr(model, "TCG") ? " (TCG emulation)" : "");
	printf("ns per operation, median and min of %d timed loops of ~%llu ms each; ",
	       REPS, LOOP_NS / 1000000ULL);
	printf("ratio = ownbuf median / peer median (below 1: ownbuf faster)\n\n");
	printf("%-24s %10s %10s  %-28s %10s %10s  %s\n",
	       "ownbuf", "median ns", "min ns", "peer", "median ns", "min ns", "ratio");
}

/* One side of the hand-off summary: time per hand-off and hand-offs per second. */
static void fmt_handoff(char *buf, size_t len, const struct variant *v)
{
	if (v->state == ST_OK)
		snprintf(buf, len, "%.1f us per hand-off (%.0f/s)", v->med / 1e3, 1e9 / v->med);
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
	fmt_handoff(ob, sizeof(ob), o);
	fmt_handoff(mf, sizeof(mf), p);
	if (o->state == ST_OK && p->state == ST_OK)
		snprintf(ratio, sizeof(ratio), "%.2f", o->med / p->med);
	printf("%s, medians: ownbuf %s, memfd %s, ownbuf/memfd %s\n",
	       o->name, ob, mf, ratio);
}

int main(void)
{
	__u64 t0 = now_ns();
	size_t i;
	int errors = 0, na = 0;

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
	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		print_row(&variants[pairs[i][0]], &variants[pairs[i][1]]);
	print_notes();
	for (i = 0; i < NR_VARIANTS; i++) {
		errors += variants[i].state == ST_ERR;
		na += variants[i].state == ST_NA;
	}

	printf("\nownbuf bench: done in %.1f s: %zu measurements, %d n/a, %d errors\n",
	       (now_ns() - t0) / 1e9, (size_t)NR_VARIANTS, na, errors);
	if (heap_fd >= 0)
		close(heap_fd);
	close(ob_fd);
	return errors ? 1 : 0;
}
