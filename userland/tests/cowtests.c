/*
 * cowtests: copy-on-write fork: isolation, the kernel's copies, OOM.
 *
 * fork shares private pages read-only; the first write copies the page
 * (or, when no one else maps the frame, reuses it). Whatever the order of
 * the writes, each process sees only its own values: the parent and the
 * child one after the other or at the same time, three generations of
 * forks, and a child that only reads shares every page. The kernel's own
 * copies into user memory (read, fstat, wait's status, pipe's fds) must
 * break sharing like a user store. When the first writer needs more
 * frames than are free, it alone is killed.
 *
 * One binary for every switch: memstat() says whether copy-on-write
 * (mm.cow) is on, and each case asserts what must happen in that mode, to
 * the frame where it can. Cases that only work with copy-on-write assert
 * the clean failure without it (generations). cowrefs checks frame
 * references through fork, write, exit and exec; zerotests the zero page;
 * stacktests stack growth. docs/lazy-tests.md ("cowtests") lists the cases.
 *
 * Run as init (init=/cowtests test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "cowhelp.c"

#define ISO_PAGES       256        /* fork_isolation's region */
#define RACE_PAGES      1024       /* fork_isolation_race's region */
#define RACE_ROUNDS     4
#define READER_PAGES    4096       /* 16 MiB that a child only reads */
#define READER_SLACK    (READER_PAGES / 16)   /* what a COW fork may cost */
#define GEN_SHARE_PCT   60         /* generations: region, % of free frames */
#define GEN_NOCOW_PCT   18         /* the same without copy-on-write */
#define GEN_PART_DIV    8          /* each generation writes 1/8 of it */
#define GENERATIONS     3
#define OOM_RESIDENT_PCT  45       /* oom: resident share of free frames */
#define OOM_UNTOUCHED_PCT 30       /* and reserved, untouched */

/* Fill every word of [base, base + len) with a value of its own. */
static void fill_words(uint64 base, uint64 len)
{
	for (uint64 off = 0; off < len; off += 8)
		*(volatile uint64 *)(base + off) = pattern(9, off, 0);
}

/* The first word of [base, base + len) fill_words did not leave, or -1. */
static long check_words(uint64 base, uint64 len)
{
	for (uint64 off = 0; off < len; off += 8)
		if (*(volatile uint64 *)(base + off) != pattern(9, off, 0))
			return (long)off;
	return -1;
}

/* -- isolation ----------------------------------------------------------- */

static int go_fd;             /* iso_child: read end the parent says "go" on */
static uint64 free_at_fork;   /* reader_shares: free frames just before the fork */

/* Child of fork_isolation: write everything, then outlive the parent's writes. */
static void iso_child(void)
{
	uint64 f1, f2;
	long bad;
	char c;

	prefault_self();
	f1 = free_now();
	fill_pages(shared.base, 0, shared.pages, 1);
	f2 = free_now();
	if (f1 - f2 != (cow ? shared.pages : 0))
		child_fail("writing %lu shared pages took %ld frames, want %lu", shared.pages,
			   (long)(f1 - f2), cow ? shared.pages : 0);
	if ((bad = check_pages(shared.base, 0, shared.pages, 1)) >= 0)
		child_fail("the child's page %ld lost its own value", bad);
	child_tick();
	if (read(go_fd, &c, 1) != 1)
		child_fail("no go from the parent");
	if ((bad = check_pages(shared.base, 0, shared.pages, 1)) >= 0)
		child_fail("the parent's store reached the child's page %ld", bad);
}

/*
 * Parent and child each write every shared page, one after the other:
 * each reads back only its own values. The child's writes copy (cow) and
 * then the parent's reuse its frames, as no one else maps them.
 */
