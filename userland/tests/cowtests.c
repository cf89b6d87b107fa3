/*
 * cowtests: copy-on-write fork, the shared zero page, stack growth.
 *
 * fork shares private pages read-only; the first write copies (or, when
 * no one else maps the frame, reuses it). A read of untouched private
 * memory maps one pinned zero page; a write replaces it with a private
 * zeroed frame. The stack reserves its whole 8 MiB limit and a 1 MiB
 * guard gap that the heap may never take; a fault in the gap kills with
 * "stack overflow". The kernel's own copies into user memory (read,
 * fstat, wait's status, pipe's fds) must break sharing like a user store.
 *
 * One binary for every switch: memstat() says whether copy-on-write
 * (mm.cow) and the zero page (mm.zeropage) are on, and each case asserts
 * what must happen in that mode, to the frame where it can. Cases that
 * only work with copy-on-write assert the clean failure without it
 * (generations). docs/lazy-tests.md ("cowtests") lists the cases.
 *
 * Run as init (init=/cowtests test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "lazuli/stat.h"
#include "check.h"
#include "lazyhelp.c"

#define ISO_PAGES       256        /* fork_isolation's region */
#define RACE_PAGES      1024       /* fork_isolation_race's region */
#define RACE_ROUNDS     4
#define READER_PAGES    4096       /* 16 MiB that a child only reads */
#define READER_SLACK    (READER_PAGES / 16)   /* what a COW fork may cost */
#define GEN_SHARE_PCT   60         /* generations: region, % of free frames */
#define GEN_NOCOW_PCT   18         /* the same without copy-on-write */
#define GEN_PART_DIV    8          /* each generation writes 1/8 of it */
#define GENERATIONS     3
#define TARGET_PAGES    4          /* copy-routine targets */
#define ZERO_PATH_PAGES 10         /* zero_stays_zero: one or two per path */
#define ORDER_PAGES     64         /* reference-count scenarios */
#define EXEC_PAGES      256
#define OOM_RESIDENT_PCT  45       /* oom: resident share of free frames */
#define OOM_UNTOUCHED_PCT 30       /* and reserved, untouched */
#define ZERO_SIZE       (64 * MiB)
#define READ_LEN        64         /* bytes read() moves into a target */
#define WAIT_STATUS     42
#define STACK_DEEP      (4 * MiB)  /* stack_recursion_4m */
#define RECURSE_FRAME   1024       /* bytes of each recursion's frame */
#define BIG_FRAME       (2 * MiB)  /* a local array larger than the guard gap */
#define NEAR_LIMIT      (512 * KiB)          /* sp above the limit before... */
#define GAP_FRAME       (1 * MiB + 128 * KiB) /* ...a frame reaching into the gap */
#define HEAP_MARK       0x77

enum target_op { OP_READ, OP_FSTAT, OP_WAIT, OP_PIPE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "read", "fstat", "wait", "pipe" };

static int zeropage;         /* memstat().zeropage: reads map the zero page */

/* Word i of a page written by writer id (0: the original owner). */
static uint64 pattern(int id, uint64 page, int end)
{
	return (page * 0x9e3779b97f4a7c15UL) ^ ((uint64)id << 56) ^ (end ? 0xe11d : 0x5eed);
}

/* Store writer id's pattern at both ends of pages [from, to) of base. */
static void fill_pages(uint64 base, uint64 from, uint64 to, int id)
{
	for (uint64 i = from; i < to; i++) {
		volatile uint64 *p = (volatile uint64 *)(base + i * PAGE);
		p[0] = pattern(id, i, 0);
		p[PAGE / 8 - 1] = pattern(id, i, 1);
	}
}

/* The first page of [from, to) not holding id's pattern, or -1. */
static long check_pages(uint64 base, uint64 from, uint64 to, int id)
{
	for (uint64 i = from; i < to; i++) {
		volatile uint64 *p = (volatile uint64 *)(base + i * PAGE);
		if (p[0] != pattern(id, i, 0) || p[PAGE / 8 - 1] != pattern(id, i, 1))
			return (long)i;
	}
	return -1;
}

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

/* A fresh region of pages at a 2 MiB-aligned break; its base, or 0. */
static uint64 region_new(uint64 pages)
{
	uint64 base = brk_align(LEVEL0_SPAN);

	if (base == 0 || brk_move((long)(pages * PAGE)))
		return 0;
	return base;
}

