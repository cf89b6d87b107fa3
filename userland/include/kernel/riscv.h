/*
 * xv6 compatibility: the page-size arithmetic user programs use.
 *
 * User space cannot touch page tables or most CSRs, so this is only the
 * arithmetic; user/lazuli.h has rdtime()/rdcycle(), the counters user code
 * may read.
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

typedef uint64_t  pte_t;
typedef uint64_t *pagetable_t;

#endif
