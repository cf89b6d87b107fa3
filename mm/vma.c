/*
 * vm_area list operations. An address space holds a handful of areas
 * (text, data, heap, stack), so a sorted singly linked list is both the
 * simplest and the fastest structure; vma_find caches its last hit, which
 * a run of faults in the same heap keeps hitting.
 */
#include "mm/vma.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"

struct vm_area *vma_find(struct vma_list *l, uint64_t va)
{
	struct vm_area *a = __atomic_load_n(&l->last_hit, __ATOMIC_RELAXED);
	if (a && va >= a->start && va < a->end)
		return a;
	for (a = l->head; a && a->start <= va; a = a->next) {
		if (va < a->end) {
			/* Readers race to update the hint; any of their answers is right. */
			__atomic_store_n(&l->last_hit, a, __ATOMIC_RELAXED);
			return a;
		}
	}
	return NULL;
}

struct vm_area *vma_guarded_by(struct vma_list *l, uint64_t va)
{
	for (struct vm_area *a = l->head; a; a = a->next)
		if (a->start > va)
			return (a->flags & VM_GROWSDOWN) && va >= a->start - VMA_GUARD_SIZE ? a : NULL;
	return NULL;
}

struct vm_area *vma_first(const struct vma_list *l)
{
	return l->head;
}

struct vm_area *vma_next(const struct vma_list *l, const struct vm_area *a)
{
	(void)l;
	return a->next;
}

/* Lowest address an area below b may reach: b's start, or its guard gap's. */
static uint64_t floor_of(const struct vm_area *b)
{
	return b->flags & VM_GROWSDOWN ? b->start - VMA_GUARD_SIZE : b->start;
}

int vma_insert(struct vma_list *l, const struct vma_spec *s, struct vm_area **out)
{
	struct vm_area *a = kmalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	int err = vma_link(l, s, a);
	if (err) {
		kfree(a);
		return err;
	}
	if (out)
		*out = a;
	return 0;
}

int vma_link(struct vma_list *l, const struct vma_spec *s, struct vm_area *a)
{
	uint64_t start = s->start, end = s->end;
	if (!page_aligned(start | end) || end < start)
		return -EINVAL;
	if (start == end && s->label != VMA_HEAP)
		return -EINVAL;
	bool stack = s->flags & VM_GROWSDOWN;
	if (stack && start < VMA_GUARD_SIZE)
		return -EINVAL;
	uint64_t low = stack ? start - VMA_GUARD_SIZE : start;

	struct vm_area **link = &l->head;
	struct vm_area *prev = NULL;
	while (*link && (*link)->start <= start) {
		prev = *link;
		link = &(*link)->next;
	}
	/* [low, end) must lie between prev and the area after it. */
	if (prev && (prev->end > low || (prev->start == start && start == end)))
		return -EINVAL;
	if (*link && floor_of(*link) < end)
		return -EINVAL;
	if (*link && start == end && (*link)->start == start)
		return -EINVAL;

	*a = (struct vm_area){
		.start = start, .end = end, .prot = s->prot, .flags = s->flags,
		.label = s->label, .backing = s->backing, .resident = 0, .next = *link,
	};
	*link = a;
	return 0;
}

bool vma_in_guard_gap(const struct vma_list *l, uint64_t start, uint64_t end)
{
	for (const struct vm_area *a = l->head; a; a = a->next)
		if ((a->flags & VM_GROWSDOWN) && start < a->start && end > floor_of(a))
			return true;
	return false;
}

int vma_split(struct vma_list *l, struct vm_area *a, uint64_t addr, struct vm_area **upper)
{
	(void)l;
	if (!page_aligned(addr) || addr <= a->start || addr >= a->end)
		return -EINVAL;
	struct vm_area *b = kmalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	*b = *a;
	b->start = addr;
	b->resident = 0;
	b->zero = 0;
	b->flags &= ~VM_GROWSDOWN;   /* only the lowest piece of a stack keeps the gap */
	if (b->backing.kind == VM_BACKING_FILE)
		b->backing.pgoff += (addr - a->start) / PAGE_SIZE;
	a->end = addr;
	a->next = b;
	*upper = b;
	return 0;
}

void vma_remove(struct vma_list *l, struct vm_area *a)
{
	for (struct vm_area **link = &l->head; *link; link = &(*link)->next) {
		if (*link == a) {
			*link = a->next;
			break;
		}
	}
	if (l->last_hit == a)
		l->last_hit = NULL;
	kfree(a);
}

int vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t low, uint64_t high,
		 uint64_t *addr)
{
	uint64_t from = low;
	bool found = false;
	for (const struct vm_area *a = l->head;; a = a->next) {
		uint64_t to = a ? floor_of(a) : high;
		if (to > high)
			to = high;
		if (to > from && to - from >= len) {
			*addr = to - len;   /* the highest fit so far */
			found = true;
		}
		if (!a || a->end >= high)
			break;
		if (a->end > from)
			from = a->end;
	}
	return found ? 0 : -ENOMEM;
}

bool vma_range_free(const struct vma_list *l, uint64_t start, uint64_t end)
{
	for (const struct vm_area *a = l->head; a; a = a->next)
		if (floor_of(a) < end && start < (a->end > a->start ? a->end : a->start + 1))
			return false;
	return true;
}

uint64_t vma_growth_limit(const struct vm_area *a, uint64_t limit)
{
	if (a->next && floor_of(a->next) < limit)
		return floor_of(a->next);
	return limit;
}

int vma_brk_target(const struct vm_area *heap, uint64_t brk, long delta,
		   uint64_t limit, uint64_t *new_brk)
{
	uint64_t target;
	if (delta >= 0) {
		if (__builtin_add_overflow(brk, (uint64_t)delta, &target))
			return -ENOMEM;
		/* The page holding the last byte must end at or below limit. */
		if (page_up(target) < target || page_up(target) > limit)
			return -ENOMEM;   /* page_up wrapped, or past the limit */
	} else {
		uint64_t shrink = -(uint64_t)delta;
		if (shrink > brk - heap->start)
			return -EINVAL;
		target = brk - shrink;
	}
	*new_brk = target;
	return 0;
}

int vma_copy_list(struct vma_list *dst, const struct vma_list *src)
{
	struct vm_area **link = &dst->head;
	for (const struct vm_area *a = src->head; a; a = a->next) {
		struct vm_area *b = kmalloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		*b = *a;
		b->next = NULL;
		*link = b;
		link = &b->next;
	}
	dst->last_hit = NULL;
	return 0;
}

void vma_free_list(struct vma_list *l)
{
	struct vm_area *a = l->head;
	while (a) {
		struct vm_area *next = a->next;
		kfree(a);
		a = next;
	}
	l->head = NULL;
	l->last_hit = NULL;
}
