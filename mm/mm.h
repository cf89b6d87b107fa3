/*
 * The narrow mm API: user address spaces.
 *
 * This is all that proc/ and syscall/ may see of memory management. An
 * address space (struct mm) is a set of areas (struct vm_area, mm/vma.h)
 * plus an Sv39 page table whose kernel half is shared by all. An area
 * says what may be done with its pages (prot), how they are shared
 * (flags) and where they come from (its backing); a page gets a frame
 * only when it is first touched (mm_fault) or written by mm_write.
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
struct inode;

/* Protection of an area. Write implies read: RISC-V has no write-only page. */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

/* Area flags. */
#define VM_PRIVATE   0x1   /* pages belong to this address space alone */
#define VM_SHARED    0x2   /* fork shares the frames: writes are seen by both */
#define VM_GROWSDOWN 0x4   /* a stack: a guard gap below it belongs to no one */
#define VM_DENYWRITE 0x8   /* a program's text: its file cannot be opened for writing */
#define VM_MAYWRITE  0x10  /* a shared file area whose file was open for writing:
			      PROT_WRITE may be (or become, by mm_protect) set */
#define VM_FIXED     0x20  /* mm_mmap only: exactly at addr, replacing what was there */
#define VM_SHMEM     0x40  /* shared anonymous memory: backed by an unnamed file
			      that every process mapping it shares (set by mm) */
#define VM_IMAGE     0x80  /* mm_mmap only: part of a program image (exec's areas:
			      vmmap and pmap call them "image", not "mmap") */

/* Where an area's pages come from when first touched. */
enum vm_backing_kind {
	VM_BACKING_ANON = 0,   /* zero-filled memory */
	VM_BACKING_FILE = 1,   /* a regular file's own pages (fs lends them) */
};

struct vm_backing {
	enum vm_backing_kind kind;
	struct inode        *ip;      /* FILE: the file; the area holds its own reference */
	uint64_t             pgoff;   /* FILE: the file page mapped at the area's start */
};

/*
 * The user half's layout (userland/user.ld links programs at
 * USER_TEXT_BASE; exec puts the stack at the top, reserving its whole
 * growth range, mm_stack_size() bytes, and the guard gap below it):
 *
 *   0                 page 0, never mapped
 *   USER_TEXT_BASE    program text, then data; the heap after them
 *   ...
 *   stack bottom - USER_STACK_GUARD    the stack's guard gap: no area, ever
 *   USER_STACK_TOP - mm_stack_size()   the stack's limit: it grows down to here
 *   USER_TOP          end of the user half (256 GiB)
 */
#define USER_TOP           (1UL << 38)
#define USER_TEXT_BASE     0x10000UL
#define USER_STACK_TOP     USER_TOP
#define USER_STACK_DEFAULT (8UL << 20)   /* mm.stack=SIZE changes it */
#define USER_STACK_MIN     (64UL << 10)
#define USER_STACK_MAX     (1UL << 30)
#define USER_STACK_GUARD   (1UL << 20)   /* as Linux's stack_guard_gap */

/* What the faulting instruction tried to do. */
enum fault_access { FAULT_READ, FAULT_WRITE, FAULT_EXEC };

/* mm_fault's verdict. */
enum fault_result {
	FAULT_OK    = 0,   /* a page was mapped: re-execute */
	FAULT_STALE = 1,   /* the PTE already allows it (a stale TLB entry): re-execute */
	FAULT_SEGV  = -1,  /* no area, or the area forbids this access */
	FAULT_OOM   = -2,  /* legal, but no frame is left */
	FAULT_BUG   = -3,  /* the kernel's own state is inconsistent: kill, never loop */
};

/* What mm_fault did, in words, for mm.trace=1 and the kill message. */
struct fault_report {
	const char *rule;    /* "new page", "zero page", "cow copy", "cow reuse",
				"stack grow", "stale TLB entry", "no mapping allows it",
				"stack overflow", "out of memory", "kernel bug: ..." */
	unsigned    ahead;   /* pages mapped ahead of the fault (fault-around) */
};

struct mm *mm_create(void);                       /* NULL when out of memory */
/*
 * A child address space: the same areas; resident private pages shared
 * copy-on-write (mm.cow=0: copied), VM_SHARED pages shared. May sleep.
 */
struct mm *mm_fork(struct mm *parent);
/*
 * The owner gives mm up. No hart may run its user code any more; every
 * frame is back when this returns unless mm_hold() keeps it a little longer.
 */
void       mm_destroy(struct mm *mm);
/* Keep mm alive while looking at it from another process (pmap). */
void       mm_hold(struct mm *mm);
void       mm_release(struct mm *mm);

