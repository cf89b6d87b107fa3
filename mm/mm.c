/*
 * User address spaces: create, fork, destroy, map, brk, activate.
 *
 * An mm is a vm_area list plus a page table. Areas are reservations:
 * nothing is allocated for them until a page is touched (mm/fault.c) or
 * written by exec through mm_write. The kernel half of every root table
 * is a copy of the kernel's root entries, which never change after boot,
 * so one satp value serves a process in user mode and in the kernel.
 *
 * TLB rule (docs/tlb.md): installing a mapping where there was none needs
 * no flush; removing or downgrading one does, through tlb_removed(). The
 * TLB layer (arch/riscv/tlb.h) owns satp and sfence.vma; mm/ writes no CSR.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "fs/fs.h"

uint64_t kernel_root;
uint64_t mm_faults_served;
uint64_t mm_zero_mappings;
uint64_t mm_zero_pa;
bool mm_cow_on = true, mm_zeropage_on = true;

static bool eager_mode;                    /* [I] after boot */
static uint64_t stack_size = USER_STACK_DEFAULT;   /* [I] after boot */
struct sleeplock mm_list_lock = SLEEPLOCK_INIT("mm_list");
struct mm *mm_list;                        /* [G] */

void mm_set_eager(bool eager) { eager_mode = eager; }
bool mm_eager(void) { return eager_mode; }
void mm_set_cow(bool on) { mm_cow_on = on; }
void mm_set_zeropage(bool on) { mm_zeropage_on = on; }
uint64_t mm_stack_size(void) { return stack_size; }

int mm_set_stack_size(uint64_t bytes)
{
	if (bytes < USER_STACK_MIN || bytes > USER_STACK_MAX)
		return -EINVAL;
	stack_size = page_up(bytes);
	return 0;
}

void mm_zero_page_init(void)
{
	mm_zero_pa = frame_alloc_zeroed(FRAME_USER);
	if (!mm_zero_pa)
		panic("mm: no memory for the zero page");
	frame_pin(mm_zero_pa);
}

/* PTE bits for an area's protection; A and D preset so no extra walk. */
uint64_t mm_pte_flags(int prot)
{
	uint64_t f = PTE_U | PTE_A | PTE_D;
	if (prot & (PROT_READ | PROT_WRITE))
		f |= PTE_R;   /* W without R is a reserved encoding */
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
	memset(mm, 0, sizeof(*mm));
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	if (!root) {
		kfree(mm);
		return NULL;
	}
	rwsleep_init(&mm->areas_lock, "mm areas");
	spin_init(&mm->pt_lock, "mm pt");
	tlb_space_init(&mm->tlb, root);
	mm->users = 1;
	/* Share the kernel half: same tables, so later kernel maps show up too. */
	uint64_t *dst = pa_to_kva(root), *src = pa_to_kva(kernel_root);
	memcpy(dst + KERNEL_HALF_INDEX, src + KERNEL_HALF_INDEX,
	       (PT_ENTRIES - KERNEL_HALF_INDEX) * sizeof(uint64_t));

	/*
	 * At the tail: a walk of the list (truncation) meets a parent before
	 * a child forked from it. Otherwise it could pass the empty child
	 * first, then wait for the parent while fork copies into the child
	 * PTEs of pages past the new end, and never see them.
	 */
	mm->next_mm = NULL;
	sleep_lock(&mm_list_lock);
	struct mm **link = &mm_list;
	while (*link)
		link = &(*link)->next_mm;
	*link = mm;
	sleep_unlock(&mm_list_lock);
	return mm;
}

/* The unmapping walk: frames and zero-page mappings it removed. */
struct release_walker {
	struct pt_walker w;
	uint64_t         frames, zeros;
};

/*
 * A leaf table at a time (pt.h): count what goes, then drop every
 * frame's reference and clear the entries in one batch (frame_put_ptes).
 */
static int release_table(struct pt_walker *w, pte_t *t, unsigned lo, unsigned hi, uint64_t va)
{
	struct release_walker *r = (struct release_walker *)w;
	uint64_t frames = 0, zeros = 0;
	for (unsigned i = lo; i < hi; i++, va += PAGE_SIZE) {
		pte_t e = t[i];
		if (!pt_leaf_in_use(e, true, va))
			continue;
		if (e & PTE_ZERO)
			zeros++;
		else
			frames++;
	}
	frame_put_ptes(&t[lo], hi - lo);
	r->frames += frames;
	r->zeros += zeros;
	return 0;
}

