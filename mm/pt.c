/*
 * Sv39 page-table operations.
 *
 * Three levels of 512-entry tables: the root (level 2) splits the 512 GiB
 * space into 1 GiB slots, level 1 into 2 MiB, level 0 into 4 KiB pages.
 * A valid entry with none of R/W/X points to the next table; with any of
 * them it is a leaf (a "superpage" above level 0). User mappings are all
 * 4 KiB leaves; only the kernel's direct map uses superpages.
 *
 * The range operations recurse over the tree and skip invalid subtrees
 * whole, so unmapping or copying a sparse 1 GiB heap costs what is
 * resident, not what is reserved.
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

/* Bytes covered by one entry of a table at `level`. */
static uint64_t level_size(int level)
{
	return PAGE_SIZE_4K << (PT_INDEX_BITS * level);
}

pte_t *pt_walk(uint64_t root, uint64_t va, bool create, uint64_t *new_tables)
{
	pte_t *t = table(root);
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		pte_t *e = &t[pt_index(va, level)];
		if (*e & PTE_V) {
			if (pte_is_leaf(*e))
				return NULL;   /* inside a superpage: no level-0 entry */
			t = table(pte_to_pa(*e));
			continue;
		}
		if (!create)
			return NULL;
		uint64_t pa = frame_alloc_zeroed(FRAME_PT);
		if (!pa)
			return NULL;
		if (new_tables)
			(*new_tables)++;
		*e = pa_to_pte(pa) | PTE_V;
		t = table(pa);
	}
	return &t[pt_index(va, 0)];
}

int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	pte_t *e = pt_walk(root, va, true, NULL);
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
		pte_t e = t[pt_index(va, level)];
		if (!(e & PTE_V))
			return 0;
		if (pte_is_leaf(e))
			return e;
		t = table(pte_to_pa(e));
	}
	return 0;
}

static bool table_empty(const pte_t *t)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (t[i] & PTE_V)
			return false;
	return true;
}

/*
 * The part of [start, end) that falls in the entry at index i of a table
 * covering from `base` at `level`: [*lo, *hi). False if none does.
 */
static bool clip(uint64_t base, int level, int i, uint64_t start, uint64_t end,
		 uint64_t *lo, uint64_t *hi)
{
	uint64_t a = base + (uint64_t)i * level_size(level);
	uint64_t b = a + level_size(level);
	*lo = start > a ? start : a;
	*hi = end < b ? end : b;
	return *lo < *hi;
}

static uint64_t unmap_at(pte_t *t, int level, uint64_t base, uint64_t start,
			 uint64_t end, uint64_t *tables_freed)
{
	uint64_t removed = 0;
	int first = (int)pt_index(start, level);
	for (int i = first; i < PT_ENTRIES; i++) {
		uint64_t lo, hi;
		if (!clip(base, level, i, start, end, &lo, &hi))
			break;
		pte_t e = t[i];
		if (!(e & PTE_V))
			continue;
		if (pte_is_leaf(e)) {
			if (level != 0)
				panic("pt_unmap_range: superpage in user space");
			frame_put(pte_to_pa(e));
			t[i] = 0;
			removed++;
			continue;
		}
		pte_t *child = table(pte_to_pa(e));
		removed += unmap_at(child, level - 1, base + (uint64_t)i * level_size(level),
				    lo, hi, tables_freed);
		if (table_empty(child)) {
			t[i] = 0;
			frame_put(pte_to_pa(e));
			(*tables_freed)++;
		}
	}
	return removed;
}

uint64_t pt_unmap_range(uint64_t root, uint64_t start, uint64_t end, uint64_t *tables_freed)
{
	uint64_t dummy = 0;
	if (start >= end)
		return 0;
	return unmap_at(table(root), PT_LEVELS - 1, 0, start, end,
			tables_freed ? tables_freed : &dummy);
}

static long copy_at(uint64_t dst, pte_t *t, int level, uint64_t base,
		    uint64_t start, uint64_t end, uint64_t *new_tables)
{
	long copied = 0;
	int first = (int)pt_index(start, level);
	for (int i = first; i < PT_ENTRIES; i++) {
		uint64_t lo, hi;
		if (!clip(base, level, i, start, end, &lo, &hi))
			break;
		pte_t e = t[i];
		if (!(e & PTE_V))
			continue;
		uint64_t va = base + (uint64_t)i * level_size(level);
		if (!pte_is_leaf(e)) {
			long n = copy_at(dst, table(pte_to_pa(e)), level - 1, va, lo, hi, new_tables);
			if (n < 0)
				return n;
			copied += n;
			continue;
		}
		if (level != 0)
			panic("pt_copy_range: superpage in user space");
		uint64_t pa = frame_alloc(FRAME_USER);
		if (!pa)
			return -ENOMEM;
		memcpy(pa_to_kva(pa), pa_to_kva(pte_to_pa(e)), PAGE_SIZE_4K);
		pte_t *d = pt_walk(dst, va, true, new_tables);
		if (!d) {
			frame_put(pa);
			return -ENOMEM;
		}
		*d = pa_to_pte(pa) | (e & ((1UL << PTE_PPN_SHIFT) - 1));
		copied++;
	}
	return copied;
}

long pt_copy_range(uint64_t dst, uint64_t src, uint64_t start, uint64_t end,
		   uint64_t *new_tables)
{
	if (start >= end)
		return 0;
	return copy_at(dst, table(src), PT_LEVELS - 1, 0, start, end, new_tables);
}

static uint64_t count_at(pte_t *t, int level, uint64_t base, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	for (int i = (int)pt_index(start, level); i < PT_ENTRIES; i++) {
		uint64_t lo, hi;
		if (!clip(base, level, i, start, end, &lo, &hi))
			break;
		pte_t e = t[i];
		if (!(e & PTE_V))
			continue;
		if (pte_is_leaf(e))
			n += level == 0 ? 1 : (hi - lo) / PAGE_SIZE_4K;
		else
			n += count_at(table(pte_to_pa(e)), level - 1,
				      base + (uint64_t)i * level_size(level), lo, hi);
	}
	return n;
}

uint64_t pt_count_range(uint64_t root, uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	return count_at(table(root), PT_LEVELS - 1, 0, start, end);
}
