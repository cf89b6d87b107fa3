/*
 * Sv39 page-table operations.
 *
 * Three levels of 512-entry tables: the root (level 2) splits the 512 GiB
 * space into 1 GiB slots, level 1 into 2 MiB, level 0 into 4 KiB pages.
 * A valid entry with none of R/W/X points to the next table; with any of
 * them it is a leaf (a "superpage" above level 0). User mappings are all
 * 4 KiB leaves; only the kernel's direct map uses superpages.
 *
 * User ranges are visited by one walk, pt_walk_leaves, which recurses
 * over the tree and skips invalid subtrees whole, so unmapping, copying or
 * counting a sparse 1 GiB heap costs what is resident, not what is
 * reserved.
 */
#include "mm/pt.h"
#include "mm/frame.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static pte_t *table(uint64_t pa)
{
	return pa_to_kva(pa);
}

/*
 * An entry of a table that may be growing on another hart right now: a
 * walk that reads another process's table (ps, pmap) holds only its
 * areas_lock for reading while that process's own faults add table
 * pages under pt_lock. The acquire pairs with pt_walk's release, so a
 * table page reached through a new entry is seen zeroed, not as it was
 * before the allocator handed it out (RVWMO allows that otherwise).
 */
static pte_t table_entry(const pte_t *e)
{
	return __atomic_load_n(e, __ATOMIC_ACQUIRE);
}

/* Bytes covered by one entry of a table at `level`. */
static uint64_t level_size(int level)
{
	return PAGE_SIZE_4K << (PT_INDEX_BITS * level);
}

pte_t *pt_walk(uint64_t root, uint64_t va, bool create)
{
	pte_t *t = table(root);
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		pte_t *e = &t[pt_index(va, level)];
		pte_t v = table_entry(e);
		if (v & PTE_V) {
			if (pte_is_leaf(v))
				return NULL;   /* inside a superpage: no level-0 entry */
			t = table(pte_to_pa(v));
			continue;
		}
		if (!create)
			return NULL;
		uint64_t pa = frame_alloc_zeroed(FRAME_PT);
		if (!pa)
			return NULL;
		/* The zeroes are stored before the entry that leads to them. */
		__atomic_store_n(e, pa_to_pte(pa) | PTE_V, __ATOMIC_RELEASE);
		t = table(pa);
	}
	return &t[pt_index(va, 0)];
}

int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	pte_t *e = pt_walk(root, va, true);
	if (!e)
		return -ENOMEM;
	if (*e & PTE_V)
		return -EEXIST;
	*e = pa_to_pte(pa) | flags | PTE_V;
	return 0;
}

/* Map as much of the range as fits under one entry at `level` of t. */
static int map_range_at(pte_t *t, int level, uint64_t va, uint64_t pa,
			uint64_t size, uint64_t flags)
{
	uint64_t step = level_size(level);
	while (size) {
		pte_t *e = &t[pt_index(va, level)];
		uint64_t span = step - (va & (step - 1));
		if (span > size)
			span = size;
		if (level > 0 && span == step && !(pa & (step - 1)) && !(*e & PTE_V)) {
			*e = pa_to_pte(pa) | flags | PTE_V;   /* a whole superpage */
		} else if (level == 0) {
			*e = pa_to_pte(pa) | flags | PTE_V;
		} else {
			if (!(*e & PTE_V)) {
				uint64_t tpa = frame_alloc_zeroed(FRAME_PT);
				if (!tpa)
					return -ENOMEM;
				*e = pa_to_pte(tpa) | PTE_V;
			} else if (pte_is_leaf(*e)) {
				panic("pt_map_range: %p overlaps a superpage", (void *)va);
			}
			int err = map_range_at(table(pte_to_pa(*e)), level - 1, va, pa, span, flags);
			if (err)
				return err;
		}
		va += span;
		pa += span;
		size -= span;
	}
	return 0;
}

int pt_map_range(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	return map_range_at(table(root), PT_LEVELS - 1, va, pa, size, flags);
}

pte_t pt_lookup(uint64_t root, uint64_t va)
{
	pte_t *t = table(root);
	for (int level = PT_LEVELS - 1; level >= 0; level--) {
		pte_t e = table_entry(&t[pt_index(va, level)]);
		if (!(e & PTE_V))
			return 0;
		if (pte_is_leaf(e))
			return e;
		t = table(pte_to_pa(e));
	}
	return 0;
}

