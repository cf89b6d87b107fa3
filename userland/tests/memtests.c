/*
 * memtests: the edges of sbrk, illegal accesses, out of memory.
 *
 * sbrk refuses what it cannot do (below the heap's start, past the
 * stack's guard) and then changes nothing. An access no area allows
 * (above the break, a released page, the guard page, the kernel half,
 * a store to text, a fetch from the heap) kills the process with status
 * -1 and nothing else (lazyio checks the same addresses handed to system
 * calls). Running out of memory in a fault kills the process that
 * faulted, never the kernel, and every frame comes back. Each illegal
 * access runs in a child; the parent checks how it ended.
 *
 * Works lazy or eager (mm.eager=1). docs/lazy-tests.md lists the cases.
 * Run as init (init=/memtests test=1) or from the shell.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"

#define SHRINK_PAGES   4
#define HUGE_TRIES     200        /* 256 GiB / 2 GiB = 128 are enough */
#define SBRK_MIN       (-SBRK_MAX - 1)
#define RET_INSN       0x00008067 /* jalr x0, 0(ra) */
#define NOP_INSN       0x00000013 /* addi x0, x0, 0 */

#define OOM_CHUNK      (1 * MiB)  /* what the malloc child takes at a time */
#define MALLOC_GAVE_UP 7          /* its status when malloc returned 0 */
#define NHOGS          8
#define HOG_CHUNK      (4 * MiB)
#define EAGER_HOG_CHUNK (64 * KiB) /* eager sbrk needs the frames at once */
#define SBRK_REFUSED   8          /* a hog's status when sbrk said no */

static int go_fd = -1;            /* in a hog: read end of the start pipe */

/* Nothing calls it; a child stores into its code. */
static void __attribute__((noinline)) text_target(void)
{
	__asm__ volatile("nop");
}

/* Child: grow, touch, shrink, touch a released page. */
static void shrink_touch_child(void)
{
	char *p, *r;

	if (brk_align(PAGE) == 0)
		child_fail("cannot align the break");
	p = sbrk((int)(SHRINK_PAGES * PAGE));
	if (p == SBRK_FAILED)
		child_fail("sbrk failed");
	memset(p, 1, SHRINK_PAGES * PAGE);
	r = sbrk(-(int)(SHRINK_PAGES * PAGE));
	if (r != p + SHRINK_PAGES * PAGE)
		child_fail("shrinking returned %p, want %p", r, p + SHRINK_PAGES * PAGE);
	*(volatile char *)p = 2;
	child_fail("a store to released page %p survived", p);
}

/* A page given back by sbrk(-n) faults like any unmapped page: kill. */
static int shrink_touch_kills(void)
{
	return expect_killed(shrink_touch_child);
}

static void above_break_child(void)
{
	uint64 b = brk_align(PAGE);

	if (b == 0)
		child_fail("cannot align the break");
	*(volatile char *)(b + 100) = 1;
	child_fail("a store above the break at %p survived", (void *)(b + 100));
}

/* The first page above a page-aligned break belongs to no area: kill. */
static int above_break_kills(void)
{
	return expect_killed(above_break_child);
}

/* sbrk(-huge) is refused and changes nothing: break, frames. */
static int sbrk_huge_negative(void)
{
	struct vmmap_entry heap;
	uint64 b = brk_now(), f = free_now(), size;
	static const int deltas[] = { -SBRK_MAX, SBRK_MIN };

	if (find_area(0, VMMAP_KIND_HEAP, &heap))
		return fail("no heap area in vmmap");
	size = b - heap.start;
	for (int i = 0; i < 2; i++)
		if (sbrk(deltas[i]) != SBRK_FAILED)
			return fail("sbrk(%d) did not fail", deltas[i]);
	if (size < SBRK_MAX && sbrk(-(int)size - 1) != SBRK_FAILED)
		return fail("shrinking one byte below the heap's start did not fail");
	if (brk_now() != b)
		return fail("a refused sbrk moved the break from %p to %p", (void *)b, sbrk(0));
	if (free_now() != f)
		return fail("a refused sbrk changed free frames by %ld", (long)free_now() - (long)f);
	return 0;
}

/* Child: shrink to exactly the heap's start; one byte more is refused. */
static void heap_start_child(void)
{
	struct vmmap_entry heap;
	uint64 b = brk_now();
	char *p;

	if (find_area(0, VMMAP_KIND_HEAP, &heap))
		child_fail("no heap area in vmmap");
	if (b - heap.start >= SBRK_MAX)
		child_fail("heap too large for the case");
	if (sbrk(-(int)(b - heap.start)) != (char *)b)
		child_fail("shrinking to the heap's start failed");
	if (brk_now() != heap.start)
		child_fail("break %p, heap starts at %p", sbrk(0), (void *)heap.start);
	if (sbrk(-1) != SBRK_FAILED)
		child_fail("sbrk(-1) at the heap's start did not fail");
	if (brk_now() != heap.start)
		child_fail("a refused sbrk(-1) moved the break");
	p = sbrk(PAGE);
	if (p != (char *)heap.start)
		child_fail("growing from the start returned %p", p);
	*(volatile char *)p = 1;
}