/*
 * Unmap [start, end) of mm, returning its frames and table pages; the
 * pages that had frames of their own (or shared ones) are returned.
 * Caller writes areas (or is mm_free). Does not flush.
 */
static uint64_t unmap_range(struct mm *mm, uint64_t start, uint64_t end, bool *changed,
			    uint64_t *zeros)
{
	struct release_walker r = { .w = { .table = release_table, .prune = true, .parked = true,
					   .leaves_cleared = true } };
	pt_walk_leaves(mm->tlb.root, start, end, &r.w);
	__atomic_sub_fetch(&mm_zero_mappings, r.zeros, __ATOMIC_RELAXED);
	*changed = r.frames || r.zeros || r.w.tables_freed;
	*zeros = r.zeros;
	return r.frames;
}

/* Free everything of mm; no hart has it loaded and no one else holds it. */
static void mm_free(struct mm *mm)
{
	sleep_lock(&mm_list_lock);
	for (struct mm **link = &mm_list; *link; link = &(*link)->next_mm) {
		if (*link == mm) {
			*link = mm->next_mm;
			break;
		}
	}
	sleep_unlock(&mm_list_lock);

	bool changed;
	uint64_t zeros;
	unmap_range(mm, 0, USER_TOP, &changed, &zeros);
	frame_put(mm->tlb.root);
	struct vm_area *a;
	vma_foreach(a, &mm->areas)
		mm_area_put(a);
	vma_free_list(&mm->areas);
	kfree(mm);
}

void mm_hold(struct mm *mm)
{
	__atomic_add_fetch(&mm->users, 1, __ATOMIC_ACQ_REL);
}

void mm_release(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_free(mm);
}

/*
 * A hart that merely still has mm in satp (it ran the process last and
 * is passing through its scheduler loop) drops it within a few
 * instructions; wait for that, so every frame is back when we return.
 */
void mm_destroy(struct mm *mm)
{
	if (!mm)
		return;
	tlb_wait_unloaded(&mm->tlb);
	mm_release(mm);
}

void mm_activate(struct mm *mm)
{
	tlb_switch(mm ? &mm->tlb : NULL);
}

