/*
 * Virtual memory areas: the list of reserved ranges of an address space.
 *
 * A vm_area is [start, end), page-aligned, with a protection and a kind.
 * An address space's areas form a singly linked list sorted by start,
 * never overlapping. The heap may be empty (start == end). The list is
 * protected by the owning mm's lock; these functions do no locking and
 * know nothing of page tables, so they are unit-tested on the host.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <stdbool.h>
#include <stdint.h>

struct vm_area {
	uint64_t        start;     /* first byte */
	uint64_t        end;       /* one past the last byte */
	int             prot;      /* PROT_READ | PROT_WRITE | PROT_EXEC */
	int             kind;      /* enum vma_kind */
	uint64_t        resident;  /* pages of the area that have a frame */
	uint64_t        seq_next;  /* page after the last fault served (fault-around) */
	unsigned        seq_run;   /* faults in a row, each on the page after the last */
	struct vm_area *next;      /* next area up, or NULL */
};

struct vma_list {
	struct vm_area *head;
	struct vm_area *last_hit;  /* lookup cache; NULL or an area in the list */
};

/* The area holding va, or NULL. */
struct vm_area *vma_find(struct vma_list *l, uint64_t va);

/* The first area whose start is above va, or NULL. */
struct vm_area *vma_next_above(struct vma_list *l, uint64_t va);

/*
 * Insert a new area [start, end). 0, -EINVAL (unaligned, empty for a
 * kind that may not be empty, overlapping an area or a stack guard page)
 * or -ENOMEM. *out gets the new area.
 */
int vma_insert(struct vma_list *l, uint64_t start, uint64_t end, int prot,
	       int kind, struct vm_area **out);

/* Unlink and free area a. */
void vma_remove(struct vma_list *l, struct vm_area *a);

/*
 * Split a at addr (page-aligned, start < addr < end): a keeps
 * [start, addr), a new area after it gets [addr, end) with the same
 * protection and kind. The caller moves resident counts. 0 or -EINVAL /
 * -ENOMEM.
 */
int vma_split(struct vm_area *a, uint64_t addr, struct vm_area **upper);

/*
 * How far a's end may grow: the lowest address the area above a (or its
 * guard page, for a stack) begins, capped at limit.
 */
uint64_t vma_growth_limit(const struct vm_area *a, uint64_t limit);

/*
 * The brk arithmetic. Given the heap area, the current break and delta,
 * compute the new break. Fails with -EINVAL when the new break would fall
 * below heap->start or the sum wraps, and -ENOMEM when it would reach
 * past `limit` (from vma_growth_limit). Pure: changes nothing.
 */
int vma_brk_target(const struct vm_area *heap, uint64_t brk, long delta,
		   uint64_t limit, uint64_t *new_brk);

/* Copy every area of src into dst (empty on entry). 0 or -ENOMEM. */
int vma_copy_list(struct vma_list *dst, const struct vma_list *src);

/* Free every area. */
void vma_free_list(struct vma_list *l);

#define VMA_GUARD_SIZE 4096UL   /* unmapped page below every stack */

#endif
