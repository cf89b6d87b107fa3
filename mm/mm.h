/*
 * The narrow mm API: user address spaces.
 *
 * This is all that proc/ and syscall/ may see of memory management. An
 * address space (struct mm) is a sorted list of areas (struct vm_area,
 * mm/vma.h) plus an Sv39 page table whose kernel half is shared by all.
 * Areas are anonymous and zero-filled: a page gets a frame only when it is
 * first touched (mm_fault), or written by mm_write.
 *
 * mm/ knows nothing of processes: callers pass the mm they mean.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/page.h"

struct mm;
struct memstat;
struct vmmap_entry;

/* Protection of an area. */
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

enum vma_kind {
	VMA_IMAGE = 1,   /* program text or data (from the ELF file) */
	VMA_HEAP  = 2,   /* the sbrk area: one per mm */
	VMA_STACK = 3,   /* the user stack, with a guard page below it */
};

/* What the faulting instruction tried to do. */
enum fault_access { FAULT_READ, FAULT_WRITE, FAULT_EXEC };

/* mm_fault's verdict. */
enum fault_result {
	FAULT_OK    = 0,   /* a zeroed frame was mapped: re-execute */
	FAULT_STALE = 1,   /* already mapped (a stale TLB entry): re-execute */
	FAULT_SEGV  = -1,  /* no area, or the area forbids this access */
	FAULT_OOM   = -2,  /* legal, but no frame is left */
};

/* Highest user address + 1 (the lower half of Sv39 is 256 GiB). */
#define USER_TOP 0x4000000000UL

struct mm *mm_create(void);                       /* NULL when out of memory */
struct mm *mm_fork(struct mm *parent);            /* copies resident pages only */
void       mm_destroy(struct mm *mm);             /* every frame comes back */

/*
 * Reserve [va, va+len) (page-aligned) as a new area. VMA_HEAP areas may be
 * empty (len 0) and then move with mm_brk; a VMA_STACK area gets an
 * unmapped guard page below it that nothing else may take.
 * Returns 0, -EINVAL (unaligned, overlapping, outside user space,
 * W+X, a second heap) or -ENOMEM.
 */
int  mm_map(struct mm *mm, uint64_t va, uint64_t len, int prot, enum vma_kind kind);

/*
 * Copy n bytes from kernel memory into mm at va, allocating the pages they
 * land on. mm need not be the active one (exec builds a new image this way).
 * Ignores the areas' protection; va must lie in an area. 0, -EFAULT, -ENOMEM.
 */
int  mm_write(struct mm *mm, uint64_t va, const void *src, size_t n);

/*
 * sbrk: move the break by delta bytes and return the old break. Growing
 * only reserves (unless eager mode is on); shrinking frees every page
 * wholly above the new break. -ENOMEM / -EINVAL when the heap would pass
 * its start, wrap, or reach another area or the stack's guard; nothing
 * changes then.
 */
long mm_brk(struct mm *mm, long delta);

/* Resolve a fault at va; see enum fault_result. Never sleeps. */
enum fault_result mm_fault(struct mm *mm, uint64_t va, enum fault_access access);

/* Switch this hart to mm's page table (NULL: the kernel's only). */
void mm_activate(struct mm *mm);

/*
 * Describe mm's areas into buf (at most n entries, in address order);
 * returns how many areas there are.
 */
int  mm_describe(struct mm *mm, struct vmmap_entry *buf, int n);

/* System-wide figures for the memstat system call. */
void mm_stat(struct memstat *st);

/* Boot switches: mm.eager=1 and the fault counters. */
void mm_set_eager(bool eager);
bool mm_eager(void);

/*
 * Kernel stacks: slot i gets KSTACK_SIZE bytes at the top of its slot in
 * the kernel-stack region (arch/riscv/sv39.h), with the unmapped guard
 * below. Returns the stack's top, or 0 when out of memory. Called at boot
 * before any mm exists.
 */
#define KSTACK_SIZE (16 * 1024)
uint64_t mm_kstack_map(int slot);

/* Set up the kernel's page table and the frame allocator; boot hart only. */
struct boot_info;
void mm_init(const struct boot_info *bi);
/* Turn paging on with the kernel page table on this hart. */
void mm_init_hart(void);
/* Run the in-kernel self-test of frames and page tables; 0 when it passed. */
int  mm_selftest(void);

#endif
