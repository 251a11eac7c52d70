// SPDX-License-Identifier: GPL-2.0
/*
 * A selftest that fails on purpose: it expects EINVAL where the device
 * rightly answers ENOTTY. Built only by scripts/gate-test.sh selftest.
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ownbuf.h>

#include "kselftest_harness.h"

TEST(deliberately_wrong_errno)
{
	int fd = open("/dev/ownbuf", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(OWNBUF_IOCTL_MAGIC, 0xff)));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_HARNESS_MAIN
