/*
 * struct mm and what the files of mm/ share; nothing outside mm/ includes
 * this.
 *
 * Lock legend:
 *   [W] areas_lock for writing (to read: areas_lock in either mode)
 *   [P] pt_lock, or areas_lock held for writing (which keeps every
 *       other user of this mm out)
 *   [G] mm_list_lock   [A] atomics only   [I] immutable after mm_create
 *
 * Who takes what: faults and mm_write take areas_lock for reading and
 * pt_lock around each page-table change; mm_map, mm_brk, mm_fork (the
 * parent's), mm_describe and mm_stat readers or writers as their names
 * say; mm_destroy needs no lock (no one else can reach the mm).
 * Lock order: mm_list_lock (sleep) -> areas_lock (sleep; a parent's
 * before its child's in fork) -> an inode's lock (sleep; a file fault's
 * inode_page_frame, mm_area_get's counts) -> pt_lock (spin) ->
 * frame_lock / kmalloc_lock. mm_list keeps mms in creation order, so a
 * walk meets a parent before its child. Of mm's own locks only pt_lock is held with interrupts
 * off, and nothing sleeps while holding it.
 */
#ifndef MM_MM_INTERNAL_H
#define MM_MM_INTERNAL_H

#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/pt.h"
#include "arch/riscv/tlb.h"
#include "lib/spinlock.h"
#include "proc/sleeplock.h"

struct mm {
	struct rwsleeplock areas_lock;
	struct spinlock    pt_lock;
	struct tlb_space   tlb;        /* root [I]; the TLB layer's state [A] */
	struct vma_list    areas;      /* [W] the areas, in address order */
	struct vm_area    *heap;       /* [W] the VMA_HEAP area, or NULL */
	uint64_t           brk;        /* [W] current break (byte address) */
	uint64_t           fa_next;    /* [P] page after the last fault served */
	unsigned           fa_run;     /* [P] faults in a row, each on fa_next */
	bool               stale_seen; /* [P] the last fault was a stale one ... */
	uint64_t           stale_va;   /* [P] ... at this page */
	uint64_t           stale_pc;   /* [P] ... by this instruction */
	unsigned           stale_hart; /* [P] ... on this hart */
	int                users;      /* [A] the owner + mm_hold()s */
	struct mm         *next_mm;    /* [G] all address spaces, for mm_stat */
};

/* The kernel's root page table (its upper half is copied into every mm). */
extern uint64_t kernel_root;

/* Counters kept by the fault path. */
extern uint64_t mm_faults_served;   /* [A] */
extern uint64_t mm_zero_mappings;   /* [A] PTEs mapping the zero page, all mms */

/* The shared zero page: pinned, never written, mapped read-only. [I] */
extern uint64_t mm_zero_pa;
/* Allocate and pin it; boot (mm_init) and the host tests. */
void mm_zero_page_init(void);

/* Boot switches (mm.cow, mm.zeropage). [I] after boot */
extern bool mm_cow_on, mm_zeropage_on;

/* PTE permission bits (with U, A, D) for an area's protection. */
uint64_t mm_pte_flags(int prot);
/* The PTE bits of a zero-page mapping: read-only, marked PTE_ZERO. */
#define MM_ZERO_FLAGS (PTE_U | PTE_A | PTE_R | PTE_ZERO)

/*
 * The frame page va of area a starts out as, with a reference for the
 * caller: anonymous memory a zeroed frame, a file its own frame (shared
 * with the file). 0, -ENOMEM, or -ENXIO (a file page wholly past the end
 * of the file). May sleep (a file's backing takes its inode lock); call
 * with no spinlock held.
 */
int mm_backing_frame(struct vm_area *a, uint64_t va, uint64_t *pa);
/* The same, but a frame only this mapping will have: a private file area's page is copied. */
int mm_private_frame_of(struct vm_area *a, uint64_t va, uint64_t *pa);
/* The PTE bits of a page straight from a's backing (a private file page: read-only, PTE_COW). */
uint64_t mm_fill_flags(const struct vm_area *a);
/*
 * Take (get) or drop (put) what an area holds beyond itself: its file's
 * reference and, for a program's text, the file's deny-write, or for a
 * shared area that may write its file, a writer's count. get fails only
 * with -ETXTBSY (text of a file open for writing, or a writer of a
 * running program's file).
 */
int  mm_area_get(struct vm_area *a);
void mm_area_put(struct vm_area *a);

/*
 * Shared anonymous memory needs one object that every sharer reaches, or
 * a page nobody touched before fork would be filled separately in each:
 * give such a spec an unnamed file as its backing (VM_SHMEM). *made gets
 * the file's creation reference, which the caller puts once the area
 * holds its own (or at once on failure); NULL when nothing was made.
 */
int mm_shmem_backing(struct vma_spec *spec, struct inode **made);

/* Unmap [start, end) of area a, frames and tables; true if anything went (flush!). Caller writes areas. */
bool mm_release_range(struct mm *mm, struct vm_area *a, uint64_t start, uint64_t end);

/* Every address space, for mm_stat and truncation. */
extern struct sleeplock mm_list_lock;
extern struct mm *mm_list;   /* [G] oldest first */

/*
 * Map frame pa at va (page-aligned, inside a) with PTE bits `flags`
 * (mm_pte_flags(a->prot), or MM_ZERO_FLAGS), unless va is mapped
 * already: then the frame (the reference the caller gave) goes back and
 * FAULT_STALE is the answer. Caller holds pt_lock (or areas_lock for
 * writing). FAULT_OK, FAULT_STALE, or FAULT_OOM (no table page; pa given
 * back).
 */
enum fault_result mm_install(struct mm *mm, struct vm_area *a, uint64_t va, uint64_t pa,
			     uint64_t flags);

/*
 * Make page va of a privately writable where its PTE shares a frame
 * read-only: a copy-on-write page (copied, or reused when no one else
 * maps it) or the zero page (replaced by a zeroed frame). Caller reads
 * areas and holds no spinlock; may sleep. FAULT_OK (*rule says which),
 * FAULT_STALE (the PTE changed meanwhile: look again), FAULT_OOM, or
 * FAULT_BUG (the PTE shares nothing).
 */
enum fault_result mm_unshare(struct mm *mm, struct vm_area *a, uint64_t va,
			     const char **rule);

/* The fault decision (mm/fault.c): what a fault means, from three facts. */
enum fault_decision {
	DECIDE_NO_AREA,     /* no area holds the address: kill */
	DECIDE_FORBIDDEN,   /* the area forbids the access: kill */
	DECIDE_FILL,        /* no PTE: fill the page from the area's backing */
	DECIDE_STALE,       /* the PTE permits the access: a stale TLB entry */
	DECIDE_AREA_RULE,   /* the PTE forbids what the area allows: the area's rule */
};
enum fault_decision fault_decide(const struct vm_area *a, pte_t pte, enum fault_access access);

/* The free-frame floor under which fault-around maps nothing ahead. */
uint64_t mm_faultaround_reserve(void);
extern unsigned mm_faultaround_pages;   /* [I] after boot */

#endif
