/*
 * cowhelp.c: what cowtests, cowrefs and zerotests share.
 *
 * #included by each after lazyhelp.c (whose counting and child helpers
 * it uses), so every test stays a single program; it is not a program of
 * its own.
 *
 * Patterns. A region's pages are written by several processes in turn;
 * each writer has an id, and fill_pages() stores that writer's own value
 * at both ends of each page, so check_pages() can tell whose store a page
 * holds (0: the original owner's).
 *
 * The kernel's own stores. target_op() makes the kernel write into user
 * memory through one system call (read, fstat, wait's status, pipe's
 * fds), its result straddling a page boundary where it can: copy-on-write
 * and the zero page must break sharing for those stores as for a user's.
 *
 * cow_warm_up() starts every program: the modes from memstat(), then
 * lazyhelp's warm_up(), then one line saying what the cases will assert.
 */
#include "kernel/fcntl.h"
#include "lazuli/stat.h"

#define TARGET_PAGES    4          /* a target_op() region: the result at +PAGE */
#define READ_LEN        64         /* bytes read() moves into a target */
#define WAIT_STATUS     42

enum target_op { OP_READ, OP_FSTAT, OP_WAIT, OP_PIPE, OP_COUNT };
static const char *const op_names[OP_COUNT] __attribute__((unused)) = {
	"read", "fstat", "wait", "pipe"
};

static int zeropage;         /* memstat().zeropage: reads map the zero page */

/* The region the current case shares with its children (they inherit it). */
static struct {
	uint64 base, pages;
} shared __attribute__((unused));

/* Word i of a page written by writer id (0: the original owner). */
static uint64 __attribute__((unused)) pattern(int id, uint64 page, int end)
{
	return (page * 0x9e3779b97f4a7c15UL) ^ ((uint64)id << 56) ^ (end ? 0xe11d : 0x5eed);
}

/* Store writer id's pattern at both ends of pages [from, to) of base. */
static void __attribute__((unused)) fill_pages(uint64 base, uint64 from, uint64 to, int id)
{
	for (uint64 i = from; i < to; i++) {
		volatile uint64 *p = (volatile uint64 *)(base + i * PAGE);
		p[0] = pattern(id, i, 0);
		p[PAGE / 8 - 1] = pattern(id, i, 1);
	}
}

/* The first page of [from, to) not holding id's pattern, or -1. */
static long __attribute__((unused)) check_pages(uint64 base, uint64 from, uint64 to, int id)
{
	for (uint64 i = from; i < to; i++) {
		volatile uint64 *p = (volatile uint64 *)(base + i * PAGE);
		if (p[0] != pattern(id, i, 0) || p[PAGE / 8 - 1] != pattern(id, i, 1))
			return (long)i;
	}
	return -1;
}

/* A fresh region of pages at a 2 MiB-aligned break; its base, or 0. */
static uint64 __attribute__((unused)) region_new(uint64 pages)
{
	uint64 base = brk_align(LEVEL0_SPAN);

	if (base == 0 || brk_move((long)(pages * PAGE)))
		return 0;
	return base;
}

/*
 * The case's shared region: pages fresh pages, each filled with the
 * owner's pattern. 0, or -1 when sbrk refused them.
 */
static int __attribute__((unused)) shared_new(uint64 pages)
{
	shared.pages = pages;
	shared.base = region_new(pages);
	if (!shared.base)
		return -1;
	fill_pages(shared.base, 0, pages, 0);
	return 0;
}

/* Our heap as vmmap() sees it now (all zero if there is none). */
static struct vmmap_entry __attribute__((unused)) heap_now(void)
{
	struct vmmap_entry heap;

	memset(&heap, 0, sizeof(heap));
	find_area(0, VMMAP_KIND_HEAP, &heap);
	return heap;
}

/*
 * Let the kernel write into the region at base (TARGET_PAGES long)
 * through op, straddling the boundary at base + PAGE where the result is
 * larger than one word, and check what arrived. NULL, or why it failed.
 */
static const char *__attribute__((unused)) target_op(enum target_op op, uint64 base)
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

/* Before the cases: note the modes, warm up, and say what will be asserted. */
static void cow_warm_up(const char *prog)
{
	struct memstat st;

	memstat(&st);
	zeropage = st.zeropage != 0;
	warm_up();
	printf("%s: cow %d, zeropage %d, %lu frames free\n", prog, cow, zeropage, start_free);
}