static struct vmmap_entry heap_now(void)
{
	struct vmmap_entry heap;

	memset(&heap, 0, sizeof(heap));
	find_area(0, VMMAP_KIND_HEAP, &heap);
	return heap;
}

/* -- isolation ----------------------------------------------------------- */

static struct {
	uint64 base, pages;
	int go_fd;                /* child: read end the parent says "go" on */
	uint64 free_fork;         /* free frames just before the fork */
} shared;

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
	if (read(shared.go_fd, &c, 1) != 1)
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

	shared.pages = ISO_PAGES;
	shared.base = region_new(ISO_PAGES);
	if (!shared.base)
		return fail("sbrk failed");
	fill_pages(shared.base, 0, ISO_PAGES, 0);
	if (pipe(rep) < 0 || pipe(go) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid < 0)
		return fail("fork failed");
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		report_fd = rep[1];
		shared.go_fd = go[0];
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
	int rep[2], pid, err = 0;
	struct child c;

	shared.pages = RACE_PAGES;
	shared.base = region_new(RACE_PAGES);
	if (!shared.base)
		return fail("sbrk failed");
	fill_pages(shared.base, 0, RACE_PAGES, 0);
	if (pipe(rep) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid < 0)
		return fail("fork failed");
	if (pid == 0) {
		close(rep[0]);
		report_fd = rep[1];
		race_child();
		exit(0);
	}
	close(rep[1]);
	for (int r = 0; r < RACE_ROUNDS && !err; r++) {
		long bad;

		fill_pages(shared.base, 0, RACE_PAGES, 20 + r);
		if ((bad = check_pages(shared.base, 0, RACE_PAGES, 20 + r)) >= 0)
			err = fail("round %d: the parent's page %ld changed under it", r, bad);
	}
	memset(&c, 0, sizeof(c));
	collect(rep[0], &c);
	close(rep[0]);
	c.status = wait_for(pid);
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
	shared.pages = pages - pages % GEN_PART_DIV;
	shared.base = region_new(shared.pages);
	if (!shared.base)
		return fail("sbrk of %lu pages failed", shared.pages);
	fill_pages(shared.base, 0, shared.pages, 0);
	if (!cow) {
		err = big_fork_refused();
		brk_reset(mark);
		if (err)
			return err;
		pages = free0 * GEN_NOCOW_PCT / 100;
		shared.pages = pages - pages % GEN_PART_DIV;
		shared.base = region_new(shared.pages);
		if (!shared.base)
			return fail("sbrk of %lu pages failed", shared.pages);
		fill_pages(shared.base, 0, shared.pages, 0);
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
	cost = shared.free_fork - f1;
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

	shared.pages = READER_PAGES;
	shared.base = region_new(READER_PAGES);
	if (!shared.base)
		return fail("sbrk failed");
	fill_pages(shared.base, 0, READER_PAGES, 0);
	shared.free_fork = free_now();
	err = expect_clean(reader_child);
	brk_reset(mark);
	return err;
}

/* -- copy routines --------------------------------------------------------- */

/*
 * Let the kernel write into dst through op, straddling a page boundary
 * where the result is larger than one word, and check what arrived.
 * NULL, or why it failed.
 */
static const char *target_op(enum target_op op, uint64 base)
{
	static const char msg[READ_LEN] = "copy-on-write must not leak into the parent";
	int fds[2], pid;
	char c = 'x';

	switch (op) {
	case OP_READ: {
		char *dst = (char *)(base + PAGE - READ_LEN / 2);
		if (pipe(fds) < 0 || write(fds[1], msg, READ_LEN) != READ_LEN)
			return "pipe or write failed";
		int n = read(fds[0], dst, READ_LEN);
		close(fds[0]);
		close(fds[1]);
		if (n != READ_LEN || memcmp(dst, msg, READ_LEN) != 0)
			return "read() did not land its bytes";
		return 0;
	}
	case OP_FSTAT: {
		struct stat *st = (struct stat *)(base + PAGE - 8);
		int fd = open("/echo", O_RDONLY);
		int r = fd < 0 ? -1 : fstat(fd, st);
		if (fd >= 0)
			close(fd);
		if (r != 0 || st->type != T_FILE || st->size == 0)
			return "fstat() did not land its result";
		return 0;
	}
	case OP_WAIT: {
		int *status = (int *)(base + PAGE - 4);
		pid = fork();
		if (pid < 0)
			return "fork failed";
		if (pid == 0)
			exit(WAIT_STATUS);
		if (wait(status) != pid || *status != WAIT_STATUS)
			return "wait() did not land the status";
		return 0;
	}
	case OP_PIPE: {
		int *p = (int *)(base + PAGE - 4);   /* fds[1] on the next page */
		if (pipe(p) < 0)
			return "pipe() failed";
		int ok = p[0] >= 0 && p[1] >= 0 && p[0] != p[1] && write(p[1], "k", 1) == 1 &&
			 read(p[0], &c, 1) == 1 && c == 'k';
		close(p[0]);
		close(p[1]);
		return ok ? 0 : "pipe() did not land working fds";
	}
	case OP_COUNT:
		break;
	}
	return "no such op";
}

