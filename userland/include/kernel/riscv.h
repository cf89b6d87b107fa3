/*
 * xv6 compatibility: the page-size arithmetic user programs use.
 *
 * User space cannot touch page tables or most CSRs, so this is the
 * arithmetic and the readers xv6 programs use from user space: r_sp(),
 * r_fp(), r_ra() (registers) and r_time() (the time CSR, which the kernel
 * lets user mode read; user/lazuli.h has it as rdtime(), with rdcycle()).
 */
#ifndef LAZULI_COMPAT_RISCV_H
#define LAZULI_COMPAT_RISCV_H

#include <stdint.h>

#define PGSIZE   4096                   /* bytes per page */
#define PGSHIFT  12                     /* bits of offset within a page */

#define PGROUNDUP(sz)   (((sz) + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1))
#define PGROUNDDOWN(a)  (((a)) & ~(uint64_t)(PGSIZE - 1))

/* Sv39: one past the highest user address (the lower half, 256 GiB). */
#define MAXVA    0x4000000000UL

/* Sv39 page-table entry bits, for programs that print or explain them. */
#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)

/* The stack pointer, frame pointer (s0) and return address of the caller. */
static inline uint64_t r_sp(void)
{
	uint64_t x;
	__asm__ volatile("mv %0, sp" : "=r"(x));
	return x;
}

static inline uint64_t r_fp(void)
{
	uint64_t x;
	__asm__ volatile("mv %0, s0" : "=r"(x));
	return x;
}

static inline uint64_t r_ra(void)
{
	uint64_t x;
	__asm__ volatile("mv %0, ra" : "=r"(x));
	return x;
}

/* The platform timer (10 MHz on QEMU virt). */
static inline uint64_t r_time(void)
{
	uint64_t x;
	__asm__ volatile("csrr %0, time" : "=r"(x));
	return x;
}

typedef uint64_t  pte_t;
typedef uint64_t *pagetable_t;

#endif
