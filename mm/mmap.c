/*
 * mmap, munmap, mprotect, and truncation: changing the areas of a live
 * address space.
 *
 * Each holds the area list for writing for its whole work, so no fault
 * runs meanwhile, and changes PTEs without pt_lock ([P] in
 * mm_internal.h). Areas are split at the edges of the range first (the
 * only step that can fail, by running out of memory, and a harmless one:
 * two halves with the same properties behave as the whole did); then the
 * pages in the range are unmapped or re-protected, and the TLB is flushed
 * once for everything removed or downgraded (tlb_removed).
 *
 * PROT_NONE and parked pages. RISC-V has no valid PTE that allows
 * nothing (a valid PTE without R, W and X points to a table), so a page
 * of an area made PROT_NONE keeps its frame in an invalid PTE marked
 * PTE_PARKED: the hardware ignores it, every access faults (and the area
 * forbids it: a kill), and mprotect brings the page back with its
 * contents. A private page comes back copy-on-write, since it may be
 * shared with a fork made meanwhile. Pages on the zero page are simply
 * dropped: a later read maps the zero page again.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "fs/fs.h"

/* Counts of the pages of [start, end) in the page table, to move between split areas. */
struct count_walker {
	struct pt_walker w;
	uint64_t         frames, zeros;
};

static int count_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	struct count_walker *c = (struct count_walker *)w;
	(void)va;
	if (*pte & PTE_ZERO)
		c->zeros++;
	else
		c->frames++;
	return 0;
}

/*
 * Split area a at addr (inside it) and move the counts and references
 * that belong to the upper part. Caller writes areas. 0 or -ENOMEM.
 */
static int split_area(struct mm *mm, struct vm_area *a, uint64_t addr)
{
	struct vm_area *b;
	int err = vma_split(&mm->areas, a, addr, &b);
	if (err)
		return err;
	struct count_walker c = { .w = { .leaf = count_leaf, .parked = true } };
	pt_walk_leaves(mm->tlb.root, b->start, b->end, &c.w);
	a->resident -= c.frames;
	a->zero -= c.zeros;
	b->resident = c.frames;
	b->zero = c.zeros;
	if (mm_area_get(b))   /* a holds the same counts: they cannot be refused */
		panic("split_area: the file refused a second share of what a holds");
	if (a == mm->heap)
		mm->heap = b;     /* the break is in the upper piece */
	return 0;
}

/* Split the areas that straddle start or end, so that none does. Caller writes areas. */
static int split_edges(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vm_area *a = vma_find(&mm->areas, start);
	if (a && a->start < start) {
		int err = split_area(mm, a, start);
		if (err)
			return err;
	}
	a = vma_find(&mm->areas, end - 1);
	if (a && a->end > end)
		return split_area(mm, a, end);
	return 0;
}

/*
 * Remove every area inside [start, end) with its pages; the areas must
 * not straddle the edges (split_edges). Caller writes areas. True if a
 * mapping went away (the caller flushes).
 */
static bool remove_areas(struct mm *mm, uint64_t start, uint64_t end)
{
	bool changed = false;
	struct vm_area *a = vma_first(&mm->areas);
	while (a) {
		struct vm_area *next = vma_next(&mm->areas, a);
		if (a->start >= start && a->end <= end && a->end > a->start) {
			changed |= mm_release_range(mm, a, a->start, a->end);
			if (a == mm->heap)
				mm->heap = NULL;
			mm_area_put(a);
			vma_remove(&mm->areas, a);
		}
		a = next;
	}
	if (!mm->heap) {   /* the break's piece went: the highest heap piece left is the heap */
		vma_foreach(a, &mm->areas)
			if (a->label == VMA_HEAP)
				mm->heap = a;
		if (mm->heap && (mm->brk > mm->heap->end || mm->brk < mm->heap->start))
			mm->brk = mm->heap->end;
	}
	return changed;
}

/*
 * Join a with the area right after it when nothing tells them apart
 * (mprotect splits areas; putting the same protection back should not
 * leave the pieces). Caller writes areas.
 */
