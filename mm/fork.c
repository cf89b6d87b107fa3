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
	uint64_t         table_va;    /* the 2 MiB the child's leaf table below covers */
	pte_t           *table;       /* that leaf table, or NULL */
};

/*
 * What the child's PTE is for the parent's *pte, and which frame it maps
 * (with a reference taken). Private pages become copy-on-write in both
 * (the parent's PTE loses W here); the zero page and shared areas' pages
 * are simply shared; with mm.cow=0 private pages are copied.
 */
static int fork_share(struct fork_walker *f, pte_t *pte, pte_t *child_pte)
{
	uint64_t pa = pte_to_pa(*pte);
	bool private = f->area->flags & VM_PRIVATE;
	if (!(*pte & PTE_V)) {   /* parked (a PROT_NONE area): it comes back copy-on-write */
		frame_get(pa);
		*child_pte = *pte;
		return 0;
	}
	if (private && !mm_cow_on && !(*pte & PTE_ZERO)) {
		uint64_t copy = frame_alloc(FRAME_USER);
		if (!copy)
			return -ENOMEM;
		memcpy(pa_to_kva(copy), pa_to_kva(pa), PAGE_SIZE);
		*child_pte = pa_to_pte(copy) | (*pte & PTE_FLAGS_MASK);
		return 0;
	}
	if (private && !(*pte & PTE_ZERO)) {
		/*
		 * Every private page is marked, writable or not, so whoever
		 * writes it later (a fault, or mm_write ignoring protection)
		 * copies first.
		 */
		if (*pte & PTE_W)
			f->downgraded = true;
		*pte = (*pte & ~PTE_W) | PTE_COW;
	}
	frame_get(pa);
	*child_pte = *pte;
	return 0;
}

/*
 * The child's PTE for va. The parent's leaves come in address order, so
 * the child's leaf table is walked to once per 2 MiB, not once per page.
 */
static pte_t *child_pte_at(struct fork_walker *f, uint64_t va)
{
	uint64_t span = va & ~(PAGE_SIZE_2M - 1);
	if (!f->table || f->table_va != span) {
		pte_t *e = pt_walk(f->child->tlb.root, va, true);
		if (!e)
			return NULL;
		f->table = e - pt_index(va, 0);
		f->table_va = span;
	}
	return &f->table[pt_index(va, 0)];
}

static int fork_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	struct fork_walker *f = (struct fork_walker *)w;
	pte_t *d = child_pte_at(f, va);
	if (!d)
		return -ENOMEM;
	pte_t child_pte;
	int err = fork_share(f, pte, &child_pte);
	if (err)
		return err;
	*d = child_pte;
	if (child_pte & PTE_ZERO)
		f->zeros++;
	else
		f->resident++;
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
		struct fork_walker f = { .w = { .leaf = fork_leaf, .parked = true },
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
