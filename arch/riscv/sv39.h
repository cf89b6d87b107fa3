/*
 * Sv39 page-table entries and the kernel's virtual memory map.
 *
 *   virtual address (39 bits, sign-extended to 64):
 *   38        30 29        21 20        12 11          0
 *   | VPN[2]    | VPN[1]    | VPN[0]    | page offset  |
 *
 *   PTE (64 bits):
 *   63    54 53        10 9  8 7 6 5 4 3 2 1 0
 *   | rsvd  |    PPN     |RSW|D|A|G|U|X|W|R|V|
 *
 * Kernel virtual map (upper half, the same in every address space):
 *
 *   0xffffffc000000000  direct map: KVA = PA + DIRECT_MAP_BASE, so RAM at
 *                       0x80000000 is at 0xffffffc080000000 and the kernel
 *                       image (linked at KERNEL_LINK_BASE) lies inside it.
 *                       MMIO devices are mapped the same way.
 *   0xffffffff00000000  kernel stacks: one 32 KiB slot per process, whose
 *                       lower half is never mapped (the guard) and whose
 *                       upper half is the stack. trap.S recognises a trap
 *                       whose frame would land in a guard as an overflow.
 *
 * User space is the lower half: 0 .. USER_TOP (256 GiB), page 0 never mapped.
 */
#ifndef ARCH_RISCV_SV39_H
#define ARCH_RISCV_SV39_H

#include "arch/riscv/ul.h"
#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define PTE_V (_UL(1) << 0)   /* valid */
#define PTE_R (_UL(1) << 1)   /* readable */
#define PTE_W (_UL(1) << 2)   /* writable */
#define PTE_X (_UL(1) << 3)   /* executable */
#define PTE_U (_UL(1) << 4)   /* user-accessible */
#define PTE_G (_UL(1) << 5)   /* global mapping */
#define PTE_A (_UL(1) << 6)   /* accessed */
#define PTE_D (_UL(1) << 7)   /* dirty */
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
/* The two RSW bits are the kernel's own; the hardware ignores them. */
#define PTE_COW  (_UL(1) << 8)   /* read-only copy-on-write share of a writable page */
#define PTE_ZERO (_UL(1) << 9)   /* maps the shared zero page, read-only */
/*
 * An invalid PTE (V clear: the hardware ignores every other bit) with
 * PTE_PARKED keeps the frame of a page whose area is PROT_NONE now: no
 * access reaches it, and mprotect brings it back with its contents.
 */
#define PTE_PARKED (_UL(1) << 8)

#define PTE_PPN_SHIFT  10
#define PTE_PPN_MASK   ((_UL(1) << 44) - 1)
#define PTE_FLAGS_MASK ((_UL(1) << PTE_PPN_SHIFT) - 1)   /* bits 9..0: RSW, D..V */

/* Sv39's base page: 4 KiB. mm/page.h's PAGE_SHIFT is checked against it. */
#define SV39_PAGE_SHIFT 12

#define PT_LEVELS      3
#define PT_ENTRIES     512
#define PT_INDEX_BITS  9
#define PT_INDEX_MASK  (PT_ENTRIES - 1)

#define PAGE_SIZE_4K  (_UL(1) << SV39_PAGE_SHIFT)
#define PAGE_SIZE_2M  _UL(0x200000)
#define PAGE_SIZE_1G  _UL(0x40000000)

#ifndef __ASSEMBLER__
/* Index of va in the page table at level (2 = root, 0 = leaf table). */
static inline unsigned pt_index(uint64_t va, int level)
{
	return (va >> (SV39_PAGE_SHIFT + PT_INDEX_BITS * level)) & PT_INDEX_MASK;
}

static inline uint64_t pte_to_pa(uint64_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << SV39_PAGE_SHIFT;
}

static inline uint64_t pa_to_pte(uint64_t pa)
{
	return (pa >> SV39_PAGE_SHIFT) << PTE_PPN_SHIFT;
}

/* A valid PTE with any of R, W, X is a leaf; with none, it points lower. */
static inline int pte_is_leaf(uint64_t pte) { return (pte & PTE_RWX) != 0; }
#endif

#define DIRECT_MAP_BASE   _UL(0xffffffc000000000)
#define KERNEL_LINK_BASE  _UL(0xffffffc080200000)
#define KSTACK_REGION       _UL(0xffffffff00000000)
#define KSTACK_REGION_SHIFT 32                        /* the top 4 GiB */
#define KSTACK_SLOT_SHIFT   15                        /* 32 KiB slots */
#define KSTACK_SLOT_SIZE    (_UL(1) << KSTACK_SLOT_SHIFT)
#define KSTACK_GUARD_SIZE   (KSTACK_SLOT_SIZE / 2)    /* lower half: unmapped */
#define KERNEL_HALF_INDEX 256   /* first root entry of the kernel half */

#ifndef __ASSEMBLER__
/*
 * trap.S's guard test relies on this layout. It takes an address to be in
 * the region when its top 64 - KSTACK_REGION_SHIFT bits are all ones
 * (`not; srli KSTACK_REGION_SHIFT`), finds the offset in a slot by keeping
 * the low KSTACK_SLOT_SHIFT bits, and compares page numbers with sltiu,
 * whose immediate is 12 bits, signed.
 */
_Static_assert(KSTACK_REGION == ~_UL(0) << KSTACK_REGION_SHIFT,
	       "the kernel-stack region is the top 2^KSTACK_REGION_SHIFT bytes");
_Static_assert(KSTACK_REGION % KSTACK_SLOT_SIZE == 0,
	       "kernel-stack slots are aligned to their size");
_Static_assert(KSTACK_GUARD_SIZE % (_UL(1) << SV39_PAGE_SHIFT) == 0,
	       "the guard is whole pages, so comparing page numbers is exact");
_Static_assert((KSTACK_GUARD_SIZE >> SV39_PAGE_SHIFT) < 2048,
	       "the guard's page count fits sltiu's immediate");
#endif

#endif