static enum target_op cur_op;

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

/*
 * A fresh page, read, then checked: all zero, and (zero page on) mapped
 * to the zero page rather than a frame of its own. NULL or why not.
 */
static const char *fresh_page_zero(void)
{
	static char why[WHY_MAX];
	uint64 mark = brk_now(), page;
	struct vmmap_entry b, a;
	long nz;

	page = brk_align(PAGE);
	b = heap_now();
	if (page == 0 || sbrk(PAGE) == SBRK_FAILED)
		return "sbrk failed";
	(void)*(volatile char *)page;
	a = heap_now();
	nz = first_nonzero((char *)page, PAGE);
	brk_reset(mark);
	if (zeropage && (a.zero != b.zero + 1 || a.resident != b.resident))
		return "a read of a fresh page did not map the zero page";
	if (!zeropage && a.resident != b.resident + 1)
		return "mm.zeropage=0: a read of a fresh page did not give it a frame";
	if (nz >= 0) {
		snprintf(why, sizeof(why), "a fresh zero-mapped page holds a byte at +%ld", nz);
		return why;
	}
	return 0;
}

/* Fresh heap pages, each read once: zero-mapped (or, mm.zeropage=0, own frames). */
static uint64 zero_region(uint64 pages, const char **why)
{
	struct vmmap_entry b = heap_now(), a;
	uint64 base = region_new(pages);

	*why = 0;
	if (!base) {
		*why = "sbrk failed";
		return 0;
	}
	for (uint64 i = 0; i < pages; i++)
		(void)*(volatile char *)(base + i * PAGE);
	a = heap_now();
	if (zeropage && a.zero - b.zero != pages)
		*why = "reading fresh pages did not map the zero page";
	if (!zeropage && a.resident - b.resident != pages)
		*why = "mm.zeropage=0: reading fresh pages did not give them frames";
	return base;
}

/* The kernel writes through op into zero-page memory. */
static int zero_target(enum target_op op)
{
	uint64 mark = brk_now(), base;
	const char *why;
	int err = 0;

	base = zero_region(TARGET_PAGES, &why);
	if (!why)
		why = target_op(op, base);
	if (why)
		err = fail("%s", why);
	/* The bytes around the target are still zero. */
	if (!err && first_nonzero((char *)base, PAGE - READ_LEN / 2) >= 0)
		err = fail("%s() wrote below its target", op_names[op]);
	if (!err && first_nonzero((char *)base + PAGE + READ_LEN / 2, 3 * PAGE - READ_LEN / 2) >= 0)
		err = fail("%s() wrote above its target", op_names[op]);
	brk_reset(mark);
	if (!err && (why = fresh_page_zero()) != 0)
		err = fail("after %s(): %s", op_names[op], why);
	return err;
}

static int read_into_zero(void)  { return zero_target(OP_READ); }
static int fstat_into_zero(void) { return zero_target(OP_FSTAT); }
static int wait_into_zero(void)  { return zero_target(OP_WAIT); }
static int pipe_into_zero(void)  { return zero_target(OP_PIPE); }

/* -- reference counts ------------------------------------------------------ */

/*
 * A scenario: the steps of two processes sharing a region, M (the owner,
 * our child) and C (M's child). "mw" M writes every page, "mx" M exits
 * (and we reap it), "cw", "cx" the same for C (and M, if alive, reaps it).
 */
