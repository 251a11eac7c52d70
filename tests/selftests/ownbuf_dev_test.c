// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the device node itself, seen from userspace.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/ownbuf.h>

#include "kselftest_harness.h"

#define OWNBUF_PATH "/dev/ownbuf"
/* The misc character-device major (include/linux/major.h). */
#define MISC_MAJOR_NR 10

FIXTURE(dev)
{
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OWNBUF_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* The node is a misc char device, so udev and devtmpfs name it alike. */
TEST(node_is_misc_chardev)
{
	struct stat st;

	ASSERT_EQ(0, stat(OWNBUF_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(MISC_MAJOR_NR, major(st.st_rdev));
}

/* Open and close, many times: nothing is kept per open that close leaks. */
TEST(open_close_repeatedly)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = open(OWNBUF_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, close(fd));
	}
}

/* An undefined command on our magic is ENOTTY, never ENOSYS or EINVAL. */
TEST_F(dev, unknown_ioctl_own_magic_enotty)
{
	__u64 arg = 0;

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0xfe, __u64), &arg));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(OWNBUF_IOCTL_MAGIC, 0xff)));
	EXPECT_EQ(ENOTTY, errno);
}

/* Another driver's command sent here is ENOTTY too. */
TEST_F(dev, unknown_ioctl_foreign_magic_enotty)
{
	__u64 arg = 0;

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('X', 1, __u64), &arg));
	EXPECT_EQ(ENOTTY, errno);
	/* isatty() probes with TCGETS: the device is not a terminal. */
	EXPECT_EQ(0, isatty(self->fd));
	EXPECT_EQ(ENOTTY, errno);
}

/* A NULL argument does not change the answer to an unknown command. */
TEST_F(dev, unknown_ioctl_null_arg_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(OWNBUF_IOCTL_MAGIC, 0xfd, __u64), NULL));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
