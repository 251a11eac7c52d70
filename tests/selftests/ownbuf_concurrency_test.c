// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: many threads on one device. A reader never sees a torn
 * write; rule 2 holds under contention; a drop racing with readers gives
 * each reader either the data or ESTALE; one ticket is taken once. Bounded
 * iteration counts keep each test to a few seconds under TCG with KASAN.
 */

#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "ownbuf_helpers.h"

#define BIG (64 * 1024)
#define WRITERS 2
#define READERS 4
#define WRITES 120
#define READS 120

FIXTURE(conc)
{
	int fd;
};

/*
 * glibc's threads wait with the futex syscall its ABI names SYS_futex; for
 * 32-bit programs that is the 32-bit-time one, which a kernel built without
 * CONFIG_COMPAT_32BIT_TIME lacks (glibc then aborts). Probe it first.
 */
static bool futex_usable(void)
{
	int word = 0;

	return syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) >= 0;
}

FIXTURE_SETUP(conc)
{
	if (!futex_usable())
		SKIP(return, "no usable futex syscall for this ABI (CONFIG_COMPAT_32BIT_TIME=n?)");
	self->fd = ob_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(conc)
{
	close(self->fd);
}

struct torn_ctx {
	int fd;
	__u64 h;
	int id;
	int errors;	/* ioctl failures */
	int torn;	/* reads that were not one byte value throughout */
	int done;	/* successful calls */
};

/* Uniform iff every byte equals the next one. */
static bool uniform(const __u8 *p, size_t len)
{
	return memcmp(p, p + 1, len - 1) == 0;
}

static void *torn_writer(void *arg)
{
	struct torn_ctx *c = arg;
	__u8 *src = malloc(BIG);
	int i;

	if (!src) {
		c->errors++;
		return NULL;
	}
	for (i = 0; i < WRITES; i++) {
		/* Alternating values, different for every writer. */
		memset(src, 0x10 + 2 * c->id + (i & 1), BIG);
		if (_test_write(c->fd, c->h, 0, BIG, src))
			c->errors++;
		else
			c->done++;
	}
	free(src);
	return NULL;
}

static void *torn_reader(void *arg)
{
	struct torn_ctx *c = arg;
	__u8 *dst = malloc(BIG);
	int i;

	if (!dst) {
		c->errors++;
		return NULL;
	}
	for (i = 0; i < READS; i++) {
		if (_test_read(c->fd, c->h, 0, BIG, dst)) {
			c->errors++;
			continue;
		}
		c->done++;
		if (!uniform(dst, BIG))
			c->torn++;
	}
	free(dst);
	return NULL;
}

/* Whole-buffer writes through the owner handle are never seen half done. */
TEST_F(conc, readers_never_see_torn_write)
{
	struct torn_ctx ctx[WRITERS + READERS];
	pthread_t th[WRITERS + READERS];
	int i, torn = 0, errors = 0;
	__u64 h;

	test_create(self->fd, BIG, &h);
	for (i = 0; i < WRITERS + READERS; i++) {
		memset(&ctx[i], 0, sizeof(ctx[i]));
		ctx[i].fd = self->fd;
		ctx[i].h = h;
		ctx[i].id = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL,
					    i < WRITERS ? torn_writer : torn_reader, &ctx[i]));
	}
	for (i = 0; i < WRITERS + READERS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		torn += ctx[i].torn;
		errors += ctx[i].errors;
	}
	EXPECT_EQ(0, errors);
	EXPECT_EQ(0, torn) TH_LOG("%d of %d reads saw a torn write", torn, READERS * READS);
}

struct excl_ctx {
	int fd;
	__u64 h;
	__u32 mode;
	int bad;	/* rule 2 seen broken, or an unexpected errno */
	int got;	/* borrows obtained */
};

static void *excl_worker(void *arg)
{
	struct excl_ctx *c = arg;
	struct ownbuf_query q;
	__u64 b;
	int i, rc;

	for (i = 0; i < 150; i++) {
		rc = _test_borrow(c->fd, c->h, c->mode, &b);
		if (rc == -EBUSY)
			continue;
		if (rc) {
			c->bad++;
			continue;
		}
		c->got++;
		if (_test_query(c->fd, b, &q))
			c->bad++;
		else if (c->mode == OWNBUF_MODE_MUT && (q.out_mut != 1 || q.out_shared != 0))
			c->bad++;
		else if (c->mode == OWNBUF_MODE_SHARED && (q.out_mut != 0 || q.out_shared < 1))
			c->bad++;
		if (_test_release(c->fd, b))
			c->bad++;
	}
	return NULL;
}