static void merge_next(struct mm *mm, struct vm_area *a)
{
	struct vm_area *b = vma_next(&mm->areas, a);
	if (!b || a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    a->label != b->label || a->backing.kind != b->backing.kind ||
	    a->backing.ip != b->backing.ip || a == mm->heap || (b->flags & VM_GROWSDOWN))
		return;
	if (a->backing.kind == VM_BACKING_FILE &&
	    b->backing.pgoff != a->backing.pgoff + (a->end - a->start) / PAGE_SIZE)
		return;
	a->end = b->end;
	a->resident += b->resident;
	a->zero += b->zero;
	if (b == mm->heap)
		mm->heap = a;   /* heap pieces joined again: the whole is the heap */
	mm_area_put(b);   /* a holds the same file (and deny-write) already */
	vma_remove(&mm->areas, b);
}

/* The checks every range of munmap and mprotect gets: 0 or -EINVAL. */
static int check_range(uint64_t va, uint64_t len, uint64_t *end)
{
	if (!page_aligned(va) || len == 0 || va + page_up(len) < va || page_up(len) < len)
		return -EINVAL;
	*end = va + page_up(len);
	return *end <= USER_TOP ? 0 : -EINVAL;
}

int mm_unmap(struct mm *mm, uint64_t va, uint64_t len)
{
	uint64_t end;
	int err = check_range(va, len, &end);
	if (err)
		return err;
	rwsleep_write_lock(&mm->areas_lock);
	err = split_edges(mm, va, end);
	if (!err && remove_areas(mm, va, end))
		tlb_removed(&mm->tlb);
	rwsleep_write_unlock(&mm->areas_lock);
	return err;
}

/* Is prot a valid protection for an area? W+X never; W means R too. */
static int normal_prot(int prot, int *out)
{
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EINVAL;
	*out = prot & PROT_WRITE ? prot | PROT_READ : prot;
	return 0;
}

/* May area a (a shared file area needs VM_MAYWRITE for W) take prot? */
static bool may_protect(const struct vm_area *a, int prot)
{
	return !(prot & PROT_WRITE) || !(a->flags & VM_SHARED) ||
	       a->backing.kind != VM_BACKING_FILE || (a->flags & VM_MAYWRITE);
}

long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	     const struct vm_backing *backing)
{
	struct vma_spec spec = {
		.flags = flags & ~(VM_FIXED | VM_IMAGE),
		.label = flags & VM_IMAGE ? VMA_IMAGE : VMA_MMAP,
		.backing = backing ? *backing : (struct vm_backing){ .kind = VM_BACKING_ANON },
	};
	if (len == 0 || page_up(len) < len || page_up(len) > USER_TOP)
		return -EINVAL;
	len = page_up(len);
	if (normal_prot(prot, &spec.prot))
		return -EINVAL;
	int sharing = flags & (VM_PRIVATE | VM_SHARED);
	if ((sharing != VM_PRIVATE && sharing != VM_SHARED) ||
	    (flags & ~(VM_PRIVATE | VM_SHARED | VM_MAYWRITE | VM_FIXED | VM_DENYWRITE | VM_IMAGE)))
		return -EINVAL;
	if (spec.backing.kind == VM_BACKING_FILE &&
	    (!spec.backing.ip || spec.backing.pgoff + len / PAGE_SIZE < spec.backing.pgoff))
		return -EINVAL;
	if ((spec.backing.kind != VM_BACKING_FILE && spec.backing.kind != VM_BACKING_ANON) ||
	    (spec.flags & VM_SHMEM))
		return -EINVAL;
	struct vm_area probe = { .flags = spec.flags, .backing = spec.backing };
	if (!may_protect(&probe, spec.prot))
		return -EACCES;
	spec.start = 0;
	spec.end = len;
	struct inode *made;   /* shared anonymous memory's unnamed file, if any */
	long ret = mm_shmem_backing(&spec, &made);
	if (ret)
		return ret;

	/*
	 * Everything that can fail comes before anything changes: the area's
	 * memory, its file's counts (-ETXTBSY), a free gap, or for VM_FIXED the
	 * check that no stack's guard gap is in the way. Only then are old
	 * areas removed, so a failed mmap leaves the address space as it was.
	 */
	struct vm_area *a = kmalloc(sizeof(*a));
	if (!a) {
		ret = -ENOMEM;
		goto out_put_made;
	}
	*a = (struct vm_area){ .flags = spec.flags, .backing = spec.backing };
	ret = mm_area_get(a);
	if (ret) {
		kfree(a);
		goto out_put_made;
	}
	rwsleep_write_lock(&mm->areas_lock);
	ret = -EINVAL;
	if (flags & VM_FIXED) {
		if (!page_aligned(addr) || addr < PAGE_SIZE || addr > USER_TOP - len)
			goto out;
		ret = -ENOMEM;
		if (vma_in_guard_gap(&mm->areas, addr, addr + len))
			goto out;   /* no mapping may take a stack's guard gap */
		ret = split_edges(mm, addr, addr + len);
		if (ret)
			goto out;   /* harmless: the pieces behave as the whole did */
		if (remove_areas(mm, addr, addr + len))
			tlb_removed(&mm->tlb);
	} else {
		uint64_t hint = page_down(addr);
		if (!(hint >= USER_TEXT_BASE && hint <= USER_TOP - len &&
		      vma_range_free(&mm->areas, hint, hint + len)) &&
		    vma_find_gap(&mm->areas, len, USER_TEXT_BASE, USER_TOP, &hint)) {
			ret = -ENOMEM;
			goto out;
		}
		addr = hint;
	}
	spec.start = addr;
	spec.end = addr + len;
	ret = vma_link(&mm->areas, &spec, a);   /* the range is free now: cannot fail */
	if (!ret) {
		a = NULL;
		ret = (long)addr;
	}
out:
	rwsleep_write_unlock(&mm->areas_lock);
	if (a) {   /* not used: give back what it took */
		mm_area_put(a);
		kfree(a);
	}
out_put_made:
	if (made)
		inode_put(made);   /* the area holds its own reference, or there is none */
	return ret;
}

