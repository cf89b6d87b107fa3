/*
 * lazytests: lazy heap allocation, checked from user space.
 *
 * sbrk only reserves; a page gets its frame when first touched, and the
 * frame count moves by exactly what the touches need (the pages plus the
 * page tables that map them). Shrinking gives the frames back and the
 * released pages fault; growing again gives zeroed pages. fork copies
 * only what is resident. (lazyio checks system calls and exec on
 * untouched memory, memtests the edges and the kills.)
 *
 * Booted with mm.eager=1 (memstat().eager == 1) sbrk allocates at once;
 * every case then checks that instead, so one binary passes either way.
 * docs/lazy-tests.md lists the cases and what each proves.
 *
 * Run as init (init=/lazytests test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"

#define BASIC_LEN      (3 * PAGE + 123)   /* not a whole number of pages */
#define SPARSE_SIZE    (1 * GiB)
#define SPARSE_STRIDE  (64 * PAGE)        /* touch every 64th page */
#define EAGER_RESERVE  4096               /* frames eager cases leave free */
#define GROW_SIZE      (100 * MiB)
#define REGROW_PAGES   3
#define FORK_PAGES     1000
#define FORK_TOUCHED   10                 /* pages 0, 100, ..., 900 */
#define FORK_EVERY     (FORK_PAGES / FORK_TOUCHED)
#define FILL           0x5a

/* A value for word i of a region at base, unlikely to appear by chance. */
static uint64 pattern(uint64 base, uint64 i)
{
	return (i * 0x9e3779b97f4a7c15UL) ^ base ^ 0x1a2b3c4d5e6f7788UL;
}

/* Pages from first to end in steps, counted. */
static uint64 pages_in(uint64 first, uint64 end, uint64 stride)
{
	return first >= end ? 0 : (end - first + stride - 1) / stride;
}

/* sbrk returns the old break; new memory is zero, readable, writable. */
static int sbrk_basic(void)
{
	char *old = sbrk(0), *p, *r;
	int err = 0;

	if (sbrk(0) != old)
		return fail("sbrk(0) moved the break");
	p = sbrk(BASIC_LEN);
	if (p == SBRK_FAILED)
		return fail("sbrk(%lu) failed", BASIC_LEN);
	if (p != old) {
		err = fail("sbrk(%lu) returned %p, break was %p", BASIC_LEN, p, old);
		goto out;
	}
	if (sbrk(0) != old + BASIC_LEN) {
		err = fail("break is %p after growing, want %p", sbrk(0), old + BASIC_LEN);
		goto out;
	}
	if (first_nonzero(p, BASIC_LEN) >= 0) {
		err = fail("new memory not zero at offset %ld", first_nonzero(p, BASIC_LEN));
		goto out;
	}
	for (uint64 i = 0; i < BASIC_LEN; i++)
		p[i] = (char)(i * 7 + 1);
	for (uint64 i = 0; i < BASIC_LEN; i++) {
		if (p[i] != (char)(i * 7 + 1)) {
			err = fail("byte %lu did not keep what was written", i);
			goto out;
		}
	}
	r = sbrk(-(int)BASIC_LEN);
	if (r != old + BASIC_LEN)
		return fail("shrinking returned %p, want the old break %p", r, old + BASIC_LEN);
	if (sbrk(0) != old)
		return fail("break is %p after shrinking back, want %p", sbrk(0), old);
	return 0;
out:
	brk_reset((uint64)old);
	return err;
}

/* The region the sparse cases share: set by sparse_touch, freed by the next. */
static struct {
	uint64 mark;         /* break before sparse_touch */
	uint64 free_mark;    /* free frames then */
	uint64 base, size;   /* the region; size 0 if sparse_touch gave up */
	uint64 free_base;    /* free frames just before sbrk(size) */
	uint64 frames;       /* frames the region holds: pages + tables */
	uint64 tables;       /* of those, page-table frames */
	uint64 resident0;    /* heap pages resident below base */
} sparse;

