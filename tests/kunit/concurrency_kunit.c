// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for concurrency: kthreads hammer one buffer with reads,
 * writes and borrows while its owner drops it or closes. Readers must never
 * see a torn write; calls racing with the drop must answer ESTALE (or a
 * rule-2 EBUSY), never touch freed memory (KASAN watches), never leak
 * (kmemleak watches) and never deadlock (lockdep watches).
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>

#include "core_kunit.h"

#define OB_THREADS	4
#define OB_SIZE		4096
#define OB_ITERATIONS	400

struct ob_hammer {
	struct ownbuf_session *s;	/* the session the threads call through */
	u64 h;				/* owner or borrow handle they use */
	atomic_t torn;
	atomic_t unexpected;
	atomic_t ok;
	struct completion done[OB_THREADS];
};

struct ob_worker {
	struct ob_hammer *hm;
	int id;
};

/*
 * Thread 0 writes whole-buffer fills, the others read and borrow. Stops at
 * the first ESTALE: the buffer is gone, as the test intends.
 */
static int ob_hammer_fn(void *arg)
{
	struct ob_worker *w = arg;
	struct ob_hammer *hm = w->hm;
	struct ownbuf_access acc;
	int i, ret = 0;
	u64 b;

	for (i = 0; i < OB_ITERATIONS; i++) {
		if (w->id == 0) {
			ret = ownbuf_access_begin(hm->s, hm->h, true, 0, OB_SIZE, &acc);
			if (!ret) {
				memset(acc.data, i & 0xff, OB_SIZE);
				ownbuf_access_end(&acc);
			}
		} else if (w->id == 1) {
			ret = ownbuf_borrow(hm->s, hm->h, OWNBUF_MODE_SHARED, 0, &b);
			if (!ret)
				ret = ownbuf_release(hm->s, b, 0);
		} else {
			ret = ownbuf_access_begin(hm->s, hm->h, false, 0, OB_SIZE, &acc);
			if (!ret) {
				if (memchr_inv(acc.data, *(u8 *)acc.data, OB_SIZE))
					atomic_inc(&hm->torn);
				ownbuf_access_end(&acc);
			}
		}
		if (ret == -ESTALE)
			break;
		if (!ret)
			atomic_inc(&hm->ok);
		else if (ret != -EBUSY)
			atomic_inc(&hm->unexpected);
		cond_resched();
	}
	complete(&hm->done[w->id]);
	return 0;
}

static void ob_hammer_start(struct kunit *test, struct ob_hammer *hm,
			    struct ob_worker *w)
{
	struct task_struct *t;
	int i;