/* Re-protecting the pages of one area: what each PTE becomes. */
struct protect_walker {
	struct pt_walker w;
	struct vm_area  *area;   /* with its new prot */
	bool             changed;
};

static int protect_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	struct protect_walker *p = (struct protect_walker *)w;
	struct vm_area *a = p->area;
	(void)va;
	pte_t old = *pte;
	uint64_t pa = pte_to_pa(old);
	bool private = a->flags & VM_PRIVATE;
	uint64_t flags = mm_pte_flags(a->prot);
	if (old & PTE_ZERO) {
		if (a->prot & PROT_READ)
			return 0;   /* still the read-only zero page */
		*pte = 0;       /* nothing to keep: a later read maps it again */
		frame_put(pa);
		a->zero--;
		__atomic_sub_fetch(&mm_zero_mappings, 1, __ATOMIC_RELAXED);
	} else if (a->prot == PROT_NONE) {
		if (!(old & PTE_V))
			return 0;
		*pte = pa_to_pte(pa) | PTE_PARKED;   /* invalid: the frame waits */
	} else if (private && (!(old & PTE_V) || (old & PTE_COW))) {
		/* Back from parking, or still shared by a fork: copy on write. */
		*pte = pa_to_pte(pa) | (flags & ~PTE_W) | PTE_COW | PTE_V;
	} else {
		*pte = pa_to_pte(pa) | flags | PTE_V;
	}
	p->changed |= *pte != old;
	return 0;
}

