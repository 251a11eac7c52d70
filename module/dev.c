// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf: the /dev/ownbuf misc device. This file is glue only: it registers
 * the device, opens and closes sessions and decodes ioctls. The ownership
 * rules themselves live in the core, which knows nothing of files.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <uapi/linux/ownbuf.h>
#include <ownbuf/dev.h>

/*
 * Set once misc_register() has succeeded and cleared before misc_deregister(),
 * so that the KUnit suite (which runs after module init) can assert that the
 * device it talks about really is the one userspace sees.
 */
static bool ownbuf_registered;

/**
 * ownbuf_dev_registered() - whether /dev/ownbuf is currently registered
 *
 * Return: true between a successful module init and module exit.
 */
bool ownbuf_dev_registered(void)
{
	return READ_ONCE(ownbuf_registered);
}

/**
 * ownbuf_ioctl_dispatch() - decode one ioctl for a session
 * @session: the session the file description stands for
 * @cmd: ioctl command number
 * @arg: ioctl argument, a user pointer for every defined command
 *
 * Kept apart from the file operations so that KUnit can drive the decoder
 * without a struct file.
 *
 * Return: 0 or a positive value on success, a negative errno on failure;
 * -ENOTTY for any command this device does not define.
 */
long ownbuf_ioctl_dispatch(void *session, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static long ownbuf_unlocked_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return ownbuf_ioctl_dispatch(file->private_data, cmd, arg);
}

static const struct file_operations ownbuf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ownbuf_unlocked_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

struct miscdevice ownbuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = OWNBUF_DEVICE_NAME,
	.fops = &ownbuf_fops,
	.mode = 0666,
};

static int __init ownbuf_init(void)
{
	int ret;

	ret = misc_register(&ownbuf_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", OWNBUF_DEVICE_NAME, ret);
		return ret;
	}
	WRITE_ONCE(ownbuf_registered, true);
	return 0;
}

static void __exit ownbuf_exit(void)
{
	WRITE_ONCE(ownbuf_registered, false);
	misc_deregister(&ownbuf_misc);
}

module_init(ownbuf_init);
module_exit(ownbuf_exit);

MODULE_DESCRIPTION("Buffers with Rust's ownership rules, enforced at run time");
MODULE_LICENSE("GPL");
