/*
 * The page: size and alignment arithmetic, for every subsystem that works
 * in pages. Sv39's base page and the frame allocator's frame are the same
 * 4 KiB.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/sv39.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

_Static_assert(PAGE_SHIFT == SV39_PAGE_SHIFT, "a frame is one Sv39 base page");

/* The page holding x, and the first page boundary at or above x. */
static inline uint64_t page_down(uint64_t x) { return x & ~(PAGE_SIZE - 1); }
static inline uint64_t page_up(uint64_t x)   { return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
static inline bool page_aligned(uint64_t x)  { return (x & (PAGE_SIZE - 1)) == 0; }
static inline uint64_t page_offset(uint64_t x) { return x & (PAGE_SIZE - 1); }

#endif
