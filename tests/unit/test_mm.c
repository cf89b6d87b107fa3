/*
 * Host tests of the real mm/frame.c, mm/pt.c, mm/vma.c and mm/kmalloc.c
 * over a simulated physical memory: a malloc'd block that plays RAM at
 * SIM_BASE, reached through physmap_offset like the kernel's direct map.
 *
 * Built twice: test_mm as the release kernel is, and test_mm_debug with
 * -DLAZULI_DEBUG=1 as meson -Dkdebug=true builds it (frames junk-filled).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "mm/physmap.h"
#include "mm/pt.h"
#include "mm/vma.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "check.h"

#ifndef LAZULI_DEBUG
#define LAZULI_DEBUG 0
#endif

#define SIM_BASE   0x80000000UL
#define SIM_FRAMES 512UL
#define SIM_SIZE   (SIM_FRAMES * PAGE_SIZE)

static void *ram;
static void *meta;

/* Fresh simulated RAM; the first `reserved` frames stay out of the pool. */
static void sim_reset(uint64_t reserved)
{
	free(ram);
	free(meta);
	ram = aligned_alloc(PAGE_SIZE, SIM_SIZE);
	memset(ram, 0xa5, SIM_SIZE);   /* garbage, so zeroing is tested */
	physmap_offset = (uintptr_t)ram - SIM_BASE;
	meta = malloc(frame_meta_size(SIM_BASE, SIM_BASE + SIM_SIZE));
	frame_init_meta(SIM_BASE, SIM_BASE + SIM_SIZE, meta);
	frame_release_range(SIM_BASE + reserved * PAGE_SIZE, SIM_BASE + SIM_SIZE);
}

static uint64_t free_frames(void)
{
	struct frame_stats st;
	frame_stats(&st);
	return st.free;
}

static uint64_t used(enum frame_use use)
{
	struct frame_stats st;
	frame_stats(&st);
	return st.by_use[use];
}

/* ---- frame allocator ---- */

static void frame_counts_and_exhaustion(void)
{
	sim_reset(12);
	CHECK(free_frames() == SIM_FRAMES - 12);
	uint64_t n = 0, pa, last = 0;
	while ((pa = frame_alloc(FRAME_USER)) != 0) {
		CHECK(pa >= SIM_BASE + 12 * PAGE_SIZE && pa < SIM_BASE + SIM_SIZE);
		CHECK((pa & (PAGE_SIZE - 1)) == 0);
		CHECK(pa != last);
		last = pa;
		n++;
	}
	CHECK(n == SIM_FRAMES - 12);
	CHECK(free_frames() == 0);
	CHECK(used(FRAME_USER) == n);
	frame_put(last);
	CHECK(free_frames() == 1);
	CHECK(frame_alloc(FRAME_PT) == last);   /* LIFO: the freed frame comes back */
	CHECK(used(FRAME_PT) == 1);
}

static void frame_refcounts(void)
{
	sim_reset(0);
	uint64_t pa = frame_alloc_zeroed(FRAME_KERNEL);
	const unsigned char *bytes = pa_to_kva(pa);
	int zero = 1;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		zero &= bytes[i] == 0;
	CHECK(zero);
	frame_get(pa);
	CHECK(frame_refcount(pa) == 2);
	frame_put(pa);
	CHECK(frame_refcount(pa) == 1);
	CHECK(free_frames() == SIM_FRAMES - 1);
	frame_put(pa);
	CHECK(free_frames() == SIM_FRAMES);
}

/* Every byte of the frame at pa is b. */
static bool frame_filled(uint64_t pa, unsigned char b)
{
	const unsigned char *bytes = pa_to_kva(pa);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (bytes[i] != b)
			return false;
	return true;
}

#define HAMMER_THREADS 4
#define HAMMER_ROUNDS  100000

static void *hammer(void *arg)
{
	uint64_t pa = *(const uint64_t *)arg;
	for (int i = 0; i < HAMMER_ROUNDS; i++) {
		frame_get(pa);
		frame_get(pa);
		frame_put(pa);
		frame_put(pa);
	}
	return NULL;
}

/* Gets and puts from several threads at once take no lock and lose nothing. */
static void frame_get_put_balance(void)
{
	sim_reset(0);
	uint64_t pa = frame_alloc(FRAME_USER);
	pthread_t t[HAMMER_THREADS];
	for (int i = 0; i < HAMMER_THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, hammer, &pa) == 0);
	for (int i = 0; i < HAMMER_THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(frame_refcount(pa) == 1);
	CHECK(free_frames() == SIM_FRAMES - 1);
	CHECK(used(FRAME_USER) == 1);
	frame_put(pa);
	CHECK(frame_refcount(pa) == 0);
	CHECK(free_frames() == SIM_FRAMES);
	CHECK(used(FRAME_USER) == 0);
}