struct order {
	const char *name;
	const char *steps[4];
};

static const struct order orders[] = {
	{ "refs_mw_mx_cw_cx", { "mw", "mx", "cw", "cx" } },
	{ "refs_mw_cw_mx_cx", { "mw", "cw", "mx", "cx" } },
	{ "refs_mw_cw_cx_mx", { "mw", "cw", "cx", "mx" } },
	{ "refs_cw_mw_mx_cx", { "cw", "mw", "mx", "cx" } },
	{ "refs_cw_mw_cx_mx", { "cw", "mw", "cx", "mx" } },
	{ "refs_cw_cx_mw_mx", { "cw", "cx", "mw", "mx" } },
	{ "refs_mw_mx_cx",    { "mw", "mx", "cx" } },
	{ "refs_mw_cx_mx",    { "mw", "cx", "mx" } },
	{ "refs_cx_mw_mx",    { "cx", "mw", "mx" } },
	{ "refs_cw_cx_mx",    { "cw", "cx", "mx" } },
	{ "refs_cw_mx_cx",    { "cw", "mx", "cx" } },
	{ "refs_mx_cw_cx",    { "mx", "cw", "cx" } },
	{ "refs_mx_cx",       { "mx", "cx" } },
	{ "refs_cx_mx",       { "cx", "mx" } },
};
#define NORDERS ((int)(sizeof(orders) / sizeof(orders[0])))

#define ACK_OK   '+'
#define CMD_WRITE_COPIES 'W'   /* write; every page must be copied */
#define CMD_WRITE_REUSES 'w'   /* write; no frame may move */
#define CMD_REAP  'r'
#define CMD_EXIT  'x'

static struct {
	int cmd[2][2];     /* [0]: to M, [1]: to C */
	int ack[2];
	int cpid;          /* in M: its child */
} ord;

/* In M or C: fail through the ack pipe. */
static void __attribute__((noreturn)) worker_fail(const char *why)
{
	char buf[WHY_MAX + 1];
	int n = snprintf(buf, sizeof(buf), "!%s", why);

	write(ord.ack[1], buf, n < WHY_MAX ? n : WHY_MAX);
	exit(CHILD_FAILED);
}

/* M (id 1) or C (id 2): obey the commands on fd until told to exit. */
static void __attribute__((noreturn)) worker(int id, int fd)
{
	char why[WHY_MAX], op;
	int wrote = 0;

	prefault_self();
	write(ord.ack[1], "+", 1);
	while (read(fd, &op, 1) == 1) {
		uint64 f1, f2, want = op == CMD_WRITE_COPIES ? ORDER_PAGES : 0;
		switch (op) {
		case CMD_WRITE_COPIES:
		case CMD_WRITE_REUSES:
			f1 = free_now();
			fill_pages(shared.base, 0, ORDER_PAGES, id);
			f2 = free_now();
			wrote = 1;
			if (f1 - f2 != want) {
				snprintf(why, sizeof(why), "%c's writes took %ld frames, want %lu",
					 id == 1 ? 'M' : 'C', (long)(f1 - f2), want);
				worker_fail(why);
			}
			break;
		case CMD_REAP:
			if (wait_for(ord.cpid) != 0)
				worker_fail("C ended badly");
			break;
		case CMD_EXIT:
			break;
		}
		if (check_pages(shared.base, 0, ORDER_PAGES, wrote ? id : 0) >= 0) {
			snprintf(why, sizeof(why), "%c's pages do not hold %s values",
				 id == 1 ? 'M' : 'C', wrote ? "its own" : "the original");
			worker_fail(why);
		}
		write(ord.ack[1], "+", 1);
		if (op == CMD_EXIT)
			exit(0);
	}
	worker_fail("command pipe closed");
}

/* M: make the region, fork C, then obey. */
static void __attribute__((noreturn)) owner(void)
{
	close(ord.cmd[0][1]);
	close(ord.cmd[1][1]);
	close(ord.ack[0]);
	shared.base = region_new(ORDER_PAGES);
	if (!shared.base)
		worker_fail("sbrk failed");
	fill_pages(shared.base, 0, ORDER_PAGES, 0);
	ord.cpid = fork();
	if (ord.cpid < 0)
		worker_fail("fork of C failed");
	if (ord.cpid == 0) {
		close(ord.cmd[0][0]);
		worker(2, ord.cmd[1][0]);
	}
	close(ord.cmd[1][0]);
	worker(1, ord.cmd[0][0]);
}

