/*
 * lazyhelp.c: what lazytests, lazyio and memtests share.
 *
 * #included by each (after check.h), so every test stays a single
 * program like the others; it is not a program of its own.
 *
 * Exact frame accounting. Several cases predict memstat's counters to the
 * frame, which works only if nothing else takes a frame meanwhile. So a
 * program first calls prefault_self(): every page of its image (exec
 * leaves .bss untouched) and the top STACK_PREFAULT bytes of its stack get
 * their frame, and later cases fault only where they mean to. A case that
 * touches heap pages first raises the break to a LEVEL0_SPAN (2 MiB)
 * boundary: nothing at or above it is mapped, so every level-0 table its
 * touches need is a new one, and table_cost() can count them.
 *
 * Children. run_child() runs a function in a child and collects what the
 * child said through a pipe: child_tick() marks progress ('.'),
 * child_fail() says why it failed ('!' and the reason) and exits with
 * CHILD_FAILED; anything else the child writes to report_fd (say, through
 * a dup as its standard output) is kept as it came.
 */
#include <stdarg.h>

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)

#define PAGE          4096UL
#define PAGE_UP(x)    (((uint64)(x) + PAGE - 1) & ~(PAGE - 1))
#define ALIGN_UP(x, a) (((uint64)(x) + (a) - 1) & ~((uint64)(a) - 1))

#define LEVEL0_SPAN   (2 * MiB)    /* what one level-0 (leaf) table maps */
#define LEVEL1_SPAN   (1 * GiB)    /* what one level-1 table maps */

#define SBRK_MAX      0x7fffffff   /* sbrk takes an int */
#define SBRK_FAILED   ((char *)-1)
#define KERNEL_VA     0xffffffc080200000UL   /* the kernel's text */

#define KILLED        (-1)  /* wait() status of a process the kernel killed */
#define CHILD_FAILED  90    /* status of a child that called child_fail() */
#define WAIT_FAILED   (-1000) /* struct child's status when wait() lost it */

#define MAX_AREAS      16          /* a process has a handful */
#define STACK_PREFAULT (128 * KiB) /* stack the cases may use below main */
#define OUT_MAX        256         /* what a child's report keeps */
#define SETTLE_TRIES   20          /* looks for frames still coming back */

#define TICK_MARK     '.'
#define WHY_MARK      '!'

static int eager;            /* memstat().eager: sbrk allocates at once */
static int cow;              /* memstat().cow: fork shares pages copy-on-write */
static int report_fd = -1;   /* in a child: the write end of its report */
static uint64 start_brk;     /* the break when the cases began */
static uint64 start_free;    /* free frames then */

static uint64 __attribute__((unused)) free_now(void)
{
	struct memstat st;

	memstat(&st);
	return st.free_frames;
}

static uint64 __attribute__((unused)) brk_now(void)
{
	return (uint64)sbrk(0);
}

/* The first area of kind in pid's address space (0: ours); 0 or -1. */
static int __attribute__((unused)) find_area(int pid, uint32 kind, struct vmmap_entry *out)
{
	struct vmmap_entry map[MAX_AREAS];
	int n = vmmap(pid, map, MAX_AREAS);

	for (int i = 0; i < n && i < MAX_AREAS; i++) {
		if (map[i].kind == kind) {
			*out = map[i];
			return 0;
		}
	}
	return -1;
}

/* Pages of our heap that have a frame; ~0 when there is no heap. */
static uint64 __attribute__((unused)) heap_resident(void)
{
	struct vmmap_entry heap;

	return find_area(0, VMMAP_KIND_HEAP, &heap) ? ~0UL : heap.resident;
}

/* The lowest page of the stack's guard gap, which nothing may map. */
static uint64 __attribute__((unused)) guard_page(void)
{
	struct vmmap_entry stack;

	return find_area(0, VMMAP_KIND_STACK, &stack) ? 0 : stack.start - stack.guard;
}

/* Move the break by delta bytes of any size, in int-sized steps; 0 or -1. */
static int __attribute__((unused)) brk_move(long delta)
{
	while (delta != 0) {
		long step = delta;

		if (step > SBRK_MAX)
			step = SBRK_MAX;
		if (step < -SBRK_MAX)
			step = -SBRK_MAX;
		if (sbrk((int)step) == SBRK_FAILED)
			return -1;
		delta -= step;
	}
	return 0;
}

