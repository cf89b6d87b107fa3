/*
 * Memory figures for user space: memstat() and vmmap().
 *
 * memstat(struct memstat *) fills in the system-wide counters.
 * vmmap(pid, struct vmmap_entry *buf, n) copies up to n areas of process
 * pid's address space (pid 0 = the caller) in address order and returns how
 * many the process has (which may exceed n), or -1 if there is no such pid.
 */
#ifndef LAZULI_MEMSTAT_H
#define LAZULI_MEMSTAT_H

#include <stdint.h>

struct memstat {
	uint64_t page_size;      /* bytes in a frame (4096) */
	uint64_t total_frames;   /* frames the allocator manages */
	uint64_t free_frames;    /* frames on the free list now */
	uint64_t used_frames;    /* total_frames - free_frames */
	uint64_t pt_frames;      /* of the used frames, how many hold page tables */
	uint64_t user_frames;    /* of the used frames, how many map user pages */
	uint64_t faults_served;  /* page faults resolved by allocating a page */
	uint64_t lazy_untouched; /* reserved heap pages never touched, all processes */
	uint64_t eager;          /* 1 when booted with mm.eager=1 */
	uint64_t shared_frames;  /* user frames mapped more than once (copy-on-write, shared) */
	uint64_t zero_mappings;  /* pages that map the shared zero page, all processes */
	uint64_t cow;            /* 1 unless booted with mm.cow=0 */
	uint64_t zeropage;       /* 1 unless booted with mm.zeropage=0 */
	uint64_t file_frames;    /* of the used frames, how many hold file data (the page cache) */
	uint64_t fail_percent;   /* fail.frame=PERCENT: share of allocations failed on purpose */
	uint64_t fail_injected;  /* allocations failed on purpose so far */
};

#define VMMAP_PROT_R 0x1
#define VMMAP_PROT_W 0x2
#define VMMAP_PROT_X 0x4
#define VMMAP_SHARED 0x8   /* in prot: a shared area (writes reach the file, or a fork) */

#define VMMAP_KIND_IMAGE 1   /* program text or data from the ELF file */
#define VMMAP_KIND_HEAP  2   /* the sbrk area */
#define VMMAP_KIND_STACK 3   /* the user stack */
#define VMMAP_KIND_MMAP  4   /* made by mmap: anonymous (inum 0) or a file */

struct vmmap_entry {
	uint64_t start;      /* first byte of the area */
	uint64_t end;        /* one past the last byte */
	uint32_t prot;       /* VMMAP_PROT_* */
	uint32_t kind;       /* VMMAP_KIND_* */
	uint64_t resident;   /* pages of the area that have a frame of their own or shared */
	uint64_t shared;     /* of those, frames mapped more than once */
	uint64_t cow;        /* of those, copy-on-write (read-only until written) */
	uint64_t zero;       /* pages mapping the shared zero page (not resident) */
	uint64_t pss_x1000;  /* proportional pages x 1000: a frame shared n ways counts 1/n */
	uint64_t guard;      /* bytes below start that nothing may take (a stack's gap) */
	uint64_t inum;       /* the file's inode number, 0 for anonymous memory */
	uint64_t offset;     /* the file offset mapped at start (bytes) */
};

#endif
