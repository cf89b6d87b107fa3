/*
 * fork: a child address space from the parent's, with copy-on-write.
 *
 * The child gets a copy of every area (and of each area's references to
 * its file) and, for every resident page of the parent, a PTE: private
 * pages are shared read-only and marked PTE_COW in both (the first write
 * copies them, mm/fault.c), shared areas' pages and zero-page mappings
 * are simply shared, parked pages (PROT_NONE) come along as they are.
 * With mm.cow=0 private pages are copied instead, as before copy-on-write.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* fork's walk over one area of the parent: each resident page into the child. */
struct fork_walker {
	struct pt_walker w;
	struct mm       *child;
	struct vm_area  *area;        /* the child's copy of the area */
	bool             downgraded;  /* a parent PTE lost W: flush the parent */
	uint64_t         resident;    /* pages given to the child, added up once */
	uint64_t         zeros;       /* zero-page mappings given to the child */
};

/*
 * The child's leaf table for the 2 MiB that va is in, made if need be;
 * NULL when no table page could be had.
 */
static pte_t *child_table(struct fork_walker *f, uint64_t va)
{
	pte_t *e = pt_walk(f->child->tlb.root, va, true);
	return e ? e - pt_index(va, 0) : NULL;
}

/*
 * mm.cow=0, a private area: a page at a time, each private page copied
 * (parked pages and zero-page mappings are still shared).
 */
static int fork_copy_table(struct fork_walker *f, pte_t *t, unsigned lo, unsigned hi,
			   uint64_t va)
{
	pte_t *d = NULL;
	for (unsigned i = lo; i < hi; i++, va += PAGE_SIZE) {
		pte_t e = t[i];
		if (!pt_leaf_in_use(e, true, va))
			continue;
		if (!d && !(d = child_table(f, va)))
			return -ENOMEM;
		uint64_t pa = pte_to_pa(e);
		if ((e & PTE_V) && !(e & PTE_ZERO)) {
			uint64_t copy = frame_alloc(FRAME_USER);
			if (!copy)
				return -ENOMEM;
			memcpy(pa_to_kva(copy), pa_to_kva(pa), PAGE_SIZE);
			e = pa_to_pte(copy) | (e & PTE_FLAGS_MASK);
		} else {
			frame_get(pa);
		}
		d[i] = e;
		if (e & PTE_ZERO)
			f->zeros++;
		else
			f->resident++;
	}
	return 0;
}

/*
 * One leaf table of the parent (pt.h's table walk): every entry in use
 * goes to the same index of the child's leaf table, which is made on the
 * first one. Private pages become copy-on-write in both: every one is
 * marked PTE_COW, writable or not, so whoever writes it later (a fault,
 * or mm_write ignoring protection) copies first, and the parent's loses
 * W here. The zero page, shared areas' pages and parked pages (a
 * PROT_NONE area's, which come back copy-on-write) are simply shared.
 * The frames' references are taken in one batch at the end: nothing in
 * between can fail, so the child never holds an entry without its
 * reference. With mm.cow=0, private areas take fork_copy_table.
 */
static int fork_table(struct pt_walker *w, pte_t *t, unsigned lo, unsigned hi, uint64_t va)
{
	struct fork_walker *f = (struct fork_walker *)w;
	bool private = f->area->flags & VM_PRIVATE;
	if (private && !mm_cow_on)
		return fork_copy_table(f, t, lo, hi, va);
	pte_t *d = NULL;
	unsigned first = 0, last = 0;   /* the child's entries written: [first, last) */
	uint64_t resident = 0, zeros = 0, lost_w = 0;
	for (unsigned i = lo; i < hi; i++) {
		pte_t e = t[i];
		if (!pt_leaf_in_use(e, true, va + ((uint64_t)(i - lo) << PAGE_SHIFT)))
			continue;
		if (!d) {
			if (!(d = child_table(f, va)))
				return -ENOMEM;
			first = i;
		}
		if (private && (e & (PTE_V | PTE_ZERO)) == PTE_V) {
			lost_w |= e & PTE_W;
			e = (e & ~PTE_W) | PTE_COW;
			t[i] = e;
		}
		d[i] = e;
		last = i + 1;
		if (e & PTE_ZERO)
			zeros++;
		else
			resident++;
	}
	if (d)
		frame_get_ptes(&d[first], last - first);
	f->downgraded |= lost_w != 0;
	f->resident += resident;
	f->zeros += zeros;
	return 0;
}

/*
 * The parent's areas_lock is held for writing throughout, so its page
 * table stands still while it is read and write-protected (no fault can
 * run on it). The child is already on mm_list, where mm_stat may look at
 * it, so its own areas_lock is held for writing too (a parent's before
 * its child's: nothing else takes two). With copy-on-write the locked
 * part is PTE work only: no page is copied.
 */
struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_create();
	if (!child)
		return NULL;
	rwsleep_write_lock(&parent->areas_lock);
	rwsleep_write_lock(&child->areas_lock);
	int err = vma_copy_list(&child->areas, &parent->areas);
	bool downgraded = false;
	struct vm_area *a;
	vma_foreach(a, &child->areas) {   /* each copy made holds its own file reference */
		if (mm_area_get(a))   /* the parent's area keeps writers out already */
			panic("mm_fork: a running program's file took a writer");
		a->resident = 0;
		a->zero = 0;
	}
	vma_foreach(a, &child->areas) {
		if (err)
			break;
		struct fork_walker f = { .w = { .table = fork_table, .parked = true },
					 .child = child, .area = a };
		err = pt_walk_leaves(parent->tlb.root, a->start, a->end, &f.w);
		downgraded |= f.downgraded;
		__atomic_add_fetch(&a->resident, f.resident, __ATOMIC_RELAXED);
		__atomic_add_fetch(&a->zero, f.zeros, __ATOMIC_RELAXED);
		__atomic_add_fetch(&mm_zero_mappings, f.zeros, __ATOMIC_RELAXED);
		if (a->label == VMA_HEAP)
			child->heap = a;
	}
	child->brk = parent->brk;
	/* Even a failed fork may have write-protected some parent pages. */
	if (downgraded)
		tlb_removed(&parent->tlb);
	rwsleep_write_unlock(&child->areas_lock);
	rwsleep_write_unlock(&parent->areas_lock);
	if (err) {
		mm_release(child);
		return NULL;
	}
	return child;
}