/* No entry in use: none valid, and none parked (an invalid PTE that keeps a frame). */
static bool table_empty(const pte_t *t)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

void pt_corrupt_leaf(uint64_t va)
{
	panic("pt: non-leaf entry at level 0 for %p", (void *)va);
}

/* The per-leaf walk over entries [lo, hi) of leaf table t, for a walker with leaf(). */
static int leaves_of_table(struct pt_walker *w, pte_t *t, unsigned lo, unsigned hi,
			   uint64_t va)
{
	for (unsigned i = lo; i < hi; i++, va += PAGE_SIZE_4K) {
		if (!pt_leaf_in_use(table_entry(&t[i]), w->parked, va))
			continue;
		int err = w->leaf(w, &t[i], va);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Visit the leaves of [start, end) under table t at `level` (1 or 2),
 * which covers from base; each leaf table goes to table() or, a leaf at a
 * time, to leaf().
 */
static int walk_at(struct pt_walker *w, pte_t *t, int level, uint64_t base,
		   uint64_t start, uint64_t end)
{
	uint64_t span = level_size(level);
	for (unsigned i = pt_index(start, level); i < PT_ENTRIES; i++) {
		uint64_t lo = base + i * span, hi = lo + span;
		if (lo >= end)
			break;
		pte_t e = table_entry(&t[i]);
		if (!(e & PTE_V))
			continue;
		if (pte_is_leaf(e))
			panic("pt: superpage at %p in user space", (void *)lo);
		pte_t *child = table(pte_to_pa(e));
		uint64_t from = start > lo ? start : lo, to = end < hi ? end : hi;
		int err;
		if (level == 1) {
			/* The entries of child that [from, to) touches; to may be unaligned. */
			unsigned first = (unsigned)((from - lo) >> SV39_PAGE_SHIFT);
			unsigned last = (unsigned)((to - lo + PAGE_SIZE_4K - 1) >> SV39_PAGE_SHIFT);
			uint64_t va = lo + ((uint64_t)first << SV39_PAGE_SHIFT);
			err = w->table ? w->table(w, child, first, last, va)
				       : leaves_of_table(w, child, first, last, va);
		} else {
			err = walk_at(w, child, level - 1, lo, from, to);
		}
		/* A table the range covers whole is empty once every leaf went. */
		bool whole = !err && start <= lo && hi <= end && w->leaves_cleared;
		if (w->prune && (whole || table_empty(child))) {
			t[i] = 0;
			frame_put(pte_to_pa(e));
			w->tables_freed++;
		}
		if (err)
			return err;
	}
	return 0;
}

int pt_walk_leaves(uint64_t root, uint64_t start, uint64_t end, struct pt_walker *w)
{
	if (start >= end)
		return 0;
	return walk_at(w, table(root), PT_LEVELS - 1, 0, start, end);
}

struct counting_walker {
	struct pt_walker w;
	uint64_t         n;
};

static int unmap_table(struct pt_walker *w, pte_t *t, unsigned lo, unsigned hi, uint64_t va)
{
	uint64_t n = 0;
	for (unsigned i = lo; i < hi; i++)
		n += pt_leaf_in_use(t[i], true, va + ((uint64_t)(i - lo) << SV39_PAGE_SHIFT));
	frame_put_ptes(&t[lo], hi - lo);
	((struct counting_walker *)w)->n += n;
	return 0;
}

uint64_t pt_unmap_range(uint64_t root, uint64_t start, uint64_t end, uint64_t *tables_freed)
{
	struct counting_walker c = { .w = { .table = unmap_table, .prune = true, .parked = true,
					     .leaves_cleared = true } };
	pt_walk_leaves(root, start, end, &c.w);
	if (tables_freed)
		*tables_freed = c.w.tables_freed;
	return c.n;
}

static int count_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	(void)pte;
	(void)va;
	((struct counting_walker *)w)->n++;
	return 0;
}

uint64_t pt_count_range(uint64_t root, uint64_t start, uint64_t end)
{
	struct counting_walker c = { .w = { .leaf = count_leaf } };
	pt_walk_leaves(root, start, end, &c.w);
	return c.n;
}