/* Wait for one ack; 0, or fail() with what the worker said. */
static int await_ack(const char *step)
{
	char buf[WHY_MAX];
	int n;

	if (read(ord.ack[0], buf, 1) != 1)
		return fail("%s: no answer", step);
	if (buf[0] == ACK_OK)
		return 0;
	n = read(ord.ack[0], buf + 1, sizeof(buf) - 2);
	buf[n > 0 ? n + 1 : 1] = '\0';
	return fail("%s: %s", step, buf[0] == WHY_MARK ? buf + 1 : buf);
}

static void close_order_pipes(void)
{
	for (int i = 0; i < 2; i++) {
		close(ord.cmd[i][0]);
		close(ord.cmd[i][1]);
	}
	close(ord.ack[0]);
	close(ord.ack[1]);
}

/* Run one scenario; frames must be where they were when it is over. */
static int run_order(const struct order *o)
{
	uint64 free0 = free_now();   /* the pipes are made and freed inside */
	int alive[2] = { 1, 1 }, wrote[2] = { 0, 0 }, mpid, err = 0;

	if (pipe(ord.cmd[0]) < 0 || pipe(ord.cmd[1]) < 0 || pipe(ord.ack) < 0)
		return fail("pipe failed");
	mpid = fork();
	if (mpid < 0) {
		close_order_pipes();
		return fail("fork failed");
	}
	if (mpid == 0)
		owner();
	close(ord.cmd[0][0]);
	close(ord.cmd[1][0]);
	close(ord.ack[1]);
	ord.cmd[0][0] = ord.cmd[1][0] = ord.ack[1] = -1;
	if (await_ack("start M") || await_ack("start C"))
		err = -1;
	for (int s = 0; s < 4 && o->steps[s] && !err; s++) {
		int who = o->steps[s][0] == 'c', other = !who;
		char cmd = CMD_EXIT;

		if (o->steps[s][1] == 'w') {
			cmd = cow && alive[other] && !wrote[other] ? CMD_WRITE_COPIES
								   : CMD_WRITE_REUSES;
			wrote[who] = 1;
		}
		write(ord.cmd[who][1], &cmd, 1);
		if ((err = await_ack(o->steps[s])) != 0)
			break;
		if (cmd != CMD_EXIT)
			continue;
		alive[who] = 0;
		if (who == 0) {
			if (wait_for(mpid) != 0)
				err = fail("M ended badly");
		} else if (alive[0]) {
			cmd = CMD_REAP;
			write(ord.cmd[0][1], &cmd, 1);
			err = await_ack("M reaps C");
		}
	}
	close_order_pipes();   /* a worker left behind reads EOF and exits */
	if (err)
		kill(mpid);
	reap_all();
	if (free_settled(free0) != free0 && !err)
		err = fail("%ld frames missing after %s", (long)(free0 - free_now()), o->name);
	return err;
}

/* Fork then exec: exec drops the child's references, the parent's writes reuse. */
static void exec_child(void)
{
	char *argv[] = { "echo", "cowexec", 0 };

	close(1);
	if (dup(report_fd) != 1)
		child_fail("dup failed");
	exec("/echo", argv);
	child_fail("exec returned");
}

static int fork_exec(void)
{
	uint64 mark = brk_now(), free0 = free_now(), f1, f2;
	struct vmmap_entry h;
	struct child c;
	long bad;
	int err = 0;

	shared.base = region_new(EXEC_PAGES);
	if (!shared.base)
		return fail("sbrk failed");
	fill_pages(shared.base, 0, EXEC_PAGES, 0);
	if (run_child(exec_child, &c) < 0)
		err = fail("pipe or fork failed");
	else if (c.status != 0 || strcmp(c.out, "cowexec\n") != 0)
		err = fail("echo said \"%s\", status %d", c.out, c.status);
	h = heap_now();
	if (!err && h.shared != 0)
		err = fail("%lu heap pages still shared after the child exec'd", h.shared);
	f1 = free_now();
	fill_pages(shared.base, 0, EXEC_PAGES, 1);
	f2 = free_now();
	if (!err && f1 != f2)
		err = fail("writing pages no one else maps took %ld frames", (long)(f1 - f2));
	if (!err && (bad = check_pages(shared.base, 0, EXEC_PAGES, 1)) >= 0)
		err = fail("page %ld lost what was written", bad);
	brk_reset(mark);
	if (!err && free_settled(free0) != free0)
		err = fail("%ld frames missing afterwards", (long)(free0 - free_now()));
	return err;
}

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

