/*
 * The page-fault handler: where every page-fault trick happens.
 *
 * A page fault is the hardware telling us a translation was missing or
 * did not allow the access. mm_fault decides what it means from three
 * facts and nothing else: the area holding the address, the PTE for it,
 * and the access. fault_decide() is that table made executable
 * (docs/mm.md has it with the reasons):
 *
 *   area                PTE                      verdict
 *   none                -                        no mapping allows it: kill
 *                                                (in a stack's guard gap:
 *                                                stack overflow: kill)
 *   forbids the access  -                        no mapping allows it: kill
 *   allows it           absent                   fill from the area's backing:
 *                                                a read of private anonymous
 *                                                memory maps the zero page
 *   allows it           present, permits it      stale TLB entry: fence, retry
 *   allows it           present, forbids it      the area's rule: a write to a
 *                                                copy-on-write page copies it
 *                                                (or reuses it if no one else
 *                                                maps it); any access the zero
 *                                                page cannot serve gets a
 *                                                private zeroed frame
 *
 * A PTE that forbids what its area allows and is neither copy-on-write
 * nor the zero page means the kernel's own state is broken: the process
 * is killed with one line saying so, and never left looping. The same
 * goes for a stale fault that comes back at the same address and pc right
 * after its fence: the fence cannot have been the cure.
 *
 * Why a stale fault exists at all. The privileged spec (Volume II, v1.12,
 * section 4.2.1, "Supervisor Memory-Management Fence Instruction"):
 * "For the special cases of increasing the permissions on a leaf PTE and
 * changing an invalid PTE to a valid leaf, software may choose to execute
 * the SFENCE.VMA lazily. After modifying the PTE but before executing
 * SFENCE.VMA, either the new or old permissions will be used. In the
 * latter case, a page-fault exception might occur, at which point
 * software should execute SFENCE.VMA in accordance with the previous
 * bullet point." So filling a page needs no fence, and a hart that still
 * uses the old (invalid) translation faults once; then we fence. A fill
 * may also have created table pages (non-leaf PTEs), and for those the
 * same section says "If software modifies a non-leaf PTE, it should
 * execute SFENCE.VMA with rs1=x0", so the stale fence flushes everything
 * (under QEMU every sfence.vma does that anyway).
 *
 * Fault-around: a program that touches its pages in order (memset of a
 * fresh buffer, a growing array) would pay one trap per page, and a trap
 * costs more than zeroing the page. When the faults of an address space
 * come in an unbroken run, each on the page just after the last, the
 * handler maps the next pages too: mm.faultaround=N pages (default 32,
 * 0 = off) after a run of FAULT_AROUND_RUN faults, never past the area's
 * end or over a mapped page, never when free memory is below a share of
 * RAM, and never at the cost of failing the fault itself. Isolated or
 * sparse touches never form a run, so there a page has a frame exactly
 * when it was touched.
 *
 * The fault path may sleep: it holds the area list's sleeping lock for
 * reading, gets the new page's frame from the backing with no spinlock
 * held (a file's backing will take its inode lock), then takes the page
 * table's spinlock only to install the PTE, re-checking that no one
 * mapped the page meanwhile.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/string.h"

#define FAULT_AROUND_RUN       4    /* sequential faults before mapping ahead */
#define FAULT_AROUND_DEFAULT   32   /* pages mapped ahead (128 KiB) */
#define FAULT_AROUND_MAX       64   /* the most mm.faultaround may ask for */
#define FAULT_AROUND_RESERVE_SHARE 32   /* keep 1/32 of RAM free for plain faults */

unsigned mm_faultaround_pages = FAULT_AROUND_DEFAULT;

void mm_set_faultaround(unsigned pages)
{
	mm_faultaround_pages = pages < FAULT_AROUND_MAX ? pages : FAULT_AROUND_MAX;
}

uint64_t mm_faultaround_reserve(void)
{
	static uint64_t reserve;   /* [A] computed once; every hart computes the same */
	uint64_t r = __atomic_load_n(&reserve, __ATOMIC_RELAXED);
	if (!r) {
		struct frame_stats st;
		frame_stats(&st);
		r = st.total / FAULT_AROUND_RESERVE_SHARE + 1;
		__atomic_store_n(&reserve, r, __ATOMIC_RELAXED);
	}
	return r;
}

