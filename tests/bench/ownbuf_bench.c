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
 * This is not a test: a slow figure never fails it. It exits non-zero only
 * when it cannot measure (a peer or ownbuf call fails unexpectedly). An
 * ownbuf ioctl answering ENOTTY is a module that does not implement it yet:
 * its rows read "n/a" and the peers are measured all the same.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/types.h>
#include <linux/ownbuf.h>

#define OWNBUF_PATH "/dev/ownbuf"
#define HEAP_PATH "/dev/dma_heap/system"

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

/* A failed drop here does not undo the figures: the session's close frees it. */
static void teardown_ob_buffer(struct variant *v)
{
	struct variant scratch = { .size = v->size };

	if (v->handle)
		ob_drop(&scratch, v->handle);
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

static void teardown_memfd(struct variant *v)
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

/* The variants, and the pairs the table shows */

#define V(vname, vsize, vsetup, vop, vteardown) {			\
	.name = vname, .size = vsize, .setup = vsetup, .op = vop,	\
	.teardown = vteardown, .fd = -1,				\
}

enum {
	OB_CREATE, MEMFD_CREATE, HEAP_ALLOC,
	OB_BORROW, OB_QUERY, OB_STALE, NULL_IOCTL,
	OB_READ_4K, MEMFD_PREAD_4K, OB_WRITE_4K, MEMFD_PWRITE_4K,
	OB_READ_64K, MEMFD_PREAD_64K, OB_WRITE_64K, MEMFD_PWRITE_64K,
	OB_READ_1M, MEMFD_PREAD_1M, OB_WRITE_1M, MEMFD_PWRITE_1M,
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
			     setup_memfd, op_memfd_pread, teardown_memfd),
	[OB_WRITE_4K] = V("write 4 KiB", 4 * KIB,
			  setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[MEMFD_PWRITE_4K] = V("memfd pwrite 4 KiB", 4 * KIB,
			      setup_memfd, op_memfd_pwrite, teardown_memfd),
	[OB_READ_64K] = V("read 64 KiB", 64 * KIB,
			  setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[MEMFD_PREAD_64K] = V("memfd pread 64 KiB", 64 * KIB,
			      setup_memfd, op_memfd_pread, teardown_memfd),
	[OB_WRITE_64K] = V("write 64 KiB", 64 * KIB,
			   setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[MEMFD_PWRITE_64K] = V("memfd pwrite 64 KiB", 64 * KIB,
			       setup_memfd, op_memfd_pwrite, teardown_memfd),
	[OB_READ_1M] = V("read 1 MiB", MIB,
			 setup_ob_buffer, op_ob_read, teardown_ob_buffer),
	[MEMFD_PREAD_1M] = V("memfd pread 1 MiB", MIB,
			     setup_memfd, op_memfd_pread, teardown_memfd),
	[OB_WRITE_1M] = V("write 1 MiB", MIB,
			  setup_ob_buffer, op_ob_write, teardown_ob_buffer),
	[MEMFD_PWRITE_1M] = V("memfd pwrite 1 MiB", MIB,
			      setup_memfd, op_memfd_pwrite, teardown_memfd),
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

int main(void)
{
	__u64 t0 = now_ns();
	size_t i;
	int errors = 0, na = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
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
