// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf_gate: a deliberately broken module. scripts/gate-test.sh loads it
 * in the debug guest with bug=kunit (a failing KUnit case), then, once every
 * other result is out, loads it again with bug=kasan (an out-of-bounds
 * write), and checks that `make check`'s summary fails and says why for
 * each. Never shipped.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "which gate to trip: none, kasan or kunit");

/* An 8-byte object written one byte past its end: KASAN must report it. */
static noinline void ownbuf_gate_overflow(void)
{
	char *p = kmalloc(8, GFP_KERNEL);

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(p);
	p[8] = 1;
	kfree(p);
}

static void ownbuf_gate_case(struct kunit *test)
{
	KUNIT_EXPECT_STRNEQ_MSG(test, bug, "kunit",
				"deliberate failure for the KUnit gate");
}

static struct kunit_case ownbuf_gate_cases[] = {
	KUNIT_CASE(ownbuf_gate_case),
	{}
};

static struct kunit_suite ownbuf_gate_suite = {
	.name = "ownbuf_gate",
	.test_cases = ownbuf_gate_cases,
};

kunit_test_suite(ownbuf_gate_suite);

static int __init ownbuf_gate_init(void)
{
	if (!strcmp(bug, "kasan"))
		ownbuf_gate_overflow();
	return 0;
}

static void __exit ownbuf_gate_exit(void)
{
}

module_init(ownbuf_gate_init);
module_exit(ownbuf_gate_exit);

MODULE_DESCRIPTION("ownbuf test-only module that trips the check gates");
MODULE_LICENSE("GPL");
