// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: every failure an ioctl can meet inside the kernel, one
 * at a time, from userspace, as tools/testing/selftests/iommu/
 * iommufd_fail_nth.c does it. For each operation, in a fresh valid setup,
 * the 1st, 2nd, ... fault-injection point it passes (slab allocations,
 * page allocations, user copies: failslab, fail_page_alloc, fail_usercopy
 * through /proc/thread-self/fail-nth) is failed, until the operation runs
 * with no point left to fail. Each failure must be a clean errno the
 * contract allows (ENOMEM, or EFAULT for a copy) with nothing changed:
 * the session's and the device's counts and mappings, what query says of
 * every handle of the setup (kind, borrows, frozen, size, mappings), and
 * the buffer's bytes. kmemleak,
 * scanned when the guest's tests are done, sees whatever the counts miss.
 * scripts/fail-nth-table.py makes a table of the points per operation.
 *
 * Needs a kernel with fault injection whose attributes fail sleeping
 * allocations (the debug guest's init sets them), else skipped.
 */

#define _GNU_SOURCE
#include "ownbuf_helpers.h"

#define MAX_NTH 200
#define HANDLES 4
#define SIZE 5000		/* two pages when mapped: a partial last page */
#define BIG (8 << 20)		/* past kmalloc's largest: kvzalloc's vmalloc pages */
#define PATTERN 0x5a		/* what a setup writes, so a failed write shows */

/* What a setup made, for its op and for the comparison. */
struct nth_ctx {
	int a, b;		/* two sessions */
	__u64 h[HANDLES];	/* handles of a (h[0] always the main buffer) */
	__u64 t;		/* a ticket of a's, when the op needs one */
	__u64 out;
	void *map;		/* a's mapping of h[0], when the setup made one */
};

struct nth_snap {
	struct ownbuf_counts a, b, dev;
	__u64 a_maps, dev_maps;
	struct ownbuf_query q[HANDLES];
	int q_err[HANDLES];
	int data_err;		/* reading h[0] back */
	unsigned char data[SIZE];
};

static void snap(struct nth_ctx *c, struct nth_snap *s)
{
	struct ownbuf_stats st;
	int i;

	memset(s, 0, sizeof(*s));
	if (!_test_stats(c->a, &st)) {
		s->a = st.out_session;
		s->dev = st.out_device;
		s->a_maps = st.out_session_mappings;
		s->dev_maps = st.out_device_mappings;
	}
	if (!_test_stats(c->b, &st))
		s->b = st.out_session;
	for (i = 0; i < HANDLES; i++)
		if (c->h[i])
			s->q_err[i] = _test_query(c->a, c->h[i], &s->q[i]);
	/* The bytes, through whichever handle of a's may read them now. */
	s->data_err = -ENOENT;
	for (i = 0; i < HANDLES && s->data_err; i++)
		if (c->h[i] && !s->q_err[i] && s->q[i].out_size == SIZE)
			s->data_err = _test_read(c->a, c->h[i], 0, SIZE, s->data);
}

/* The counts that say what exists; refusals are counted, so they differ. */
static bool counts_equal(const struct ownbuf_counts *x, const struct ownbuf_counts *y)
{
	return x->buffers == y->buffers && x->bytes == y->bytes &&
	       x->borrows == y->borrows && x->tickets == y->tickets &&
	       x->sessions == y->sessions;
}

static bool snap_equal(const struct nth_snap *x, const struct nth_snap *y)
{
	int i;

	if (!counts_equal(&x->a, &y->a) || !counts_equal(&x->b, &y->b) ||
	    !counts_equal(&x->dev, &y->dev) || x->a_maps != y->a_maps ||
	    x->dev_maps != y->dev_maps)
		return false;
	for (i = 0; i < HANDLES; i++) {
		if (x->q_err[i] != y->q_err[i])
			return false;
		if (!x->q_err[i] &&
		    (x->q[i].out_shared != y->q[i].out_shared ||
		     x->q[i].out_mut != y->q[i].out_mut ||
		     x->q[i].out_frozen != y->q[i].out_frozen ||
		     x->q[i].out_kind != y->q[i].out_kind ||
		     x->q[i].out_size != y->q[i].out_size ||
		     x->q[i].out_mappings != y->q[i].out_mappings))
			return false;
	}
	return x->data_err == y->data_err &&
	       (x->data_err || !memcmp(x->data, y->data, SIZE));
}

/* ---- setups (no fault injected) and ops (faults injected) ---- */

static int setup_none(struct nth_ctx *c)
{
	return 0;
}

static int setup_buffer(struct nth_ctx *c)
{
	static unsigned char pattern[SIZE];

	memset(pattern, PATTERN, SIZE);
	return _test_create(c->a, SIZE, &c->h[0]) ?:
	       _test_write(c->a, c->h[0], 0, SIZE, pattern);
}

static int setup_borrowed(struct nth_ctx *c)
{
	return setup_buffer(c) ?: _test_borrow(c->a, c->h[0], OWNBUF_MODE_SHARED, &c->h[1]);
}

static int setup_borrowed_mut(struct nth_ctx *c)
{
	return setup_buffer(c) ?: _test_borrow(c->a, c->h[0], OWNBUF_MODE_MUT, &c->h[1]);
}

static int setup_lent_mut(struct nth_ctx *c)
{
	return setup_buffer(c) ?: _test_lend(c->a, c->h[0], OWNBUF_MODE_MUT, &c->t);
}

/* A buffer mapped read-only through its owner handle: a revocation zaps it. */
static int setup_mapped(struct nth_ctx *c)
{
	__u64 off;

	return setup_buffer(c) ?: _test_map(c->a, c->h[0], &off, NULL) ?:
	       ob_mmap_at(c->a, off, 8192, PROT_READ, &c->map);
}

static int setup_moving(struct nth_ctx *c)
{
	return setup_buffer(c) ?: _test_give(c->a, c->h[0], &c->t);
}

static int setup_lent(struct nth_ctx *c)
{
	return setup_buffer(c) ?: _test_lend(c->a, c->h[0], OWNBUF_MODE_SHARED, &c->t);
}

/* A buffer and its offset (in c->t), for mmap. */
static int setup_offset(struct nth_ctx *c)
{
	return setup_buffer(c) ?: _test_map(c->a, c->h[0], &c->t, NULL);
}

static int op_create(struct nth_ctx *c)
{
	return _test_create(c->a, SIZE, &c->out);
}

static int op_create_big(struct nth_ctx *c)
{
	return _test_create(c->a, BIG, &c->out);
}

static int op_drop(struct nth_ctx *c)
{
	return _test_drop(c->a, c->h[0], 0);
}

static int op_drop_revoke(struct nth_ctx *c)
{
	return _test_drop(c->a, c->h[0], OWNBUF_DROP_REVOKE);
}

static char io[SIZE];

static int op_read(struct nth_ctx *c)
{
	return _test_read(c->a, c->h[0], 0, sizeof(io), io);
}

static int op_write(struct nth_ctx *c)
{
	return _test_write(c->a, c->h[0], 0, sizeof(io), io);
}

static int op_write_borrow(struct nth_ctx *c)
{
	return _test_write(c->a, c->h[1], 0, sizeof(io), io);
}

static int op_borrow(struct nth_ctx *c)
{
	return _test_borrow(c->a, c->h[0], OWNBUF_MODE_SHARED, &c->out);
}

static int op_borrow_mut(struct nth_ctx *c)
{
	return _test_borrow(c->a, c->h[0], OWNBUF_MODE_MUT, &c->out);
}

static int op_release(struct nth_ctx *c)
{
	return _test_release(c->a, c->h[1]);
}

static int op_give(struct nth_ctx *c)
{
	return _test_give(c->a, c->h[0], &c->out);
}

static int op_take(struct nth_ctx *c)
{
	return _test_take(c->b, c->t, &c->out);
}

static int op_cancel(struct nth_ctx *c)
{
	return _test_cancel(c->a, c->t, &c->out);
}

static int op_lend(struct nth_ctx *c)
{
	return _test_lend(c->a, c->h[0], OWNBUF_MODE_SHARED, &c->out);
}

static int op_lend_mut(struct nth_ctx *c)
{
	return _test_lend(c->a, c->h[0], OWNBUF_MODE_MUT, &c->out);
}

static int op_accept(struct nth_ctx *c)
{
	return _test_accept(c->b, c->t, &c->out);
}

static int op_clone(struct nth_ctx *c)
{
	return _test_clone(c->a, c->h[0], &c->out);
}

static int op_freeze(struct nth_ctx *c)
{
	return _test_freeze(c->a, c->h[0]);
}

static int op_query(struct nth_ctx *c)
{
	struct ownbuf_query q;

	return _test_query(c->a, c->h[0], &q);
}

static int op_stats(struct nth_ctx *c)
{
	struct ownbuf_stats st;

	return _test_stats(c->a, &st);
}

static int op_map(struct nth_ctx *c)
{
	return _test_map(c->a, c->h[0], &c->out, NULL);
}

/*
 * mmap(2) at the offset, then munmap: a failure injected into the munmap
 * (a maple tree node) is retried, so the mapping never outlives the op.
 */
static int op_mmap(struct nth_ctx *c)
{
	void *p;
	int err = ob_mmap_at(c->a, c->t, 8192, PROT_READ | PROT_WRITE, &p);

	while (!err && munmap(p, 8192) && errno == ENOMEM)
		;
	return err;
}

static int op_open(struct nth_ctx *c)
{
	int fd = ob_open();

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Write @n to the task's fail-nth, or read what is left of it. */
static int fail_nth_set(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * What was left of fail-nth after the op, then 0 again. The read and the
 * write are fault points themselves (their user copies): a read that
 * fails means the op left at least that one; a reset that fails used one
 * up, so it is tried until it takes.
 */
static long fail_nth_left(int fd)
{
	char buf[16] = "";
	long left = -1;
	int i;

	if (pread(fd, buf, sizeof(buf) - 1, 0) > 0)
		left = strtol(buf, NULL, 10);
	for (i = 0; i < 8 && fail_nth_set(fd, 0); i++)
		;
	return left;
}

/* The setup's mapping goes first: it would keep session a open. */
static void nth_close(struct nth_ctx *c)
{
	if (c->map)
		munmap(c->map, 8192);
	close(c->a);
	close(c->b);
}

FIXTURE(nth)
{
	int fail_fd;
	struct nth_ctx c;
};

FIXTURE_VARIANT(nth)
{
	int (*setup)(struct nth_ctx *c);
	int (*op)(struct nth_ctx *c);
};

FIXTURE_VARIANT_ADD(nth, open) {
	.setup = setup_none,
	.op = op_open,
};

FIXTURE_VARIANT_ADD(nth, create) {
	.setup = setup_none,
	.op = op_create,
};

FIXTURE_VARIANT_ADD(nth, create_big) {
	.setup = setup_none,
	.op = op_create_big,
};

FIXTURE_VARIANT_ADD(nth, drop) {
	.setup = setup_buffer,
	.op = op_drop,
};

FIXTURE_VARIANT_ADD(nth, drop_revoke) {
	.setup = setup_borrowed,
	.op = op_drop_revoke,
};

FIXTURE_VARIANT_ADD(nth, drop_revoke_mapped) {
	.setup = setup_mapped,
	.op = op_drop_revoke,
};

FIXTURE_VARIANT_ADD(nth, read) {
	.setup = setup_buffer,
	.op = op_read,
};

FIXTURE_VARIANT_ADD(nth, write) {
	.setup = setup_buffer,
	.op = op_write,
};

FIXTURE_VARIANT_ADD(nth, write_borrow) {
	.setup = setup_borrowed_mut,
	.op = op_write_borrow,
};

FIXTURE_VARIANT_ADD(nth, borrow) {
	.setup = setup_buffer,
	.op = op_borrow,
};

FIXTURE_VARIANT_ADD(nth, borrow_mut) {
	.setup = setup_buffer,
	.op = op_borrow_mut,
};

FIXTURE_VARIANT_ADD(nth, release) {
	.setup = setup_borrowed,
	.op = op_release,
};

FIXTURE_VARIANT_ADD(nth, release_mut) {
	.setup = setup_borrowed_mut,
	.op = op_release,
};

FIXTURE_VARIANT_ADD(nth, give) {
	.setup = setup_buffer,
	.op = op_give,
};

FIXTURE_VARIANT_ADD(nth, take) {
	.setup = setup_moving,
	.op = op_take,
};

FIXTURE_VARIANT_ADD(nth, cancel) {
	.setup = setup_moving,
	.op = op_cancel,
};

FIXTURE_VARIANT_ADD(nth, cancel_lend) {
	.setup = setup_lent,
	.op = op_cancel,
};

FIXTURE_VARIANT_ADD(nth, lend) {
	.setup = setup_buffer,
	.op = op_lend,
};

FIXTURE_VARIANT_ADD(nth, lend_mut) {
	.setup = setup_buffer,
	.op = op_lend_mut,
};

FIXTURE_VARIANT_ADD(nth, accept) {
	.setup = setup_lent,
	.op = op_accept,
};

FIXTURE_VARIANT_ADD(nth, accept_mut) {
	.setup = setup_lent_mut,
	.op = op_accept,
};

FIXTURE_VARIANT_ADD(nth, clone) {
	.setup = setup_buffer,
	.op = op_clone,
};

FIXTURE_VARIANT_ADD(nth, freeze) {
	.setup = setup_buffer,
	.op = op_freeze,
};

FIXTURE_VARIANT_ADD(nth, query) {
	.setup = setup_buffer,
	.op = op_query,
};

FIXTURE_VARIANT_ADD(nth, map) {
	.setup = setup_buffer,
	.op = op_map,
};

FIXTURE_VARIANT_ADD(nth, mmap) {
	.setup = setup_offset,
	.op = op_mmap,
};

FIXTURE_VARIANT_ADD(nth, stats) {
	.setup = setup_none,
	.op = op_stats,
};

FIXTURE_SETUP(nth)
{
	/*
	 * No page fault of the test's own may meet an injected failure (it
	 * would be counted, or be the OOM killer's): everything is faulted in
	 * and locked first.
	 */
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));
	self->fail_fd = open("/proc/thread-self/fail-nth", O_RDWR);
}

FIXTURE_TEARDOWN(nth)
{
	if (self->fail_fd >= 0) {
		fail_nth_set(self->fail_fd, 0);
		close(self->fail_fd);
	}
}

/*
 * One op, every fault point in turn. Prints how many points it has and
 * what each failure answered.
 */
TEST_F(nth, every_failure_is_clean)
{
	int n, err, enomem = 0, efault = 0, tolerated = 0;
	struct nth_snap before, after;
	char trace[MAX_NTH * 2 + 1] = "";
	long left;

	if (self->fail_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
	for (n = 1; n <= MAX_NTH; n++) {
		memset(&self->c, 0, sizeof(self->c));
		self->c.a = ob_open();
		self->c.b = ob_open();
		ASSERT_LE(0, self->c.a);
		ASSERT_LE(0, self->c.b);
		ASSERT_EQ(0, variant->setup(&self->c));
		snap(&self->c, &before);

		ASSERT_EQ(0, fail_nth_set(self->fail_fd, n));
		err = variant->op(&self->c);
		left = fail_nth_left(self->fail_fd);

		if (left != 0) {
			/* The op met fewer than n points: it ran whole. */
			ASSERT_EQ(0, err) TH_LOG("with no fault left to inject: %s",
						 ob_errname(err));
			nth_close(&self->c);
			break;
		}
		/* One letter per point: what its failure answered. */
		trace[n - 1] = !err ? '.' : err == -ENOMEM ? 'M' : err == -EFAULT ? 'F' : '?';
		if (!err) {
			/* A failure the kernel absorbs (a retry, an optional cache). */
			tolerated++;
		} else {
			ASSERT_TRUE(err == -ENOMEM || err == -EFAULT)
				TH_LOG("fault %d answered %s", n, ob_errname(err));
			enomem += err == -ENOMEM;
			efault += err == -EFAULT;
			snap(&self->c, &after);
			ASSERT_TRUE(snap_equal(&before, &after))
				TH_LOG("fault %d (%s) changed what exists", n, ob_errname(err));
		}
		nth_close(&self->c);
	}
	ASSERT_LE(n, MAX_NTH) TH_LOG("more than %d fault points?", MAX_NTH);
	if (n == 1)
		SKIP(return, "no fault point was reached: fault injection is not set up");
	TH_LOG("%d fault points: %d ENOMEM, %d EFAULT, %d absorbed", n - 1, enomem, efault,
	       tolerated);
	TH_LOG("in order: %s (M ENOMEM, F EFAULT, . absorbed)", trace);
}

TEST_HARNESS_MAIN
