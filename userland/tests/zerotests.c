/*
 * zerotests: the shared zero page.
 *
 * A read of untouched private memory maps one pinned all-zero frame
 * instead of a frame of its own; the first write replaces the mapping
 * with a private zeroed frame. No write may ever reach the zero page
 * itself, whoever makes it: a user store, a child's store to a mapping it
 * inherited, a parent's while a child shares the mapping, or the kernel's
 * own copies into user memory (read, fstat, wait's status, pipe's fds).
 * After each, a fresh page must still read all zero.
 *
 * One binary for every switch: memstat() says whether the zero page
 * (mm.zeropage) and copy-on-write (mm.cow) are on, and each case asserts
 * what must happen in that mode; with mm.zeropage=0 a read takes a frame.
 * cowtests and cowrefs check copy-on-write fork, stacktests stack growth.
 * docs/lazy-tests.md ("cowtests") lists the cases.
 *
 * Run as init (init=/zerotests test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "cowhelp.c"

#define ZERO_PATH_PAGES 10         /* zero_stays_zero: one or two per path */
#define ZERO_SIZE       (64 * MiB)

/* -- copy routines --------------------------------------------------------- */

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

/* -- reads and user stores ------------------------------------------------ */

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

int main(void)
{
	cow_warm_up("zerotests");

	run_case("read_into_zero", read_into_zero);
	run_case("fstat_into_zero", fstat_into_zero);
	run_case("wait_into_zero", wait_into_zero);
	run_case("pipe_into_zero", pipe_into_zero);
	run_case("zero_read_64m", zero_read_64m);
	run_case("zero_stays_zero", zero_stays_zero);

	run_case("zero_frames_balanced", balanced_since_start);
	exit(0);
}