int mm_protect(struct mm *mm, uint64_t va, uint64_t len, int prot)
{
	uint64_t end;
	int err = check_range(va, len, &end);
	if (!err)
		err = normal_prot(prot, &prot);
	if (err)
		return err;
	rwsleep_write_lock(&mm->areas_lock);
	/* The whole range must be mapped, and every area in it must allow prot. */
	uint64_t at = va;
	while (!err && at < end) {
		struct vm_area *a = vma_find(&mm->areas, at);
		if (!a)
			err = -ENOMEM;
		else if (!may_protect(a, prot))
			err = -EACCES;
		else
			at = a->end;
	}
	if (!err)
		err = split_edges(mm, va, end);
	bool changed = false;
	for (at = va; !err && at < end; ) {
		struct vm_area *a = vma_find(&mm->areas, at);
		a->prot = prot;
		struct protect_walker p = { .w = { .leaf = protect_leaf, .parked = true }, .area = a };
		pt_walk_leaves(mm->tlb.root, a->start, a->end, &p.w);
		changed |= p.changed;
		at = a->end;
	}
	if (changed)   /* some went down, or moved to parking: flush them all */
		tlb_removed(&mm->tlb);
	mm->stale_seen = false;   /* PTEs changed: a stale record means nothing now */
	/* Put pieces back together, from the area before the range to the last in it. */
	struct vm_area *a = va >= PAGE_SIZE ? vma_find(&mm->areas, va - 1) : NULL;
	if (!a)
		a = vma_find(&mm->areas, va);
	while (!err && a && a->start < end) {
		struct vm_area *next = vma_next(&mm->areas, a);
		uint64_t before = a->end;
		merge_next(mm, a);
		if (a->end == before)
			a = next;   /* no merge: go on */
	}
	rwsleep_write_unlock(&mm->areas_lock);
	return err;
}

/*
 * Truncation edits address spaces that may be running on other harts
 * right now: the one place the one-hart rule of arch/riscv/tlb.h does not
 * hold. So its walk clears PTEs but keeps their frames in a batch, and a
 * batch is given back only after this hart and every other hart that has
 * the space loaded has flushed (tlb_flush_harts, SBI RFENCE). Tables stay
 * (no pruning): a freed table page would need the same care, and they go
 * with the area later anyway.
 */
#define TRUNCATE_BATCH 64

struct truncate_walker {
	struct pt_walker w;
	struct mm       *mm;
	uint64_t         frames, zeros;
	unsigned         n;
	uint64_t         batch[TRUNCATE_BATCH];
};

/* Make every hart forget the cleared PTEs, then give their frames back. */
static void truncate_flush(struct truncate_walker *t)
{
	tlb_removed(&t->mm->tlb);
	/* Failing would leave another hart a path to frames about to be freed. */
	int err = tlb_flush_harts(__atomic_load_n(&t->mm->tlb.loaded, __ATOMIC_ACQUIRE), 0, 0);
	if (err)
		panic("truncate: remote TLB flush failed (%d)", err);
	for (unsigned i = 0; i < t->n; i++)
		frame_put(t->batch[i]);
	t->n = 0;
}

static int truncate_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	struct truncate_walker *t = (struct truncate_walker *)w;
	(void)va;
	if (*pte & PTE_V && (*pte & PTE_ZERO))
		t->zeros++;
	else
		t->frames++;
	t->batch[t->n++] = pte_to_pa(*pte);
	*pte = 0;
	if (t->n == TRUNCATE_BATCH)
		truncate_flush(t);
	return 0;
}

void mm_file_truncated(struct inode *ip, uint64_t size)
{
	uint64_t first = page_up(size) / PAGE_SIZE;   /* the first page wholly past the end */
	sleep_lock(&mm_list_lock);
	for (struct mm *mm = mm_list; mm; mm = mm->next_mm) {
		rwsleep_write_lock(&mm->areas_lock);
		struct truncate_walker t = { .w = { .leaf = truncate_leaf, .parked = true }, .mm = mm };
		struct vm_area *a;
		vma_foreach(a, &mm->areas) {
			if (a->backing.kind != VM_BACKING_FILE || a->backing.ip != ip)
				continue;
			uint64_t from = first > a->backing.pgoff ?
				(first - a->backing.pgoff) * PAGE_SIZE : 0;
			if (from >= a->end - a->start)
				continue;
			t.frames = t.zeros = 0;
			pt_walk_leaves(mm->tlb.root, a->start + from, a->end, &t.w);
			__atomic_sub_fetch(&a->resident, t.frames, __ATOMIC_RELAXED);
			__atomic_sub_fetch(&a->zero, t.zeros, __ATOMIC_RELAXED);
			__atomic_sub_fetch(&mm_zero_mappings, t.zeros, __ATOMIC_RELAXED);
			mm->stale_seen = false;
		}
		if (t.n)
			truncate_flush(&t);
		rwsleep_write_unlock(&mm->areas_lock);
	}
	sleep_unlock(&mm_list_lock);
}