static int fork_isolation(void)
{
	uint64 mark = brk_now(), f1, f2;
	int rep[2], go[2], pid, err = 0;
	struct vmmap_entry h;
	struct child c;
	long bad;

	if (shared_new(ISO_PAGES))
		return fail("sbrk failed");
	if (pipe(rep) < 0 || pipe(go) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid < 0)
		return fail("fork failed");
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		report_fd = rep[1];
		go_fd = go[0];
		iso_child();
		exit(0);
	}
	close(rep[1]);
	close(go[0]);
	h = heap_now();
	if (cow && (h.cow != h.resident || h.resident < ISO_PAGES))
		err = fail("after fork %lu of %lu resident heap pages are copy-on-write",
			   h.cow, h.resident);
	if (!cow && h.cow != 0)
		err = fail("mm.cow=0, yet %lu heap pages are copy-on-write", h.cow);
	memset(&c, 0, sizeof(c));
	if (read(rep[0], c.out, 1) != 1 || c.out[0] != TICK_MARK) {
		collect(rep[0], &c);   /* the rest of the child's why */
		close(rep[0]);
		close(go[1]);
		wait_for(pid);
		brk_reset(mark);
		return fail("child: %s", c.out_len ? c.out : "died before writing");
	}
	if (!err && (bad = check_pages(shared.base, 0, ISO_PAGES, 0)) >= 0)
		err = fail("the child's store reached the parent's page %ld", bad);
	f1 = free_now();
	fill_pages(shared.base, 0, ISO_PAGES, 2);
	f2 = free_now();
	if (!err && f1 != f2)
		err = fail("the parent's writes after the child's copies took %ld frames, want 0",
			   (long)(f1 - f2));
	write(go[1], "g", 1);
	close(go[1]);
	collect(rep[0], &c);
	close(rep[0]);
	c.status = wait_for(pid);
	if (!err && c.status != 0)
		err = fail("child: %s", c.why[0] ? c.why : "ended badly");
	if (!err && (bad = check_pages(shared.base, 0, ISO_PAGES, 2)) >= 0)
		err = fail("the parent's page %ld lost its own value", bad);
	brk_reset(mark);
	return err;
}

/* Child of fork_isolation_race: write and check, rounds, with no pause. */
static void race_child(void)
{
	for (int r = 0; r < RACE_ROUNDS; r++) {
		long bad;

		fill_pages(shared.base, 0, shared.pages, 10 + r);
		if ((bad = check_pages(shared.base, 0, shared.pages, 10 + r)) >= 0)
			child_fail("round %d: the child's page %ld changed under it", r, bad);
	}
}

/* Both write every page at the same time (on several harts at -smp 4). */
static int fork_isolation_race(void)
{
	uint64 mark = brk_now(), free0 = free_now();
	int rep, pid, err = 0;
	struct child c;

	if (shared_new(RACE_PAGES))
		return fail("sbrk failed");
	if ((rep = start_child(race_child, &pid)) < 0)
		return fail("pipe or fork failed");
	for (int r = 0; r < RACE_ROUNDS && !err; r++) {
		long bad;

		fill_pages(shared.base, 0, RACE_PAGES, 20 + r);
		if ((bad = check_pages(shared.base, 0, RACE_PAGES, 20 + r)) >= 0)
			err = fail("round %d: the parent's page %ld changed under it", r, bad);
	}
	end_child(rep, pid, &c);
	if (!err && c.status != 0)
		err = fail("child: %s", c.why[0] ? c.why : "ended badly");
	if (brk_reset(mark) == 0 && free_settled(free0) != free0 && !err)
		err = fail("%ld frames missing afterwards", (long)(free0 - free_now()));
	return err;
}

/* What page i holds in generation g's view: the last writer of its part. */
static int gen_owner(uint64 i, int g)
{
	uint64 part = shared.pages / GEN_PART_DIV;
	int k = (int)(i / part);

	return k >= 1 && k <= g ? k : 0;
}

/* The first page not as generation g sees it, or -1. */
static long gen_check(int g)
{
	uint64 part = shared.pages / GEN_PART_DIV;

	for (uint64 k = 0; k * part < shared.pages; k++) {
		uint64 to = (k + 1) * part < shared.pages ? (k + 1) * part : shared.pages;
		long bad = check_pages(shared.base, k * part, to, gen_owner(k * part, g));
		if (bad >= 0)
			return bad;
	}
	return -1;
}

/* Generation g: see the ancestors' values, write part g, fork the next. */
static void generation(int g)
{
	uint64 part = shared.pages / GEN_PART_DIV;
	long bad;

	if ((bad = gen_check(g - 1)) >= 0)
		child_fail("generation %d inherited a wrong page %ld", g, bad);
	fill_pages(shared.base, g * part, (g + 1) * part, g);
	if ((bad = gen_check(g)) >= 0)
		child_fail("generation %d: page %ld wrong after its writes", g, bad);
	if (g < GENERATIONS) {
		int pid = fork();
		if (pid < 0)
			child_fail("the fork of generation %d failed", g + 1);
		if (pid == 0) {
			generation(g + 1);
			exit(0);
		}
		if (wait_for(pid) != 0)
			exit(CHILD_FAILED);   /* the descendant said why */
		if ((bad = gen_check(g)) >= 0)
			child_fail("generation %d: a descendant's store reached page %ld", g, bad);
	}
	child_tick();
}

