/*
 * The page-fault handler: where lazy allocation happens.
 *
 * A page fault is the hardware telling us a translation was missing or
 * did not allow the access. For a user address space there are exactly
 * these cases (docs/mm.md has the table):
 *
 *   address outside every area (above the break, the stack's guard page,
 *   page 0, the kernel half) .................... FAULT_SEGV: kill
 *   inside an area that forbids the access (store to text, fetch from
 *   data or heap, load from an execute-only page) .. FAULT_SEGV: kill
 *   inside an area, page not yet mapped ........... allocate, zero, map: FAULT_OK
 *   ... and no frame left ......................... FAULT_OOM: kill
 *   inside an area, page already mapped ........... a stale TLB entry from
 *                                                   before the page was
 *                                                   mapped: flush it, FAULT_STALE
 *
 * Fault-around: a program that touches its pages in order (memset of a
 * fresh buffer, a growing array) would pay one trap per page, and a trap
 * costs more than zeroing the page. When the faults of an area come in an
 * unbroken run, each on the page just after the last, the handler maps the
 * next pages too: FAULT_AROUND_PAGES after a run of FAULT_AROUND_RUN
 * faults, never past the area's end or an already-mapped page, never when
 * free memory is low, and never at the cost of failing the fault itself.
 * Isolated or sparse touches (every 64th page) never form a run, so there
 * a page has a frame exactly when it was touched.
 *
 * A new PTE replaces an invalid one, and the privileged spec lets a hart
 * keep no stale entry for an invalid translation past a fault, so no
 * sfence.vma is needed on the FAULT_OK path. The PTE is created with A and
 * D already set so the first access after return does not walk again to
 * set them.
 */
#include "mm/mm_internal.h"
#include "arch/riscv/csr.h"
#include "mm/frame.h"


#define FAULT_AROUND_RUN     4    /* sequential faults before mapping ahead */
#define FAULT_AROUND_PAGES   32   /* pages mapped ahead (128 KiB) */
#define FAULT_AROUND_RESERVE 1024 /* keep this many frames free for faults */

static bool access_allowed(int prot, enum fault_access access)
{
	switch (access) {
	case FAULT_READ:  return prot & PROT_READ;
	case FAULT_WRITE: return prot & PROT_WRITE;
	case FAULT_EXEC:  return prot & PROT_EXEC;
	}
	return false;
}

/*
 * Page `page` of area a was just mapped: track the run of sequential
 * faults and, in a run, map the pages after it. Caller holds mm->lock.
 * Best effort: stops at the first page it cannot (or need not) map.
 */
static void fault_around(struct mm *mm, struct vm_area *a, uint64_t page)
{
	a->seq_run = page == a->seq_next ? a->seq_run + 1 : 0;
	a->seq_next = page + PAGE_SIZE;
	if (a->seq_run < FAULT_AROUND_RUN || frame_free_count() < FAULT_AROUND_RESERVE)
		return;
	for (int i = 0; i < FAULT_AROUND_PAGES; i++) {
		uint64_t next = a->seq_next;
		if (next >= a->end || mm_populate_page(mm, a, next, NULL) != FAULT_OK)
			break;
		a->seq_next = next + PAGE_SIZE;
	}
}

enum fault_result mm_fault(struct mm *mm, uint64_t va, enum fault_access access)
{
	if (!mm || va >= USER_TOP)
		return FAULT_SEGV;

	spin_lock(&mm->lock);
	struct vm_area *a = vma_find(&mm->areas, va);
	enum fault_result r = FAULT_SEGV;
	if (a && access_allowed(a->prot, access)) {
		r = mm_populate_page(mm, a, page_down(va), NULL);
		if (r == FAULT_OK)
			fault_around(mm, a, page_down(va));
	}
	spin_unlock(&mm->lock);

	if (r == FAULT_OK)
		__atomic_add_fetch(&mm_faults_served, 1, __ATOMIC_RELAXED);
	else if (r == FAULT_STALE)
		sfence_vma_addr(page_down(va));
	return r;
}
