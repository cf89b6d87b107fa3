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
 * A new PTE replaces an invalid one, and the privileged spec lets a hart
 * keep no stale entry for an invalid translation past a fault, so no
 * sfence.vma is needed on the FAULT_OK path. The PTE is created with A and
 * D already set so the first access after return does not walk again to
 * set them.
 */
#include "mm/mm_internal.h"
#include "arch/riscv/csr.h"

#define PAGE_DOWN(x) ((x) & ~(uint64_t)4095)

static bool access_allowed(int prot, enum fault_access access)
{
	switch (access) {
	case FAULT_READ:  return prot & PROT_READ;
	case FAULT_WRITE: return prot & PROT_WRITE;
	case FAULT_EXEC:  return prot & PROT_EXEC;
	}
	return false;
}

enum fault_result mm_fault(struct mm *mm, uint64_t va, enum fault_access access)
{
	if (!mm || va >= USER_TOP)
		return FAULT_SEGV;

	spin_lock(&mm->lock);
	struct vm_area *a = vma_find(&mm->areas, va);
	enum fault_result r = FAULT_SEGV;
	if (a && access_allowed(a->prot, access))
		r = mm_populate_page(mm, a, PAGE_DOWN(va));
	spin_unlock(&mm->lock);

	if (r == FAULT_OK)
		__atomic_add_fetch(&mm_faults_served, 1, __ATOMIC_RELAXED);
	else if (r == FAULT_STALE)
		sfence_vma_addr(PAGE_DOWN(va));
	return r;
}