static void generation_one(void)
{
	generation(1);
}

/* Without copy-on-write a fork of a region over half the free frames fails cleanly. */
static int big_fork_refused(void)
{
	uint64 before = free_now(), after;
	int pid = fork();

	if (pid == 0)
		exit(0);
	if (pid > 0) {
		wait_for(pid);
		return fail("mm.cow=0: fork of %lu resident pages succeeded with %lu free",
			    shared.pages, before);
	}
	after = free_now();
	if (after != before)
		return fail("the failed fork leaked %ld frames", (long)(before - after));
	return 0;
}

/*
 * Three generations of forks each write their own eighth of a region of
 * 60% of the free frames: ancestors and descendants see only their own
 * values. It fits only with copy-on-write; with mm.cow=0 that fork must
 * fail with -1 and leak nothing, and the generations then run on 18%.
 */
static int generations(void)
{
	uint64 mark = brk_now(), free0 = free_now(), pages;
	struct child c;
	long bad;
	int err = 0;

	pages = free0 * GEN_SHARE_PCT / 100;
	if (shared_new(pages - pages % GEN_PART_DIV))
		return fail("sbrk of %lu pages failed", pages - pages % GEN_PART_DIV);
	if (!cow) {
		err = big_fork_refused();
		brk_reset(mark);
		if (err)
			return err;
		pages = free0 * GEN_NOCOW_PCT / 100;
		if (shared_new(pages - pages % GEN_PART_DIV))
			return fail("sbrk of %lu pages failed", pages - pages % GEN_PART_DIV);
	}
	if (run_child(generation_one, &c) < 0)
		err = fail("pipe or fork failed");
	else if (c.status != 0 || c.ticks != GENERATIONS)
		err = fail("%d of %d generations passed: %s", c.ticks, GENERATIONS,
			   c.why[0] ? c.why : "one was killed");
	else if ((bad = gen_check(0)) >= 0)
		err = fail("a descendant's store reached the parent's page %ld", bad);
	brk_reset(mark);
	if (!err && free_settled(free0) != free0)
		err = fail("%ld frames missing afterwards", (long)(free0 - free_now()));
	return err;
}

/* Child of reader_shares: read every page; no frame moves. */
static void reader_child(void)
{
	struct vmmap_entry h;
	struct memstat st;
	uint64 f1, f2, cost;
	long bad;

	prefault_self();
	f1 = free_now();
	cost = free_at_fork - f1;
	if ((bad = check_pages(shared.base, 0, shared.pages, 0)) >= 0)
		child_fail("the child reads a wrong page %ld", bad);
	f2 = free_now();
	if (f1 != f2)
		child_fail("reading %lu inherited pages took %ld frames", shared.pages,
			   (long)(f1 - f2));
	h = heap_now();
	memstat(&st);
	if (cow && (h.shared != h.resident || h.cow != h.resident || h.resident < shared.pages ||
		    h.pss_x1000 != h.resident * 500 || st.shared_frames < shared.pages))
		child_fail("heap: %lu resident, %lu shared, %lu cow, pss %lu/1000; %lu shared "
			   "frames in all", h.resident, h.shared, h.cow, h.pss_x1000,
			   st.shared_frames);
	if (cow && cost >= READER_SLACK)
		child_fail("the fork of a reader took %lu frames (pages: %lu)", cost, shared.pages);
	if (!cow && (h.shared != 0 || cost < shared.pages))
		child_fail("mm.cow=0: fork took %lu frames for %lu pages, %lu shared",
			   cost, shared.pages, h.shared);
}

/* A child that only reads a 16 MiB region shares every page of it. */
static int reader_shares(void)
{
	uint64 mark = brk_now();
	int err;

	if (shared_new(READER_PAGES))
		return fail("sbrk failed");
	free_at_fork = free_now();
	err = expect_clean(reader_child);
	brk_reset(mark);
	return err;
}

/* -- copy routines --------------------------------------------------------- */

static enum target_op cur_op;   /* what cow_target_child makes the kernel do */

static void cow_target_child(void)
{
	const char *why = target_op(cur_op, shared.base);

	if (why)
		child_fail("%s", why);
}

