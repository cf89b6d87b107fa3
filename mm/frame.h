/*
 * Physical frame allocator.
 *
 * Every frame of RAM between the bounds given to frame_init() has a
 * struct frame of metadata: a reference count, what the frame is used
 * for, and whether it is pinned. Free frames sit on one list under
 * frame_lock; reference counts are atomic and need no lock. Frames are
 * 4 KiB.
 *
 * Frames are named by physical address; the kernel reaches their bytes
 * through the direct map (pa_to_kva() in mm/physmap.h).
 *
 * A debug build (meson -Dkdebug=true) fills every frame it frees with
 * FRAME_JUNK_FREED and every frame frame_alloc() hands out with
 * FRAME_JUNK_ALLOCATED, so a read through a stale pointer or of memory
 * never initialised sees a recognisable pattern instead of old data.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"

/* What a frame is used for; counted separately for memstat. */
enum frame_use {
	FRAME_KERNEL = 0,   /* kernel heap, kernel stacks, a file's index pages */
	FRAME_PT     = 1,   /* page-table pages */
	FRAME_USER   = 2,   /* mapped into a user address space */
	FRAME_FILE   = 3,   /* file data (the page cache; fs/pagemap.c), mapped or not */
	FRAME_USES
};

/* The debug build's fill bytes (see above); 0x0101... and 0x0505... in a dump. */
#define FRAME_JUNK_FREED     0x01
#define FRAME_JUNK_ALLOCATED 0x05

struct frame_stats {
	uint64_t total;              /* frames managed */
	uint64_t free;               /* on the free list */
	uint64_t by_use[FRAME_USES]; /* in use, by kind */
	uint64_t shared;             /* in use with two or more users beyond the owner
					(frame_mappings) */
};

/* Bytes of metadata needed to manage [base, end). */
uint64_t frame_meta_size(uint64_t base, uint64_t end);
/* Manage [base, end) with metadata at meta; every frame starts reserved. */
void frame_init_meta(uint64_t base, uint64_t end, void *meta);
/* Hand the frames wholly inside [start, end) to the free list. */
void frame_release_range(uint64_t start, uint64_t end);

/*
 * A frame with reference count 1, contents undefined (junk in a debug
 * build); 0 when none is left or when frame_fail_nth() says this request
 * fails. Takes frame_lock; never sleeps.
 */
uint64_t frame_alloc(enum frame_use use);
/* The same, zero-filled. */
uint64_t frame_alloc_zeroed(enum frame_use use);
/*
 * Drop one reference; at zero the frame goes back on the free list (under
 * frame_lock). Panics if the frame is not allocated, or if it is pinned
 * and this was its last reference.
 */
void frame_put(uint64_t pa);
/*
 * Take another reference to a frame the caller already holds one to (so
 * the count cannot reach zero meanwhile). Lock-free; panics on a free frame.
 */
void frame_get(uint64_t pa);
/*
 * The same for the frames of a run of page-table entries, for the walks
 * that visit every page (fork, unmap): each entry of ptes[0..n) in use
 * (valid, or parked: V clear and PTE_PARKED) names a frame, which gets
 * one reference more (frame_get_ptes) or loses one and has its entry
 * zeroed (frame_put_ptes), with the same panics, counts and frees as a
 * frame_get / frame_put per entry. The shared-frame counter changes once
 * per run and frame_lock is taken once for all the frames the run
 * frees. Entries not in use are left alone. The caller has checked that
 * every valid entry is a leaf.
 */
void frame_get_ptes(const uint64_t *ptes, unsigned n);
void frame_put_ptes(uint64_t *ptes, unsigned n);
/* The reference count now: a snapshot that other harts may change at once. */
int  frame_refcount(uint64_t pa);
/*
 * How many users beyond the frame's owner hold it: the count less the
 * page cache's own reference on a file frame and a pin. A frame is shared
 * when this is 2 or more; `free` and `pmap` count those.
 */
int  frame_mappings(uint64_t pa);
/*
 * Pin an allocated frame for good: it is never freed, and a frame_put()
 * that would drop its count to zero is a kernel bug and panics. Lock-free.
 */
void frame_pin(uint64_t pa);
bool frame_pinned(uint64_t pa);

/*
 * Fault injection for tests: the n-th frame request from now (1 = the
 * next) returns 0, once; n = 0 disables. Every request counts, whichever
 * of frame_alloc, frame_alloc_zeroed or page_alloc makes it.
 */
void frame_fail_nth(uint64_t n);
/*
 * Fault injection like Linux's fail_page_alloc (boot argument
 * fail.frame=PERCENT,SEED): from now on, fail `percent` of every hundred
 * frame requests, chosen by a PRNG seeded with seed; 0 turns it off.
 * Lock-free; a request costs one relaxed load while injection is off.
 */
void frame_fail_percent(unsigned percent, uint64_t seed);
/*
 * The same draw for a kernel-heap request (kmalloc): true if it must
 * fail. Only the percent mode counts; frame_fail_nth counts frames only.
 */
bool frame_fail_heap(void);
/* The percentage set by frame_fail_percent, and failures injected so far. */
unsigned frame_fail_percent_now(void);
uint64_t frame_fail_injected(void);

void frame_stats(struct frame_stats *st);
/* Free frames now, without the lock: a hint that may be stale at once. */
uint64_t frame_free_count(void);

/* Convenience for kernel data: a zeroed frame as a kernel pointer. */
void *page_alloc(void);          /* NULL when memory is exhausted */
void  page_free(void *kva);

#endif
