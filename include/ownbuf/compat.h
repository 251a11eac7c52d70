/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where ownbuf bends to the kernel it is built for: every
 * difference between the kernels it supports (Debian's 6.1 and 6.12 and the
 * newest) is bridged here, so the rest has one code path.
 */
#ifndef _OWNBUF_COMPAT_H
#define _OWNBUF_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
/* 6.3 made vm_flags writable only through these (per-VMA locking). */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* _OWNBUF_COMPAT_H */
