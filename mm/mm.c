/*
 * User address spaces: create, fork, destroy, map, brk, activate.
 *
 * An mm is a vm_area list plus a page table. Areas are reservations:
 * nothing is allocated for them until a page is touched (mm/fault.c) or
 * written by exec through mm_write. The kernel half of every root table
 * is a copy of the kernel's root entries, which never change after boot,
 * so one satp value serves a process in user mode and in the kernel.
 *
 * TLB rule (see docs/mm.md): installing a mapping where there was none
 * needs no flush; removing or downgrading one does. We bump tlb_gen on
 * every removal; a hart that switches back to an mm whose generation it
 * has not flushed flushes then.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/pt.h"
#include "mm/physmap.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "userland/include/lazuli/memstat.h"

uint64_t kernel_root;
uint64_t mm_faults_served;

static bool eager_mode;
static struct spinlock mm_list_lock = SPINLOCK_INIT("mm_list");
static struct mm *mm_list;                 /* [G] */

/* What each hart has in satp, and the tlb_gen it last flushed for it. */
static struct {
	struct mm *mm;
	uint64_t   gen;
} active[MAX_HARTS];

void mm_set_eager(bool eager) { eager_mode = eager; }
bool mm_eager(void) { return eager_mode; }

/* PTE bits for an area's protection; A and D preset so no extra walk. */
uint64_t mm_pte_flags(int prot)
{
	uint64_t f = PTE_U | PTE_A | PTE_D;
	if (prot & PROT_READ)
		f |= PTE_R;
	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (prot & PROT_EXEC)
		f |= PTE_X;
	return f;
}

struct mm *mm_create(void)
{
	struct mm *mm = kmalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->root = frame_alloc_zeroed(FRAME_PT);
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	spin_init(&mm->lock, "mm");
	/* Share the kernel half: same tables, so later kernel maps show up too. */
	uint64_t *dst = pa_to_kva(mm->root), *src = pa_to_kva(kernel_root);
	memcpy(dst + KERNEL_HALF_INDEX, src + KERNEL_HALF_INDEX,
	       (PT_ENTRIES - KERNEL_HALF_INDEX) * sizeof(uint64_t));

	spin_lock(&mm_list_lock);
	mm->next_mm = mm_list;
	mm_list = mm;
	spin_unlock(&mm_list_lock);
	return mm;
}

void mm_free(struct mm *mm)
{
	spin_lock(&mm_list_lock);
	for (struct mm **link = &mm_list; *link; link = &(*link)->next_mm) {
		if (*link == mm) {
			*link = mm->next_mm;
			break;
		}
	}
	spin_unlock(&mm_list_lock);

	pt_unmap_range(mm->root, 0, USER_TOP, NULL);
	frame_put(mm->root);
	vma_free_list(&mm->areas);
	kfree(mm);
}

/*
 * Destroy mm. No hart may be running its user code any more; a hart that
 * merely still has it in satp (it ran the process last and is passing
 * through its scheduler loop) drops it within a few instructions, and we
 * wait for that so every frame is back when mm_destroy returns.
 */
void mm_destroy(struct mm *mm)
{
	if (!mm)
		return;
	if (active[this_hart_id()].mm == mm)
		panic("mm_destroy: destroying this hart's active mm");
	while (__atomic_load_n(&mm->refs, __ATOMIC_ACQUIRE) > 0)
		;
	mm_free(mm);
}

void mm_load_root(uint64_t root)
{
	csr_write(satp, SATP_MODE_SV39 | (root >> PAGE_SHIFT));
	sfence_vma_all();   /* no ASIDs: a new satp needs a full flush */
}

void mm_activate(struct mm *mm)
{
	int h = this_hart_id();
	irq_push_off();
	if (active[h].mm == mm) {
		/* Same page table: flush only if mappings were removed meanwhile. */
		if (mm && active[h].gen != __atomic_load_n(&mm->tlb_gen, __ATOMIC_ACQUIRE)) {
			active[h].gen = mm->tlb_gen;
			sfence_vma_all();
		}
		irq_pop_off();
		return;
	}
	struct mm *old = active[h].mm;
	if (mm) {
		__atomic_add_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL);
		active[h].gen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_ACQUIRE);
	}
	mm_load_root(mm ? mm->root : kernel_root);
	active[h].mm = mm;
	if (old)
		__atomic_sub_fetch(&old->refs, 1, __ATOMIC_ACQ_REL);
	irq_pop_off();
}

/* Mappings of mm were removed: flush here, and make other harts flush later. */
static void tlb_removed(struct mm *mm)
{
	__atomic_add_fetch(&mm->tlb_gen, 1, __ATOMIC_ACQ_REL);
	int h = this_hart_id();
	if (active[h].mm == mm) {
		active[h].gen = mm->tlb_gen;
		sfence_vma_all();
	}
}

int mm_map(struct mm *mm, uint64_t va, uint64_t len, int prot, enum vma_kind kind)
{
	if (!page_aligned(va | len) || va == 0 || va + len < va || va + len > USER_TOP)
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EINVAL;   /* W^X: never both */
	spin_lock(&mm->lock);
	int err = -EINVAL;
	if (kind == VMA_HEAP && mm->heap)
		goto out;
	struct vm_area *a;
	err = vma_insert(&mm->areas, va, va + len, prot, kind, &a);
	if (err)
		goto out;
	if (kind == VMA_HEAP) {
		mm->heap = a;
		mm->brk = va;
	}
out:
	spin_unlock(&mm->lock);
	return err;
}

