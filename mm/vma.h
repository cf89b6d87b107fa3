/*
 * Virtual memory areas: the reserved ranges of an address space.
 *
 * A vm_area is [start, end), page-aligned, with a protection, flags, and
 * a backing that says where its pages come from. An address space's areas
 * never overlap; the heap may be empty (start == end). Callers reach them
 * only through vma_find, vma_first/vma_next (vma_foreach) and the
 * functions below, so the list could become a tree without touching them.
 *
 * These functions do no locking and know nothing of page tables, so they
 * are unit-tested on the host. The owning mm's lock legend says who may
 * call them (mm/mm_internal.h).
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/mm.h"

/* What an area is, for pmap; the fault path never looks at it. */
enum vma_label {
	VMA_IMAGE = 1,   /* program text or data (from the ELF file) */
	VMA_HEAP  = 2,   /* the sbrk area: one per mm */
	VMA_STACK = 3,   /* the user stack */
	VMA_MMAP  = 4,   /* made by mmap (anonymous, or a file) */
};

/*
 * Lock legend (see struct mm): [W] written only with mm->areas_lock held
 * for writing; read with it held in either mode.
 * [P] mm->pt_lock, or mm->areas_lock held for writing.
 */
struct vm_area {
	uint64_t          start;     /* [W] first byte */
	uint64_t          end;       /* [W] one past the last byte */
	int               prot;      /* [W] PROT_READ | PROT_WRITE | PROT_EXEC */
	int               flags;     /* [W] VM_PRIVATE or VM_SHARED, VM_GROWSDOWN */
	enum vma_label    label;     /* [W] */
	struct vm_backing backing;   /* [W] */
	uint64_t          resident;  /* [P] changed atomically; pages with a frame */
	uint64_t          zero;      /* [P] changed atomically; pages on the zero page */
	struct vm_area   *next;      /* [W] next area up, or NULL */
};

struct vma_list {
	struct vm_area *head;       /* [W] */
	struct vm_area *last_hit;   /* lookup cache, written by readers: atomics only */
};

/* The area holding va, or NULL. */
struct vm_area *vma_find(struct vma_list *l, uint64_t va);

/* The stack whose guard gap holds va (va is in no area), or NULL. */
struct vm_area *vma_guarded_by(struct vma_list *l, uint64_t va);

/* The lowest area, and the one above a; NULL past the last. */
struct vm_area *vma_first(const struct vma_list *l);
struct vm_area *vma_next(const struct vma_list *l, const struct vm_area *a);
#define vma_foreach(a, l) for ((a) = vma_first(l); (a); (a) = vma_next((l), (a)))

/* What a new area is; vma_insert copies it. */
struct vma_spec {
	uint64_t          start, end;
	int               prot, flags;
	enum vma_label    label;
	struct vm_backing backing;
};

/*
 * Insert a new area. 0, -EINVAL (unaligned, empty for a non-heap area,
 * overlapping another area or a stack's guard gap) or -ENOMEM. *out (if
 * not NULL) gets the new area.
 */
int vma_insert(struct vma_list *l, const struct vma_spec *spec, struct vm_area **out);

/* The same, into the caller's (uninitialised) area a: never allocates. */
int vma_link(struct vma_list *l, const struct vma_spec *spec, struct vm_area *a);

/* Does [start, end) reach into a stack's guard gap? */
bool vma_in_guard_gap(const struct vma_list *l, uint64_t start, uint64_t end);

/*
 * Split a at addr (page-aligned, a->start < addr < a->end): a keeps
 * [start, addr), a new area after it gets [addr, end) with the same
 * protection, flags, label and backing (a file's page offset moved on).
 * The upper half of a stack is no stack (no guard gap). Counts stay with
 * a: the caller moves them, and takes the new area's references. 0 or
 * -ENOMEM. *upper gets the new area.
 */
int vma_split(struct vma_list *l, struct vm_area *a, uint64_t addr, struct vm_area **upper);

/* Unlink area a from l and free it (the caller dropped its references). */
void vma_remove(struct vma_list *l, struct vm_area *a);

/*
 * The highest address at which len bytes (page-aligned) fit in a free gap
 * of l within [low, high): no area and no stack's guard gap in the way.
 * 0 or -ENOMEM.
 */
int vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t low, uint64_t high,
		 uint64_t *addr);

/* Is [start, end) clear of every area and every stack's guard gap? */
bool vma_range_free(const struct vma_list *l, uint64_t start, uint64_t end);

/*
 * How far a's end may grow: the lowest address the area above a (or its
 * guard gap, for a stack) begins, capped at limit.
 */
uint64_t vma_growth_limit(const struct vm_area *a, uint64_t limit);

/*
 * The brk arithmetic. Given the heap area, the current break and delta,
 * compute the new break. Fails with -EINVAL when the new break would fall
 * below heap->start, and -ENOMEM when the sum wraps or the page holding
 * it would reach past `limit` (from vma_growth_limit). Pure: changes nothing.
 */
int vma_brk_target(const struct vm_area *heap, uint64_t brk, long delta,
		   uint64_t limit, uint64_t *new_brk);

/* Copy every area of src into dst (empty on entry). 0 or -ENOMEM. */
int vma_copy_list(struct vma_list *dst, const struct vma_list *src);

/* Free every area. */
void vma_free_list(struct vma_list *l);

#define VMA_GUARD_SIZE USER_STACK_GUARD   /* the gap below a stack that nothing may take */

#endif