/* Put the break back where it was (mark); 0 or -1. */
static int __attribute__((unused)) brk_reset(uint64 mark)
{
	return brk_move((long)mark - (long)brk_now());
}

/* Raise the break to a multiple of align; the new break, or 0. */
static uint64 __attribute__((unused)) brk_align(uint64 align)
{
	uint64 now = brk_now();

	if (brk_move((long)(ALIGN_UP(now, align) - now)))
		return 0;
	return brk_now();
}

/*
 * Page-table frames that touching the pages first, first + stride, ...
 * (below end) costs, when nothing at or above base is mapped and every
 * table whose span starts below base already exists (the root always
 * does; the image holds the level-1 table of the first GiB). Pages must
 * lie at or above base, and with base 2 MiB-aligned the count is exact.
 */
static uint64 __attribute__((unused)) table_cost(uint64 base, uint64 first, uint64 end,
						  uint64 stride)
{
	uint64 tables = 0, last0 = ~0UL, last1 = ~0UL;

	for (uint64 va = first; va < end; va += stride) {
		uint64 l0 = va / LEVEL0_SPAN, l1 = va / LEVEL1_SPAN;

		if (l0 != last0 && l0 * LEVEL0_SPAN >= base)
			tables++;
		if (l1 != last1 && l1 * LEVEL1_SPAN >= base)
			tables++;
		last0 = l0;
		last1 = l1;
	}
	return tables;
}

/* Every byte of [p, p+n) is zero: -1; else the offset of the first that is not. */
static long __attribute__((unused)) first_nonzero(const char *p, uint64 n)
{
	for (uint64 i = 0; i < n; i++)
		if (p[i] != 0)
			return (long)i;
	return -1;
}

/* Read one byte of every page in [start, end): each gets its frame. */
/*
 * Touch every page of [start, end). A writable page is written (its own
 * byte back): a read alone would map the shared zero page, and the first
 * real write later would then take a frame in the middle of a count.
 */
static void touch_range(uint64 start, uint64 end, int writable)
{
	for (uint64 va = start; va < end; va += PAGE) {
		volatile char *p = (volatile char *)va;
		char c = *p;
		if (writable)
			*p = c;
	}
}

/*
 * Use the stack the cases will use below main now, while nothing counts.
 * The array's address escapes (the asm), so the compiler must really lay
 * out STACK_PREFAULT bytes: left to itself it keeps only the bytes that
 * are stored to, side by side in one page, and the stack below is never
 * touched.
 */
static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[STACK_PREFAULT];

	__asm__ volatile("" : : "r"(pad) : "memory");
	for (uint64 i = 0; i < STACK_PREFAULT; i += PAGE)
		pad[i] = 0;
	pad[STACK_PREFAULT - 1] = 0;
}

/* Give every page of the image and the used top of the stack a frame. */
static void __attribute__((unused)) prefault_self(void)
{
	struct vmmap_entry map[MAX_AREAS];
	int n = vmmap(0, map, MAX_AREAS);

	for (int i = 0; i < n && i < MAX_AREAS; i++)
		if (map[i].kind == VMMAP_KIND_IMAGE)
			touch_range(map[i].start, map[i].end, map[i].prot & VMMAP_PROT_W);
	touch_stack();
}

/*
 * free_frames, once it equals want; after a child dies its frames may
 * take a moment on another hart, so look again a few times before
 * reporting what there is.
 */
static uint64 __attribute__((unused)) free_settled(uint64 want)
{
	uint64 now = free_now();

	for (int i = 0; i < SETTLE_TRIES && now != want; i++) {
		sleep(1);
		now = free_now();
	}
	return now;
}

/* In a child: say why its case failed, then exit with CHILD_FAILED. */
static void __attribute__((noreturn, unused, format(printf, 1, 2)))
child_fail(const char *fmt, ...)
{
	char buf[WHY_MAX + 1];
	va_list ap;
	int n;

	buf[0] = WHY_MARK;
	va_start(ap, fmt);
	n = vsnprintf(buf + 1, WHY_MAX, fmt, ap);
	va_end(ap);
	if (n > WHY_MAX - 1)
		n = WHY_MAX - 1;
	write(report_fd, buf, n + 1);
	exit(CHILD_FAILED);
}

/* In a child: one mark of progress for the parent to count. */
static void __attribute__((unused)) child_tick(void)
{
	char c = TICK_MARK;

	write(report_fd, &c, 1);
}

