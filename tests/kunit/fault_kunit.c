// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for allocation failure paths: every allocation an operation
 * makes is failed in turn (the task's fail-nth, as tools/testing/selftests/
 * iommu/iommufd_fail_nth.c does from userspace), and the operation must
 * then answer ENOMEM with nothing changed: no handle, no charge, no ticket,
 * no borrow. kmemleak, scanned after the run, sees what the counters miss.
 *
 * Needs CONFIG_FAULT_INJECTION and the failslab/fail_page_alloc attributes
 * set to fail sleeping allocations (the guest's init does), else skipped.
 * Also here: a call that cannot deliver its new handle undoes itself.
 */

#include <linux/fault-inject.h>
#include <linux/sched.h>

#include "core_kunit.h"

#define OB_MAX_NTH 64

struct ob_fault_ctx {
	struct ownbuf_kunit_dev *kd;
	struct ownbuf_session *a, *b;
	u64 h;		/* owned by a */
	u64 ticket;	/* made by a, of the kind the op needs */
	u64 out;
};

struct ob_fault_case {
	const char *name;
	/* Sets up what the op needs; no fault injection during it. */
	void (*prepare)(struct kunit *test, struct ob_fault_ctx *c);
	int (*op)(struct ob_fault_ctx *c);
};

struct ob_snapshot {
	s64 dev_buffers, dev_bytes, dev_tickets, dev_borrows;
	s64 a_buffers, b_buffers, a_tickets, b_borrows;
	u32 a_live, b_live;
};

static void ob_snap(struct ob_fault_ctx *c, struct ob_snapshot *s)
{
	struct ownbuf_counters *d = &c->kd->dev.counters;

	s->dev_buffers = atomic64_read(&d->buffers);
	s->dev_bytes = atomic64_read(&d->bytes);
	s->dev_tickets = atomic64_read(&d->tickets);
	s->dev_borrows = atomic64_read(&d->borrows);
	s->a_buffers = atomic64_read(&c->a->counters.buffers);
	s->b_buffers = atomic64_read(&c->b->counters.buffers);
	s->a_tickets = atomic64_read(&c->a->counters.tickets);
	s->b_borrows = atomic64_read(&c->b->counters.borrows);
	s->a_live = c->a->live;
	s->b_live = c->b->live;
}

static void ob_prep_buffer(struct kunit *test, struct ob_fault_ctx *c)
{
	c->h = ownbuf_kunit_create(test, c->a, 4096);
}

static void ob_prep_move(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_buffer(test, c);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(c->a, c->h, 0, &c->ticket));
}

/*
 * Fill every slot of a's table, so that the op's new handle must grow it:
 * the table's allocation is then one of those failed.
 */
static void ob_prep_full_table(struct kunit *test, struct ob_fault_ctx *c)
{
	while (c->a->free_head || c->a->used < c->a->nr_slots)
		ownbuf_kunit_create(test, c->a, 8);
}

static void ob_prep_buffer_full(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_buffer(test, c);
	ob_prep_full_table(test, c);
}

static void ob_prep_move_full(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_move(test, c);
	ob_prep_full_table(test, c);
}

static void ob_prep_loan(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_buffer(test, c);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(c->a, c->h, OWNBUF_MODE_SHARED, 0, &c->ticket));
}

static int ob_op_create_small(struct ob_fault_ctx *c)
{
	return ownbuf_create(c->b, 64, 0, &c->out);
}

static int ob_op_create_large(struct ob_fault_ctx *c)
{
	return ownbuf_create(c->b, 512 << 10, 0, &c->out);
}

static int ob_op_borrow(struct ob_fault_ctx *c)
{
	return ownbuf_borrow(c->a, c->h, OWNBUF_MODE_SHARED, 0, &c->out);
}

static int ob_op_clone(struct ob_fault_ctx *c)
{
	return ownbuf_clone(c->a, c->h, 0, &c->out);
}

static int ob_op_give(struct ob_fault_ctx *c)
{
	return ownbuf_give(c->a, c->h, 0, &c->out);
}

static int ob_op_lend(struct ob_fault_ctx *c)
{
	return ownbuf_lend(c->a, c->h, OWNBUF_MODE_MUT, 0, &c->out);
}