/* -- the zero page --------------------------------------------------------- */

/*
 * A read pass over 64 MiB of fresh heap takes only page tables (zero page
 * on) and leaves every byte zero; then one store per page takes one
 * frame each. With mm.zeropage=0 the reads take the frames instead.
 */
static int zero_read_64m(void)
{
	uint64 mark = brk_now(), base, pages = ZERO_SIZE / PAGE, tables, want;
	struct memstat b, m, a;
	int err = 0;

	base = brk_align(LEVEL0_SPAN);
	if (base == 0 || brk_move((long)ZERO_SIZE))
		return fail("sbrk(64 MiB) failed");
	tables = table_cost(base, base, base + ZERO_SIZE, PAGE);
	memstat(&b);
	for (uint64 va = base; va < base + ZERO_SIZE; va += PAGE)
		if (*(volatile uint64 *)va != 0) {
			err = fail("fresh page %p is not zero", (void *)va);
			goto out;
		}
	memstat(&m);
	want = tables + (zeropage ? 0 : pages);
	if (b.free_frames - m.free_frames != want) {
		err = fail("the read pass took %ld frames, want %lu (%lu tables)",
			   (long)(b.free_frames - m.free_frames), want, tables);
		goto out;
	}
	if (m.zero_mappings - b.zero_mappings != (zeropage ? pages : 0)) {
		err = fail("zero mappings grew by %ld, want %lu",
			   (long)(m.zero_mappings - b.zero_mappings), zeropage ? pages : 0);
		goto out;
	}
	for (uint64 va = base; va < base + ZERO_SIZE; va += PAGE)
		*(volatile char *)(va + (va / PAGE) % PAGE) = 1;
	memstat(&a);
	want = zeropage ? pages : 0;
	if (m.free_frames - a.free_frames != want)
		err = fail("one store per page took %ld frames, want %lu",
			   (long)(m.free_frames - a.free_frames), want);
	else if (a.zero_mappings != b.zero_mappings)
		err = fail("%ld zero mappings left after every page was written",
			   (long)(a.zero_mappings - b.zero_mappings));
out:
	if (brk_reset(mark) == 0 && free_now() != b.free_frames && !err)
		err = fail("%ld frames missing after shrinking back",
			   (long)(b.free_frames - free_now()));
	return err;
}

/* Child of zero_stays_zero: store into every zero-mapped page it inherited. */
static void zero_child(void)
{
	for (uint64 i = 0; i < shared.pages; i++)
		*(volatile uint64 *)(shared.base + i * PAGE + 8) = ~0UL;
}

/*
 * Write through every path into zero-mapped memory, each into a page that
 * maps the zero page when it happens: a user store (page 0), a child's
 * stores (all, in the child), a store while a child shares the mapping
 * (page 1), then read, fstat, wait and pipe (pages 2-9, a pair each, the
 * result straddling them). Then a fresh zero-mapped page reads all zero.
 */
static int zero_stays_zero(void)
{
	uint64 mark = brk_now(), base;
	const char *why;
	int pid, err = 0;

	base = zero_region(ZERO_PATH_PAGES, &why);
	shared.base = base;
	shared.pages = ZERO_PATH_PAGES;
	if (!why) {
		*(volatile uint64 *)(base + 16) = ~0UL;
		if ((err = expect_clean(zero_child)) != 0)
			goto out;
		pid = fork();
		if (pid == 0) {
			sleep(2);   /* the parent stores meanwhile */
			exit(first_nonzero((char *)base + PAGE, PAGE) >= 0);
		}
		*(volatile uint64 *)(base + PAGE) = ~0UL;
		if (pid < 0 || wait_for(pid) != 0)
			why = "a child saw the parent's store to a zero mapping they shared";
	}
	for (int op = 0; op < OP_COUNT && !why; op++)
		why = target_op((enum target_op)op, base + (2 + 2 * (uint64)op) * PAGE);
	if (!why && (*(volatile uint64 *)(base + 16) != ~0UL ||
		     first_nonzero((char *)base + 8, 8) >= 0))
		why = "the user store did not stick, or the child's reached us";
out:
	brk_reset(mark);
	if (!err && !why)
		why = fresh_page_zero();
	if (!err && why)
		err = fail("%s", why);
	return err;
}