/*
 * Reserve [va, va+len) (page-aligned, len > 0) as a new area with
 * protection prot, flags VM_PRIVATE or VM_SHARED (plus VM_GROWSDOWN for a
 * stack, which gets a guard gap below it that nothing else may take), and
 * the given backing (NULL: anonymous). PROT_WRITE implies PROT_READ.
 * Returns 0, -EINVAL (unaligned, empty, overlapping, outside user space,
 * W+X, bad flags) or -ENOMEM.
 */
int  mm_map(struct mm *mm, uint64_t va, uint64_t len, int prot, int flags,
	    const struct vm_backing *backing);
/* The heap: an empty private read-write area at va that mm_brk moves. */
int  mm_map_heap(struct mm *mm, uint64_t va);

/*
 * mmap: map len bytes (rounded up to pages) with prot, flags (VM_PRIVATE
 * or VM_SHARED, optionally VM_MAYWRITE, VM_DENYWRITE, VM_FIXED, VM_IMAGE)
 * and backing (NULL:
 * anonymous). With VM_FIXED the area goes exactly at addr (page-aligned),
 * replacing whatever was mapped there; otherwise addr is a hint, and the
 * lowest-risk free gap is found (the hint if it is free, else the highest
 * gap below the stack that fits). A shared writable file area needs
 * VM_MAYWRITE. Returns the address, or -EINVAL, -ENOMEM (no gap, no
 * memory), -EACCES. May sleep.
 */
long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	     const struct vm_backing *backing);

/*
 * munmap: unmap every page of [va, va+len) (va page-aligned, len rounded
 * up), splitting areas as needed; a range with nothing mapped is fine.
 * Returns 0 or -EINVAL (unaligned, empty, outside user space), -ENOMEM
 * (an area could not be split). May sleep.
 */
int  mm_unmap(struct mm *mm, uint64_t va, uint64_t len);

/*
 * mprotect: set the protection of every page of [va, va+len), which must
 * be wholly mapped (else -ENOMEM, as POSIX), splitting areas as needed.
 * -EACCES when PROT_WRITE is asked of a shared file area without
 * VM_MAYWRITE; -EINVAL for W+X, unaligned va, bad bits. Downgraded pages
 * are flushed. May sleep.
 */
int  mm_protect(struct mm *mm, uint64_t va, uint64_t len, int prot);

/*
 * fs: ip's size went down to size; every page of it wholly at or past the
 * new end leaves every mapping now. Call with no inode lock held. May sleep.
 */
void mm_file_truncated(struct inode *ip, uint64_t size);

/*
 * Copy n bytes from kernel memory into mm at va, allocating the pages they
 * land on. mm need not be the active one (exec builds a new image this way).
 * Ignores read/write/execute, but refuses an area with no access at all.
 * 0, -EFAULT, -ENOMEM.
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

/*
 * Resolve a fault at va by an instruction at pc (docs/mm.md has the
 * table); *rep says which rule applied. May sleep: call with no spinlock
 * held. A fault that repeats at the same va and pc without progress is
 * FAULT_BUG, never an endless loop.
 */
enum fault_result mm_fault(struct mm *mm, uint64_t va, enum fault_access access,
			   uint64_t pc, struct fault_report *rep);

/* Switch this hart to mm's page table (NULL: the kernel's only). */
void mm_activate(struct mm *mm);

/*
 * Describe mm's areas, from the first-th (in address order) on, into buf
 * (at most n entries); returns how many areas there are in all. May sleep.
 */
int  mm_describe(struct mm *mm, int first, struct vmmap_entry *buf, int n);

/* One address space's memory, summed over its areas (for ps). */
struct mm_usage {
	uint64_t reserved;    /* bytes of all areas */
	uint64_t resident;    /* pages with a frame (own or shared) */
	uint64_t shared;      /* of those, frames mapped more than once */
	uint64_t zero;        /* pages mapping the zero page */
	uint64_t pss_x1000;   /* proportional pages x 1000 */
};
/* Fill *u for mm. May sleep. */
void mm_usage(struct mm *mm, struct mm_usage *u);

/* System-wide figures for the memstat system call. May sleep. */
void mm_stat(struct memstat *st);

/*
 * Boot switches: mm.eager=1, mm.faultaround=N (pages mapped ahead; 0 =
 * off), mm.cow=0 (fork copies), mm.zeropage=0 (read faults allocate),
 * mm.stack=SIZE (the stack's limit; -EINVAL outside
 * [USER_STACK_MIN, USER_STACK_MAX], rounded up to pages).
 */
void mm_set_eager(bool eager);
bool mm_eager(void);
void mm_set_faultaround(unsigned pages);
void mm_set_cow(bool on);
void mm_set_zeropage(bool on);
int  mm_set_stack_size(uint64_t bytes);
uint64_t mm_stack_size(void);

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
