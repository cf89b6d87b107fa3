/*
 * struct mm and what the files of mm/ share; nothing outside mm/ includes
 * this.
 *
 * Lock legend: [M] mm->lock   [G] mm_list_lock   [A] atomics only
 *              [I] immutable after mm_create
 * Lock order: mm_list_lock, then mm->lock, then frame_lock / kmalloc_lock.
 */
#ifndef MM_MM_INTERNAL_H
#define MM_MM_INTERNAL_H

#include "mm/mm.h"
#include "mm/vma.h"
#include "lib/spinlock.h"

struct mm {
	struct spinlock  lock;
	uint64_t         root;       /* [I] physical address of the root table */
	struct vma_list  areas;      /* [M] sorted areas */
	struct vm_area  *heap;       /* [M] the VMA_HEAP area, or NULL */
	uint64_t         brk;        /* [M] current break (byte address) */
	uint64_t         pt_pages;   /* [M] table pages below the root */
	uint64_t         tlb_gen;    /* [A] bumped when a mapping is removed */
	int              refs;       /* [A] owner + harts with it active */
	struct mm       *next_mm;    /* [G] all address spaces, for mm_stat */
};

/* The kernel's root page table (its upper half is copied into every mm). */
extern uint64_t kernel_root;

/* Counters kept by the fault path. */
extern uint64_t mm_faults_served;   /* [A] */

/* Free everything of mm; no hart has it active. */
void mm_free(struct mm *mm);

/* PTE permission bits (with U, A, D) for an area's protection. */
uint64_t mm_pte_flags(int prot);

/*
 * Give the page at va (page-aligned, inside a) a zeroed frame; *pa (if not
 * NULL) gets the page's frame, new or already there. Caller holds
 * mm->lock. FAULT_OK, FAULT_STALE (already mapped) or FAULT_OOM.
 */
enum fault_result mm_populate_page(struct mm *mm, struct vm_area *a, uint64_t va,
				   uint64_t *pa);

/* Load root into this hart's satp and flush (no ASIDs are used). */
void mm_load_root(uint64_t root);

#endif
