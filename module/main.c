// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf: module parameters, the device instance, debugfs, and bringing
 * /dev/ownbuf up and down in the right order (the state it serves exists
 * before the node appears, and outlives it).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>

#include <ownbuf/core.h>
#include <ownbuf/dev.h>

static struct ownbuf_limits ownbuf_limits = {
	.max_buffer_size = SZ_64M,
	.session_max_bytes = SZ_256M,
	.session_max_buffers = 4096,
	.session_max_handles = 65536,
	.session_max_tickets = 1024,
	.device_max_bytes = SZ_1G,
	/* No uid can take the whole device by default. */
	.user_max_sessions = 1024,
	.user_max_bytes = SZ_512M,
	.user_max_tickets = 4096,
};

module_param_named(max_buffer_size, ownbuf_limits.max_buffer_size, ullong, 0644);
MODULE_PARM_DESC(max_buffer_size, "Largest buffer in bytes; larger creates fail with EFBIG (default 64 MiB)");
module_param_named(session_max_bytes, ownbuf_limits.session_max_bytes, ullong, 0644);
MODULE_PARM_DESC(session_max_bytes, "Bytes one session may own; EDQUOT above (default 256 MiB)");
module_param_named(session_max_buffers, ownbuf_limits.session_max_buffers, ullong, 0644);
MODULE_PARM_DESC(session_max_buffers, "Buffers one session may own; EDQUOT above (default 4096)");
module_param_named(session_max_handles, ownbuf_limits.session_max_handles, ullong, 0644);
MODULE_PARM_DESC(session_max_handles, "Live owner and borrow handles per session; EDQUOT above (default 65536)");
module_param_named(session_max_tickets, ownbuf_limits.session_max_tickets, ullong, 0644);
MODULE_PARM_DESC(session_max_tickets, "Untaken tickets one session may have made; EDQUOT above (default 1024)");
module_param_named(device_max_bytes, ownbuf_limits.device_max_bytes, ullong, 0644);
MODULE_PARM_DESC(device_max_bytes, "Bytes in all buffers of the device; EDQUOT above (default 1 GiB)");
module_param_named(user_max_sessions, ownbuf_limits.user_max_sessions, ullong, 0644);
MODULE_PARM_DESC(user_max_sessions, "Sessions one uid may have open; EMFILE above (default 1024)");
module_param_named(user_max_bytes, ownbuf_limits.user_max_bytes, ullong, 0644);
MODULE_PARM_DESC(user_max_bytes, "Bytes one uid's buffers may take, each counted with 256 bytes of metadata, in flight included, and its handle tables; EDQUOT above (default 512 MiB)");
module_param_named(user_max_tickets, ownbuf_limits.user_max_tickets, ullong, 0644);
MODULE_PARM_DESC(user_max_tickets, "Untaken tickets one uid's sessions may have made; EDQUOT above (default 4096)");

struct ownbuf_device ownbuf_device;

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

static struct dentry *ownbuf_debugfs;

static const char * const ownbuf_violation_names[OWNBUF_VIOLATION_NR] = {
	[OWNBUF_VIOLATION_USE_AFTER_FREE] = "use_after_free",
	[OWNBUF_VIOLATION_DOUBLE_FREE] = "double_free",
	[OWNBUF_VIOLATION_DATA_RACE] = "data_race",
	[OWNBUF_VIOLATION_NULL_DEREF] = "null_deref",
	[OWNBUF_VIOLATION_OVERFLOW] = "buffer_overflow",
	[OWNBUF_VIOLATION_USE_AFTER_MOVE] = "use_after_move",
	[OWNBUF_VIOLATION_LIFETIME] = "lifetime",
};

/* The rest of a stats line, after who it is about. */
static void ownbuf_show_counters(struct seq_file *m, const struct ownbuf_counters *c)
{
	int i;

	seq_printf(m, " buffers=%lld bytes=%lld borrows=%lld tickets=%lld sessions=%lld refused=%lld",
		   atomic64_read(&c->buffers), atomic64_read(&c->bytes),
		   atomic64_read(&c->borrows), atomic64_read(&c->tickets),
		   atomic64_read(&c->sessions), atomic64_read(&c->refused));
	for (i = 0; i < OWNBUF_VIOLATION_NR; i++)
		seq_printf(m, " %s=%lld", ownbuf_violation_names[i],
			   atomic64_read(&c->violations[i]));
	seq_printf(m, " mappings=%lld\n", atomic64_read(&c->mappings));
}

/*
 * One line for the device, then one per open session (with its pid). A
 * read changes nothing; counts are as exact as STATS gives them (a borrow
 * stops counting when its buffer's destruction revokes it).
 */
static int ownbuf_stats_show(struct seq_file *m, void *unused)
{
	struct ownbuf_device *dev = m->private;
	struct ownbuf_session *s;

	seq_puts(m, "device");
	ownbuf_show_counters(m, &dev->counters);
	guard(mutex)(&dev->sessions_lock);
	list_for_each_entry(s, &dev->sessions, node) {
		seq_printf(m, "session pid=%d comm=", s->pid);
		ownbuf_show_comm(m, s);
		ownbuf_show_counters(m, &s->counters);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ownbuf_stats);

static const struct file_operations ownbuf_graph_fops = {
	.owner = THIS_MODULE,
	.open = ownbuf_graph_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static int __init ownbuf_init(void)
{
	int ret;

	ret = ownbuf_device_init(&ownbuf_device, &ownbuf_limits);
	if (ret)
		return ret;
	ownbuf_debugfs = debugfs_create_dir(OWNBUF_DEVICE_NAME, NULL);
	debugfs_create_file("stats", 0400, ownbuf_debugfs, &ownbuf_device,
			    &ownbuf_stats_fops);
	debugfs_create_file("graph", 0400, ownbuf_debugfs, &ownbuf_device,
			    &ownbuf_graph_fops);

	ret = misc_register(&ownbuf_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", OWNBUF_DEVICE_NAME, ret);
		debugfs_remove_recursive(ownbuf_debugfs);
		ownbuf_device_destroy(&ownbuf_device);
		return ret;
	}
	WRITE_ONCE(ownbuf_registered, true);
	if (!OWNBUF_CHECKS)
		pr_warn("/dev/%s: ownership checks compiled out, a benchmark's build only\n",
			OWNBUF_DEVICE_NAME);
	return 0;
}

static void __exit ownbuf_exit(void)
{
	WRITE_ONCE(ownbuf_registered, false);
	misc_deregister(&ownbuf_misc);
	debugfs_remove_recursive(ownbuf_debugfs);
	/* Open files pin the module, so no session is left by now. */
	ownbuf_device_destroy(&ownbuf_device);
}

module_init(ownbuf_init);
module_exit(ownbuf_exit);

MODULE_DESCRIPTION("Buffers with Rust's ownership rules, enforced at run time");
MODULE_LICENSE("GPL");
