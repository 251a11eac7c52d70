/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ownbuf: Rust's ownership rules for kernel buffers shared by processes.
 */
#ifndef _UAPI_LINUX_OWNBUF_H
#define _UAPI_LINUX_OWNBUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: ownbuf ioctl interface
 *
 * ``/dev/ownbuf`` is a misc character device. Each open file description is
 * a *session*, the owner of the buffers created through it. All operations
 * are ioctls on that file descriptor, numbered on the magic
 * %OWNBUF_IOCTL_MAGIC, which no other upstream interface uses (see
 * Documentation/userspace-api/ioctl/ioctl-number.rst).
 *
 * Any command this header does not define fails with ENOTTY.
 */
#define OWNBUF_IOCTL_MAGIC 0xB9

#endif /* _UAPI_LINUX_OWNBUF_H */
