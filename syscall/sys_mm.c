/*
 * Memory system calls: sbrk, mmap, munmap, mprotect, and the figures
 * behind free and pmap.
 *
 * Each fetches and checks its arguments and calls mm/ (and, for a file
 * mapping, fs/ for the file behind the descriptor); mm/ checks the ranges
 * again and does the work. Any failure leaves the address space as it
 * was and reaches user space as -1 (mmap: MAP_FAILED). docs/syscalls.md
 * lists the errors; docs/mmap.md tells the story.
 */
#include <stdbool.h>
#include "syscall/syscall.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "lib/errno.h"
#include "mm/frame.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "userland/include/lazuli/memstat.h"
#include "userland/include/lazuli/mman.h"

/* User space spells the protections MMAP_PROT_*; mm's PROT_* must be the same bits. */
_Static_assert(MMAP_PROT_NONE == PROT_NONE, "PROT_NONE differs between user and mm");
_Static_assert(MMAP_PROT_READ == PROT_READ, "PROT_READ differs between user and mm");
_Static_assert(MMAP_PROT_WRITE == PROT_WRITE, "PROT_WRITE differs between user and mm");
_Static_assert(MMAP_PROT_EXEC == PROT_EXEC, "PROT_EXEC differs between user and mm");

#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_KNOWN  (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS)

/* sbrk(n): move the break by n bytes; the old break, or -1. */
long sys_sbrk(void)
{
	return mm_brk(proc_current()->mm, (long)syscall_arg_int(0));
}

long sys_memstat(void)
{
	struct memstat st;
	mm_stat(&st);
	st.fail_percent = frame_fail_percent_now();
	st.fail_injected = frame_fail_injected();
	return copy_to_user(syscall_arg(0), &st, sizeof(st));
}

long sys_vmmap(void)
{
	return proc_vmmap(syscall_arg_int(0), syscall_arg(1), syscall_arg_int(2));
}

/* Does [addr, addr + len) lie in user space, without wrapping? A hint must too. */
static bool user_span(uint64_t addr, uint64_t len)
{
	return addr < USER_TOP && len <= USER_TOP - addr;
}

/*
 * The file behind descriptor argument n as a mapping's backing at byte
 * offset off for len bytes, with a reference the caller drops (inode_put)
 * once mm_mmap has taken its own. *flags gains VM_MAYWRITE when the
 * mapping is shared and the file open for writing: only then may
 * PROT_WRITE be set, now or by mprotect. 0, -EBADF, -EINVAL (off not
 * page-aligned, or off + len past 2^64), -ENODEV (not a
 * regular file), -EACCES (not open for reading; shared and writable but
 * the file is not open for writing).
 */
static int file_backing(int n, uint64_t off, uint64_t len, int prot, int *flags,
			struct vm_backing *b)
{
	struct file *f = syscall_arg_file(n, NULL);
	bool readable, writable;

	if (!page_aligned(off) || off > UINT64_MAX - page_up(len))
		return -EINVAL;
	if (f == NULL)
		return -EBADF;
	int err = file_mmap_inode(f, &b->ip, &readable, &writable);
	if (err)
		return err;
	bool shared = *flags & VM_SHARED;
	if (!readable || (shared && (prot & PROT_WRITE) && !writable)) {
		inode_put(b->ip);
		return -EACCES;
	}
	b->kind = VM_BACKING_FILE;
	b->pgoff = off / PAGE_SIZE;
	if (shared && writable)
		*flags |= VM_MAYWRITE;
	return 0;
}

/*
 * mmap(addr, len, prot, flags, fd, off): the mapping's address, or -1.
 * Exactly one of MAP_SHARED and MAP_PRIVATE; MAP_ANONYMOUS ignores fd
 * and off; without MAP_FIXED, addr is only a hint.
 */
long sys_mmap(void)
{
	uint64_t addr = syscall_arg(0), len = syscall_arg(1), off = syscall_arg(5);
	int prot = syscall_arg_int(2), mflags = syscall_arg_int(3);
	int sharing = mflags & (MAP_SHARED | MAP_PRIVATE);

	if ((mflags & ~MAP_KNOWN) || (sharing != MAP_SHARED && sharing != MAP_PRIVATE))
		return -EINVAL;
	if ((prot & ~PROT_KNOWN) || len == 0 || !user_span(addr, len))
		return -EINVAL;
	int flags = (sharing == MAP_SHARED ? VM_SHARED : VM_PRIVATE) |
		    (mflags & MAP_FIXED ? VM_FIXED : 0);
	struct mm *mm = proc_current()->mm;
	if (mflags & MAP_ANONYMOUS)
		return mm_mmap(mm, addr, len, prot, flags, NULL);

	struct vm_backing backing;
	int err = file_backing(4, off, len, prot, &flags, &backing);
	if (err)
		return err;
	long ret = mm_mmap(mm, addr, len, prot, flags, &backing);
	inode_put(backing.ip);   /* the area holds its own reference */
	return ret;
}

/* munmap(addr, len): 0, or -1 (addr unaligned, len 0, outside user space). */
long sys_munmap(void)
{
	return mm_unmap(proc_current()->mm, syscall_arg(0), syscall_arg(1));
}

/* mprotect(addr, len, prot): 0, or -1 (as munmap; part unmapped; prot not allowed). */
long sys_mprotect(void)
{
	int prot = syscall_arg_int(2);

	if (prot & ~PROT_KNOWN)
		return -EINVAL;
	return mm_protect(proc_current()->mm, syscall_arg(0), syscall_arg(1), prot);
}
