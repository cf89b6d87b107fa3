/*
 * mmap()'s protections and flags: the values Linux and the xv6 mmap lab
 * use, shared with the kernel (syscall/sys_mm.c).
 *
 * The kernel has PROT_* of its own (mm/mm.h: an area's protection), so
 * the protections are spelled MMAP_PROT_* here and user programs get the
 * usual names from kernel/fcntl.h; sys_mm.c checks that both agree.
 */
#ifndef LAZULI_MMAN_H
#define LAZULI_MMAN_H

#define MMAP_PROT_NONE  0x0   /* no access: every touch is a kill */
#define MMAP_PROT_READ  0x1
#define MMAP_PROT_WRITE 0x2   /* implies read: RISC-V has no write-only page */
#define MMAP_PROT_EXEC  0x4   /* never together with write */

#define MAP_SHARED    0x01   /* writes reach the file (or a fork's child) */
#define MAP_PRIVATE   0x02   /* writes make private copies */
#define MAP_FIXED     0x10   /* exactly at addr, replacing what was there */
#define MAP_ANONYMOUS 0x20   /* zero-filled memory; fd and off are ignored */

#define MAP_FAILED ((void *)-1)   /* what mmap() returns on failure */

#endif