static void frame_pin_keeps_frame(void)
{
	sim_reset(0);
	uint64_t pa = frame_alloc_zeroed(FRAME_KERNEL), other = frame_alloc(FRAME_USER);
	CHECK(!frame_pinned(pa));
	frame_pin(pa);
	frame_pin(pa);   /* pinning twice is harmless */
	CHECK(frame_pinned(pa) && !frame_pinned(other));
	frame_get(pa);
	frame_get(pa);
	frame_put(pa);
	frame_put(pa);
	CHECK(frame_refcount(pa) == 1);
	CHECK(frame_pinned(pa));
	CHECK(frame_filled(pa, 0));   /* not junk-filled: it was never freed */
	CHECK(free_frames() == SIM_FRAMES - 2);
	frame_put(other);
	CHECK(free_frames() == SIM_FRAMES - 1);
}

/* Run fn in a child; did it die of SIGABRT (the shim's panic)? */
static bool dies_of_panic(void (*fn)(uint64_t), uint64_t arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);   /* the expected panic message */
		fn(arg);
		_exit(0);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void put_once(uint64_t pa) { frame_put(pa); }
static void get_once(uint64_t pa) { frame_get(pa); }

static void frame_misuse_panics(void)
{
	sim_reset(0);
	uint64_t pinned = frame_alloc(FRAME_KERNEL), plain = frame_alloc(FRAME_KERNEL);
	frame_pin(pinned);
	CHECK(dies_of_panic(put_once, pinned));   /* its last reference */
	frame_put(plain);
	CHECK(dies_of_panic(put_once, plain));    /* already free */
	CHECK(dies_of_panic(get_once, plain));
	CHECK(frame_refcount(pinned) == 1);       /* the children changed nothing here */
}

static uint64_t shared_frames(void)
{
	struct frame_stats st;
	frame_stats(&st);
	return st.shared;
}

/*
 * The batched get and put over a run of PTEs do what a frame_get /
 * frame_put per entry in use would: the same counts, the same shared
 * counter, the same free list (order included), entries not in use left
 * alone.
 */
static void frame_ptes_batch(void)
{
	sim_reset(0);
	uint64_t a = frame_alloc(FRAME_USER), b = frame_alloc(FRAME_USER),
		 c = frame_alloc(FRAME_FILE), d = frame_alloc(FRAME_USER);
	uint64_t free0 = free_frames(), user0 = used(FRAME_USER);
	uint64_t stray = pa_to_pte(d) | PTE_R | PTE_U;   /* invalid, not parked: not in use */
	uint64_t run[7] = { pa_to_pte(a) | PTE_V | PTE_R, 0, pa_to_pte(b) | PTE_PARKED,
			    stray, pa_to_pte(c) | PTE_V | PTE_R, pa_to_pte(a) | PTE_V | PTE_R, 0 };
	uint64_t copy[7];
	memcpy(copy, run, sizeof(run));
	frame_get_ptes(run, 7);
	CHECK(!memcmp(copy, run, sizeof(run)));   /* get changes no entry */
	CHECK(frame_refcount(a) == 3 && frame_refcount(b) == 2 && frame_refcount(c) == 2);
	CHECK(frame_refcount(d) == 1);
	/* a and b are shared now; c has the page cache's reference beyond the one mapping. */
	CHECK(shared_frames() == 2);
	frame_get_ptes(&run[4], 1);
	CHECK(frame_refcount(c) == 3 && shared_frames() == 3);
	frame_put_ptes(&run[4], 1);   /* zeroes run[4] */
	CHECK(run[4] == 0 && frame_refcount(c) == 2 && shared_frames() == 2);
	run[4] = copy[4];
	frame_put_ptes(run, 7);
	CHECK(run[0] == 0 && run[2] == 0 && run[3] == stray && run[4] == 0 && run[5] == 0);
	CHECK(frame_refcount(a) == 1 && frame_refcount(b) == 1 && frame_refcount(c) == 1);
	CHECK(shared_frames() == 0 && free_frames() == free0);

	/* Last references: freed, and the list is as three frame_puts leave it. */
	uint64_t last[4] = { pa_to_pte(a) | PTE_V | PTE_R, pa_to_pte(b) | PTE_PARKED, 0,
			     pa_to_pte(d) | PTE_V | PTE_R | PTE_W };
	frame_put_ptes(last, 4);
	CHECK(last[0] == 0 && last[1] == 0 && last[3] == 0);
	CHECK(free_frames() == free0 + 3 && used(FRAME_USER) == user0 - 3);
	if (LAZULI_DEBUG)
		CHECK(frame_filled(a, FRAME_JUNK_FREED) && frame_filled(d, FRAME_JUNK_FREED));
	CHECK(frame_alloc(FRAME_USER) == d && frame_alloc(FRAME_USER) == b &&
	      frame_alloc(FRAME_USER) == a);
	frame_put(c);
}