/* -- the stack ------------------------------------------------------------- */

static uint64 stack_top;    /* the stack area's end */
static uint64 stack_limit;  /* its start: it may grow down to here */
static uint64 stack_gap;    /* the guard gap below the limit */
static uint64 deepest;      /* bytes deep the recursion got */
static uint64 deepest_mib;  /* MiB reached so far (ticked) */

/* Recurse until the stack is `deep` bytes deep; each frame checks itself. */
static int __attribute__((noinline)) recurse(uint64 deep, int level)
{
	volatile char pad[RECURSE_FRAME];
	uint64 depth = stack_top - (uint64)pad;
	int below = 0;

	pad[0] = (char)level;
	pad[RECURSE_FRAME - 1] = (char)~level;
	if (depth > deepest)
		deepest = depth;
	if (depth / MiB > deepest_mib) {
		deepest_mib = depth / MiB;
		child_tick();
	}
	if (depth < deep)
		below = recurse(deep, level + 1);
	if (pad[0] != (char)level || pad[RECURSE_FRAME - 1] != (char)~level)
		child_fail("the frame at depth %lu lost its contents", depth);
	return below + 1;
}

static void stack_setup(void)
{
	struct vmmap_entry s;

	if (find_area(0, VMMAP_KIND_STACK, &s))
		child_fail("no stack area in vmmap");
	stack_top = s.end;
	stack_limit = s.start;
	stack_gap = s.guard;
	deepest = deepest_mib = 0;
}

static void deep_child(void)
{
	struct vmmap_entry s;
	int levels;

	stack_setup();
	levels = recurse(STACK_DEEP, 0);
	find_area(0, VMMAP_KIND_STACK, &s);
	if (deepest < STACK_DEEP || s.resident < STACK_DEEP / PAGE)
		child_fail("%d levels, %lu bytes deep, %lu stack pages resident", levels,
			   deepest, s.resident);
}

/* Recursion 4 MiB deep works under the default 8 MiB limit. */
static int stack_recursion_4m(void)
{
	return expect_clean(deep_child);
}

static void overflow_child(void)
{
	stack_setup();
	recurse(~0UL, 0);
	child_fail("infinite recursion returned");
}

/* Recursing past the limit kills ("stack overflow"), after using it all. */
static int stack_overflow_kills(void)
{
	struct vmmap_entry s;
	uint64 limit_mib;
	struct child c;

	if (find_area(0, VMMAP_KIND_STACK, &s))
		return fail("no stack area in vmmap");
	limit_mib = (s.end - s.start) / MiB;
	if (run_child(overflow_child, &c) < 0)
		return fail("pipe or fork failed");
	if (c.status != KILLED)
		return fail("status %d: %s", c.status, c.why[0] ? c.why : "not killed");
	if ((uint64)c.ticks < limit_mib - 1)
		return fail("killed %d MiB deep; the limit is %lu MiB", c.ticks, limit_mib);
	return 0;
}

/* Grow the heap as far as sbrk allows, to the gap; mark its last byte. */
static uint64 heap_to_gap(void)
{
	uint64 guard, now;

	stack_setup();
	guard = stack_limit - stack_gap;
	if (guard != guard_page())
		child_fail("vmmap: the gap's bottom is %p, guard_page() %p", (void *)guard,
			   (void *)guard_page());
	while (sbrk(SBRK_MAX) != SBRK_FAILED)
		;
	now = brk_now();
	if (guard == 0 || now > guard || sbrk((int)(guard - now)) == SBRK_FAILED)
		child_fail("cannot grow the heap to the stack's gap at %p", (void *)guard);
	if (sbrk(1) != SBRK_FAILED || brk_now() != guard)
		child_fail("the heap grew into the gap");
	*(volatile char *)(guard - 1) = HEAP_MARK;
	return guard;
}