enum fault_result mm_populate_page(struct mm *mm, struct vm_area *a, uint64_t va,
				   uint64_t *pa)
{
	pte_t *pte = pt_walk(mm->root, va, true, &mm->pt_pages);
	if (!pte)
		return FAULT_OOM;
	if (*pte & PTE_V) {
		if (pa)
			*pa = pte_to_pa(*pte);
		return FAULT_STALE;
	}
	uint64_t frame = frame_alloc_zeroed(FRAME_USER);
	if (!frame)
		return FAULT_OOM;
	*pte = pa_to_pte(frame) | mm_pte_flags(a->prot) | PTE_V;
	a->resident++;
	if (pa)
		*pa = frame;
	return FAULT_OK;
}

int mm_write(struct mm *mm, uint64_t va, const void *src, size_t n)
{
	const char *s = src;
	int err = 0;
	spin_lock(&mm->lock);
	while (n) {
		struct vm_area *a = vma_find(&mm->areas, va);
		if (!a) {
			err = -EFAULT;
			break;
		}
		uint64_t pa;
		if (mm_populate_page(mm, a, page_down(va), &pa) == FAULT_OOM) {
			err = -ENOMEM;
			break;
		}
		size_t chunk = PAGE_SIZE - page_offset(va);
		if (chunk > n)
			chunk = n;
		memcpy((char *)pa_to_kva(pa) + page_offset(va), s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	spin_unlock(&mm->lock);
	return err;
}

/* Allocate every page of [start, end) in the heap now (eager mode). */
static int populate_range(struct mm *mm, struct vm_area *a, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE_SIZE)
		if (mm_populate_page(mm, a, va, NULL) == FAULT_OOM)
			return -ENOMEM;
	return 0;
}

/* Unmap [start, end) of area a, returning its frames. Caller holds mm->lock. */
static void release_range(struct mm *mm, struct vm_area *a, uint64_t start, uint64_t end)
{
	uint64_t tables = 0;
	uint64_t pages = pt_unmap_range(mm->root, start, end, &tables);
	a->resident -= pages;
	mm->pt_pages -= tables;
	if (pages || tables)
		tlb_removed(mm);
}

long mm_brk(struct mm *mm, long delta)
{
	spin_lock(&mm->lock);
	struct vm_area *heap = mm->heap;
	long ret = -EINVAL;
	if (!heap)
		goto out;
	uint64_t old = mm->brk, target;
	uint64_t limit = vma_growth_limit(heap, USER_TOP);
	ret = vma_brk_target(heap, old, delta, limit, &target);
	if (ret)
		goto out;

	uint64_t old_end = heap->end, new_end = page_up(target);
	if (new_end > old_end) {
		heap->end = new_end;
		if (eager_mode && populate_range(mm, heap, old_end, new_end)) {
			release_range(mm, heap, old_end, new_end);
			heap->end = old_end;
			ret = -ENOMEM;
			goto out;
		}
	} else if (new_end < old_end) {
		release_range(mm, heap, new_end, old_end);
		heap->end = new_end;
	}
	mm->brk = target;
	ret = (long)old;
out:
	spin_unlock(&mm->lock);
	return ret;
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_create();
	if (!child)
		return NULL;
	spin_lock(&parent->lock);
	int err = vma_copy_list(&child->areas, &parent->areas);
	for (struct vm_area *a = child->areas.head; a && !err; a = a->next) {
		long n = pt_copy_range(child->root, parent->root, a->start, a->end,
				       &child->pt_pages);
		if (n < 0)
			err = (int)n;
		if (a->kind == VMA_HEAP)
			child->heap = a;
	}
	child->brk = parent->brk;
	spin_unlock(&parent->lock);
	if (err) {
		mm_free(child);
		return NULL;
	}
	return child;
}

int mm_describe(struct mm *mm, struct vmmap_entry *buf, int n)
{
	int count = 0;
	spin_lock(&mm->lock);
	for (struct vm_area *a = mm->areas.head; a; a = a->next, count++) {
		if (count >= n)
			continue;
		buf[count] = (struct vmmap_entry){
			.start = a->start, .end = a->end, .kind = (uint32_t)a->kind,
			.resident = a->resident,
			.prot = (a->prot & PROT_READ ? VMMAP_PROT_R : 0) |
				(a->prot & PROT_WRITE ? VMMAP_PROT_W : 0) |
				(a->prot & PROT_EXEC ? VMMAP_PROT_X : 0),
		};
	}
	spin_unlock(&mm->lock);
	return count;
}

void mm_stat(struct memstat *st)
{
	struct frame_stats fs;
	frame_stats(&fs);
	uint64_t untouched = 0;
	spin_lock(&mm_list_lock);
	for (struct mm *mm = mm_list; mm; mm = mm->next_mm) {
		spin_lock(&mm->lock);
		if (mm->heap)
			untouched += (mm->heap->end - mm->heap->start) / PAGE_SIZE -
				     mm->heap->resident;
		spin_unlock(&mm->lock);
	}
	spin_unlock(&mm_list_lock);
	*st = (struct memstat){
		.page_size = PAGE_SIZE,
		.total_frames = fs.total,
		.free_frames = fs.free,
		.used_frames = fs.total - fs.free,
		.pt_frames = fs.by_use[FRAME_PT],
		.user_frames = fs.by_use[FRAME_USER],
		.faults_served = __atomic_load_n(&mm_faults_served, __ATOMIC_RELAXED),
		.lazy_untouched = untouched,
		.eager = eager_mode,
	};
}