/* Insert an area (the heap too: it must be the only one). */
static int map_area(struct mm *mm, struct vma_spec *spec)
{
	uint64_t va = spec->start, end = spec->end;
	if (!page_aligned(va | end) || va == 0 || end < va || end > USER_TOP)
		return -EINVAL;
	if ((spec->prot & PROT_WRITE) && (spec->prot & PROT_EXEC))
		return -EINVAL;   /* W^X: never both */
	if (spec->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	int sharing = spec->flags & (VM_PRIVATE | VM_SHARED);
	if (sharing != VM_PRIVATE && sharing != VM_SHARED)
		return -EINVAL;   /* exactly one of the two */
	if (spec->flags & ~(VM_PRIVATE | VM_SHARED | VM_GROWSDOWN))
		return -EINVAL;
	if (spec->backing.kind != VM_BACKING_ANON)
		return -EINVAL;
	struct inode *made;
	int err = mm_shmem_backing(spec, &made);
	if (err)
		return err;

	rwsleep_write_lock(&mm->areas_lock);
	struct vm_area *a;
	err = -EINVAL;
	if (spec->label != VMA_HEAP || !mm->heap)
		err = vma_insert(&mm->areas, spec, &a);
	if (!err)
		err = mm_area_get(a);   /* cannot fail: no deny-write here */
	if (!err && spec->label == VMA_HEAP) {
		mm->heap = a;
		mm->brk = va;
	}
	rwsleep_write_unlock(&mm->areas_lock);
	if (made)
		inode_put(made);   /* the area holds its own reference now */
	return err;
}

int mm_map(struct mm *mm, uint64_t va, uint64_t len, int prot, int flags,
	   const struct vm_backing *backing)
{
	if (len == 0 || va + len < va)
		return -EINVAL;
	if (prot & PROT_WRITE)
		prot |= PROT_READ;
	struct vma_spec spec = {
		.start = va, .end = va + len, .prot = prot, .flags = flags,
		.label = flags & VM_GROWSDOWN ? VMA_STACK : VMA_IMAGE,
		.backing = backing ? *backing : (struct vm_backing){ .kind = VM_BACKING_ANON },
	};
	return map_area(mm, &spec);
}

int mm_map_heap(struct mm *mm, uint64_t va)
{
	struct vma_spec spec = {
		.start = va, .end = va, .prot = PROT_READ | PROT_WRITE,
		.flags = VM_PRIVATE, .label = VMA_HEAP, .backing = { .kind = VM_BACKING_ANON },
	};
	return map_area(mm, &spec);
}

int mm_shmem_backing(struct vma_spec *spec, struct inode **made)
{
	*made = NULL;
	if (spec->backing.kind != VM_BACKING_ANON || !(spec->flags & VM_SHARED))
		return 0;
	int err = fs_anon_file(spec->end - spec->start, made);
	if (err)
		return err == -EFBIG ? -EINVAL : -ENOMEM;
	spec->backing = (struct vm_backing){ .kind = VM_BACKING_FILE, .ip = *made, .pgoff = 0 };
	spec->flags |= VM_SHMEM | VM_MAYWRITE;
	return 0;
}

int mm_backing_frame(struct vm_area *a, uint64_t va, uint64_t *pa)
{
	switch (a->backing.kind) {
	case VM_BACKING_ANON:
		*pa = frame_alloc_zeroed(FRAME_USER);
		return *pa ? 0 : -ENOMEM;
	case VM_BACKING_FILE:
		return inode_page_frame(a->backing.ip,
					a->backing.pgoff + (va - a->start) / PAGE_SIZE, pa);
	}
	return -EINVAL;
}

int mm_private_frame_of(struct vm_area *a, uint64_t va, uint64_t *pa)
{
	int err = mm_backing_frame(a, va, pa);
	if (err || a->backing.kind != VM_BACKING_FILE || !(a->flags & VM_PRIVATE))
		return err;
	uint64_t copy = frame_alloc(FRAME_USER);   /* the file's page stays the file's */
	if (copy)
		memcpy(pa_to_kva(copy), pa_to_kva(*pa), PAGE_SIZE);
	frame_put(*pa);
	*pa = copy;
	return copy ? 0 : -ENOMEM;
}

uint64_t mm_fill_flags(const struct vm_area *a)
{
	uint64_t f = mm_pte_flags(a->prot);
	if (a->backing.kind == VM_BACKING_FILE && (a->flags & VM_PRIVATE))
		f = (f & ~PTE_W) | PTE_COW;   /* the file's frame: a write copies it */
	return f;
}

/* A shared area that may write its (named) file: it counts as one of the file's writers. */
static bool writes_file(const struct vm_area *a)
{
	return (a->flags & VM_SHARED) && (a->flags & VM_MAYWRITE) && !(a->flags & VM_SHMEM);
}

int mm_area_get(struct vm_area *a)
{
	if (a->backing.kind != VM_BACKING_FILE)
		return 0;
	int err = 0;
	if (a->flags & VM_DENYWRITE)
		err = inode_deny_write(a->backing.ip);
	else if (writes_file(a))
		err = inode_get_write(a->backing.ip);
	if (!err) {
		inode_dup(a->backing.ip);
		inode_map_get(a->backing.ip);
	}
	return err;
}

void mm_area_put(struct vm_area *a)
{
	if (a->backing.kind != VM_BACKING_FILE)
		return;
	if (a->flags & VM_DENYWRITE)
		inode_allow_write(a->backing.ip);
	else if (writes_file(a))
		inode_put_write(a->backing.ip);
	inode_map_put(a->backing.ip);
	inode_put(a->backing.ip);
}

enum fault_result mm_install(struct mm *mm, struct vm_area *a, uint64_t va, uint64_t pa,
			     uint64_t flags)
{
	if (!(flags & PTE_RWX))
		panic("mm_install: a leaf with no R/W/X at %p", (void *)va);
	pte_t *pte = pt_walk(mm->tlb.root, va, true);
	if (!pte || *pte) {   /* valid, or parked: in use either way */
		frame_put(pa);
		return pte ? FAULT_STALE : FAULT_OOM;
	}
	*pte = pa_to_pte(pa) | flags | PTE_V;
	mm->stale_seen = false;   /* a mapping made: an old stale record means nothing */
	if (flags & PTE_ZERO) {
		__atomic_add_fetch(&mm_zero_mappings, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&a->zero, 1, __ATOMIC_RELAXED);
	} else
		__atomic_add_fetch(&a->resident, 1, __ATOMIC_RELAXED);
	return FAULT_OK;
}

/* The PTE for va, or 0. Caller holds pt_lock or areas_lock for writing. */
static pte_t pte_of(struct mm *mm, uint64_t va)
{
	pte_t *pte = pt_walk(mm->tlb.root, va, false);
	return pte ? *pte : 0;
}

/*
 * The frame of page va of a, made private and writable for the kernel to
 * fill: a frame from the backing if the page has none, a private copy if
 * it shares one (copy-on-write, the zero page). Caller reads areas and
 * holds no spinlock. 0, -ENOMEM or -EFAULT.
 */
static int private_frame(struct mm *mm, struct vm_area *a, uint64_t va, uint64_t *pa)
{
	for (;;) {
		spin_lock(&mm->pt_lock);
		pte_t pte = pte_of(mm, va);
		spin_unlock(&mm->pt_lock);
		enum fault_result r;
		const char *rule;
		if (pte && !(pte & PTE_V))
			return -EFAULT;   /* parked where the area allows access: broken */
		if (!pte) {
			uint64_t frame;
			int err = mm_private_frame_of(a, va, &frame);
			if (err)
				return err == -ENXIO ? -EFAULT : err;
			spin_lock(&mm->pt_lock);
			r = mm_install(mm, a, va, frame, mm_pte_flags(a->prot));
			spin_unlock(&mm->pt_lock);
		} else if (pte & (PTE_COW | PTE_ZERO)) {
			r = mm_unshare(mm, a, va, &rule);
		} else {
			*pa = pte_to_pa(pte);
			return 0;
		}
		if (r == FAULT_OOM)
			return -ENOMEM;
		if (r == FAULT_BUG)
			return -EFAULT;
	}
}

int mm_write(struct mm *mm, uint64_t va, const void *src, size_t n)
{
	const char *s = src;
	int err = 0;
	rwsleep_read_lock(&mm->areas_lock);
	while (n) {
		struct vm_area *a = vma_find(&mm->areas, va);
		if (!a || a->prot == PROT_NONE) {
			err = -EFAULT;
			break;
		}
		uint64_t pa;
		err = private_frame(mm, a, page_down(va), &pa);
		if (err)
			break;
		size_t chunk = PAGE_SIZE - page_offset(va);
		if (chunk > n)
			chunk = n;
		/* A private page of an mm no other hart runs: safe to fill unlocked. */
		memcpy((char *)pa_to_kva(pa) + page_offset(va), s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	rwsleep_read_unlock(&mm->areas_lock);
	return err;
}

/* Allocate every page of [start, end) of a now (eager mode). Caller writes areas. */
static int populate_range(struct mm *mm, struct vm_area *a, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t pa;
		if (mm_backing_frame(a, va, &pa) ||
		    mm_install(mm, a, va, pa, mm_pte_flags(a->prot)) == FAULT_OOM)
			return -ENOMEM;
	}
	return 0;
}

bool mm_release_range(struct mm *mm, struct vm_area *a, uint64_t start, uint64_t end)
{
	bool changed;
	uint64_t zeros;
	__atomic_sub_fetch(&a->resident, unmap_range(mm, start, end, &changed, &zeros),
			   __ATOMIC_RELAXED);
	__atomic_sub_fetch(&a->zero, zeros, __ATOMIC_RELAXED);
	mm->stale_seen = false;
	return changed;   /* a freed table page is a removed mapping too */
}

/* Unmap [start, end) of area a and flush. Caller writes areas. */
static void release_range(struct mm *mm, struct vm_area *a, uint64_t start, uint64_t end)
{
	if (mm_release_range(mm, a, start, end))
		tlb_removed(&mm->tlb);
}

long mm_brk(struct mm *mm, long delta)
{
	rwsleep_write_lock(&mm->areas_lock);
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
	if (delta < 0 && new_end > old_end)
		new_end = old_end;   /* shrinking never grows the area, whatever brk was */
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
	rwsleep_write_unlock(&mm->areas_lock);
	return ret;
}