/* The kernel writes through op into a page the child shares with us. */
static int cow_target(enum target_op op)
{
	uint64 mark = brk_now(), free0 = free_now();
	long bad;
	int err;

	shared.pages = TARGET_PAGES;
	shared.base = region_new(TARGET_PAGES);
	if (!shared.base)
		return fail("sbrk failed");
	fill_words(shared.base, TARGET_PAGES * PAGE);
	cur_op = op;
	err = expect_clean(cow_target_child);
	if (!err && (bad = check_words(shared.base, TARGET_PAGES * PAGE)) >= 0)
		err = fail("the child's %s() changed the parent's word at +%ld", op_names[op], bad);
	brk_reset(mark);
	if (!err && free_settled(free0) != free0)
		err = fail("%ld frames missing afterwards", (long)(free0 - free_now()));
	return err;
}

static int read_into_cow(void)  { return cow_target(OP_READ); }
static int fstat_into_cow(void) { return cow_target(OP_FSTAT); }
static int wait_into_cow(void)  { return cow_target(OP_WAIT); }
static int pipe_into_cow(void)  { return cow_target(OP_PIPE); }

/* -- out of memory --------------------------------------------------------- */

static struct {
	uint64 resident, untouched;   /* pages of the region */
	int owner_first;              /* which process writes first */
	int go[2];
} oom;

/* Write every page of the region (a copy or a new frame each) and check. */
static void oom_write_all(int id)
{
	long bad;

	fill_pages(shared.base, 0, oom.resident + oom.untouched, id);
	if ((bad = check_pages(shared.base, 0, oom.resident + oom.untouched, id)) >= 0)
		child_fail("writer %d: page %ld lost what was written", id, bad);
}

/*
 * The owner O: 45% of the free frames written, 30% more reserved; fork
 * C. The first writer needs more than is free and is killed; the other
 * then finds its frames and completes (and ticks once).
 */
static void oom_owner(void)
{
	uint64 free0 = free_now();
	int pid;
	char c;

	oom.resident = free0 * OOM_RESIDENT_PCT / 100;
	oom.untouched = free0 * OOM_UNTOUCHED_PCT / 100;
	shared.base = region_new(oom.resident + oom.untouched);
	if (!shared.base)
		child_fail("sbrk failed");
	fill_pages(shared.base, 0, oom.resident, 0);
	if (pipe(oom.go) < 0)
		child_fail("pipe failed");
	pid = fork();
	if (pid < 0)
		child_fail("fork failed (%lu pages resident)", oom.resident);
	if (pid == 0) {
		close(oom.go[1]);
		read(oom.go[0], &c, 1);   /* "go", or EOF once O is dead */
		oom_write_all(2);
		child_tick();
		exit(0);
	}
	close(oom.go[0]);
	if (oom.owner_first) {
		oom_write_all(1);
		child_fail("the owner wrote %lu pages with %lu free at the start",
			   oom.resident + oom.untouched, free0);
	}
	write(oom.go[1], "g", 1);
	if (wait_for(pid) != KILLED)
		child_fail("the child was not killed writing %lu pages with %lu free",
			   oom.resident + oom.untouched, free0);
	oom_write_all(1);
	child_tick();
}

/* Only the writer that finds no frame dies; the other completes. */
static int oom_writer(int owner_first)
{
	uint64 free0 = free_now();
	struct child c;
	int err = 0;

	oom.owner_first = owner_first;
	if (run_child(oom_owner, &c) < 0)
		return fail("pipe or fork failed");
	reap_all();
	if (c.why[0])
		err = fail("%s", c.why);
	else if (c.status != (owner_first ? KILLED : 0))
		err = fail("the owner ended with %d, want %d", c.status, owner_first ? KILLED : 0);
	else if (c.ticks != 1)
		err = fail("%d processes completed, want 1", c.ticks);
	if (free_settled(free0) != free0 && !err)
		err = fail("%ld frames missing afterwards", (long)(free0 - free_now()));
	return err;
}

static int oom_child_writes_first(void) { return oom_writer(0); }
static int oom_owner_writes_first(void) { return oom_writer(1); }

int main(void)
{
	cow_warm_up("cowtests");

	run_case("fork_isolation", fork_isolation);
	run_case("fork_isolation_race", fork_isolation_race);
	run_case("generations", generations);
	run_case("reader_shares", reader_shares);
	run_case("read_into_cow", read_into_cow);
	run_case("fstat_into_cow", fstat_into_cow);
	run_case("wait_into_cow", wait_into_cow);
	run_case("pipe_into_cow", pipe_into_cow);
	run_case("oom_child_writes_first", oom_child_writes_first);
	run_case("oom_owner_writes_first", oom_owner_writes_first);

	run_case("cow_frames_balanced", balanced_since_start);
	exit(0);
}