/* Racing shared and mutable borrows: never both, never two mutable. */
TEST_F(conc, borrow_exclusion_under_contention)
{
	struct excl_ctx ctx[4];
	pthread_t th[4];
	struct ownbuf_query q;
	int i, bad = 0, got = 0;
	__u64 h;

	test_create(self->fd, 4096, &h);
	for (i = 0; i < 4; i++) {
		ctx[i] = (struct excl_ctx){
			.fd = self->fd, .h = h,
			.mode = i & 1 ? OWNBUF_MODE_MUT : OWNBUF_MODE_SHARED,
		};
		ASSERT_EQ(0, pthread_create(&th[i], NULL, excl_worker, &ctx[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		bad += ctx[i].bad;
		got += ctx[i].got;
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, got);
	test_query(self->fd, h, &q);
	EXPECT_EQ(0, q.out_shared);
	EXPECT_EQ(0, q.out_mut);
	test_drop(self->fd, h);
}

struct drop_ctx {
	int fd;
	__u64 h;
	int *go;	/* cleared once the drop is done */
	int ok;
	int stale;
	int other;
};

static void *drop_reader(void *arg)
{
	struct drop_ctx *c = arg;
	__u8 dst[256];
	int i, rc;

	for (i = 0; i < 400; i++) {
		rc = _test_read(c->fd, c->h, 0, sizeof(dst), dst);
		if (rc == 0)
			c->ok++;
		else if (rc == -ESTALE)
			c->stale++;
		else
			c->other++;
		if (c->stale && !__atomic_load_n(c->go, __ATOMIC_ACQUIRE))
			break;
	}
	return NULL;
}

/* A drop racing with readers: each read gets the data or ESTALE. */
TEST_F(conc, drop_races_readers)
{
	struct drop_ctx ctx[3];
	pthread_t th[3];
	int go = 1;
	__u64 h, b[3];
	__u8 scratch;
	int i;

	test_create(self->fd, 4096, &h);
	for (i = 0; i < 3; i++) {
		/* One reader through the owner, the others through borrows. */
		if (i == 0)
			b[i] = h;
		else
			test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b[i]);
		ctx[i] = (struct drop_ctx){ .fd = self->fd, .h = b[i], .go = &go };
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, drop_reader, &ctx[i]));
	usleep(20000);
	test_drop_revoke(self->fd, h);
	__atomic_store_n(&go, 0, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, ctx[i].other);
	}
	for (i = 0; i < 3; i++)
		test_err_read(ESTALE, self->fd, b[i], 0, 1, &scratch);
}

struct take_ctx {
	__u64 ticket;
	pthread_barrier_t *bar;
	int fd;
	int rc;
};

static void *taker(void *arg)
{
	struct take_ctx *c = arg;

	pthread_barrier_wait(c->bar);
	c->rc = _test_take(c->fd, c->ticket, NULL);
	return NULL;
}

/* Two sessions race to take one ticket: one wins, the other gets ENOENT. */
TEST_F(conc, ticket_taken_once)
{
	pthread_barrier_t bar;
	struct take_ctx ctx[2];
	pthread_t th[2];
	int round, i, fds[2], wins;
	__u64 h, t;

	for (i = 0; i < 2; i++) {
		fds[i] = ob_open();
		ASSERT_LE(0, fds[i]);
	}
	for (round = 0; round < 20; round++) {
		test_create(self->fd, 4096, &h);
		test_give(self->fd, h, &t);
		ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
		for (i = 0; i < 2; i++) {
			ctx[i] = (struct take_ctx){ .ticket = t, .bar = &bar, .fd = fds[i] };
			ASSERT_EQ(0, pthread_create(&th[i], NULL, taker, &ctx[i]));
		}
		wins = 0;
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, pthread_join(th[i], NULL));
			if (ctx[i].rc == 0)
				wins++;
			else
				EXPECT_ERRNO(ENOENT, ctx[i].rc);
		}
		pthread_barrier_destroy(&bar);
		EXPECT_EQ(1, wins);
	}
	close(fds[0]);
	close(fds[1]);
}

TEST_HARNESS_MAIN