	for (i = 0; i < OB_THREADS; i++) {
		init_completion(&hm->done[i]);
		w[i] = (struct ob_worker){ hm, i };
		t = kthread_run(ob_hammer_fn, &w[i], "ownbuf-hammer/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
}

static void ob_hammer_wait(struct ob_hammer *hm)
{
	int i;

	for (i = 0; i < OB_THREADS; i++)
		wait_for_completion(&hm->done[i]);
}

/*
 * Threads of one session share its owner handle; the owner drops with
 * REVOKE while they run. No torn read, no unexpected errno.
 */
static void ownbuf_access_begin_concurrent_with_drop(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ob_worker w[OB_THREADS];
	struct ob_hammer *hm;

	hm = kunit_kzalloc(test, sizeof(*hm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hm);
	hm->s = s;
	hm->h = ownbuf_kunit_create(test, s, OB_SIZE);
	ob_hammer_start(test, hm, w);
	msleep(50);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(s, hm->h, OWNBUF_DROP_REVOKE));
	ob_hammer_wait(hm);

	KUNIT_EXPECT_EQ(test, atomic_read(&hm->torn), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&hm->unexpected), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&hm->ok), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	KUNIT_EXPECT_EQ(test, s->live, 0U);
}

/*
 * Another session reads through a mutable loan while the owner's session
 * closes: the borrower's calls end in ESTALE, the buffer is freed once they
 * have left it.
 */
static void ownbuf_session_destroy_concurrent_with_borrowers(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *owner = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *other = ownbuf_kunit_session(test, kd);
	struct ob_worker w[OB_THREADS];
	struct ob_hammer *hm;
	u64 h, t;

	hm = kunit_kzalloc(test, sizeof(*hm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hm);
	h = ownbuf_kunit_create(test, owner, OB_SIZE);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(owner, h, OWNBUF_MODE_MUT, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(other, t, 0, &hm->h));
	hm->s = other;
	ob_hammer_start(test, hm, w);
	msleep(50);
	ownbuf_kunit_close(test, owner);
	ob_hammer_wait(hm);

	KUNIT_EXPECT_EQ(test, atomic_read(&hm->torn), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&hm->unexpected), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(other, hm->h, 0));
}

struct ob_mover {
	struct ownbuf_session *giver, *taker;
	atomic64_t mailbox;		/* the ticket in flight, 0 when none */
	atomic_t giver_done;
	atomic_t unexpected;
	atomic_t taken, cancelled;
	struct completion done[2];
};

/* Gives buffers away, then tries to cancel: races the taker for each. */
static int ob_giver_fn(void *arg)
{
	struct ob_mover *m = arg;
	u64 h, t, back;
	int i, ret;

	for (i = 0; i < OB_ITERATIONS; i++) {
		if (ownbuf_create(m->giver, 64, 0, &h) ||
		    ownbuf_give(m->giver, h, 0, &t)) {
			atomic_inc(&m->unexpected);
			continue;
		}
		atomic64_set(&m->mailbox, t);
		/* Leave the taker a window, else cancel nearly always wins. */
		usleep_range(20, 40);
		ret = ownbuf_cancel(m->giver, t, 0, &back);
		if (!ret) {
			atomic_inc(&m->cancelled);
			if (ownbuf_drop(m->giver, back, 0))
				atomic_inc(&m->unexpected);
		} else if (ret != -ENOENT) {
			atomic_inc(&m->unexpected);
		}
	}
	atomic_set(&m->giver_done, 1);
	complete(&m->done[0]);
	return 0;
}

static int ob_taker_fn(void *arg)
{
	struct ob_mover *m = arg;
	u64 t, h;
	int ret;

	while (!atomic_read(&m->giver_done)) {
		t = atomic64_xchg(&m->mailbox, 0);
		if (!t) {
			cond_resched();
			continue;
		}
		ret = ownbuf_take(m->taker, t, 0, &h);
		if (!ret) {
			atomic_inc(&m->taken);
			if (ownbuf_drop(m->taker, h, 0))
				atomic_inc(&m->unexpected);
		} else if (ret != -ENOENT) {
			atomic_inc(&m->unexpected);
		}
	}
	complete(&m->done[1]);
	return 0;
}

/*
 * take and cancel race for the same tickets from two threads: each ticket
 * is won by exactly one of them, and nothing is left behind.
 */
static void ownbuf_take_cancel_race(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct task_struct *t;
	struct ob_mover *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->giver = ownbuf_kunit_session(test, kd);
	m->taker = ownbuf_kunit_session(test, kd);
	init_completion(&m->done[0]);
	init_completion(&m->done[1]);
	t = kthread_run(ob_taker_fn, m, "ownbuf-taker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	t = kthread_run(ob_giver_fn, m, "ownbuf-giver");
	if (IS_ERR(t)) {
		atomic_set(&m->giver_done, 1);
		wait_for_completion(&m->done[1]);
		KUNIT_FAIL(test, "cannot start the giver thread");
		return;
	}
	wait_for_completion(&m->done[0]);
	wait_for_completion(&m->done[1]);

	KUNIT_EXPECT_EQ(test, atomic_read(&m->unexpected), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->taken) + atomic_read(&m->cancelled),
			OB_ITERATIONS);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.tickets), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	kunit_info(test, "%d taken, %d cancelled", atomic_read(&m->taken),
		   atomic_read(&m->cancelled));
}

/* A session holding a loan of the racing buffer, and what its thread does. */
struct ob_holder {
	struct ownbuf_session *s;
	u64 b;			/* the accepted borrow handle */
	int close_after;	/* close the session after that many calls; -1 never */
	atomic_t *unexpected;
	struct completion done;
};

/*
 * Borrows through its loan and releases, until the loan is revoked (ESTALE)
 * or it is time to close the whole session, revocation or not.
 */
