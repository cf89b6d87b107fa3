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

#include "arch/riscv/sv39.h"

typedef uint64_t pte_t;

/*
 * The level-0 PTE for va, or NULL when a table on the way is missing and
 * create is false, or a table could not be allocated.
 */
pte_t *pt_walk(uint64_t root, uint64_t va, bool create);

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
 * The one "for each leaf in range" walk. leaf() is called for every
 * valid 4 KiB leaf in [start, end) of the user half (and every parked
 * entry, with walker->parked), in address order,
 * with a pointer to the entry; it may change or clear it, and returns 0
 * to go on or a negative error to stop the walk with that error. With
 * prune set, every table page the walk leaves with no valid entry is
 * freed (and counted in tables_freed; with leaves_cleared, a table the
 * range covers whole is freed without looking). Invalid subtrees are skipped whole,
 * so a sparse range costs what is mapped, not what is reserved. A leaf
 * above level 0 (user mappings are 4 KiB pages) or a non-leaf entry at
 * level 0 is a corrupt table: panic.
 *
 * A walker that sets table() instead of leaf() is called once per leaf
 * (level-0) table the range reaches, with the table t, the index range
 * [lo, hi) of its entries inside [start, end) (never empty) and va, the
 * address t[lo] maps: the same walk, a table at a time, for the walks
 * that visit every page (fork, unmap), which then pay for one call and
 * one set of bounds per 512 pages instead of per page. table() does
 * per entry what the walk does for leaf(): it skips entries not in use
 * (pt_leaf_in_use), which also panics on a corrupt one. It reads the
 * entries plainly, so its caller must keep the tree still (the areas
 * lock for writing, or an mm no one else can reach). leaves_cleared
 * then means that table() leaves no entry of [lo, hi) in use.
 */
struct pt_walker {
	int    (*leaf)(struct pt_walker *w, pte_t *pte, uint64_t va);
	int    (*table)(struct pt_walker *w, pte_t *t, unsigned lo, unsigned hi, uint64_t va);
	bool     parked;          /* also visit parked entries (PTE_PARKED, V clear) */
	bool     prune;
	bool     leaves_cleared;  /* leaf() clears every entry it is given, so a
				     table the range covers whole needs no scan */
	uint64_t tables_freed;   /* out: table pages freed (prune) */
};

/* A valid entry with no R/W/X at level 0 (a pointer where a leaf must be): panics. */
_Noreturn void pt_corrupt_leaf(uint64_t va);

/*
 * For table(): is level-0 entry e (mapping va) a leaf the walk would give
 * leaf(): valid, or parked when `parked`? Panics on a corrupt entry.
 */
static inline bool pt_leaf_in_use(pte_t e, bool parked, uint64_t va)
{
	if (!(e & PTE_V))
		return parked && (e & PTE_PARKED);
	if (!(e & PTE_RWX))
		pt_corrupt_leaf(va);
	return true;
}
int pt_walk_leaves(uint64_t root, uint64_t start, uint64_t end, struct pt_walker *w);

/*
 * Unmap every 4 KiB leaf in [start, end) of the user half, parked
 * entries too: each frame loses a reference (frame_put_ptes), and each
 * table page left with no entry in use is freed. Returns the number of
 * leaves removed; *tables_freed (if not NULL) gets the number of table
 * pages freed. The root is never freed. A table walk: the caller keeps
 * the tree still.
 */
uint64_t pt_unmap_range(uint64_t root, uint64_t start, uint64_t end, uint64_t *tables_freed);

/* Number of 4 KiB leaves mapped in [start, end). */
uint64_t pt_count_range(uint64_t root, uint64_t start, uint64_t end);

#endif
