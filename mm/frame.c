/*
 * Physical frame allocator.
 *
 * One struct frame per 4 KiB frame of the managed range, in an array the
 * boot code places right after the kernel image. Free frames are chained
 * through their metadata (by index) into a LIFO list, so allocation and
 * freeing are O(1) and never touch the frame's own bytes.
 *
 * Lock: frame_lock protects the free list, every refcount and use, and
 * the counters. It is a leaf lock: nothing else is taken while holding it.
 */
#include "mm/frame.h"
#include "mm/physmap.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define NO_FRAME UINT32_MAX

struct frame {
	uint32_t refcount;   /* [F] 0 = free or reserved */
	uint32_t next_free;  /* [F] index of the next free frame, NO_FRAME at the end */
	uint8_t  use;        /* [F] enum frame_use while allocated */
	uint8_t  reserved;   /* [I] never handed out (firmware, kernel, metadata) */
};

static struct spinlock frame_lock = SPINLOCK_INIT("frame");
static struct frame *frames;         /* [I] after frame_init */
static uint64_t      base_pa;        /* [I] first managed address */
static uint64_t      nframes;        /* [I] */
static uint32_t      free_head = NO_FRAME;  /* [F] */
static struct frame_stats stats;     /* [F] */

/* Bytes of metadata frame_init needs for [base, end). */
uint64_t frame_meta_size(uint64_t base, uint64_t end)
{
	return ((end - base) >> PAGE_SHIFT) * sizeof(struct frame);
}

static struct frame *frame_of(uint64_t pa)
{
	if (pa < base_pa || pa & (PAGE_SIZE - 1) ||
	    ((pa - base_pa) >> PAGE_SHIFT) >= nframes)
		panic("frame: bad physical address %p", (void *)pa);
	return &frames[(pa - base_pa) >> PAGE_SHIFT];
}

void frame_init_meta(uint64_t base, uint64_t end, void *meta)
{
	frames = meta;
	base_pa = base;
	nframes = (end - base) >> PAGE_SHIFT;
	for (uint64_t i = 0; i < nframes; i++)
		frames[i] = (struct frame){ .refcount = 0, .next_free = NO_FRAME,
					     .use = FRAME_KERNEL, .reserved = 1 };
	free_head = NO_FRAME;
	memset(&stats, 0, sizeof(stats));
}

void frame_release_range(uint64_t start, uint64_t end)
{
	start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end &= ~(PAGE_SIZE - 1);
	if (start < base_pa)
		start = base_pa;
	if (end > base_pa + (nframes << PAGE_SHIFT))
		end = base_pa + (nframes << PAGE_SHIFT);
	spin_lock(&frame_lock);
	/* Push from the top down so the list hands out low addresses first. */
	for (uint64_t pa = end; pa > start; ) {
		pa -= PAGE_SIZE;
		struct frame *f = frame_of(pa);
		if (!f->reserved)
			continue;
		f->reserved = 0;
		f->next_free = free_head;
		free_head = (uint32_t)(f - frames);
		stats.total++;
		stats.free++;
	}
	spin_unlock(&frame_lock);
}

uint64_t frame_alloc(enum frame_use use)
{
	spin_lock(&frame_lock);
	if (free_head == NO_FRAME) {
		spin_unlock(&frame_lock);
		return 0;
	}
	struct frame *f = &frames[free_head];
	free_head = f->next_free;
	f->next_free = NO_FRAME;
	f->refcount = 1;
	f->use = (uint8_t)use;
	stats.free--;
	stats.by_use[use]++;
	spin_unlock(&frame_lock);
	return base_pa + ((uint64_t)(f - frames) << PAGE_SHIFT);
}

uint64_t frame_alloc_zeroed(enum frame_use use)
{
	uint64_t pa = frame_alloc(use);
	if (pa)
		memset(pa_to_kva(pa), 0, PAGE_SIZE);
	return pa;
}

void frame_get(uint64_t pa)
{
	spin_lock(&frame_lock);
	struct frame *f = frame_of(pa);
	if (f->refcount == 0)
		panic("frame_get: frame %p is free", (void *)pa);
	f->refcount++;
	spin_unlock(&frame_lock);
}

void frame_put(uint64_t pa)
{
	spin_lock(&frame_lock);
	struct frame *f = frame_of(pa);
	if (f->refcount == 0 || f->reserved)
		panic("frame_put: frame %p is not allocated", (void *)pa);
	if (--f->refcount == 0) {
		stats.by_use[f->use]--;
		stats.free++;
		f->next_free = free_head;
		free_head = (uint32_t)(f - frames);
	}
	spin_unlock(&frame_lock);
}

int frame_refcount(uint64_t pa)
{
	spin_lock(&frame_lock);
	int n = (int)frame_of(pa)->refcount;
	spin_unlock(&frame_lock);
	return n;
}

void frame_stats(struct frame_stats *st)
{
	spin_lock(&frame_lock);
	*st = stats;
	spin_unlock(&frame_lock);
}

uint64_t frame_free_count(void)
{
	return __atomic_load_n(&stats.free, __ATOMIC_RELAXED);
}

void *page_alloc(void)
{
	uint64_t pa = frame_alloc_zeroed(FRAME_KERNEL);
	return pa ? pa_to_kva(pa) : NULL;
}

void page_free(void *kva)
{
	if (kva)
		frame_put(kva_to_pa(kva));
}
