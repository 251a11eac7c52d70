/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownbuf: the char-device glue, as seen by the rest of the module and its
 * KUnit suites.
 */
#ifndef _OWNBUF_DEV_H
#define _OWNBUF_DEV_H

#include <linux/miscdevice.h>
#include <linux/types.h>

#define OWNBUF_DEVICE_NAME "ownbuf"

extern struct miscdevice ownbuf_misc;

bool ownbuf_dev_registered(void);
long ownbuf_ioctl_dispatch(void *session, unsigned int cmd, unsigned long arg);

#endif /* _OWNBUF_DEV_H */
