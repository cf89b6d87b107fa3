/*
 * malloc and free over sbrk.
 *
 * Free memory is one list of blocks kept in address order. Each block,
 * free or in use, starts with a header giving its size in units of the
 * header's size (16 bytes, which is also the alignment malloc promises):
 *
 *   | header | payload ...                 |  <- block of size units
 *   ^ block   ^ what malloc returns
 *
 * malloc takes the first free block that is large enough, splitting off
 * what it does not need from the block's tail. free puts a block back in
 * address order and merges it with the neighbours it touches, so freed
 * memory does not stay cut into small pieces. When nothing fits, the heap
 * grows with sbrk by at least HEAP_GROW bytes (fewer system calls, and with
 * a lazy kernel untouched pages cost nothing). Memory never goes back to
 * the kernel.
 *
 * calloc and realloc sit on malloc: realloc grows in place only when the
 * block already has room (it never merges with a free neighbour).
 */
#include "kernel/types.h"
#include "user/user.h"
#include "stdlib.h"

#define HEAP_GROW   (64 * 1024)      /* least bytes asked of sbrk at once */
#define SBRK_MAX    0x7fffffffUL     /* sbrk takes an int */
#define SBRK_FAILED ((char *)-1)

union header {
	struct {
		union header *next;   /* next free block (free blocks only) */
		uint64 units;         /* size of the block, header included */
	} h;
	long double align;            /* makes a header 16 bytes, 16-aligned */
};

#define UNIT sizeof(union header)

_Static_assert(sizeof(union header) == 16, "malloc header is 16 bytes");

static union header *freelist;   /* lowest free block, or 0 */

/* Insert block b into the free list, merging it with touching neighbours. */
static void insert_free(union header *b)
{
	union header *prev = 0, *next = freelist;

	while (next != 0 && next < b) {
		prev = next;
		next = next->h.next;
	}
	if (next == b || (prev != 0 && b < prev + prev->h.units)) {
		fprintf(2, "free: %p is already free\n", (void *)(b + 1));
		return;
	}

	if (next != 0 && b + b->h.units == next) {       /* merge upwards */
		b->h.units += next->h.units;
		b->h.next = next->h.next;
	} else {
		b->h.next = next;
	}
	if (prev != 0 && prev + prev->h.units == b) {    /* merge downwards */
		prev->h.units += b->h.units;
		prev->h.next = b->h.next;
	} else if (prev != 0) {
		prev->h.next = b;
	} else {
		freelist = b;
	}
}

/*
 * Grow the heap by at least units units and add the new memory to the
 * free list. Returns 0, or -1 when sbrk refuses.
 */
static int grow(uint64 units)
{
	uint64 bytes = units * UNIT;
	uint64 pad;
	char *brk, *p;

	if (bytes < HEAP_GROW)
		bytes = HEAP_GROW;
	brk = sbrk(0);
	if (brk == SBRK_FAILED)
		return -1;
	/* Someone else may have left the break unaligned. */
	pad = (UNIT - (uint64)brk % UNIT) % UNIT;
	if (bytes + pad > SBRK_MAX)
		return -1;
	p = sbrk(bytes + pad);
	if (p == SBRK_FAILED)
		return -1;

	union header *b = (union header *)(p + pad);
	b->h.units = bytes / UNIT;
	insert_free(b);
	return 0;
}

/* Returns nbytes of 16-aligned memory, or 0 when the heap cannot grow. */
void *malloc(uint nbytes)
{
	uint64 units = ((uint64)nbytes + UNIT - 1) / UNIT + 1;

	for (;;) {
		union header *prev = 0, *b;

		for (b = freelist; b != 0; prev = b, b = b->h.next) {
			if (b->h.units < units)
				continue;
			if (b->h.units == units) {   /* exact fit: unlink it */
				if (prev != 0)
					prev->h.next = b->h.next;
				else
					freelist = b->h.next;
			} else {                     /* hand out the tail */
				b->h.units -= units;
				b += b->h.units;
				b->h.units = units;
			}
			b->h.next = 0;
			return b + 1;
		}
		if (grow(units) < 0)
			return 0;
	}
}

/* Give back a block from malloc; free(0) does nothing. */
void free(void *p)
{
	if (p == 0)
		return;
	insert_free((union header *)p - 1);
}

/* n * size zeroed bytes, or 0 when the product overflows or memory is out. */
void *calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SBRK_MAX / size)
		return 0;
	p = malloc(n * size);
	if (p != 0)
		memset(p, 0, n * size);
	return p;
}

/*
 * Resize p's block to size bytes, keeping its contents up to the smaller
 * size. realloc(0, n) is malloc(n); realloc(p, 0) frees p and returns 0.
 * When no block is free, returns 0 and p stays as it was.
 */
void *realloc(void *p, size_t size)
{
	union header *b;
	uint64 room;
	void *q;

	if (p == 0)
		return size > SBRK_MAX ? 0 : malloc(size);
	if (size == 0) {
		free(p);
		return 0;
	}
	b = (union header *)p - 1;
	room = (b->h.units - 1) * UNIT;
	if (size <= room)
		return p;
	if (size > SBRK_MAX)
		return 0;
	q = malloc(size);
	if (q == 0)
		return 0;
	memcpy(q, p, room);
	free(p);
	return q;
}
