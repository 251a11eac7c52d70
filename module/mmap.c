// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf mmap: the file and VMA side of mappings (module/mapping.c is the
 * core side). A mapping's VMAs are VM_IO | VM_PFNMAP: its page table
 * entries are special (no struct page reference, no rmap), inserted at
 * fault time under the mapping's lock, so that a revocation (which zaps
 * under that lock held alone) leaves no page mapped. Special entries and
 * VM_PFNMAP keep get_user_pages() away, the fast path included, so no pin
 * can outlive a revocation; VM_IO makes VM_DONTCOPY stick
 * (madvise(MADV_DOFORK) refuses VM_IO), so a fork never inherits a
 * mapping; VM_DONTEXPAND refuses growth by mremap().
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
	refcount_inc(&m->vmas);
}

static void ownbuf_vm_close(struct vm_area_struct *vma)
{
	struct ownbuf_mapping *m = vma->vm_private_data;

	if (refcount_dec_and_test(&m->vmas))
		ownbuf_mapping_end(m);
}

/*
 * The faulting page and the next few, while the mapping lives. Its lock,
 * held shared, keeps the buffer from being freed and its revocation from
 * zapping until the pages are in, so none is inserted after the zap.
 */
static vm_fault_t ownbuf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ownbuf_mapping *m = vma->vm_private_data;
	unsigned long first = vmf->pgoff - m->pgoff;
	unsigned long addr = vmf->address & PAGE_MASK;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long nr, i;
	vm_fault_t one;

	down_read(&m->lock);
	if (m->ended) {
		/*
		 * C's dangling pointer, refused: a touch of a mapping whose
		 * right ended counts as a refusal in the lifetime class, as a
		 * revoked handle's call does.
		 */
		ownbuf_count_violation(m->s, OWNBUF_VIOLATION_LIFETIME);
		ownbuf_count_refused(m->s);
		goto unlock;
	}
	if (first >= m->npages)
		goto unlock;
	nr = min3((unsigned long)OWNBUF_FAULT_AROUND, m->npages - first,
		  (vma->vm_end - addr) >> PAGE_SHIFT);
	for (i = 0; i < nr; i++) {
		one = vmf_insert_pfn(vma, addr + i * PAGE_SIZE,
				     vmalloc_to_pfn(m->buf->data + (first + i) * PAGE_SIZE));
		/* A later page that fails only costs a fault of its own. */
		if (one & VM_FAULT_ERROR) {
			if (!i)
				ret = one;
			break;
		}
		ret = VM_FAULT_NOPAGE;
	}
unlock:
	up_read(&m->lock);
	return ret;
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
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	if (!writable)
		vm_flags_clear(vma, VM_MAYWRITE);
	return 0;
}
