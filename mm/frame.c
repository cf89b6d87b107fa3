/*
 * Physical frame allocator.
 *
 * One struct frame per 4 KiB frame of the managed range, in an array the
 * boot code places right after the kernel image. Free frames are chained
 * through their metadata (by index) into a LIFO list, so allocation and
 * freeing are O(1) and, outside a debug build, never touch the frame's
 * own bytes.
 *
 * Locks and atomics:
 *   [F] frame_lock: the free list, each frame's next_free, use and
 *       reserved, and the counters (stats.free is also read without it,
 *       as a hint, so it changes by atomic adds). One exception: the hart
 *       whose put took a frame to 0 owns it until it is linked, and
 *       frame_put_ptes chains such frames through next_free before it
 *       takes the lock once to link them all.
 *   [A] atomic, no lock: refcount, pinned, the fault-injection state.
 *   [I] set by frame_init_meta, then read-only.
 * frame_lock is a leaf: nothing else is taken while holding it.
 *
 * A reference count changes without the lock, but it crosses zero only
 * at two places, and both then take frame_lock for the list: frame_alloc
 * sets 1 on a frame it has just unlinked, and the frame_put (or
 * frame_put_ptes) that takes it to 0 links it back. Between the last put and the relink the frame
 * belongs to nobody, and nobody may frame_get it: frame_get needs a
 * reference already held. So the list and the counters stay exact while
 * get and put of shared frames (copy-on-write, the zero page) take no lock.
 */
#include "mm/frame.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

/* meson -Dkdebug=true passes -DLAZULI_DEBUG=1: junk-fill frames. */
#ifndef LAZULI_DEBUG
#define LAZULI_DEBUG 0
#endif
static const bool junk_fill = LAZULI_DEBUG;

#define NO_FRAME UINT32_MAX

struct frame {
	uint32_t refcount;   /* [A] 0 = free or reserved */
	uint32_t next_free;  /* [F] index of the next free frame, NO_FRAME at the end */
	uint8_t  use;        /* [F] enum frame_use while allocated */
	uint8_t  reserved;   /* [F] never handed out (firmware, kernel, metadata) */
	uint8_t  pinned;     /* [A] set once by frame_pin, never cleared */
};

static struct spinlock frame_lock = SPINLOCK_INIT("frame");
static struct frame *frames;         /* [I] */
static uint64_t      base_pa;        /* [I] first managed address */
static uint64_t      nframes;        /* [I] */
static uint32_t      free_head = NO_FRAME;  /* [F] */
static struct frame_stats stats;     /* [F] */
static uint64_t      fail_countdown; /* [A] requests until an injected failure; 0 = off */
static uint32_t      fail_armed;     /* [A] nonzero while either injection mode is on */
static uint32_t      fail_percent;   /* [A] share of requests failed, 0-100 */
static uint64_t      fail_seed;      /* [A] the PRNG's seed (fail.frame=P,SEED) */
static uint64_t      fail_draws;     /* [A] requests drawn for so far: the PRNG's position */
static uint64_t      fail_count;     /* [A] failures injected (either mode) */

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

/* Manage [base, end) with metadata at meta. Boot only, one hart. */
void frame_init_meta(uint64_t base, uint64_t end, void *meta)
{
	frames = meta;
	base_pa = base;
	nframes = (end - base) >> PAGE_SHIFT;
	for (uint64_t i = 0; i < nframes; i++)
		frames[i] = (struct frame){ .refcount = 0, .next_free = NO_FRAME,
					     .use = FRAME_KERNEL, .reserved = 1,
					     .pinned = 0 };
	free_head = NO_FRAME;
	memset(&stats, 0, sizeof(stats));
	fail_countdown = 0;
	fail_armed = 0;
	fail_percent = 0;
	fail_draws = 0;
	fail_count = 0;
}

/* Free every still-reserved frame wholly inside [start, end). Takes frame_lock. */
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
		__atomic_fetch_add(&stats.free, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&frame_lock);
}

/*
 * Fault injection, two modes. frame_fail_nth (host tests) fails the n-th
 * request from now, once; frame_fail_percent (fail.frame=PERCENT,SEED)
 * fails a share of them, drawn from a PRNG that is a pure function of the
 * seed and the draw's number (splitmix64), so no lock is needed and a
 * one-hart run with a given seed fails the same requests every time.
 * fail_armed is the only load a request makes while both are off.
 */
static void rearm(void)
{
	bool on = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED) != 0 ||
		  __atomic_load_n(&fail_percent, __ATOMIC_RELAXED) != 0;
	__atomic_store_n(&fail_armed, on, __ATOMIC_RELAXED);
}

