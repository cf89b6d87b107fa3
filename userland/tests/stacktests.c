/*
 * stacktests: stack growth, and the guard gap below it.
 *
 * The stack reserves its whole 8 MiB limit; a page gets its frame when
 * first touched, as in the heap. Below the limit lies a 1 MiB guard gap
 * that the heap may never take: a fault in it kills with "stack
 * overflow" (the kill line on the console says so) instead of reaching
 * the heap. So recursion 4 MiB deep works, endless recursion dies after
 * using nearly all 8 MiB, a 2 MiB local array fits even with the heap at
 * its largest, and a frame, store or load that reaches the gap kills.
 *
 * One binary for every switch: the cases assert the same in every mode
 * of mm.cow and mm.zeropage, which decide how a child's inherited stack
 * and a read of an untouched page are served (printed at the start).
 * cowtests and cowrefs check copy-on-write fork, zerotests the zero page.
 * docs/lazy-tests.md ("cowtests") lists the cases.
 *
 * Run as init (init=/stacktests test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"

#define STACK_DEEP      (4 * MiB)  /* stack_recursion_4m */
#define RECURSE_FRAME   1024       /* bytes of each recursion's frame */
#define BIG_FRAME       (2 * MiB)  /* a local array larger than the guard gap */
#define NEAR_LIMIT      (512 * KiB)          /* sp above the limit before... */
#define GAP_FRAME       (1 * MiB + 128 * KiB) /* ...a frame reaching into the gap */
#define HEAP_MARK       0x77

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

	warm_up();
	memstat(&st);
	printf("stacktests: cow %d, zeropage %d, %lu frames free\n", cow, st.zeropage != 0,
	       start_free);

	run_case("stack_recursion_4m", stack_recursion_4m);
	run_case("stack_overflow_kills", stack_overflow_kills);
	run_case("big_frame_in_stack", big_frame_in_stack);
	run_case("big_frame_to_gap_kills", big_frame_to_gap_kills);
	run_case("below_limit_kills", below_limit_kills);

	run_case("stack_frames_balanced", balanced_since_start);
	exit(0);
}