/* In eager mode: the largest sparse region that fits twice (parent + child). */
static uint64 eager_sparse_size(uint64 free)
{
	static const uint64 sizes[] = { SPARSE_SIZE, 64 * MiB, 16 * MiB, 4 * MiB };

	for (uint64 i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64 need = sizes[i] / PAGE + sizes[i] / LEVEL0_SPAN + 2;
		if (2 * need + EAGER_RESERVE < free)
			return sizes[i];
	}
	return 4 * MiB;
}

/* Eager mode with too little memory: sbrk(1 GiB) fails and leaks nothing. */
static int eager_1g_refused(void)
{
	uint64 b = brk_now(), before = free_now();

	if (sbrk(SPARSE_SIZE) != SBRK_FAILED) {
		sbrk(-(int)SPARSE_SIZE);
		return fail("eager sbrk(1 GiB) succeeded with %lu frames free", before);
	}
	if (brk_now() != b)
		return fail("a failed sbrk moved the break");
	if (free_now() != before)
		return fail("a failed eager sbrk leaked %ld frames",
			    (long)before - (long)free_now());
	return 0;
}

/* Touch every SPARSE_STRIDE-th page of the region: one word each. */
static void sparse_fill(uint64 base, uint64 size)
{
	for (uint64 va = base; va < base + size; va += SPARSE_STRIDE)
		*(volatile uint64 *)va = pattern(base, (va - base) / SPARSE_STRIDE);
}

/* Reads back what sparse_fill wrote; the first page that differs, or 0. */
static uint64 sparse_check(uint64 base, uint64 size)
{
	for (uint64 va = base; va < base + size; va += SPARSE_STRIDE)
		if (*(volatile uint64 *)va != pattern(base, (va - base) / SPARSE_STRIDE))
			return va;
	return 0;
}

/*
 * The lab's sparse array: sbrk(1 GiB), touch every 64th page, read all
 * back. Lazy: frames grow by exactly the touched pages plus the level-0
 * and level-1 tables they need, and the heap's resident count by the
 * touched pages. Eager: the frames are all taken at sbrk. The region is
 * kept for the next case.
 */
static int sparse_touch(void)
{
	struct memstat b, m, a;
	uint64 base, size = SPARSE_SIZE, touched, tables, all_pages, bad;

	sparse.mark = brk_now();
	sparse.free_mark = free_now();
	base = brk_align(LEVEL0_SPAN);
	if (base == 0)
		return fail("cannot align the break to 2 MiB");
	if (base >= LEVEL1_SPAN)
		return fail("heap at %p: the table count assumes the first GiB", (void *)base);
	if (eager) {
		uint64 free = free_now();
		size = eager_sparse_size(free);
		if (free < SPARSE_SIZE / PAGE + EAGER_RESERVE && eager_1g_refused())
			return -1;
	}
	sparse.resident0 = heap_resident();
	all_pages = size / PAGE;
	touched = pages_in(base, base + size, SPARSE_STRIDE);
	tables = table_cost(base, base, base + size, eager ? PAGE : SPARSE_STRIDE);

	memstat(&b);
	sparse.free_base = b.free_frames;
	if ((uint64)sbrk((int)size) != base)
		return fail("sbrk(%lu) did not return the old break %p", size, (void *)base);
	sparse.base = base;
	sparse.size = size;
	memstat(&m);
	if (!eager && m.free_frames != b.free_frames)
		return fail("sbrk(1 GiB) took %ld frames; lazy takes none",
			    (long)b.free_frames - (long)m.free_frames);
	if (eager && b.free_frames - m.free_frames != all_pages + tables)
		return fail("eager sbrk(%lu) took %ld frames, want %lu pages + %lu tables",
			    size, (long)b.free_frames - (long)m.free_frames, all_pages, tables);

	sparse_fill(base, size);
	memstat(&a);
	bad = sparse_check(base, size);
	if (bad)
		return fail("page %p lost what was written", (void *)bad);

	sparse.frames = (eager ? all_pages : touched) + tables;
	sparse.tables = tables;
	if (b.free_frames - a.free_frames != sparse.frames)
		return fail("frames used grew by %ld, want %lu (%lu pages + %lu tables)",
			    (long)b.free_frames - (long)a.free_frames, sparse.frames,
			    eager ? all_pages : touched, tables);
	if (a.pt_frames - b.pt_frames != tables)
		return fail("page-table frames grew by %ld, want %lu",
			    (long)(a.pt_frames - b.pt_frames), tables);
	if (a.user_frames - b.user_frames != (eager ? all_pages : touched))
		return fail("user frames grew by %ld, want %lu",
			    (long)(a.user_frames - b.user_frames), eager ? all_pages : touched);
	if (heap_resident() - sparse.resident0 != (eager ? all_pages : touched))
		return fail("heap resident grew by %lu pages, want %lu",
			    heap_resident() - sparse.resident0, eager ? all_pages : touched);
	if (a.faults_served - m.faults_served != (eager ? 0 : touched))
		return fail("%lu faults served for %lu first touches",
			    a.faults_served - m.faults_served, touched);
	return 0;
}