static int ob_op_take(struct ob_fault_ctx *c)
{
	return ownbuf_take(c->b, c->ticket, 0, &c->out);
}

static int ob_op_accept(struct ob_fault_ctx *c)
{
	return ownbuf_accept(c->b, c->ticket, 0, &c->out);
}

static int ob_op_cancel(struct ob_fault_ctx *c)
{
	return ownbuf_cancel(c->a, c->ticket, 0, &c->out);
}

static const struct ob_fault_case ob_fault_cases[] = {
	{ "create_small", NULL, ob_op_create_small },
	{ "create_large", NULL, ob_op_create_large },
	{ "borrow", ob_prep_buffer_full, ob_op_borrow },
	{ "clone", ob_prep_buffer, ob_op_clone },
	{ "give", ob_prep_buffer, ob_op_give },
	{ "lend", ob_prep_buffer, ob_op_lend },
	{ "take", ob_prep_move, ob_op_take },
	{ "accept", ob_prep_loan, ob_op_accept },
	{ "cancel_move", ob_prep_move_full, ob_op_cancel },
};

static void ob_fault_desc(const struct ob_fault_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ob_fault, ob_fault_cases, ob_fault_desc);

#ifdef CONFIG_FAULT_INJECTION
/*
 * One round of a case: fresh sessions (so that table growth is failed too),
 * the case's setup, then its op with its @nth allocation failed (0: none).
 * A refusal must be @want and change nothing. Returns the op's answer;
 * *@left is what was left of fail_nth (not 0: no allocation was failed).
 */
static int ob_fault_round(struct kunit *test, struct ob_fault_ctx *c,
			  const struct ob_fault_case *fc, int nth, int want,
			  unsigned int *left)
{
	struct ob_snapshot before, after;
	int ret;

	c->a = ownbuf_kunit_session(test, c->kd);
	c->b = ownbuf_kunit_session(test, c->kd);
	if (fc->prepare)
		fc->prepare(test, c);
	ob_snap(c, &before);

	current->fail_nth = nth;
	ret = fc->op(c);
	*left = current->fail_nth;
	current->fail_nth = 0;

	if (ret) {
		KUNIT_EXPECT_EQ_MSG(test, want, ret, "allocation %d failed", nth);
		ob_snap(c, &after);
		KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(&before, &after, sizeof(before)),
				    "state changed by a refused call (allocation %d)", nth);
	}
	ownbuf_kunit_default_limits(c->kd);
	ownbuf_kunit_close(test, c->b);
	ownbuf_kunit_close(test, c->a);
	KUNIT_EXPECT_EQ(test, atomic64_read(&c->kd->dev.counters.buffers), 0);
	return ret;
}
#endif

/*
 * Fail the 1st, 2nd, ... allocation of the op until it runs out of
 * allocations to fail and succeeds; every failure must be a clean ENOMEM.
 */
static void ownbuf_op_fail_nth(struct kunit *test)
{
#ifndef CONFIG_FAULT_INJECTION
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#else
	const struct ob_fault_case *fc = test->param_value;
	struct ob_fault_ctx *c;
	int nth, ret, failures = 0;
	unsigned int left;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->kd = ownbuf_kunit_dev(test);

	for (nth = 1; nth <= OB_MAX_NTH; nth++) {
		ret = ob_fault_round(test, c, fc, nth, -ENOMEM, &left);
		failures += !!ret;
		if (!ret && left)
			break;
	}
	KUNIT_EXPECT_LE_MSG(test, nth, OB_MAX_NTH, "never ran out of allocations to fail");
	if (!failures)
		kunit_skip(test, "no allocation could be failed (failslab ignores GFP_KERNEL?)");
	kunit_info(test, "%d allocation failure(s) handled", failures);
#endif
}

/* Quota exhausted for what the op makes; the quota must win over ENOMEM. */
static void ob_quota_tickets(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_buffer(test, c);
	c->kd->limits.session_max_tickets = 0;
}

static void ob_quota_buffers(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_buffer_full(test, c);
	c->kd->limits.session_max_buffers = atomic64_read(&c->a->counters.buffers);
}

static void ob_quota_buffers_b(struct kunit *test, struct ob_fault_ctx *c)
{
	while (c->b->free_head || c->b->used < c->b->nr_slots)
		ownbuf_kunit_create(test, c->b, 8);
	c->kd->limits.session_max_buffers = atomic64_read(&c->b->counters.buffers);
}

