/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownbuf: the char-device glue, as seen by the rest of the module and its
 * KUnit suites.
 */
#ifndef _OWNBUF_DEV_H
#define _OWNBUF_DEV_H

#include <linux/miscdevice.h>
#include <linux/types.h>

#ifdef OWNBUF_UNCHECKED
#define OWNBUF_DEVICE_NAME "ownbuf_unchecked"
#else
#define OWNBUF_DEVICE_NAME "ownbuf"
#endif

struct ownbuf_device;
struct ownbuf_session;

extern struct miscdevice ownbuf_misc;
extern struct ownbuf_device ownbuf_device;

bool ownbuf_dev_registered(void);
long ownbuf_ioctl_dispatch(struct ownbuf_session *s, unsigned int cmd,
			   unsigned long arg);
struct file;
struct vm_area_struct;
int ownbuf_mmap(struct file *file, struct vm_area_struct *vma);
int ownbuf_debugfs_init(struct ownbuf_device *dev);
void ownbuf_debugfs_exit(void);

#endif /* _OWNBUF_DEV_H */
