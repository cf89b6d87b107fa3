/*
 * Figures about address spaces: vmmap (mm_describe), ps (mm_usage) and
 * memstat (mm_stat). They walk the page tables of a live address space
 * with its area lock held for reading, so the tables cannot go away;
 * PTEs that faults change meanwhile make the figures a snapshot.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "arch/riscv/sv39.h"
#include "fs/fs.h"
#include "userland/include/lazuli/memstat.h"

static uint32_t vmmap_prot(int prot)
{
	return (prot & PROT_READ ? VMMAP_PROT_R : 0) | (prot & PROT_WRITE ? VMMAP_PROT_W : 0) |
	       (prot & PROT_EXEC ? VMMAP_PROT_X : 0);
}

/* Counting an area's pages for vmmap. */
struct describe_walker {
	struct pt_walker   w;
	struct vmmap_entry e;
};

static int describe_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	struct vmmap_entry *e = &((struct describe_walker *)w)->e;
	(void)va;
	bool valid = *pte & PTE_V;   /* else parked: bit 8 is PTE_PARKED, not PTE_COW */
	if (valid && (*pte & PTE_ZERO)) {
		e->zero++;
		return 0;
	}
	int n = frame_mappings(pte_to_pa(*pte));
	e->resident++;
	e->pss_x1000 += 1000 / (uint64_t)(n > 0 ? n : 1);
	if (n > 1)
		e->shared++;
	if (valid && (*pte & PTE_COW))
		e->cow++;
	return 0;
}

/*
 * Under areas_lock for reading the tables cannot go away; PTEs that
 * faults change meanwhile make the figures a snapshot, never a crash.
 */
int mm_describe(struct mm *mm, int first, struct vmmap_entry *buf, int n)
{
	int count = 0;
	struct vm_area *a;
	rwsleep_read_lock(&mm->areas_lock);
	vma_foreach(a, &mm->areas) {
		if (count >= first && count - first < n) {
			struct describe_walker d = { .w = { .leaf = describe_leaf, .parked = true } };
			pt_walk_leaves(mm->tlb.root, a->start, a->end, &d.w);
			d.e.start = a->start;
			d.e.end = a->end;
			d.e.kind = (uint32_t)a->label;
			d.e.prot = vmmap_prot(a->prot);
			d.e.guard = a->flags & VM_GROWSDOWN ? VMA_GUARD_SIZE : 0;
			if (a->flags & VM_SHARED)
				d.e.prot |= VMMAP_SHARED;
			if (a->backing.kind == VM_BACKING_FILE && !(a->flags & VM_SHMEM)) {
				d.e.inum = inode_inum(a->backing.ip);
				d.e.offset = a->backing.pgoff * PAGE_SIZE;
			}
			buf[count - first] = d.e;
		}
		count++;
	}
	rwsleep_read_unlock(&mm->areas_lock);
	return count;
}

void mm_usage(struct mm *mm, struct mm_usage *u)
{
	struct vm_area *a;
	*u = (struct mm_usage){ 0 };
	rwsleep_read_lock(&mm->areas_lock);
	vma_foreach(a, &mm->areas) {
		struct describe_walker d = { .w = { .leaf = describe_leaf, .parked = true } };
		pt_walk_leaves(mm->tlb.root, a->start, a->end, &d.w);
		u->reserved += a->end - a->start;
		u->resident += d.e.resident;
		u->shared += d.e.shared;
		u->zero += d.e.zero;
		u->pss_x1000 += d.e.pss_x1000;
	}
	rwsleep_read_unlock(&mm->areas_lock);
}

void mm_stat(struct memstat *st)
{
	struct frame_stats fs;
	uint64_t untouched = 0;
	sleep_lock(&mm_list_lock);
	for (struct mm *mm = mm_list; mm; mm = mm->next_mm) {
		rwsleep_read_lock(&mm->areas_lock);
		if (mm->heap)   /* a page that was only read maps the zero page: touched */
			untouched += (mm->heap->end - mm->heap->start) / PAGE_SIZE -
				     __atomic_load_n(&mm->heap->resident, __ATOMIC_RELAXED) -
				     __atomic_load_n(&mm->heap->zero, __ATOMIC_RELAXED);
		rwsleep_read_unlock(&mm->areas_lock);
	}
	sleep_unlock(&mm_list_lock);
	frame_stats(&fs);
	*st = (struct memstat){
		.page_size = PAGE_SIZE,
		.total_frames = fs.total,
		.free_frames = fs.free,
		.used_frames = fs.total - fs.free,
		.pt_frames = fs.by_use[FRAME_PT],
		.user_frames = fs.by_use[FRAME_USER],
		.faults_served = __atomic_load_n(&mm_faults_served, __ATOMIC_RELAXED),
		.lazy_untouched = untouched,
		.eager = mm_eager(),
		.shared_frames = fs.shared,
		.zero_mappings = __atomic_load_n(&mm_zero_mappings, __ATOMIC_RELAXED),
		.cow = mm_cow_on,
		.zeropage = mm_zeropage_on,
		.file_frames = fs.by_use[FRAME_FILE],
	};
}