/*
 * Child of sparse_release: shrink the region away, then touch it. With
 * copy-on-write the child's pages are the parent's frames, so its shrink
 * frees only its own page tables; with mm.cow=0, its copies too.
 */
static void sparse_release_child(void)
{
	uint64 before = free_now(), freed, want = cow ? sparse.tables : sparse.frames;
	char *r = sbrk(-(int)sparse.size);

	if ((uint64)r != sparse.base + sparse.size)
		child_fail("sbrk(-%lu) returned %p", sparse.size, r);
	freed = free_now() - before;
	if (freed != want)
		child_fail("the shrink freed %lu frames, want %lu (the child's %s)",
			   freed, want, cow ? "tables" : "copies + tables");
	if (heap_resident() != sparse.resident0)
		child_fail("heap still has %lu resident pages after the shrink, want %lu",
			   heap_resident(), sparse.resident0);
	*(volatile uint64 *)sparse.base = 1;
	child_fail("a store to the released region at %p survived", (void *)sparse.base);
}

/*
 * The same region released by a child's sbrk(-1 GiB) frees the child's
 * frames and then faults: the child is killed. The parent's copy is
 * untouched by all that; freeing it gives every frame back.
 */
static int sparse_release(void)
{
	int err, lost = 0;
	uint64 bad, freed_to;

	if (sparse.size == 0) {
		brk_reset(sparse.mark);
		return fail("sparse_touch did not set up the region");
	}
	err = expect_killed(sparse_release_child);
	bad = sparse_check(sparse.base, sparse.size);
	if (sbrk(-(int)sparse.size) != (char *)(sparse.base + sparse.size))
		lost = -1;
	freed_to = free_now();
	if (brk_reset(sparse.mark))
		lost = -1;
	if (err)
		return err;
	if (bad)
		return fail("the child's shrink changed the parent's page %p", (void *)bad);
	if (lost)
		return fail("the parent could not shrink its heap back");
	if (freed_to != sparse.free_base)
		return fail("%ld frames missing after the parent freed the region",
			    (long)sparse.free_base - (long)freed_to);
	if (free_now() != sparse.free_mark)
		return fail("%ld frames missing after the break went back",
			    (long)sparse.free_mark - (long)free_now());
	return 0;
}

/*
 * sbrk(100 MiB) reserves: no frame moves, lazy_untouched grows by the
 * pages. One touch then costs its page and the level-0 table. Eager: the
 * frames move at sbrk (or, if they do not fit, sbrk fails and leaks
 * nothing). Shrinking back returns everything.
 */