static uint64_t batch_pte;
static void put_ptes_once(uint64_t pte) { batch_pte = pte; frame_put_ptes(&batch_pte, 1); }
static void get_ptes_once(uint64_t pte) { batch_pte = pte; frame_get_ptes(&batch_pte, 1); }

static void frame_ptes_misuse_panics(void)
{
	sim_reset(0);
	uint64_t pinned = frame_alloc(FRAME_USER), plain = frame_alloc(FRAME_USER);
	frame_pin(pinned);
	CHECK(dies_of_panic(put_ptes_once, pa_to_pte(pinned) | PTE_V | PTE_R));
	frame_put(plain);
	CHECK(dies_of_panic(put_ptes_once, pa_to_pte(plain) | PTE_PARKED));   /* free */
	CHECK(dies_of_panic(get_ptes_once, pa_to_pte(plain) | PTE_V | PTE_R));
	CHECK(frame_refcount(pinned) == 1);
}

static void frame_fail_nth_once(void)
{
	sim_reset(0);
	frame_fail_nth(3);
	uint64_t a = frame_alloc(FRAME_USER);
	uint64_t b = frame_alloc_zeroed(FRAME_PT);
	CHECK(a && b);
	CHECK(page_alloc() == NULL);              /* the third request, whatever its kind */
	CHECK(free_frames() == SIM_FRAMES - 2);   /* the failure took nothing */
	uint64_t c = frame_alloc(FRAME_USER);
	CHECK(c != 0);
	uint64_t more = 0;
	for (int i = 0; i < 8; i++)
		more += frame_alloc(FRAME_USER) != 0;
	CHECK(more == 8);                         /* once, then normal */

	frame_fail_nth(1);
	CHECK(frame_alloc(FRAME_KERNEL) == 0);    /* 1 = the very next */
	CHECK(frame_alloc(FRAME_KERNEL) != 0);

	frame_fail_nth(2);
	frame_fail_nth(0);                        /* disabled before it fired */
	for (int i = 0; i < 4; i++)
		CHECK(frame_alloc(FRAME_KERNEL) != 0);
	CHECK(free_frames() == SIM_FRAMES - 16);
}

/* fail.frame's percent mode: the share fails, by seed, and kmalloc too. */
static int percent_pattern(unsigned pct, uint64_t seed, uint8_t *failed, int n)
{
	int fails = 0;
	frame_fail_percent(pct, seed);
	for (int i = 0; i < n; i++) {
		uint64_t pa = frame_alloc(FRAME_USER);
		failed[i] = pa == 0;
		fails += pa == 0;
		if (pa)
			frame_put(pa);
	}
	frame_fail_percent(0, 0);
	return fails;
}

static void frame_fail_percent_share(void)
{
	enum { N = 400 };
	static uint8_t first[N], again[N];
	sim_reset(0);
	uint64_t before = frame_fail_injected();
	frame_fail_percent(100, 1);
	CHECK(frame_alloc(FRAME_KERNEL) == 0 && page_alloc() == NULL);
	CHECK(kmalloc(16) == NULL && kmalloc(3000) == NULL);   /* the heap fails too */
	CHECK(frame_fail_percent_now() == 100);
	CHECK(frame_fail_injected() - before == 4);
	frame_fail_percent(0, 1);
	CHECK(frame_alloc(FRAME_KERNEL) != 0);                 /* off again */
	void *obj = kmalloc(16);
	CHECK(obj != NULL);
	kfree(obj);

	int fails = percent_pattern(25, 42, first, N);
	CHECK(fails > N / 8 && fails < N * 3 / 8);             /* about a quarter */
	CHECK(percent_pattern(25, 42, again, N) == fails);
	CHECK(memcmp(first, again, N) == 0);                   /* the seed decides */
	percent_pattern(25, 43, again, N);
	CHECK(memcmp(first, again, N) != 0);                   /* another seed, other requests */
	CHECK(free_frames() == SIM_FRAMES - 1);                /* failures took nothing */
}

/*
 * The debug build fills a frame on free and on frame_alloc; the release
 * build leaves its bytes alone. frame_alloc_zeroed zeroes in both.
 */
