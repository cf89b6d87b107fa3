/*
 * Sv39 page tables: walk, map, unmap and whole-range operations.
 *
 * A page table is named by the physical address of its root. Table pages
 * come from the frame allocator as FRAME_PT. These functions do no
 * locking and no TLB maintenance: the caller (mm.c, kmap.c) holds the
 * address space's lock and decides what must be flushed.
 */
#ifndef MM_PT_H
#define MM_PT_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pte_t;

/*
 * The level-0 PTE for va, or NULL when a table on the way is missing and
 * create is false, or a table could not be allocated. *new_tables (if not
 * NULL) is increased by the number of table pages allocated.
 */
pte_t *pt_walk(uint64_t root, uint64_t va, bool create, uint64_t *new_tables);

/* Map one 4 KiB page. 0, -ENOMEM, or -EEXIST if va is already mapped. */
int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);

/*
 * Map [va, va+size) to [pa, pa+size) using 1 GiB and 2 MiB leaves where
 * alignment allows (kernel direct map). 0 or -ENOMEM.
 */
int pt_map_range(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);

/* The leaf PTE value mapping va (any level), or 0. */
pte_t pt_lookup(uint64_t root, uint64_t va);

/*
 * Unmap every 4 KiB leaf in [start, end) of the user half: each mapped
 * frame gets frame_put(), and each table page left with no valid entry is
 * freed. Returns the number of leaves removed; *tables_freed counts table
 * pages freed. The root itself is never freed.
 */
uint64_t pt_unmap_range(uint64_t root, uint64_t start, uint64_t end, uint64_t *tables_freed);

/*
 * For each leaf in [start, end) of src, allocate a frame, copy the page,
 * and map it at the same address in dst with the same flags. Returns the
 * number of pages copied, or -ENOMEM (dst may then hold part of the copy;
 * the caller destroys it). *new_tables counts table pages allocated in dst.
 */
long pt_copy_range(uint64_t dst, uint64_t src, uint64_t start, uint64_t end,
		   uint64_t *new_tables);

/* Number of 4 KiB leaves mapped in [start, end). */
uint64_t pt_count_range(uint64_t root, uint64_t start, uint64_t end);

#endif