/* The heap may shrink to its start and no further. */
static int sbrk_to_heap_start(void)
{
	return expect_clean(heap_start_child);
}

/*
 * The heap grows only up to the stack's guard page: sbrk(0x7fffffff) in
 * a loop succeeds ~127 times (lazy) and then fails without moving the
 * break; sbrk can take it exactly to the guard and not a byte past.
 * Lazy: no frame is taken for all that reservation. Eager: the first
 * 2 GiB already do not fit, and the failure leaks nothing.
 */
static int sbrk_huge_positive(void)
{
	struct memstat b, a;
	uint64 mark = brk_now(), start, guard = guard_page(), now = 0, gap;
	int n = 0, err = 0;

	if (guard == 0)
		return fail("no stack area in vmmap");
	start = brk_align(PAGE);
	memstat(&b);
	for (; n < HUGE_TRIES; n++) {
		now = brk_now();
		char *p = sbrk(SBRK_MAX);
		if (p == SBRK_FAILED)
			break;
		if ((uint64)p != now) {
			err = fail("sbrk returned %p, break was %p", p, (void *)now);
			goto out;
		}
	}
	if (n < HUGE_TRIES && brk_now() != now) {
		err = fail("the failed sbrk moved the break");
		goto out;
	}
	memstat(&a);
	if (eager) {
		if (b.free_frames < SBRK_MAX / PAGE && n != 0)
			err = fail("eager sbrk(2 GiB) succeeded with %lu frames free", b.free_frames);
		else if (a.free_frames != b.free_frames)
			err = fail("failed eager sbrk leaked %ld frames",
				   (long)b.free_frames - (long)a.free_frames);
		goto out;
	}
	if (n == HUGE_TRIES) {
		err = fail("sbrk(0x7fffffff) never failed");
		goto out;
	}
	if (a.free_frames != b.free_frames) {
		err = fail("reserving %lu bytes took %ld frames", now - start,
			   (long)b.free_frames - (long)a.free_frames);
		goto out;
	}
	if (a.lazy_untouched - b.lazy_untouched != (PAGE_UP(now) - start) / PAGE) {
		err = fail("lazy_untouched grew by %lu, want %lu",
			   a.lazy_untouched - b.lazy_untouched, (PAGE_UP(now) - start) / PAGE);
		goto out;
	}
	if (now > guard || guard - now > SBRK_MAX) {
		err = fail("sbrk stopped at %p with the guard at %p", (void *)now, (void *)guard);
		goto out;
	}
	gap = guard - now;
	if (sbrk((int)gap) != (char *)now || brk_now() != guard) {
		err = fail("cannot grow the last %lu bytes up to the guard", gap);
		goto out;
	}
	if (sbrk(1) != SBRK_FAILED || sbrk(PAGE) != SBRK_FAILED || brk_now() != guard) {
		err = fail("the heap grew into the stack's guard page");
		goto out;
	}
	*(volatile char *)(guard - 1) = 3;
	if (*(volatile char *)(guard - 1) != 3)
		err = fail("the heap's last byte did not keep a store");
out:
	if (brk_reset(mark))
		return err ? err : fail("cannot put the break back");
	if (free_now() != b.free_frames)
		return err ? err : fail("%ld frames missing after shrinking back",
					(long)b.free_frames - (long)free_now());
	return err;
}

static void kernel_load_child(void)
{
	(void)*(volatile char *)KERNEL_VA;
	child_fail("a load from the kernel at %p survived", (void *)KERNEL_VA);
}

static void kernel_store_child(void)
{
	*(volatile char *)KERNEL_VA = 0;
	child_fail("a store to the kernel at %p survived", (void *)KERNEL_VA);
}

static void guard_load_child(void)
{
	uint64 g = guard_page();

	if (g == 0)
		child_fail("no stack area in vmmap");
	(void)*(volatile char *)(g + PAGE / 2);
	child_fail("a load from the guard page %p survived", (void *)g);
}

static void guard_store_child(void)
{
	uint64 g = guard_page();

	if (g == 0)
		child_fail("no stack area in vmmap");
	*(volatile char *)(g + PAGE - 8) = 0;
	child_fail("a store to the guard page %p survived", (void *)g);
}

static void text_store_child(void)
{
	*(volatile uint32 *)(uint64)text_target = NOP_INSN;
	child_fail("a store to text at %p survived", (void *)(uint64)text_target);
}

/* Child: put a `ret` in a heap page and call it. */
static void heap_exec_child(void)
{
	uint32 *p;

	if (brk_align(PAGE) == 0)
		child_fail("cannot align the break");
	p = (uint32 *)sbrk(PAGE);
	if (p == (uint32 *)SBRK_FAILED)
		child_fail("sbrk failed");
	*p = RET_INSN;
	__asm__ volatile("fence.i" ::: "memory");
	((void (*)(void))(uint64)p)();
	child_fail("an instruction fetched from the heap at %p ran", p);
}

