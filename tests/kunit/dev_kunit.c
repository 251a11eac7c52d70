// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the /dev/ownbuf glue: registration state and the ioctl
 * decoder's answer to commands it does not know.
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

#include <uapi/linux/ownbuf.h>
#include <ownbuf/dev.h>

#include "core_kunit.h"

/*
 * The suite runs after module init: the device must be registered under its
 * documented name, with a minor the misc core assigned (not the dynamic
 * placeholder), else userspace would find no /dev/ownbuf.
 */
static void ownbuf_dev_registered_after_init(struct kunit *test)
{
	KUNIT_ASSERT_TRUE(test, ownbuf_dev_registered());
	KUNIT_EXPECT_STREQ(test, ownbuf_misc.name, OWNBUF_DEVICE_NAME);
	KUNIT_EXPECT_NE(test, ownbuf_misc.minor, MISC_DYNAMIC_MINOR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ownbuf_misc.this_device);
	KUNIT_EXPECT_EQ(test, MAJOR(ownbuf_misc.this_device->devt), MISC_MAJOR);
	KUNIT_EXPECT_EQ(test, MINOR(ownbuf_misc.this_device->devt),
			(unsigned int)ownbuf_misc.minor);
}

/* 32-bit callers must reach the same decoder, so compat must be wired. */
static void ownbuf_dev_fops_compat(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL(test, ownbuf_misc.fops);
	KUNIT_EXPECT_PTR_EQ(test, (void *)ownbuf_misc.fops->compat_ioctl,
			    (void *)compat_ptr_ioctl);
	KUNIT_EXPECT_NOT_NULL(test, ownbuf_misc.fops->unlocked_ioctl);
}

struct ownbuf_unknown_cmd {
	const char *name;
	unsigned int cmd;
};

/*
 * Commands the device must refuse with ENOTTY: wrong magic, our magic with
 * an undefined number, and the classic terminal ioctl that tools probe with.
 */
static const struct ownbuf_unknown_cmd ownbuf_unknown_cmds[] = {
	{ "zero", 0 },
	{ "tcgets", 0x5401 },
	{ "own_magic_io", _IO(OWNBUF_IOCTL_MAGIC, 0xff) },
	{ "own_magic_iowr", _IOWR(OWNBUF_IOCTL_MAGIC, 0xfe, __u64) },
	{ "other_magic", _IOWR('X', 1, __u64) },
};

static void ownbuf_unknown_cmd_desc(const struct ownbuf_unknown_cmd *c,
				    char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ownbuf_unknown, ownbuf_unknown_cmds, ownbuf_unknown_cmd_desc);

static void ownbuf_ioctl_dispatch_unknown_enotty(struct kunit *test)
{
	const struct ownbuf_unknown_cmd *c = test->param_value;

	KUNIT_EXPECT_EQ(test, ownbuf_ioctl_dispatch(NULL, c->cmd, 0), -ENOTTY);
}

/*
 * A defined command with a NULL argument is EFAULT, counted as a NULL
 * dereference and as a refusal; the decoder never reaches the core.
 */
static void ownbuf_ioctl_dispatch_null_arg_efault(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);

	KUNIT_EXPECT_EQ(test, -EFAULT, ownbuf_ioctl_dispatch(s, OWNBUF_IOC_CREATE, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT, ownbuf_ioctl_dispatch(s, OWNBUF_IOC_STATS, 0));
	KUNIT_EXPECT_EQ(test, 2, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_NULL_DEREF));
	KUNIT_EXPECT_EQ(test, atomic64_read(&s->counters.refused), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kd->dev.counters.buffers), 0);
	/* A known number with a smaller size is another command: ENOTTY. */
	KUNIT_EXPECT_EQ(test, -ENOTTY,
			ownbuf_ioctl_dispatch(s, _IOWR(OWNBUF_IOCTL_MAGIC,
						       _IOC_NR(OWNBUF_IOC_CREATE), __u64), 0));
}

static struct kunit_case ownbuf_dev_cases[] = {
	KUNIT_CASE(ownbuf_dev_registered_after_init),
	KUNIT_CASE(ownbuf_dev_fops_compat),
	KUNIT_CASE(ownbuf_ioctl_dispatch_null_arg_efault),
	KUNIT_CASE_PARAM(ownbuf_ioctl_dispatch_unknown_enotty,
			 ownbuf_unknown_gen_params),
	{}
};

static struct kunit_suite ownbuf_dev_suite = {
	.name = "ownbuf_dev",
	.test_cases = ownbuf_dev_cases,
};

kunit_test_suite(ownbuf_dev_suite);