/* What a child left behind. */
struct child {
	int  status;             /* wait() status; KILLED if the kernel killed it */
	int  ticks;              /* child_tick() calls that arrived */
	int  out_len;            /* bytes in out */
	char out[OUT_MAX];       /* everything it wrote, as it came (cut short) */
	char why[WHY_MAX];       /* what child_fail() said, or "" */
};

/* Read a report pipe until every writer is gone; tally it into c. */
static void __attribute__((unused)) collect(int fd, struct child *c)
{
	char buf[64];
	int n, in_why = 0, why_len = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (int i = 0; i < n; i++) {
			if (c->out_len < OUT_MAX - 1)
				c->out[c->out_len++] = buf[i];
			if (in_why) {
				if (why_len < WHY_MAX - 1)
					c->why[why_len++] = buf[i];
			} else if (buf[i] == WHY_MARK) {
				in_why = 1;
			} else if (buf[i] == TICK_MARK) {
				c->ticks++;
			}
		}
	}
	c->out[c->out_len] = '\0';
	c->why[why_len] = '\0';
}

/* wait() for pid in particular (init may also be handed orphans). */
static int __attribute__((unused)) wait_for(int pid)
{
	int r, status;

	while ((r = wait(&status)) >= 0)
		if (r == pid)
			return status;
	return WAIT_FAILED;
}

/*
 * Start body in a child (exit(0) if it returns) and go on beside it: the
 * read end of its report, and its pid in *pid; -1 when pipe or fork
 * failed. end_child() collects it.
 */
static int __attribute__((unused)) start_child(void (*body)(void), int *pid)
{
	int fds[2];

	if (pipe(fds) < 0)
		return -1;
	*pid = fork();
	if (*pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		body();
		exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/* Fill in c from a started child: its report (until it closes) and its exit status. */
static void __attribute__((unused)) end_child(int fd, int pid, struct child *c)
{
	memset(c, 0, sizeof(*c));
	collect(fd, c);
	close(fd);
	c->status = wait_for(pid);
}

/*
 * Run body in a child and fill in c: its report and its exit status.
 * 0, or -1 when pipe or fork failed.
 */
static int __attribute__((unused)) run_child(void (*body)(void), struct child *c)
{
	int fd, pid;

	memset(c, 0, sizeof(*c));
	if ((fd = start_child(body, &pid)) < 0)
		return -1;
	end_child(fd, pid, c);
	return 0;
}

/* Run body in a child the kernel must kill; 0 if it did, else fail(). */
static int __attribute__((unused)) expect_killed(void (*body)(void))
{
	struct child c;

	if (run_child(body, &c) < 0)
		return fail("pipe or fork failed");
	if (c.status == KILLED)
		return 0;
	if (c.why[0])
		return fail("child not killed: %s", c.why);
	return fail("child exited with status %d instead of being killed", c.status);
}

/* Run body in a child that must exit 0; 0 if it did, else fail(). */
static int __attribute__((unused)) expect_clean(void (*body)(void))
{
	struct child c;

	if (run_child(body, &c) < 0)
		return fail("pipe or fork failed");
	if (c.status == 0)
		return 0;
	if (c.why[0])
		return fail("%s", c.why);
	if (c.status == KILLED)
		return fail("the child was killed");
	return fail("child exited with status %d", c.status);
}

static void nothing(void)
{
}

/*
 * Before the cases: prefault ourselves, make the kernel create whatever
 * it keeps once made (a slab page for pipes and processes, say), then
 * take the start snapshot, so the last comparison counts only what the
 * cases leave behind.
 */
static void __attribute__((unused)) warm_up(void)
{
	struct child c;
	struct memstat st;

	memstat(&st);
	eager = st.eager != 0;
	cow = st.cow != 0;
	prefault_self();
	for (int i = 0; i < 2; i++)
		run_child(nothing, &c);
	start_brk = brk_now();
	start_free = free_now();
}

/*
 * The last case of each program: every child is reaped, the break is
 * where it was, and every frame taken since warm_up() has come back.
 */
static int __attribute__((unused)) balanced_since_start(void)
{
	uint64 now;

	reap_all();
	if (brk_now() != start_brk)
		return fail("break %p at the end, %p at the start", sbrk(0), (void *)start_brk);
	now = free_settled(start_free);
	if (now != start_free)
		return fail("%lu frames free at the start, %lu at the end", start_free, now);
	return 0;
}
