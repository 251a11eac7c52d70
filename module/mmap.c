// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf mmap: the file and VMA side of mappings (module/mapping.c is the
 * core side). A mapping's VMAs are VM_IO | VM_MIXEDMAP: pages are inserted
 * at fault time, one reference each, under the mapping's lock, so that a
 * revocation (which zaps under that lock held alone) leaves no page
 * mapped; VM_IO keeps get_user_pages() away (no pin can outlive a
 * revocation) and makes VM_DONTCOPY stick (madvise(MADV_DOFORK) refuses
 * VM_IO), so a fork never inherits a mapping; VM_DONTEXPAND refuses growth
 * by mremap().
 */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include <ownbuf/compat.h>
#include <ownbuf/core.h>
#include <ownbuf/dev.h>

/* Pages a fault maps at once, from the faulting one on: fewer faults. */
#define OWNBUF_FAULT_AROUND	32

static void ownbuf_vm_open(struct vm_area_struct *vma)
{
	struct ownbuf_mapping *m = vma->vm_private_data;

	/* A split or a move by mremap(): one more VMA of the same mapping. */
	atomic_inc(&m->vmas);
}

static void ownbuf_vm_close(struct vm_area_struct *vma)
{
	struct ownbuf_mapping *m = vma->vm_private_data;

	if (atomic_dec_and_test(&m->vmas))
		ownbuf_mapping_end(m);
}

/*
 * The faulting page and the next few, in one batch, while the mapping
 * lives. Its lock, held shared, keeps the buffer from being freed and its
 * revocation from zapping until the pages are in, so none is inserted
 * after the zap.
 */
static vm_fault_t ownbuf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ownbuf_mapping *m = vma->vm_private_data;
	unsigned long first = vmf->pgoff - m->pgoff;
	struct page *pages[OWNBUF_FAULT_AROUND];
	unsigned long nr, left, i;
	int err;

	down_read(&m->lock);
	if (m->ended || first >= m->npages) {
		up_read(&m->lock);
		return VM_FAULT_SIGBUS;
	}
	nr = min3((unsigned long)OWNBUF_FAULT_AROUND, m->npages - first,
		  (vma->vm_end - (vmf->address & PAGE_MASK)) >> PAGE_SHIFT);
	for (i = 0; i < nr; i++)
		pages[i] = vmalloc_to_page(m->buf->data + (first + i) * PAGE_SIZE);
	left = nr;
	err = vm_insert_pages(vma, vmf->address & PAGE_MASK, pages, &left);
	up_read(&m->lock);
	/*
	 * The faulting page is in, or -EBUSY: a fault that raced this one
	 * mapped it first. A later page of the batch failing only costs a
	 * fault of its own.
	 */
	if (left < nr || !err || err == -EBUSY)
		return VM_FAULT_NOPAGE;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct ownbuf_vm_ops = {
	.open = ownbuf_vm_open,
	.close = ownbuf_vm_close,
	.fault = ownbuf_vm_fault,
};

/**
 * ownbuf_mmap() - map a buffer at an offset MAP gave this session
 * @file: the session's file
 * @vma: the new mapping
 *
 * Only shared mappings: a private one would copy pages on write, outside
 * the rules. The core judges the offset, length and rights and counts the
 * mapping as a borrow; a read-only mapping loses VM_MAYWRITE, so mprotect()
 * cannot make it writable (EACCES).
 *
 * Return: 0, or the core's errno (counted as a refused call).
 */
int ownbuf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ownbuf_session *s = file->private_data;
	bool writable = vma->vm_flags & VM_WRITE;
	struct ownbuf_mapping *m;
	int ret = -EINVAL;

	if (vma->vm_flags & VM_MAYSHARE)
		ret = ownbuf_mapping_begin(s, vma->vm_pgoff, vma_pages(vma), writable,
					   file->f_mapping, &m);
	if (ret) {
		ownbuf_count_refused(s);
		return ret;
	}
	vma->vm_private_data = m;
	vma->vm_ops = &ownbuf_vm_ops;
	vm_flags_set(vma, VM_IO | VM_MIXEDMAP | VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	if (!writable)
		vm_flags_clear(vma, VM_MAYWRITE);
	return 0;
}