static int kernel_load_kills(void)  { return expect_killed(kernel_load_child); }
static int kernel_store_kills(void) { return expect_killed(kernel_store_child); }
static int guard_load_kills(void)   { return expect_killed(guard_load_child); }
static int guard_store_kills(void)  { return expect_killed(guard_store_child); }
static int text_store_kills(void)   { return expect_killed(text_store_child); }
static int heap_exec_kills(void)    { return expect_killed(heap_exec_child); }

/* Child: malloc and touch 1 MiB at a time until something gives. */
static void oom_malloc_child(void)
{
	for (;;) {
		char *p = malloc(OOM_CHUNK);

		if (p == 0)
			exit(MALLOC_GAVE_UP);
		for (uint64 off = 0; off < OOM_CHUNK; off += PAGE)
			p[off] = 1;
		child_tick();
	}
}

/*
 * Out of memory in a child: it is killed (or, eager, malloc returns 0
 * and it exits), after having taken at least half the free memory; the
 * parent lives, and every frame comes back.
 */
static int oom_child(void)
{
	uint64 before = free_now(), after, got;
	struct child c;

	if (run_child(oom_malloc_child, &c) < 0)
		return fail("pipe or fork failed");
	after = free_settled(before);
	got = (uint64)c.ticks * (OOM_CHUNK / PAGE);
	if (c.status != KILLED && c.status != MALLOC_GAVE_UP)
		return fail("the child ended with status %d", c.status);
	if (got < before / 2)
		return fail("the child got only %lu pages of %lu free before it ended",
			    got, before);
	if (after != before)
		return fail("%ld frames missing after the child was reaped",
			    (long)before - (long)after);
	return 0;
}

/* A hog: wait for the start, then grow and touch until stopped. */
static void hog(void)
{
	uint64 chunk = eager ? EAGER_HOG_CHUNK : HOG_CHUNK;
	char c;

	read(go_fd, &c, 1);   /* 0 once the parent closes its end */
	for (;;) {
		char *p = sbrk((int)chunk);

		if (p == SBRK_FAILED)
			exit(SBRK_REFUSED);
		for (uint64 off = 0; off < chunk; off += PAGE)
			p[off] = 1;
		child_tick();
	}
}

/* Fork the hogs, all waiting on go[0] and reporting to rep[1]; how many. */
static int start_hogs(int go[2], int rep[2])
{
	int n = 0;

	for (; n < NHOGS; n++) {
		int pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			close(go[1]);
			close(rep[0]);
			go_fd = go[0];
			report_fd = rep[1];
			hog();
		}
	}
	close(go[0]);
	close(go[1]);   /* the hogs start */
	close(rep[1]);
	return n;
}

/*
 * Eight children exhaust memory at once; each is killed (eager: or sbrk
 * refuses it), between them they took at least half the free memory, and
 * all frames are back once they are reaped.
 */
static int oom_children(void)
{
	uint64 before = free_now(), after, chunk = eager ? EAGER_HOG_CHUNK : HOG_CHUNK, got;
	int go[2], rep[2], started, killed = 0, refused = 0, other = 0, odd = 0, status;
	struct child c;

	if (pipe(go) < 0)
		return fail("pipe failed");
	if (pipe(rep) < 0) {
		close(go[0]);
		close(go[1]);
		return fail("pipe failed");
	}
	started = start_hogs(go, rep);
	memset(&c, 0, sizeof(c));
	collect(rep[0], &c);
	close(rep[0]);
	for (int i = 0; i < started && wait(&status) >= 0; i++) {
		if (status == KILLED)
			killed++;
		else if (status == SBRK_REFUSED)
			refused++;
		else
			other++, odd = status;
	}
	after = free_settled(before);
	got = (uint64)c.ticks * (chunk / PAGE);
	if (started != NHOGS)
		return fail("only %d of %d forks succeeded", started, NHOGS);
	if (other)
		return fail("%d children ended with status %d", other, odd);
	if (killed + refused != NHOGS)
		return fail("reaped %d of %d children", killed + refused, NHOGS);
	if (!eager && refused)
		return fail("lazy sbrk refused %d children", refused);
	if (got < before / 2)
		return fail("the children got only %lu pages of %lu free", got, before);
	if (after != before)
		return fail("%ld frames missing after the children were reaped",
			    (long)before - (long)after);
	return 0;
}

int main(void)
{
	warm_up();

	run_case("shrink_touch_kills", shrink_touch_kills);
	run_case("above_break_kills", above_break_kills);
	run_case("sbrk_huge_negative", sbrk_huge_negative);
	run_case("sbrk_to_heap_start", sbrk_to_heap_start);
	run_case("sbrk_huge_positive", sbrk_huge_positive);
	run_case("kernel_load_kills", kernel_load_kills);
	run_case("kernel_store_kills", kernel_store_kills);
	run_case("guard_load_kills", guard_load_kills);
	run_case("guard_store_kills", guard_store_kills);
	run_case("text_store_kills", text_store_kills);
	run_case("heap_exec_kills", heap_exec_kills);
	run_case("oom_child", oom_child);
	run_case("oom_children", oom_children);
	run_case("mem_frames_balanced", balanced_since_start);
	exit(0);
}
