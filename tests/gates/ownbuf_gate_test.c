// SPDX-License-Identifier: GPL-2.0
/*
 * A selftest that fails on purpose: it expects EINVAL where close(-1)
 * rightly answers EBADF. Built only by scripts/gate-test.sh, which boots
 * the harness without ownbuf: the gate tests the harness, not the device.
 */

#include <errno.h>
#include <unistd.h>

#include "kselftest_harness.h"

TEST(deliberately_wrong_errno)
{
	EXPECT_EQ(-1, close(-1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
