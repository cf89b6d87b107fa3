/*
 * Physical frame allocator.
 *
 * Every frame of RAM between the bounds given to frame_init() has a
 * struct frame of metadata: a reference count and what the frame is used
 * for. Free frames sit on one list under frame_lock. Frames are 4 KiB.
 *
 * Frames are named by physical address; the kernel reaches their bytes
 * through the direct map (pa_to_kva() in mm/physmap.h).
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"

/* What a frame is used for; counted separately for memstat. */
enum frame_use {
	FRAME_KERNEL = 0,   /* kernel heap, kernel stacks, file data */
	FRAME_PT     = 1,   /* page-table pages */
	FRAME_USER   = 2,   /* mapped into a user address space */
	FRAME_USES
};

struct frame_stats {
	uint64_t total;              /* frames managed */
	uint64_t free;               /* on the free list */
	uint64_t by_use[FRAME_USES]; /* in use, by kind */
};

/* Bytes of metadata needed to manage [base, end). */
uint64_t frame_meta_size(uint64_t base, uint64_t end);
/* Manage [base, end) with metadata at meta; every frame starts reserved. */
void frame_init_meta(uint64_t base, uint64_t end, void *meta);
/* Hand the frames wholly inside [start, end) to the free list. */
void frame_release_range(uint64_t start, uint64_t end);

/* A frame with reference count 1, contents undefined; 0 when none is left. */
uint64_t frame_alloc(enum frame_use use);
/* The same, zero-filled. */
uint64_t frame_alloc_zeroed(enum frame_use use);
/* Drop one reference; the frame is free again at zero. */
void frame_put(uint64_t pa);
/* Take another reference to an allocated frame. */
void frame_get(uint64_t pa);
int  frame_refcount(uint64_t pa);

void frame_stats(struct frame_stats *st);
/* Free frames now, without the lock: a hint that may be stale at once. */
uint64_t frame_free_count(void);

/* Convenience for kernel data: a zeroed frame as a kernel pointer. */
void *page_alloc(void);          /* NULL when memory is exhausted */
void  page_free(void *kva);

#endif