static int grow_100m(void)
{
	struct memstat b, m, a;
	uint64 mark = brk_now(), base, pages = GROW_SIZE / PAGE, va, tables;
	char *p;
	int err = 0;

	base = brk_align(LEVEL0_SPAN);
	if (base == 0)
		return fail("cannot align the break to 2 MiB");
	memstat(&b);
	p = sbrk((int)GROW_SIZE);
	memstat(&m);
	if (p == SBRK_FAILED) {
		if (!eager)
			err = fail("sbrk(100 MiB) failed");
		else if (b.free_frames > pages + EAGER_RESERVE)
			err = fail("eager sbrk(100 MiB) failed with %lu frames free", b.free_frames);
		else if (m.free_frames != b.free_frames || brk_now() != base)
			err = fail("a failed eager sbrk moved the break or leaked frames");
		goto out;
	}
	if ((uint64)p != base) {
		err = fail("sbrk returned %p, want the old break %p", p, (void *)base);
		goto out;
	}
	tables = table_cost(base, base, base + GROW_SIZE, PAGE);
	if (!eager && (m.free_frames != b.free_frames ||
		       m.lazy_untouched - b.lazy_untouched != pages)) {
		err = fail("lazy sbrk took %ld frames and reserved %lu pages, want 0 and %lu",
			   (long)b.free_frames - (long)m.free_frames,
			   m.lazy_untouched - b.lazy_untouched, pages);
		goto out;
	}
	if (eager && (b.free_frames - m.free_frames != pages + tables ||
		      m.lazy_untouched != b.lazy_untouched)) {
		err = fail("eager sbrk took %ld frames, want %lu; untouched grew by %lu",
			   (long)b.free_frames - (long)m.free_frames, pages + tables,
			   m.lazy_untouched - b.lazy_untouched);
		goto out;
	}

	va = base + GROW_SIZE / 2;
	*(volatile char *)va = 1;
	memstat(&a);
	if (!eager) {
		uint64 want = 1 + table_cost(base, va, va + 1, PAGE);
		if (m.free_frames - a.free_frames != want ||
		    m.lazy_untouched - a.lazy_untouched != 1)
			err = fail("one touch took %ld frames (want %lu), untouched fell by %ld",
				   (long)m.free_frames - (long)a.free_frames, want,
				   (long)m.lazy_untouched - (long)a.lazy_untouched);
	} else if (a.free_frames != m.free_frames) {
		err = fail("a touch after eager sbrk took %ld frames",
			   (long)m.free_frames - (long)a.free_frames);
	}
out:
	if (brk_reset(base) || free_now() != b.free_frames)
		return err ? err : fail("%ld frames missing after shrinking back",
					(long)b.free_frames - (long)free_now());
	if (brk_reset(mark))
		return err ? err : fail("cannot put the break back");
	return err;
}

/* Grow, fill, shrink, grow again: the old contents are gone, pages zero. */
static int regrow_zeroed(void)
{
	uint64 mark = brk_now(), len = REGROW_PAGES * PAGE, res;
	char *p, *q;
	int err = 0;

	if (brk_align(PAGE) == 0)
		return fail("cannot align the break");
	res = heap_resident();
	p = sbrk((int)len);
	if (p == SBRK_FAILED)
		return fail("sbrk failed");
	memset(p, FILL, len);
	if (sbrk(-(int)len) != p + len) {
		err = fail("shrinking did not return the old break");
		goto out;
	}
	if (heap_resident() != res) {
		err = fail("%lu pages still resident after the shrink", heap_resident() - res);
		goto out;
	}
	q = sbrk((int)len);
	if (q != p) {
		err = fail("growing again returned %p, want %p", q, p);
		goto out;
	}
	if (first_nonzero(q, len) >= 0)
		err = fail("old contents survived at offset %ld", first_nonzero(q, len));
out:
	brk_reset(mark);
	return err;
}

/* Shared with fork_resident's child. */
static struct {
	char  *base;         /* FORK_PAGES pages */
	uint64 resident;     /* parent's heap resident pages at fork */
} fr;