static bool prot_allows(int prot, enum fault_access access)
{
	switch (access) {
	case FAULT_READ:  return prot & PROT_READ;
	case FAULT_WRITE: return prot & PROT_WRITE;
	case FAULT_EXEC:  return prot & PROT_EXEC;
	}
	return false;
}

static bool pte_allows(pte_t pte, enum fault_access access)
{
	if ((pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
		return false;
	switch (access) {
	case FAULT_READ:  return pte & PTE_R;
	case FAULT_WRITE: return pte & PTE_W;
	case FAULT_EXEC:  return pte & PTE_X;
	}
	return false;
}

enum fault_decision fault_decide(const struct vm_area *a, pte_t pte, enum fault_access access)
{
	if (!a)
		return DECIDE_NO_AREA;
	if (!prot_allows(a->prot, access))
		return DECIDE_FORBIDDEN;
	if (!(pte & PTE_V))   /* empty; or parked where it should not be: a broken PTE */
		return pte ? DECIDE_AREA_RULE : DECIDE_FILL;
	if (pte_allows(pte, access))
		return DECIDE_STALE;
	return DECIDE_AREA_RULE;
}

/*
 * A stale TLB entry. The second one in a row at the same page and pc, on
 * the same hart (the fence was this hart's only), with no mapping made
 * in between (mm_install and unmapping forget the record), means the
 * fence did not help: a kernel bug. Caller holds pt_lock.
 */
static enum fault_result stale(struct mm *mm, uint64_t page, uint64_t pc,
			       struct fault_report *rep)
{
	unsigned hart = tlb_hart();
	if (mm->stale_seen && mm->stale_va == page && mm->stale_pc == pc &&
	    mm->stale_hart == hart) {
		mm->stale_seen = false;
		rep->rule = "kernel bug: the fault repeats on a PTE that allows it";
		return FAULT_BUG;
	}
	mm->stale_seen = true;
	mm->stale_va = page;
	mm->stale_pc = pc;
	mm->stale_hart = hart;
	rep->rule = "stale TLB entry";
	return FAULT_STALE;
}

/*
 * Track the run of sequential faults; how many pages after `page` to map
 * ahead now. Caller holds pt_lock.
 */
static unsigned around_count(struct mm *mm, struct vm_area *a, uint64_t page)
{
	mm->fa_run = page == mm->fa_next ? mm->fa_run + 1 : 0;
	mm->fa_next = page + PAGE_SIZE;
	if (!mm_faultaround_pages || mm->fa_run < FAULT_AROUND_RUN ||
	    frame_free_count() < mm_faultaround_reserve())
		return 0;
	uint64_t room = (a->end - mm->fa_next) / PAGE_SIZE;
	return room < mm_faultaround_pages ? (unsigned)room : mm_faultaround_pages;
}

/* A frame for page va of a: the zero page (with a reference), or the backing's. */
static int first_frame(struct vm_area *a, uint64_t va, bool zero, uint64_t *pa)
{
	if (!zero)
		return mm_backing_frame(a, va, pa);
	frame_get(mm_zero_pa);
	*pa = mm_zero_pa;
	return 0;
}

/*
 * Map up to n pages of a from `next` on, the zero page or frames from the
 * backing, stopping at the first that is mapped already or cannot get a
 * frame (or lies past the end of a file); returns how many were mapped.
 * Frames come with no spinlock held.
 */
static unsigned map_ahead(struct mm *mm, struct vm_area *a, uint64_t next, unsigned n,
			  bool zero)
{
	uint64_t frames[FAULT_AROUND_MAX];
	uint64_t flags = zero ? MM_ZERO_FLAGS : mm_fill_flags(a);
	unsigned got = 0, mapped = 0;
	while (got < n && !first_frame(a, next + got * PAGE_SIZE, zero, &frames[got]))
		got++;
	spin_lock(&mm->pt_lock);
	while (mapped < got &&
	       mm_install(mm, a, next + mapped * PAGE_SIZE, frames[mapped], flags) == FAULT_OK)
		mapped++;
	mm->fa_next = next + mapped * PAGE_SIZE;
	spin_unlock(&mm->pt_lock);
	/* mm_install gave back the frame it refused; the rest were never offered. */
	for (unsigned i = mapped + 1; i < got; i++)
		frame_put(frames[i]);
	return mapped;
}

/* Which rule a fill served, in mm.trace=1's words. */
static const char *fill_rule(const struct vm_area *a, bool zero, bool copied)
{
	if (zero)
		return "zero page";
	if (a->backing.kind == VM_BACKING_FILE)
		return copied ? "file cow" : "file page";
	return a->flags & VM_GROWSDOWN ? "stack grow" : "new page";
}

/*
 * No PTE: fill the page from the area's backing. A read of private
 * anonymous memory maps the shared zero page instead (mm.zeropage=1), so
 * memory that is only ever read costs no frame. A file's page is mapped
 * itself: shared areas write it, private ones map it read-only and
 * copy-on-write, except that a write to a private file page copies at
 * once. A page wholly past the end of the file is a kill. Caller reads
 * areas.
 */
static enum fault_result fill(struct mm *mm, struct vm_area *a, uint64_t page,
			      enum fault_access access, struct fault_report *rep)
{
	bool zero = mm_zeropage_on && access == FAULT_READ && (a->flags & VM_PRIVATE) &&
		    a->backing.kind == VM_BACKING_ANON;
	bool copy = a->backing.kind == VM_BACKING_FILE && (a->flags & VM_PRIVATE) &&
		    access == FAULT_WRITE;
	uint64_t pa;
	int err = copy ? mm_private_frame_of(a, page, &pa) : first_frame(a, page, zero, &pa);
	if (err) {
		rep->rule = err == -ENXIO ? "beyond end of file" : "out of memory";
		return err == -ENXIO ? FAULT_SEGV : FAULT_OOM;
	}
	spin_lock(&mm->pt_lock);
	uint64_t flags = zero ? MM_ZERO_FLAGS : copy ? mm_pte_flags(a->prot) : mm_fill_flags(a);
	enum fault_result r = mm_install(mm, a, page, pa, flags);
	unsigned ahead = r == FAULT_OK ? around_count(mm, a, page) : 0;
	spin_unlock(&mm->pt_lock);
	if (r == FAULT_OOM) {
		rep->rule = "out of memory";
		return r;
	}
	if (r == FAULT_STALE) {   /* someone mapped it while we got the frame */
		rep->rule = "mapped meanwhile";
		return r;
	}
	__atomic_add_fetch(&mm_faults_served, 1, __ATOMIC_RELAXED);
	rep->rule = fill_rule(a, zero, copy);
	if (ahead)
		rep->ahead = map_ahead(mm, a, page + PAGE_SIZE, ahead, zero);
	return FAULT_OK;
}

enum fault_result mm_unshare(struct mm *mm, struct vm_area *a, uint64_t va,
			     const char **rule)
{
	spin_lock(&mm->pt_lock);
	pte_t *ptep = pt_walk(mm->tlb.root, va, false);
	pte_t pte = ptep ? *ptep : 0;
	if (!(pte & PTE_V) || !(pte & (PTE_COW | PTE_ZERO))) {
		spin_unlock(&mm->pt_lock);
		/* Gone meanwhile: look again. Anything else (a parked entry,
		 * whose bit is PTE_COW's, or no mark at all) is broken. */
		return pte ? FAULT_BUG : FAULT_STALE;
	}
	uint64_t old = pte_to_pa(pte);
	if ((pte & PTE_COW) && frame_refcount(old) == 1) {
		/*
		 * No one else maps the frame, and no one can start to: only a
		 * fork of this mm could, and it needs areas_lock for writing.
		 * More permission needs no fence (the spec's lazy case).
		 */
		*ptep = pa_to_pte(old) | mm_pte_flags(a->prot) | PTE_V;
		mm->stale_seen = false;
		spin_unlock(&mm->pt_lock);
		*rule = "cow reuse";
		return FAULT_OK;
	}
	frame_get(old);   /* keep the source while we copy it unlocked */
	spin_unlock(&mm->pt_lock);

	uint64_t pa = (pte & PTE_ZERO) ? frame_alloc_zeroed(FRAME_USER) : frame_alloc(FRAME_USER);
	if (pa && (pte & PTE_COW))
		memcpy(pa_to_kva(pa), pa_to_kva(old), PAGE_SIZE);
	frame_put(old);
	if (!pa)
		return FAULT_OOM;

	spin_lock(&mm->pt_lock);
	if (*ptep != pte) {   /* changed meanwhile: give ours back, look again */
		spin_unlock(&mm->pt_lock);
		frame_put(pa);
		return FAULT_STALE;
	}
	*ptep = pa_to_pte(pa) | mm_pte_flags(a->prot) | PTE_V;
	mm->stale_seen = false;
	if (pte & PTE_ZERO) {
		__atomic_sub_fetch(&mm_zero_mappings, 1, __ATOMIC_RELAXED);
		__atomic_sub_fetch(&a->zero, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&a->resident, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&mm->pt_lock);
	frame_put(old);   /* this mm's share of the old frame */
	/* The old translation, to another frame, must not outlive this. */
	tlb_removed_page(&mm->tlb, va);
	*rule = (pte & PTE_ZERO) ? "new page" : "cow copy";
	return FAULT_OK;
}

/* The PTE forbids what the area allows: the area's rule. Caller reads areas. */
static enum fault_result area_rule(struct mm *mm, struct vm_area *a, uint64_t page,
				   enum fault_access access, pte_t pte,
				   struct fault_report *rep)
{
	bool cow_write = (pte & PTE_COW) && access == FAULT_WRITE;
	if (!cow_write && !(pte & PTE_ZERO)) {
		rep->rule = "kernel bug: the PTE forbids an access its area allows";
		return FAULT_BUG;
	}
	enum fault_result r = mm_unshare(mm, a, page, &rep->rule);
	if (r == FAULT_OOM)
		rep->rule = "out of memory";
	else if (r == FAULT_BUG)
		rep->rule = "kernel bug: the PTE forbids an access its area allows";
	else if (r == FAULT_OK)
		__atomic_add_fetch(&mm_faults_served, 1, __ATOMIC_RELAXED);
	return r;
}

enum fault_result mm_fault(struct mm *mm, uint64_t va, enum fault_access access,
			   uint64_t pc, struct fault_report *rep)
{
	*rep = (struct fault_report){ .rule = "no mapping allows it", .ahead = 0 };
	if (!mm || va >= USER_TOP)
		return FAULT_SEGV;
	uint64_t page = page_down(va);

	rwsleep_read_lock(&mm->areas_lock);
	struct vm_area *a = vma_find(&mm->areas, va);
	/*
	 * Table pages are freed only under areas_lock for writing, so the walk
	 * is safe here; an empty PTE is only a first guess (fill re-checks it
	 * under pt_lock), anything else is decided again under pt_lock.
	 */
	pte_t *ptep = pt_walk(mm->tlb.root, page, false);
	enum fault_decision d = fault_decide(a, ptep ? *ptep : 0, access);
	enum fault_result r = FAULT_SEGV;
	pte_t pte = 0;
	if (d == DECIDE_NO_AREA && vma_guarded_by(&mm->areas, va)) {
		rep->rule = "stack overflow";
	} else if (d == DECIDE_FILL) {
		r = fill(mm, a, page, access, rep);
	} else if (d != DECIDE_NO_AREA && d != DECIDE_FORBIDDEN) {
		spin_lock(&mm->pt_lock);
		pte = *ptep;
		d = fault_decide(a, pte, access);
		if (d == DECIDE_STALE) {
			r = stale(mm, page, pc, rep);
		} else {   /* the area's rule, after the lock; or unmapped meanwhile */
			mm->stale_seen = false;
			r = FAULT_STALE;
		}
		spin_unlock(&mm->pt_lock);
		if (d == DECIDE_AREA_RULE)
			r = area_rule(mm, a, page, access, pte, rep);
	}
	rwsleep_read_unlock(&mm->areas_lock);

	if (r == FAULT_STALE)
		tlb_flush_all();
	return r;
}