static void frame_junk_fill(void)
{
	sim_reset(0);
	uint64_t pa = frame_alloc(FRAME_USER);
	memset(pa_to_kva(pa), 0x77, PAGE_SIZE);
	frame_put(pa);
	CHECK(frame_filled(pa, LAZULI_DEBUG ? FRAME_JUNK_FREED : 0x77));
	CHECK(frame_alloc(FRAME_USER) == pa);     /* LIFO: the same frame */
	CHECK(frame_filled(pa, LAZULI_DEBUG ? FRAME_JUNK_ALLOCATED : 0x77));
	frame_put(pa);
	CHECK(frame_alloc_zeroed(FRAME_USER) == pa);
	CHECK(frame_filled(pa, 0));
}

static void frame_release_rounds_inward(void)
{
	sim_reset(SIM_FRAMES);   /* nothing free */
	frame_release_range(SIM_BASE + 100, SIM_BASE + 3 * PAGE_SIZE + 5);
	CHECK(free_frames() == 2);   /* only frames wholly inside: 1 and 2 */
	frame_release_range(SIM_BASE, SIM_BASE + 3 * PAGE_SIZE);
	CHECK(free_frames() == 3);   /* frame 0 added, 1 and 2 not twice */
}

/* ---- page tables ---- */

static void pt_map_lookup_unmap(void)
{
	sim_reset(0);
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	uint64_t va = 0x12345000, pa = frame_alloc(FRAME_USER);
	CHECK(pt_map(root, va, pa, PTE_R | PTE_W | PTE_U) == 0);
	CHECK(used(FRAME_PT) == 3);   /* root + level 1 + level 0 */
	CHECK(pt_map(root, va, pa, PTE_R) == -EEXIST);
	pte_t e = pt_lookup(root, va + 123);
	CHECK(pte_to_pa(e) == pa && (e & PTE_V) && (e & PTE_U));
	CHECK(pt_lookup(root, va + PAGE_SIZE) == 0);
	CHECK(pt_walk(root, 0x7000000000UL & (USER_TOP - 1), false) == NULL);
	uint64_t tables = 0;
	CHECK(pt_unmap_range(root, 0, USER_TOP, &tables) == 1);
	CHECK(tables == 2 && used(FRAME_PT) == 1 && used(FRAME_USER) == 0);
	CHECK(pt_lookup(root, va) == 0);
}

static void pt_sparse_range(void)
{
	sim_reset(0);
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	/* One page every 64 pages over 16 MiB: each 2 MiB slot gets 8 pages. */
	uint64_t base = 0x40000000, npages = 0;
	for (uint64_t va = base; va < base + (16UL << 20); va += 64 * PAGE_SIZE, npages++)
		CHECK(pt_map(root, va, frame_alloc(FRAME_USER), PTE_R | PTE_W | PTE_U) == 0);
	CHECK(npages == 64);
	CHECK(pt_count_range(root, base, base + (16UL << 20)) == 64);
	CHECK(used(FRAME_PT) == 1 + 1 + 8);   /* root, one level-1, 8 level-0 tables */

	/* Unmap part of a table's range: the table stays; all of it: it goes. */
	CHECK(pt_unmap_range(root, base, base + 64 * PAGE_SIZE + 1, NULL) == 2);
	CHECK(used(FRAME_PT) == 10);
	CHECK(pt_unmap_range(root, base, base + (2UL << 20), NULL) == 6);
	CHECK(used(FRAME_PT) == 9);
	CHECK(pt_unmap_range(root, 0, USER_TOP, NULL) == 56);
	CHECK(used(FRAME_USER) == 0 && used(FRAME_PT) == 1);
}

/* The one leaf walk: order, early stop with an error, and corrupt tables. */
struct collect {
	struct pt_walker w;
	uint64_t         seen[8];
	int              n, stop_at;
};

static int collect_leaf(struct pt_walker *w, pte_t *pte, uint64_t va)
{
	struct collect *c = (struct collect *)w;
	(void)pte;
	if (c->n == c->stop_at)
		return -ENOMEM;
	c->seen[c->n++] = va;
	return 0;
}

static void pt_walk_leaves_order_and_stop(void)
{
	sim_reset(0);
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	uint64_t vas[] = { 0x10000, 0x11000, 0x40000000, 0x40200000, 0x3fffff000UL };
	for (unsigned i = 0; i < 5; i++)
		CHECK(pt_map(root, vas[i], frame_alloc(FRAME_USER), PTE_R | PTE_U) == 0);
	struct collect c = { .w = { .leaf = collect_leaf }, .stop_at = -1 };
	CHECK(pt_walk_leaves(root, 0x11000, USER_TOP, &c.w) == 0);
	CHECK(c.n == 4 && c.seen[0] == 0x11000 && c.seen[1] == 0x40000000 &&
	      c.seen[2] == 0x40200000 && c.seen[3] == 0x3fffff000UL);
	struct collect stop = { .w = { .leaf = collect_leaf }, .stop_at = 2 };
	CHECK(pt_walk_leaves(root, 0, USER_TOP, &stop.w) == -ENOMEM && stop.n == 2);
	CHECK(pt_unmap_range(root, 0, USER_TOP, NULL) == 5);
	CHECK(used(FRAME_PT) == 1);
}