static void ob_quota_move_buffers_b(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_move(test, c);
	ob_quota_buffers_b(test, c);
}

static void ob_quota_move_buffers_a(struct kunit *test, struct ob_fault_ctx *c)
{
	ob_prep_move_full(test, c);
	c->kd->limits.session_max_buffers = atomic64_read(&c->a->counters.buffers);
}

static int ob_op_create_a(struct ob_fault_ctx *c)
{
	return ownbuf_create(c->a, 64, 0, &c->out);
}

static const struct ob_fault_case ob_order_cases[] = {
	{ "give", ob_quota_tickets, ob_op_give },
	{ "lend", ob_quota_tickets, ob_op_lend },
	{ "create", ob_quota_buffers, ob_op_create_a },
	{ "clone", ob_quota_buffers, ob_op_clone },
	{ "take", ob_quota_move_buffers_b, ob_op_take },
	{ "cancel_move", ob_quota_move_buffers_a, ob_op_cancel },
};

KUNIT_ARRAY_PARAM(ob_order, ob_order_cases, ob_fault_desc);

/*
 * The contract's error order puts EDQUOT before ENOMEM: over a quota, an op
 * answers EDQUOT whichever of its allocations fails, the table's growth
 * included, and changes nothing.
 */
static void ownbuf_quota_before_enomem(struct kunit *test)
{
#ifndef CONFIG_FAULT_INJECTION
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#else
	const struct ob_fault_case *fc = test->param_value;
	struct ob_fault_ctx *c;
	unsigned int left;
	int nth;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->kd = ownbuf_kunit_dev(test);

	for (nth = 0; nth <= 8; nth++)
		KUNIT_EXPECT_EQ_MSG(test, -EDQUOT,
				    ob_fault_round(test, c, fc, nth, -EDQUOT, &left),
				    "allocation %d failed", nth);
#endif
}

/*
 * The calls that make a handle tell it through struct ownbuf_answer before
 * it is live (the ioctl glue writes it to user memory there). A delivery
 * that fails must undo the call; a call that fails after delivering must
 * retract what it delivered. Each case runs its op with an answer whose
 * hooks are below.
 */
struct ob_answer_ctx {
	struct ownbuf_answer a;
	struct ob_fault_ctx *c;
	int deliver_err;	/* what delivery answers */
	/* Run inside delivery: another party's call that makes the op fail. */
	void (*meddle)(struct ob_answer_ctx *ac);
	u64 delivered;
	int delivered_nr, retracted_nr;
};

static int ob_answer_deliver(const struct ownbuf_answer *a, u64 handle)
{
	struct ob_answer_ctx *ac = container_of(a, struct ob_answer_ctx, a);

	ac->delivered = handle;
	ac->delivered_nr++;
	if (ac->meddle)
		ac->meddle(ac);
	return ac->deliver_err;
}

static void ob_answer_retract(const struct ownbuf_answer *a)
{
	container_of(a, struct ob_answer_ctx, a)->retracted_nr++;
}

/* The owner takes a mutable borrow while b's shared one is being made. */
static void ob_meddle_borrow(struct ob_answer_ctx *ac)
{
	u64 mut;

	ownbuf_borrow(ac->c->a, ac->c->h, OWNBUF_MODE_MUT, 0, &mut);
}

/* The maker cancels the ticket b is taking or accepting. */
static void ob_meddle_cancel(struct ob_answer_ctx *ac)
{
	u64 back;

	ownbuf_cancel(ac->c->a, ac->c->ticket, 0, &back);
}

struct ob_answer_case {
	const char *name;
	void (*prepare)(struct kunit *test, struct ob_fault_ctx *c);
	int (*op)(struct ob_fault_ctx *c, const struct ownbuf_answer *a);
	void (*meddle)(struct ob_answer_ctx *ac);
	int late_err;	/* the op's error when meddled with */
};

static int ob_ans_create(struct ob_fault_ctx *c, const struct ownbuf_answer *a)
{
	return ownbuf_create_answer(c->b, 64, 0, a);
}