static int ob_holder_fn(void *arg)
{
	struct ob_holder *r = arg;
	int i, ret;
	u64 b;

	for (i = 0; ; i++) {
		if (i == r->close_after) {
			ownbuf_session_destroy(r->s);
			r->s = NULL;
			break;
		}
		ret = ownbuf_borrow(r->s, r->b, OWNBUF_MODE_SHARED, 0, &b);
		if (!ret)
			ret = ownbuf_release(r->s, b, 0);
		if (ret == -ESTALE)
			break;
		if (ret)
			atomic_inc(r->unexpected);
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

#define OB_REVOKE_ROUNDS	64

/*
 * The revoker and the holders race: while the owner drops a lent buffer
 * with REVOKE, one holder borrows and releases through its loan and the
 * other does the same, then closes its session at some point of the
 * revocation. Every borrow is revoked once, by one side: afterwards nothing
 * is counted, nothing leaks, and no lock was taken the wrong way round.
 */
static void ownbuf_revoke_races_release_and_close(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	struct ob_holder *r;
	struct task_struct *t;
	atomic_t unexpected;
	int round, i;
	u64 h, lend;

	r = kunit_kcalloc(test, 2, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	atomic_set(&unexpected, 0);
	for (round = 0; round < OB_REVOKE_ROUNDS; round++) {
		h = ownbuf_kunit_create(test, o, 64);
		for (i = 0; i < 2; i++) {
			r[i].s = ownbuf_session_create(&kd->dev);
			KUNIT_ASSERT_FALSE(test, IS_ERR(r[i].s));
			KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_SHARED, 0, &lend));
			KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(r[i].s, lend, 0, &r[i].b));
			r[i].close_after = i ? round % 8 : -1;
			r[i].unexpected = &unexpected;
			init_completion(&r[i].done);
			t = kthread_run(ob_holder_fn, &r[i], "ownbuf-holder/%d", i);
			if (IS_ERR(t)) {
				ob_holder_fn(&r[i]);
				KUNIT_FAIL(test, "cannot start a holder thread");
			}
		}
		udelay(round % 16 * 10);
		KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(o, h, OWNBUF_DROP_REVOKE));
		for (i = 0; i < 2; i++)
			wait_for_completion(&r[i].done);
		/* The holder that stayed open holds nothing any more. */
		KUNIT_EXPECT_EQ(test, 0U, r[0].s->live);
		KUNIT_EXPECT_EQ(test, 0, atomic64_read(&r[0].s->counters.borrows));
		ownbuf_session_destroy(r[0].s);
		if (r[1].s)
			ownbuf_session_destroy(r[1].s);
		KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.borrows));
		KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.buffers));
		KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.tickets));
	}
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&unexpected));
	KUNIT_EXPECT_EQ(test, 0U, o->live);
}

/* A thread that reserves a slot in a full table, and what it got. */
struct ob_grower {
	struct ownbuf_session *s;
	u32 index;
	int ret;
	struct completion done;
};

static int ob_grower_fn(void *arg)
{
	struct ob_grower *g = arg;

	g->ret = ownbuf_slot_reserve(g->s, &g->index);
	complete(&g->done);
	return 0;
}

/*
 * Review finding 13: a thread that found the table full and waited for
 * the growth lock must look again once it has it, and take the slot that
 * appeared meanwhile (another thread's growth, or here a drop) instead of
 * growing the table, or failing with a spurious ENOMEM if it could not.
 * The test holds the growth lock until the thread sleeps on it, frees a
 * slot, then lets it go: the thread must get that slot, the table the
 * same size.
 */
static void ownbuf_growth_waiter_takes_the_slot_freed_meanwhile(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct task_struct *t;
	struct ob_grower *g;
	u32 nr_slots;
	u64 h = 0;
	int i;

	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	g->s = s;
	init_completion(&g->done);
	do
		h = ownbuf_kunit_create(test, s, 8);
	while (s->free_head || s->used < s->nr_slots);
	nr_slots = s->nr_slots;

	mutex_lock(&s->grow_lock);
	t = kthread_create(ob_grower_fn, g, "ownbuf-grower");
	if (IS_ERR(t)) {
		mutex_unlock(&s->grow_lock);
		KUNIT_FAIL(test, "cannot start the grower thread");
		return;
	}
	/* Its state is read below even if it has already returned. */
	get_task_struct(t);
	wake_up_process(t);
	/* Until it sleeps on the growth lock (at most 10 s). */
	for (i = 0; i < 500 && READ_ONCE(t->__state) != TASK_UNINTERRUPTIBLE; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->__state), TASK_UNINTERRUPTIBLE);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(s, h, 0));
	mutex_unlock(&s->grow_lock);
	wait_for_completion(&g->done);
	put_task_struct(t);

	KUNIT_EXPECT_EQ(test, 0, g->ret);
	KUNIT_EXPECT_EQ(test, nr_slots, s->nr_slots);
	KUNIT_EXPECT_EQ(test, h & OWNBUF_INDEX_MAX, (u64)g->index);
	if (!g->ret)
		ownbuf_slot_unreserve(s, g->index);
}

static struct kunit_case ownbuf_concurrency_cases[] = {
	KUNIT_CASE_SLOW(ownbuf_access_begin_concurrent_with_drop),
	KUNIT_CASE_SLOW(ownbuf_session_destroy_concurrent_with_borrowers),
	KUNIT_CASE_SLOW(ownbuf_take_cancel_race),
	KUNIT_CASE_SLOW(ownbuf_revoke_races_release_and_close),
	KUNIT_CASE(ownbuf_growth_waiter_takes_the_slot_freed_meanwhile),
	{}
};

static struct kunit_suite ownbuf_concurrency_suite = {
	.name = "ownbuf_concurrency",
	.test_cases = ownbuf_concurrency_cases,
};

kunit_test_suite(ownbuf_concurrency_suite);