/* The table walk: one call per leaf table, with the entries the range touches. */
struct tables_seen {
	struct pt_walker w;
	pte_t           *t[8];
	unsigned         lo[8], hi[8], n, fail_at;
	uint64_t         va[8], in_use;
};

static int see_table(struct pt_walker *w, pte_t *t, unsigned lo, unsigned hi, uint64_t va)
{
	struct tables_seen *s = (struct tables_seen *)w;
	if (s->n == s->fail_at)
		return -ENOMEM;
	s->t[s->n] = t;
	s->lo[s->n] = lo;
	s->hi[s->n] = hi;
	s->va[s->n++] = va;
	for (unsigned i = lo; i < hi; i++)
		s->in_use += pt_leaf_in_use(t[i], w->parked, va + (uint64_t)(i - lo) * PAGE_SIZE);
	return 0;
}

static void pt_walk_tables_ranges(void)
{
	sim_reset(0);
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	uint64_t t0 = 0x40000000, t1 = t0 + PAGE_SIZE_2M, t3 = t0 + 3 * PAGE_SIZE_2M;
	uint64_t vas[] = { t0, t0 + PAGE_SIZE, t0 + 5 * PAGE_SIZE, t0 + 511 * PAGE_SIZE,
			   t1, t1 + 3 * PAGE_SIZE, t3 + 9 * PAGE_SIZE };
	for (unsigned i = 0; i < 7; i++)
		CHECK(pt_map(root, vas[i], frame_alloc(FRAME_USER), PTE_R | PTE_W | PTE_U) == 0);
	/* A parked entry (a PROT_NONE page keeping its frame) at t1 + 7 pages. */
	pte_t *pk = pt_walk(root, t1 + 7 * PAGE_SIZE, true);
	*pk = pa_to_pte(frame_alloc(FRAME_USER)) | PTE_U | PTE_R | PTE_PARKED;

	/* From mid-table to an unaligned end mid-table; the missing table at t0+2*2M is skipped. */
	struct tables_seen s = { .w = { .table = see_table }, .fail_at = 99 };
	CHECK(pt_walk_leaves(root, t0 + PAGE_SIZE, t3 + 9 * PAGE_SIZE + 1, &s.w) == 0);
	CHECK(s.n == 3);
	CHECK(s.lo[0] == 1 && s.hi[0] == 512 && s.va[0] == t0 + PAGE_SIZE);
	CHECK(s.lo[1] == 0 && s.hi[1] == 512 && s.va[1] == t1);
	CHECK(s.lo[2] == 0 && s.hi[2] == 10 && s.va[2] == t3);
	CHECK(s.t[0] == pt_walk(root, t0, false) && s.t[2] + 9 == pt_walk(root, t3 + 9 * PAGE_SIZE, false));
	CHECK(s.in_use == 6);   /* t0 itself is outside; the parked entry is not asked for */
	s = (struct tables_seen){ .w = { .table = see_table, .parked = true }, .fail_at = 99 };
	CHECK(pt_walk_leaves(root, t0 + PAGE_SIZE, t3 + 9 * PAGE_SIZE + 1, &s.w) == 0);
	CHECK(s.in_use == 7);
	CHECK(pt_count_range(root, t0 + PAGE_SIZE, t3 + 9 * PAGE_SIZE + 1) == 6);

	/* Wholly inside one table, both ends mid-table. */
	s = (struct tables_seen){ .w = { .table = see_table }, .fail_at = 99 };
	CHECK(pt_walk_leaves(root, t1 + 2 * PAGE_SIZE, t1 + 6 * PAGE_SIZE, &s.w) == 0);
	CHECK(s.n == 1 && s.lo[0] == 2 && s.hi[0] == 6 && s.va[0] == t1 + 2 * PAGE_SIZE && s.in_use == 1);

	/* A table walk that fails stops there; pruning frees only what it emptied. */
	uint64_t pt_before = used(FRAME_PT);
	s = (struct tables_seen){ .w = { .table = see_table, .prune = true }, .fail_at = 1 };
	CHECK(pt_walk_leaves(root, 0, USER_TOP, &s.w) == -ENOMEM && s.n == 1);
	CHECK(used(FRAME_PT) == pt_before && s.w.tables_freed == 0);

	/* Unmapping from mid-table: the parked frame goes too, the tables it emptied go. */
	uint64_t freed;
	CHECK(pt_unmap_range(root, t0 + 5 * PAGE_SIZE, t1 + 8 * PAGE_SIZE, &freed) == 5);
	CHECK(freed == 1 && used(FRAME_PT) == pt_before - 1);   /* t1's table */
	CHECK(pt_lookup(root, t0) != 0 && pt_lookup(root, t0 + PAGE_SIZE) != 0);
	CHECK(pt_walk(root, t1 + 7 * PAGE_SIZE, false) == NULL);
	CHECK(pt_unmap_range(root, 0, USER_TOP, &freed) == 3);
	CHECK(used(FRAME_USER) == 0 && used(FRAME_PT) == 1);
}