static int ob_ans_borrow(struct ob_fault_ctx *c, const struct ownbuf_answer *a)
{
	/* A borrow in a, of its own buffer: the meddler is its owner. */
	return ownbuf_borrow_answer(c->a, c->h, OWNBUF_MODE_SHARED, 0, a);
}

static int ob_ans_clone(struct ob_fault_ctx *c, const struct ownbuf_answer *a)
{
	return ownbuf_clone_answer(c->a, c->h, 0, a);
}

static int ob_ans_take(struct ob_fault_ctx *c, const struct ownbuf_answer *a)
{
	return ownbuf_take_answer(c->b, c->ticket, 0, a);
}

static int ob_ans_accept(struct ob_fault_ctx *c, const struct ownbuf_answer *a)
{
	return ownbuf_accept_answer(c->b, c->ticket, 0, a);
}

static const struct ob_answer_case ob_answer_cases[] = {
	{ "create", NULL, ob_ans_create },
	{ "borrow", ob_prep_buffer, ob_ans_borrow, ob_meddle_borrow, -EBUSY },
	{ "clone", ob_prep_buffer, ob_ans_clone },
	{ "take", ob_prep_move, ob_ans_take, ob_meddle_cancel, -ENOENT },
	{ "accept", ob_prep_loan, ob_ans_accept, ob_meddle_cancel, -ENOENT },
};

static void ob_answer_desc(const struct ob_answer_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ob_answer, ob_answer_cases, ob_answer_desc);

/*
 * Delivery fails: the call answers its error, and nothing changed; the
 * handle it was about to make is issued again by the same call next time
 * (no generation was spent on a handle nobody got). With a meddler, the
 * call fails after delivering and retracts exactly once.
 */
static void ownbuf_answer_undone(struct kunit *test)
{
	const struct ob_answer_case *ac_case = test->param_value;
	struct ob_answer_ctx ac = {
		.a = { .deliver = ob_answer_deliver, .retract = ob_answer_retract },
	};
	struct ob_snapshot before, after;
	struct ob_fault_ctx *c;
	u64 out = 0, first;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->kd = ownbuf_kunit_dev(test);
	c->a = ownbuf_kunit_session(test, c->kd);
	c->b = ownbuf_kunit_session(test, c->kd);
	if (ac_case->prepare)
		ac_case->prepare(test, c);
	ac.c = c;
	ac.a.out = &out;

	ob_snap(c, &before);
	ac.deliver_err = -EFAULT;
	KUNIT_EXPECT_EQ(test, -EFAULT, ac_case->op(c, &ac.a));
	ob_snap(c, &after);
	KUNIT_EXPECT_EQ(test, 0, memcmp(&before, &after, sizeof(before)));
	KUNIT_EXPECT_EQ(test, 1, ac.delivered_nr);
	KUNIT_EXPECT_EQ(test, 0, ac.retracted_nr);
	KUNIT_EXPECT_EQ(test, 0ULL, out);
	first = ac.delivered;

	if (ac_case->meddle) {
		ac.deliver_err = 0;
		ac.meddle = ac_case->meddle;
		KUNIT_EXPECT_EQ(test, ac_case->late_err, ac_case->op(c, &ac.a));
		KUNIT_EXPECT_EQ(test, 2, ac.delivered_nr);
		KUNIT_EXPECT_EQ(test, 1, ac.retracted_nr);
		KUNIT_EXPECT_EQ(test, 0ULL, out);
		return;
	}
	ac.deliver_err = 0;
	KUNIT_EXPECT_EQ(test, 0, ac_case->op(c, &ac.a));
	KUNIT_EXPECT_EQ(test, first, ac.delivered);
	KUNIT_EXPECT_EQ(test, first, out);
	KUNIT_EXPECT_EQ(test, 0, ac.retracted_nr);
}

static struct kunit_case ownbuf_fault_cases[] = {
	KUNIT_CASE_PARAM(ownbuf_op_fail_nth, ob_fault_gen_params),
	KUNIT_CASE_PARAM(ownbuf_quota_before_enomem, ob_order_gen_params),
	KUNIT_CASE_PARAM(ownbuf_answer_undone, ob_answer_gen_params),
	{}
};

static struct kunit_suite ownbuf_fault_suite = {
	.name = "ownbuf_fault",
	.test_cases = ownbuf_fault_cases,
};

kunit_test_suite(ownbuf_fault_suite);