static uint64 *fork_word(int page)
{
	return (uint64 *)(fr.base + (uint64)page * PAGE);
}

/* Child of fork_resident: what did fork give it? */
static void fork_child(void)
{
	enum { NUNTOUCHED = 3 };
	static const int untouched[NUNTOUCHED] = { 1, 55, 999 };
	struct memstat b, a;

	if (heap_resident() != fr.resident)
		child_fail("child has %lu heap pages resident, parent had %lu",
			   heap_resident(), fr.resident);
	for (int i = 0; i < FORK_PAGES; i += FORK_EVERY)
		if (*fork_word(i) != pattern((uint64)fr.base, i))
			child_fail("page %d lost its contents in the copy", i);
	memstat(&b);
	for (int k = 0; k < NUNTOUCHED; k++)
		if (first_nonzero((char *)fork_word(untouched[k]), PAGE) >= 0)
			child_fail("untouched page %d is not zero in the child", untouched[k]);
	memstat(&a);
	/* Had fork copied them, reading them would not fault. */
	if (a.faults_served - b.faults_served != (eager ? 0 : NUNTOUCHED))
		child_fail("reading %d untouched pages served %lu faults", NUNTOUCHED,
			   a.faults_served - b.faults_served);
	*fork_word(0) = 0;
	*fork_word(1) = 1;
	*fork_word(2) = 2;
}

/*
 * fork copies only resident pages: the parent touches 10 of 1000 sbrk'd
 * pages, and the child has exactly those (eager: all 1000). The child
 * reads untouched pages as zero, and its stores do not reach the parent.
 */
static int fork_resident(void)
{
	struct memstat b, a;
	uint64 mark = brk_now(), free0, res0;
	int err;

	if (brk_align(PAGE) == 0)
		return fail("cannot align the break");
	free0 = free_now();
	res0 = heap_resident();
	fr.base = sbrk((int)(FORK_PAGES * PAGE));
	if (fr.base == SBRK_FAILED)
		return fail("sbrk of %d pages failed", FORK_PAGES);
	for (int i = 0; i < FORK_PAGES; i += FORK_EVERY)
		*fork_word(i) = pattern((uint64)fr.base, i);
	fr.resident = heap_resident();
	if (fr.resident - res0 != (uint64)(eager ? FORK_PAGES : FORK_TOUCHED)) {
		brk_reset(mark);
		return fail("%lu heap pages resident, want %d", fr.resident - res0,
			    eager ? FORK_PAGES : FORK_TOUCHED);
	}
	err = expect_clean(fork_child);
	if (!err && heap_resident() != fr.resident)
		err = fail("the parent has %lu resident heap pages after the child ran, had %lu",
			   heap_resident(), fr.resident);
	memstat(&b);
	if (!err && (*fork_word(0) != pattern((uint64)fr.base, 0) || *fork_word(1) != 0 ||
		     *fork_word(2) != 0))
		err = fail("the child's stores changed the parent's pages");
	memstat(&a);
	/* Pages 1 and 2 are still the parent's own untouched ones. */
	if (!err && a.faults_served - b.faults_served != (eager ? 0 : 2))
		err = fail("reading 2 untouched pages after the child served %lu faults",
			   a.faults_served - b.faults_served);
	if (brk_reset(mark) || free_now() != free0)
		return err ? err : fail("%ld frames missing afterwards",
					(long)free0 - (long)free_now());
	return err;
}

int main(void)
{
	warm_up();

	run_case("sbrk_basic", sbrk_basic);
	run_case("sparse_touch", sparse_touch);
	run_case("sparse_release", sparse_release);
	run_case("grow_100m", grow_100m);
	run_case("regrow_zeroed", regrow_zeroed);
	run_case("fork_resident", fork_resident);

	run_case("frames_balanced", balanced_since_start);
	exit(0);
}