static void count_all(uint64_t root) { pt_count_range(root, 0, USER_TOP); }

static void unmap_all(uint64_t root) { pt_unmap_range(root, 0, USER_TOP, NULL); }

/* A valid non-leaf entry at level 0 is a corrupt table: the walk panics. */
static void pt_walk_panics_on_level0_pointer(void)
{
	sim_reset(0);
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	CHECK(pt_map(root, 0x10000, frame_alloc(FRAME_USER), PTE_R | PTE_U) == 0);
	pte_t *e = pt_walk(root, 0x10000, false);
	*e &= ~PTE_RWX;   /* V alone: a pointer where a leaf must be */
	CHECK(dies_of_panic(unmap_all, root));   /* the table walk */
	CHECK(dies_of_panic(count_all, root));   /* the walk a leaf at a time */
	*e = 0;
	pt_map_range(root, 0x40000000, 0x80000000UL, PAGE_SIZE_2M, PTE_R | PTE_U);
	CHECK(dies_of_panic(unmap_all, root));   /* a superpage in user space */
}

static void pt_superpages(void)
{
	sim_reset(0);
	uint64_t root = frame_alloc_zeroed(FRAME_PT);
	uint64_t va = DIRECT_MAP_BASE + 0x80000000UL;
	/* 1 GiB + 2 MiB + 8 KiB: one gigapage, one megapage, two pages. */
	uint64_t size = PAGE_SIZE_1G + PAGE_SIZE_2M + 2 * PAGE_SIZE;
	CHECK(pt_map_range(root, va, 0x80000000UL, size, PTE_R | PTE_W) == 0);
	CHECK(used(FRAME_PT) == 1 + 1 + 1);
	pte_t big = pt_lookup(root, va + 12345);
	CHECK(pte_to_pa(big) == 0x80000000UL);
	pte_t mid = pt_lookup(root, va + PAGE_SIZE_1G + 5);
	CHECK(pte_to_pa(mid) == 0x80000000UL + PAGE_SIZE_1G);
	pte_t small = pt_lookup(root, va + PAGE_SIZE_1G + PAGE_SIZE_2M + PAGE_SIZE);
	CHECK(pte_to_pa(small) == 0x80000000UL + PAGE_SIZE_1G + PAGE_SIZE_2M + PAGE_SIZE);
	CHECK(pt_lookup(root, va + size) == 0);
}

/* ---- vm_area lists ---- */

static struct vma_list list;

/* vma_insert with the spec spelled out; a VMA_STACK label grows down. */
static int ins(struct vma_list *l, uint64_t start, uint64_t end, int prot,
	       enum vma_label label, struct vm_area **out)
{
	struct vma_spec spec = {
		.start = start, .end = end, .prot = prot, .label = label,
		.flags = VM_PRIVATE | (label == VMA_STACK ? VM_GROWSDOWN : 0),
		.backing = { .kind = VM_BACKING_ANON },
	};
	return vma_insert(l, &spec, out);
}

static void vma_reset(void)
{
	sim_reset(0);
	memset(&list, 0, sizeof(list));
}

static void vma_insert_sorted_and_find(void)
{
	vma_reset();
	struct vm_area *text, *heap, *stack;
	CHECK(ins(&list, 0x10000, 0x12000, PROT_READ | PROT_EXEC, VMA_IMAGE, &text) == 0);
	CHECK(ins(&list, USER_TOP - 0x100000, USER_TOP, PROT_READ | PROT_WRITE, VMA_STACK, &stack) == 0);
	CHECK(ins(&list, 0x13000, 0x13000, PROT_READ | PROT_WRITE, VMA_HEAP, &heap) == 0);
	CHECK(list.head == text && text->next == heap && heap->next == stack);
	CHECK(vma_find(&list, 0x10000) == text && vma_find(&list, 0x11fff) == text);
	CHECK(vma_find(&list, 0x12000) == NULL);
	CHECK(vma_find(&list, 0x13000) == NULL);   /* the empty heap holds nothing */
	CHECK(vma_find(&list, USER_TOP - 1) == stack);
	CHECK(vma_find(&list, USER_TOP - 0x100000 - 1) == NULL);   /* guard page */
	struct vm_area *a, *order[3];
	int n = 0;
	vma_foreach(a, &list)
		order[n++] = a;
	CHECK(n == 3 && order[0] == text && order[1] == heap && order[2] == stack);
	vma_free_list(&list);
}