/* Does this request fail by frame_fail_nth()? */
static bool countdown_fires(void)
{
	uint64_t n = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
	while (n != 0) {
		/* Exactly one request sees n == 1, however many harts race. */
		if (__atomic_compare_exchange_n(&fail_countdown, &n, n - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return n == 1;
	}
	return false;
}

/* splitmix64: the draw-th number of the sequence seeded by seed. */
static uint64_t splitmix64(uint64_t seed, uint64_t draw)
{
	uint64_t z = seed + (draw + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Does this request fail by frame_fail_percent()? */
static bool percent_fires(void)
{
	uint32_t pct = __atomic_load_n(&fail_percent, __ATOMIC_RELAXED);
	if (pct == 0)
		return false;
	uint64_t draw = __atomic_fetch_add(&fail_draws, 1, __ATOMIC_RELAXED);
	uint64_t seed = __atomic_load_n(&fail_seed, __ATOMIC_RELAXED);
	return splitmix64(seed, draw) % 100 < pct;
}

static bool injected_failure(void)
{
	if (!__atomic_load_n(&fail_armed, __ATOMIC_RELAXED))
		return false;
	if (!countdown_fires() && !percent_fires())
		return false;
	__atomic_fetch_add(&fail_count, 1, __ATOMIC_RELAXED);
	return true;
}

void frame_fail_nth(uint64_t n)
{
	__atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
	rearm();
}

void frame_fail_percent(unsigned percent, uint64_t seed)
{
	if (percent > 100)
		percent = 100;
	__atomic_store_n(&fail_seed, seed, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_draws, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_percent, percent, __ATOMIC_RELAXED);
	rearm();
}

bool frame_fail_heap(void)
{
	if (!__atomic_load_n(&fail_armed, __ATOMIC_RELAXED) || !percent_fires())
		return false;
	__atomic_fetch_add(&fail_count, 1, __ATOMIC_RELAXED);
	return true;
}

unsigned frame_fail_percent_now(void)
{
	return __atomic_load_n(&fail_percent, __ATOMIC_RELAXED);
}

uint64_t frame_fail_injected(void)
{
	return __atomic_load_n(&fail_count, __ATOMIC_RELAXED);
}

/* Unlink a free frame for use with count 1; 0 when none. Takes frame_lock. */
static uint64_t take_frame(enum frame_use use)
{
	if (injected_failure())
		return 0;
	spin_lock(&frame_lock);
	if (free_head == NO_FRAME) {
		spin_unlock(&frame_lock);
		return 0;
	}
	struct frame *f = &frames[free_head];
	free_head = f->next_free;
	f->next_free = NO_FRAME;
	f->use = (uint8_t)use;
	__atomic_store_n(&f->refcount, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&stats.free, 1, __ATOMIC_RELAXED);
	stats.by_use[use]++;
	spin_unlock(&frame_lock);
	return base_pa + ((uint64_t)(f - frames) << PAGE_SHIFT);
}

uint64_t frame_alloc(enum frame_use use)
{
	uint64_t pa = take_frame(use);
	if (pa && junk_fill)
		memset(pa_to_kva(pa), FRAME_JUNK_ALLOCATED, PAGE_SIZE);
	return pa;
}

uint64_t frame_alloc_zeroed(enum frame_use use)
{
	uint64_t pa = take_frame(use);
	if (pa)
		memset(pa_to_kva(pa), 0, PAGE_SIZE);
	return pa;
}

/*
 * References a frame's owner holds beyond its mappings: the page cache
 * keeps one on a file's frame, and a pin is one. A frame is shared when
 * it has more references than that plus one.
 */
static uint32_t owner_refs(const struct frame *f)
{
	return (f->use == FRAME_FILE) + __atomic_load_n(&f->pinned, __ATOMIC_RELAXED);
}

void frame_get(uint64_t pa)
{
	struct frame *f = frame_of(pa);
	/* Relaxed: the caller's own reference keeps the frame alive. */
	uint32_t old = __atomic_fetch_add(&f->refcount, 1, __ATOMIC_RELAXED);
	if (old == 0)
		panic("frame_get: frame %p is free", (void *)pa);
	if (old == owner_refs(f) + 1)
		__atomic_fetch_add(&stats.shared, 1, __ATOMIC_RELAXED);
}

int frame_mappings(uint64_t pa)
{
	const struct frame *f = frame_of(pa);
	return (int)__atomic_load_n(&f->refcount, __ATOMIC_ACQUIRE) - (int)owner_refs(f);
}

/*
 * Drop one reference to frame f (at pa). True when it was the last: the
 * frame is then the caller's alone, to link into the free list (nobody
 * may frame_get a frame at count 0). *unshared: the frame stopped being
 * shared (two mappings or more) with this put.
 */
static bool drop_ref(struct frame *f, uint64_t pa, bool *unshared)
{
	/*
	 * Release: our writes to the frame come before whoever frees it.
	 * Acquire: if we free it, everyone else's writes come before ours.
	 */
	uint32_t old = __atomic_fetch_sub(&f->refcount, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("frame_put: frame %p is not allocated", (void *)pa);
	*unshared = old == owner_refs(f) + 2;
	if (old > 1)
		return false;
	if (__atomic_load_n(&f->pinned, __ATOMIC_RELAXED))
		panic("frame_put: last reference to pinned frame %p", (void *)pa);
	if (junk_fill)
		memset(pa_to_kva(pa), FRAME_JUNK_FREED, PAGE_SIZE);
	return true;
}

void frame_put(uint64_t pa)
{
	struct frame *f = frame_of(pa);
	bool unshared;
	bool last = drop_ref(f, pa, &unshared);
	if (unshared)
		__atomic_fetch_sub(&stats.shared, 1, __ATOMIC_RELAXED);
	if (!last)
		return;
	spin_lock(&frame_lock);
	stats.by_use[f->use]--;
	__atomic_fetch_add(&stats.free, 1, __ATOMIC_RELAXED);
	f->next_free = free_head;
	free_head = (uint32_t)(f - frames);
	spin_unlock(&frame_lock);
}

/* An entry that names a frame: valid, or parked (see arch/riscv/sv39.h). */
static bool pte_in_use(uint64_t pte)
{
	return (pte & PTE_V) || (pte & PTE_PARKED);
}

void frame_get_ptes(const uint64_t *ptes, unsigned n)
{
	uint64_t shared = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t pte = ptes[i];
		if (!pte_in_use(pte))
			continue;
		struct frame *f = frame_of(pte_to_pa(pte));
		uint32_t old = __atomic_fetch_add(&f->refcount, 1, __ATOMIC_RELAXED);
		if (old == 0)
			panic("frame_get: frame %p is free", (void *)pte_to_pa(pte));
		shared += old == owner_refs(f) + 1;
	}
	if (shared)
		__atomic_fetch_add(&stats.shared, shared, __ATOMIC_RELAXED);
}

void frame_put_ptes(uint64_t *ptes, unsigned n)
{
	uint64_t unshared = 0, freed = 0, by_use[FRAME_USES] = { 0 };
	uint32_t head = NO_FRAME, tail = NO_FRAME;   /* the frames freed, newest first */
	for (unsigned i = 0; i < n; i++) {
		uint64_t pte = ptes[i];
		if (!pte_in_use(pte))
			continue;
		ptes[i] = 0;
		uint64_t pa = pte_to_pa(pte);
		struct frame *f = frame_of(pa);
		bool no_longer_shared;
		bool last = drop_ref(f, pa, &no_longer_shared);
		unshared += no_longer_shared;
		if (!last)
			continue;
		/* Ours alone now (count 0, and no one may frame_get it): chain it. */
		uint32_t idx = (uint32_t)(f - frames);
		f->next_free = head;
		head = idx;
		if (tail == NO_FRAME)
			tail = idx;
		by_use[f->use]++;
		freed++;
	}
	if (unshared)
		__atomic_fetch_sub(&stats.shared, unshared, __ATOMIC_RELAXED);
	if (!freed)
		return;
	/* The same list, in the same order, as a frame_put per frame would leave. */
	spin_lock(&frame_lock);
	for (int u = 0; u < FRAME_USES; u++)
		stats.by_use[u] -= by_use[u];
	__atomic_fetch_add(&stats.free, freed, __ATOMIC_RELAXED);
	frames[tail].next_free = free_head;
	free_head = head;
	spin_unlock(&frame_lock);
}

int frame_refcount(uint64_t pa)
{
	/* Acquire: a caller that sees 1 sees every other owner's puts before it. */
	return (int)__atomic_load_n(&frame_of(pa)->refcount, __ATOMIC_ACQUIRE);
}

void frame_pin(uint64_t pa)
{
	struct frame *f = frame_of(pa);
	if (__atomic_load_n(&f->refcount, __ATOMIC_RELAXED) == 0)
		panic("frame_pin: frame %p is free", (void *)pa);
	__atomic_store_n(&f->pinned, 1, __ATOMIC_RELAXED);
}

bool frame_pinned(uint64_t pa)
{
	return __atomic_load_n(&frame_of(pa)->pinned, __ATOMIC_RELAXED) != 0;
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