static void __attribute__((noinline)) big_frame(void)
{
	volatile char big[BIG_FRAME];

	for (uint64 i = 0; i < BIG_FRAME; i += PAGE)
		big[i] = (char)(i / PAGE);
	for (uint64 i = 0; i < BIG_FRAME; i += PAGE)
		if (big[i] != (char)(i / PAGE))
			child_fail("the big frame lost its byte at %lu", i);
}

/* Heap at its largest; a 2 MiB local array still lives in the stack. */
static void big_frame_child(void)
{
	uint64 guard = heap_to_gap(), res = heap_resident();

	big_frame();
	if (*(volatile char *)(guard - 1) != HEAP_MARK || heap_resident() != res)
		child_fail("a local array larger than the gap reached the heap");
}

static int big_frame_in_stack(void)
{
	return expect_clean(big_frame_child);
}

static void __attribute__((noinline)) gap_frame(uint64 guard)
{
	volatile char big[GAP_FRAME];

	if ((uint64)big < guard || (uint64)big >= guard + stack_gap)
		child_fail("setup: the frame's bottom %p is not in the gap", big);
	big[0] = 1;
	child_fail("a store at %p, in the stack's guard gap, survived", big);
}

/*
 * Heap at its largest, the stack 512 KiB from its limit, then a frame
 * larger than the gap whose bottom lies in it: stack overflow, not heap.
 */
static void gap_frame_child(void)
{
	uint64 guard = heap_to_gap(), here = (uint64)&guard;
	uint64 want = stack_limit + NEAR_LIMIT;
	volatile char *pad = __builtin_alloca(here - want);

	pad[0] = 0;   /* at the new sp: in the stack, just above the limit */
	gap_frame(guard);
}

static int big_frame_to_gap_kills(void)
{
	return expect_killed(gap_frame_child);
}

static void below_limit_store_child(void)
{
	uint64 limit = heap_to_gap() + stack_gap;

	*(volatile char *)(limit - 1) = 1;
	child_fail("a store just below the stack's limit survived");
}

static void gap_bottom_load_child(void)
{
	uint64 guard = heap_to_gap();

	if (*(volatile char *)(guard - 1) != HEAP_MARK)
		child_fail("the heap's last byte lost its mark");
	(void)*(volatile char *)guard;
	child_fail("a load from the gap's lowest byte survived");
}

/* Pointers just below the limit and at the gap's bottom kill; the heap below works. */
static int below_limit_kills(void)
{
	if (expect_killed(below_limit_store_child))
		return -1;
	return expect_killed(gap_bottom_load_child);
}

int main(void)
{
	struct memstat st;

	memstat(&st);
	zeropage = st.zeropage != 0;
	warm_up();
	printf("cowtests: cow %d, zeropage %d, %lu frames free\n", cow, zeropage, start_free);

	run_case("fork_isolation", fork_isolation);
	run_case("fork_isolation_race", fork_isolation_race);
	run_case("generations", generations);
	run_case("reader_shares", reader_shares);
	run_case("read_into_cow", read_into_cow);
	run_case("fstat_into_cow", fstat_into_cow);
	run_case("wait_into_cow", wait_into_cow);
	run_case("pipe_into_cow", pipe_into_cow);
	run_case("read_into_zero", read_into_zero);
	run_case("fstat_into_zero", fstat_into_zero);
	run_case("wait_into_zero", wait_into_zero);
	run_case("pipe_into_zero", pipe_into_zero);
	for (int i = 0; i < NORDERS; i++) {
		check_why[0] = '\0';
		report(orders[i].name, run_order(&orders[i]) == 0, check_why);
	}
	run_case("fork_exec", fork_exec);
	run_case("oom_child_writes_first", oom_child_writes_first);
	run_case("oom_owner_writes_first", oom_owner_writes_first);
	run_case("zero_read_64m", zero_read_64m);
	run_case("zero_stays_zero", zero_stays_zero);
	run_case("stack_recursion_4m", stack_recursion_4m);
	run_case("stack_overflow_kills", stack_overflow_kills);
	run_case("big_frame_in_stack", big_frame_in_stack);
	run_case("big_frame_to_gap_kills", big_frame_to_gap_kills);
	run_case("below_limit_kills", below_limit_kills);

	run_case("cow_frames_balanced", balanced_since_start);
	exit(0);
}
