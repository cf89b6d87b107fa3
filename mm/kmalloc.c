/*
 * Small-object allocator: one slab page per size class at a time.
 *
 * Each slab page starts with a struct slab header and is cut into objects
 * of one power-of-two size. A class keeps a list of its pages that still
 * have free objects; a page whose last object is freed goes back to the
 * frame allocator at once, so the kernel heap never hoards frames (the
 * boot tests compare free-frame counts before and after whole suites).
 * A request of more than half a page gets a page of its own; such
 * pointers are page-aligned, slab objects never are.
 *
 * Lock: kmalloc_lock protects every class list and slab header.
 */
#include <stdint.h>
#include "mm/kmalloc.h"
#include "mm/frame.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define MIN_SHIFT 4                        /* 16-byte objects */
#define MAX_SHIFT 11                       /* 2048-byte objects */
#define NCLASSES  (MAX_SHIFT - MIN_SHIFT + 1)
#define SLAB_MAGIC 0x51ab51abU

struct slab {
	uint32_t     magic;
	uint16_t     shift;      /* object size = 1 << shift */
	uint16_t     inuse;      /* objects handed out */
	void        *free;       /* first free object; each holds the next */
	struct slab *prev, *next;/* in the class's partial list */
};

/* Objects start after the header, aligned to their own size (max 64). */
static size_t first_offset(int shift)
{
	size_t align = (size_t)1 << (shift < 6 ? shift : 6);
	return (sizeof(struct slab) + align - 1) & ~(align - 1);
}

static struct spinlock kmalloc_lock = SPINLOCK_INIT("kmalloc");
static struct slab *partial[NCLASSES];     /* [K] pages with a free object */

static void list_remove(struct slab *s)
{
	int c = s->shift - MIN_SHIFT;
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[c] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

static void list_push(struct slab *s)
{
	int c = s->shift - MIN_SHIFT;
	s->prev = NULL;
	s->next = partial[c];
	if (partial[c])
		partial[c]->prev = s;
	partial[c] = s;
}

/* A fresh slab page for class `shift`, its objects chained. */
static struct slab *slab_new(int shift)
{
	struct slab *s = page_alloc();
	if (!s)
		return NULL;
	size_t size = (size_t)1 << shift;
	s->magic = SLAB_MAGIC;
	s->shift = (uint16_t)shift;
	s->inuse = 0;
	s->free = NULL;
	char *base = (char *)s;
	for (size_t off = PAGE_SIZE - size; off >= first_offset(shift); off -= size) {
		*(void **)(base + off) = s->free;
		s->free = base + off;
	}
	return s;
}

void *kmalloc(size_t size)
{
	if (size == 0 || size > PAGE_SIZE)
		return NULL;
	if (size > ((size_t)1 << MAX_SHIFT))
		return page_alloc();
	if (frame_fail_heap())
		return NULL;   /* fail.frame: an injected failure (mm/frame.h) */

	int shift = MIN_SHIFT;
	while (((size_t)1 << shift) < size)
		shift++;

	spin_lock(&kmalloc_lock);
	struct slab *s = partial[shift - MIN_SHIFT];
	if (!s) {
		spin_unlock(&kmalloc_lock);
		s = slab_new(shift);   /* outside the lock: takes frame_lock */
		if (!s)
			return NULL;
		spin_lock(&kmalloc_lock);
		list_push(s);
	}
	void *obj = s->free;
	s->free = *(void **)obj;
	s->inuse++;
	if (!s->free)
		list_remove(s);
	spin_unlock(&kmalloc_lock);
	memset(obj, 0, (size_t)1 << shift);
	return obj;
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	if (((uintptr_t)ptr & (PAGE_SIZE - 1)) == 0) {
		page_free(ptr);
		return;
	}
	struct slab *s = (struct slab *)((uintptr_t)ptr & ~(PAGE_SIZE - 1));
	if (s->magic != SLAB_MAGIC)
		panic("kfree: %p is not a kmalloc object", ptr);

	spin_lock(&kmalloc_lock);
	bool was_full = s->free == NULL;
	*(void **)ptr = s->free;
	s->free = ptr;
	s->inuse--;
	if (s->inuse == 0) {
		if (!was_full)
			list_remove(s);
		s->magic = 0;
		spin_unlock(&kmalloc_lock);
		page_free(s);
		return;
	}
	if (was_full)
		list_push(s);
	spin_unlock(&kmalloc_lock);
}