static void vma_insert_rejects(void)
{
	vma_reset();
	CHECK(ins(&list, 0x10000, 0x20000, PROT_READ, VMA_IMAGE, NULL) == 0);
	CHECK(ins(&list, 0x1f000, 0x21000, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	CHECK(ins(&list, 0x0f000, 0x11000, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	CHECK(ins(&list, 0x10000, 0x20000, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	CHECK(ins(&list, 0x30001, 0x31000, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	CHECK(ins(&list, 0x30000, 0x30000, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	/* A stack's guard gap may not sit on another area. */
	uint64_t s0 = 0x20000 + VMA_GUARD_SIZE;
	CHECK(ins(&list, s0 - PAGE_SIZE, s0 + 0x10000, PROT_READ, VMA_STACK, NULL) == -EINVAL);
	CHECK(ins(&list, s0, s0 + 0x10000, PROT_READ, VMA_STACK, NULL) == 0);
	/* Nor may an area start inside a stack's guard gap. */
	CHECK(ins(&list, s0 - PAGE_SIZE, s0, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	CHECK(ins(&list, 0x20000, 0x21000, PROT_READ, VMA_IMAGE, NULL) == -EINVAL);
	/* vma_guarded_by names the stack for an address in its gap only. */
	CHECK(vma_guarded_by(&list, s0 - 1) && vma_guarded_by(&list, 0x20000));
	CHECK(vma_guarded_by(&list, 0x1ffff) == NULL && vma_guarded_by(&list, 0x5000) == NULL);
	CHECK(vma_guarded_by(&list, s0 + 0x10000) == NULL);
	vma_free_list(&list);
}

static void vma_split_find_gap(void)
{
	vma_reset();
	struct vm_area *a, *b;
	CHECK(ins(&list, 0x10000, 0x20000, PROT_READ, VMA_IMAGE, &a) == 0);
	CHECK(vma_split(&list, a, 0x10000, &b) == -EINVAL);
	CHECK(vma_split(&list, a, 0x18001, &b) == -EINVAL);
	CHECK(vma_split(&list, a, 0x18000, &b) == 0);
	CHECK(a->end == 0x18000 && b->start == 0x18000 && b->end == 0x20000 && a->next == b);
	CHECK(vma_find(&list, 0x18000) == b && vma_find(&list, 0x17fff) == a);
	uint64_t s0 = 0x100000000UL;
	CHECK(ins(&list, s0, s0 + 0x10000, PROT_READ, VMA_STACK, NULL) == 0);
	/* Gaps: [0x20000, s0 - guard) is the only big one; the highest fit is taken. */
	uint64_t at = 0;
	CHECK(vma_find_gap(&list, 0x3000, 0x10000, USER_TOP, &at) == 0);
	CHECK(at == USER_TOP - 0x3000);
	CHECK(vma_find_gap(&list, 0x3000, 0x10000, s0, &at) == 0 && at == s0 - VMA_GUARD_SIZE - 0x3000);
	CHECK(vma_find_gap(&list, s0, 0x10000, s0, &at) == -ENOMEM);
	CHECK(vma_range_free(&list, 0x20000, 0x30000));
	CHECK(!vma_range_free(&list, 0x1f000, 0x21000));
	CHECK(!vma_range_free(&list, s0 - PAGE_SIZE, s0));   /* the guard gap */
	vma_remove(&list, b);
	CHECK(vma_find(&list, 0x18000) == NULL && a->next != NULL);
	vma_free_list(&list);
}

static void vma_copy(void)
{
	vma_reset();
	struct vma_list copy = { 0 };
	CHECK(ins(&list, 0x10000, 0x20000, PROT_READ, VMA_IMAGE, NULL) == 0);
	CHECK(ins(&list, 0x20000, 0x30000, PROT_READ | PROT_WRITE, VMA_HEAP, NULL) == 0);
	CHECK(vma_copy_list(&copy, &list) == 0);
	CHECK(copy.head && copy.head != list.head && copy.head->next->label == VMA_HEAP);
	CHECK(copy.head->next->next == NULL);
	vma_free_list(&copy);
	vma_free_list(&list);
	CHECK(used(FRAME_KERNEL) == 0);   /* kmalloc gave its slab page back */
}

/* ---- brk arithmetic ---- */

static void brk_edges(void)
{
	vma_reset();
	struct vm_area *heap;
	uint64_t stack_start = USER_TOP - 0x100000;
	CHECK(ins(&list, 0x20000, 0x20000, PROT_READ | PROT_WRITE, VMA_HEAP, &heap) == 0);
	CHECK(ins(&list, stack_start, USER_TOP, PROT_READ | PROT_WRITE, VMA_STACK, NULL) == 0);
	uint64_t limit = vma_growth_limit(heap, USER_TOP);
	CHECK(limit == stack_start - VMA_GUARD_SIZE);

	uint64_t nb = 0;
	CHECK(vma_brk_target(heap, 0x20000, 1, limit, &nb) == 0 && nb == 0x20001);
	CHECK(vma_brk_target(heap, 0x20000, 0, limit, &nb) == 0 && nb == 0x20000);
	/* Up to the guard exactly: allowed. One byte more: refused. */
	CHECK(vma_brk_target(heap, 0x20000, (long)(limit - 0x20000), limit, &nb) == 0 && nb == limit);
	CHECK(vma_brk_target(heap, 0x20000, (long)(limit - 0x20000) + 1, limit, &nb) == -ENOMEM);
	/* A break inside the last page before the guard rounds up into it: refused. */
	CHECK(vma_brk_target(heap, limit - 10, 11, limit, &nb) == -ENOMEM);
	/* Huge and wrapping growth. */
	CHECK(vma_brk_target(heap, 0x20000, 0x7fffffffffffffffL, limit, &nb) == -ENOMEM);
	CHECK(vma_brk_target(heap, UINT64_MAX - 5, 100, UINT64_MAX, &nb) == -ENOMEM);
	/* Shrinking: to the start exactly is fine, below it is not. */
	heap->end = 0x30000;
	CHECK(vma_brk_target(heap, 0x2f000, -0xf000, limit, &nb) == 0 && nb == 0x20000);
	CHECK(vma_brk_target(heap, 0x2f000, -0xf001, limit, &nb) == -EINVAL);
	CHECK(vma_brk_target(heap, 0x2f000, -0x7fffffffffffffffL - 1, limit, &nb) == -EINVAL);
	vma_free_list(&list);
}

/* ---- kmalloc ---- */

static void kmalloc_classes(void)
{
	sim_reset(0);
	void *a = kmalloc(1), *b = kmalloc(16), *c = kmalloc(2048), *d = kmalloc(3000);
	CHECK(a && b && c && d && a != b);
	CHECK(((uintptr_t)d & (PAGE_SIZE - 1)) == 0);   /* a page of its own */
	CHECK(kmalloc(0) == NULL && kmalloc(PAGE_SIZE + 1) == NULL);
	memset(c, 0xff, 2048);
	kfree(c);
	unsigned char *e = kmalloc(2048);
	CHECK(e[100] == 0);   /* zeroed again */
	kfree(a);
	kfree(b);
	kfree(d);
	kfree(e);
	kfree(NULL);
	CHECK(used(FRAME_KERNEL) == 0);
}

static void kmalloc_many(void)
{
	sim_reset(0);
	void *p[600];
	for (int i = 0; i < 600; i++) {
		p[i] = kmalloc(64);
		CHECK(p[i] != NULL);
	}
	for (int i = 0; i < 600; i += 2)
		kfree(p[i]);
	for (int i = 1; i < 600; i += 2)
		kfree(p[i]);
	CHECK(used(FRAME_KERNEL) == 0);
}

int main(void)
{
	RUN(frame_counts_and_exhaustion);
	RUN(frame_refcounts);
	RUN(frame_get_put_balance);
	RUN(frame_pin_keeps_frame);
	RUN(frame_misuse_panics);
	RUN(frame_ptes_batch);
	RUN(frame_ptes_misuse_panics);
	RUN(frame_fail_nth_once);
	RUN(frame_fail_percent_share);
	RUN(frame_junk_fill);
	RUN(frame_release_rounds_inward);
	RUN(pt_map_lookup_unmap);
	RUN(pt_sparse_range);
	RUN(pt_walk_leaves_order_and_stop);
	RUN(pt_walk_tables_ranges);
	RUN(pt_walk_panics_on_level0_pointer);
	RUN(pt_superpages);
	RUN(vma_insert_sorted_and_find);
	RUN(vma_insert_rejects);
	RUN(vma_split_find_gap);
	RUN(vma_copy);
	RUN(brk_edges);
	RUN(kmalloc_classes);
	RUN(kmalloc_many);
	free(ram);
	free(meta);
	return CHECK_EXIT();
}
