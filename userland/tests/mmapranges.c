/*
 * mmapranges: munmap, mprotect and MAP_FIXED on ranges that need not
 * match the areas, mmap's hints, and every bad argument.
 *
 * munmap and mprotect work on any page-aligned range: an area that
 * straddles either end is split, and vmmap shows the pieces, each with
 * the file offset of its first page. The cases unmap and protect parts
 * of file and anonymous mappings, count the frames each step gives back
 * (a private copy comes back with its page; PROT_NONE parks pages with
 * their frames), and check that a touch where nothing allows it kills
 * ("no mapping allows it") while the pieces around still work. MAP_FIXED
 * replaces what is in the way, heap included; a free hint is taken as
 * it is, a taken one is not. Every bad argument is -1 with nothing
 * changed, not an area and not a frame.
 *
 * mmapfiles checks what a mapped file is; mmapfork what fork shares.
 * mmaphelp.c holds what the three share, and how their frame accounting
 * stays exact. docs/mmap.md has the story; tests/boot/cases.py boots each.
 *
 * Run as init (init=/mmapranges test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "mmaphelp.c"

#define USER_END    (1UL << 38)    /* the top of user space (mm/mm.h's USER_TOP) */

/* How many areas we have now. */
static int area_count(void)
{
	struct vmmap_entry areas[MAX_AREAS];

	return vmmap(0, areas, MAX_AREAS);
}

/* -- munmap ------------------------------------------------------------------ */

/*
 * Unmap the first, the last and a middle page of an 8-page private
 * mapping of a file at offset PAGE: each gives back its copy, the pieces
 * keep their file offsets, the holes kill, the rest still works.
 */
static int munmap_partial(void)
{
	uint64 pages = 8, size = pages * PAGE, f1, inum;
	const char *why;
	char *p;
	int fd, err = 0;

	if (make_file(FILE_A, (pages + 1) * PAGE, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	inum = file_inum(FILE_A);
	p = map(0, size, RW, MAP_PRIVATE, fd, PAGE);
	close(fd);
	if (!p)
		return fail("mmap failed");
	for (uint64 i = 0; i < pages; i++)   /* a private copy of each page */
		p[i * PAGE + 1] = (char)('a' + i);
	f1 = free_now();
	if (munmap(p, PAGE) || munmap(p + 7 * PAGE, PAGE) || munmap(p + 4 * PAGE, PAGE))
		return fail("munmap failed");
	if (free_now() - f1 != 3)
		return fail("unmapping 3 private pages gave back %ld frames, want 3",
			    (long)(free_now() - f1));
	if ((why = area_is((uint64)p + PAGE, (uint64)p + 4 * PAGE, inum, 2 * PAGE)) ||
	    (why = area_is((uint64)p + 5 * PAGE, (uint64)p + 7 * PAGE, inum, 6 * PAGE)))
		err = fail("after the splits: %s", why);
	for (uint64 i = 1; !err && i < 7; i++) {
		if (i == 4)
			continue;
		if (p[i * PAGE + 1] != (char)('a' + i) ||
		    check_bytes(p + i * PAGE + 2, (i + 1) * PAGE + 2, 16, SEED_A) >= 0)
			err = fail("page %lu lost its bytes", i);
	}
	if (!err)
		err = load_kills(p);
	if (!err)
		err = load_kills(p + 4 * PAGE);
	if (!err)
		err = store_kills(p + 7 * PAGE);
	if (!err) {
		p[3 * PAGE + 9] = 'w';
		p[5 * PAGE + 9] = 'w';
	}
	if (munmap(p, size) != 0)
		err = err ? err : fail("munmap of the whole range failed");
	unlink(FILE_A);
	return err;
}

/* Unmapping what is not mapped, or partly mapped, is 0. */
static int munmap_unmapped(void)
{
	int areas = area_count();
	char *p;

	if (munmap((void *)FREE_HINT, 16 * PAGE) != 0)
		return fail("munmap of an unmapped range failed");
	p = map(0, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p)
		return fail("mmap failed");
	p[0] = 1;
	if (munmap(p - 4 * PAGE, 6 * PAGE) != 0)   /* holes below, p, not the anchor above */
		return fail("munmap of a range holding a mapping and holes failed");
	if (area_count() != areas)
		return fail("%d areas left, %d before", area_count(), areas);
	return munmap(p, 2 * PAGE) == 0 ? 0 : fail("a second munmap failed");
}

/* -- mprotect ---------------------------------------------------------------- */

/* Down to read-only (the writer dies) and back up (the bytes kept); a file's private pages go up. */
static int mprotect_up_down(void)
{
	char *p, *q;
	int fd, err = 0;

	p = map(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p)
		return fail("mmap failed");
	for (int i = 0; i < 4; i++)
		p[i * PAGE] = (char)('0' + i);
	if (mprotect(p, 2 * PAGE, PROT_READ) != 0)
		return fail("mprotect down failed");
	if (area_is((uint64)p, (uint64)p + 2 * PAGE, 0, 0))
		err = fail("mprotect of half did not split the area");
	if (!err)
		err = store_kills(p + PAGE);
	if (!err && (p[0] != '0' || p[PAGE] != '1'))
		err = fail("read-only pages lost their bytes");
	if (!err && mprotect(p, 4 * PAGE, RW) != 0)
		err = fail("mprotect up failed");
	if (!err) {
		p[PAGE] = 'w';
		if (p[PAGE] != 'w' || p[0] != '0' || p[3 * PAGE] != '3')
			err = fail("after mprotect up the pages do not work");
	}
	munmap(p, 4 * PAGE);
	if (err)
		return err;

	/* A private file mapping made read-only may become writable: its writes are copies. */
	if (make_file(FILE_A, PAGE, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	q = map(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (!q)
		return fail("mmap of the file failed");
	if (q[0] != fbyte(0, SEED_A))
		err = fail("the file mapping does not read the file");
	if (!err)
		err = store_kills(q);
	if (!err && mprotect(q, PAGE, RW) != 0)
		err = fail("mprotect up of a private file mapping failed");
	if (!err) {
		char c;
		q[0] = 'Q';
		if (file_read_at(FILE_A, 0, &c, 1) != 1 || c != fbyte(0, SEED_A))
			err = fail("a private write after mprotect reached the file");
	}
	munmap(q, PAGE);
	unlink(FILE_A);
	return err;
}

/* PROT_NONE parks the pages with their frames: every touch kills, and PROT_READ|WRITE brings them back. */
static int mprotect_none_and_back(void)
{
	uint64 f1;
	char *p;
	int err = 0;

	p = map(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p)
		return fail("mmap failed");
	for (int i = 0; i < 4; i++)
		p[i * PAGE + 3] = (char)('A' + i);
	f1 = free_now();
	if (mprotect(p, 4 * PAGE, PROT_NONE) != 0)
		err = fail("mprotect PROT_NONE failed");
	if (!err && free_now() != f1)
		err = fail("PROT_NONE changed the free count by %ld", (long)(free_now() - f1));
	if (!err)
		err = load_kills(p + 2 * PAGE);
	if (!err && mprotect(p, 4 * PAGE, RW) != 0)
		err = fail("mprotect back failed");
	for (int i = 0; !err && i < 4; i++)
		if (p[i * PAGE + 3] != (char)('A' + i))
			err = fail("page %d lost its contents while PROT_NONE", i);
	if (!err && free_now() != f1)
		err = fail("after the round trip %ld frames are missing", (long)(f1 - free_now()));
	munmap(p, 4 * PAGE);
	return err;
}

/* -- MAP_FIXED and hints --------------------------------------------------- */

/* In a child, whose heap it may break: MAP_FIXED over the middle of the heap. */
static void fixed_heap_child(void)
{
	uint64 base = brk_align(LEVEL0_SPAN);
	struct vmmap_entry e;
	char *p;

	if (base == 0 || brk_move(4 * PAGE))
		child_fail("sbrk failed");
	for (int i = 0; i < 4; i++)
		((volatile char *)base)[i * PAGE] = (char)('h' + i);
	p = map((void *)(base + PAGE), 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != (char *)(base + PAGE))
		child_fail("MAP_FIXED over the heap gave %p, want %p", p, (void *)(base + PAGE));
	if (p[0] != 0 || p[PAGE] != 0)
		child_fail("the fixed mapping shows the heap's old bytes");
	if (((volatile char *)base)[0] != 'h' || ((volatile char *)base)[3 * PAGE] != 'k')
		child_fail("the heap pages around the fixed mapping lost their bytes");
	if (area_of(base + PAGE, &e) || e.kind != VMMAP_KIND_MMAP || e.start != base + PAGE ||
	    e.end != base + 3 * PAGE)
		child_fail("vmmap does not show the fixed mapping inside the heap");
	if (area_of(base, &e) || e.kind != VMMAP_KIND_HEAP || e.end != base + PAGE)
		child_fail("the heap below the fixed mapping is not the heap");
	p[5] = 'f';
}

static int fixed_over_heap(void)
{
	return expect_clean(fixed_heap_child);
}

/* MAP_FIXED over the middle of another mapping replaces just those pages. */
static int fixed_over_mapping(void)
{
	uint64 inum;
	const char *why;
	char *p, *q;
	int fd, err = 0;

	if (make_file(FILE_A, 4 * PAGE, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	inum = file_inum(FILE_A);
	p = map(0, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (!p)
		return fail("mmap failed");
	q = map(p + PAGE, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q != p + PAGE)
		err = fail("MAP_FIXED gave %p, want %p", q, p + PAGE);
	if (!err && (q[0] != 0 || q[PAGE + 7] != 0))
		err = fail("the fixed pages show the file");
	if (!err) {
		q[0] = 'z';
		if (check_bytes(p, 0, PAGE, SEED_A) >= 0 || check_bytes(p + 3 * PAGE, 3 * PAGE, PAGE, SEED_A) >= 0)
			err = fail("the file pages around the fixed mapping changed");
	}
	if (!err && ((why = area_is((uint64)p, (uint64)p + PAGE, inum, 0)) ||
		     (why = area_is((uint64)q, (uint64)q + 2 * PAGE, 0, 0)) ||
		     (why = area_is((uint64)p + 3 * PAGE, (uint64)p + 4 * PAGE, inum, 3 * PAGE))))
		err = fail("vmmap after MAP_FIXED: %s", why);
	munmap(p, 4 * PAGE);
	unlink(FILE_A);
	return err;
}

/* A free hint is taken as it is; a taken one is not, and nothing there is harmed. */
static int hint_free_and_taken(void)
{
	char *p, *q;
	int err = 0;

	p = map((void *)FREE_HINT, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != (char *)FREE_HINT)
		err = fail("a free hint gave %p, want %p", p, (void *)FREE_HINT);
	q = map((void *)FREE_HINT, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!err && !q)
		err = fail("a taken hint failed instead of finding a gap");
	if (!err && q >= p && q < p + 2 * PAGE)
		err = fail("a taken hint gave %p, inside the mapping there", q);
	if (!err && area_is(FREE_HINT, FREE_HINT + 2 * PAGE, 0, 0))
		err = fail("the first mapping changed");
	if (p)
		munmap(p, 2 * PAGE);
	if (q)
		munmap(q, PAGE);
	return err;
}

/* -- errors ------------------------------------------------------------------ */

#define MUST_FAIL(what, call)                                                 \
	do {                                                                  \
		if ((long)(call) != -1)                                       \
			return fail("%s was allowed", what);                  \
	} while (0)

/* Every bad argument is -1 (MAP_FAILED), and nothing changes. */
static int invalid_arguments(void)
{
	int areas = area_count(), fd, wfd, dfd, pfd[2];
	uint64 f1 = free_now();
	char *p;

	if (make_file(FILE_A, 2 * PAGE, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	wfd = open(FILE_A, O_WRONLY);
	dfd = open("/", O_RDONLY);
	if (wfd < 0 || dfd < 0 || pipe(pfd) < 0)
		return fail("cannot open the descriptors");
	MUST_FAIL("a misaligned offset", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
	MUST_FAIL("zero length", mmap(0, 0, PROT_READ, MAP_PRIVATE, fd, 0));
	MUST_FAIL("zero length anonymous", mmap(0, 0, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("a write-only fd", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0));
	MUST_FAIL("a directory", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0));
	MUST_FAIL("a pipe", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0));
	MUST_FAIL("the console", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, 1, 0));
	MUST_FAIL("a closed fd", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, 15, 0));
	MUST_FAIL("fd -1 without MAP_ANONYMOUS", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0));
	MUST_FAIL("MAP_FIXED at a kernel address",
		  mmap((void *)KERNEL_VA, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	MUST_FAIL("a kernel address as hint",
		  mmap((void *)KERNEL_VA, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("MAP_FIXED at page 0",
		  mmap(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	MUST_FAIL("MAP_FIXED at a misaligned address",
		  mmap((void *)(FREE_HINT + 8), PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	MUST_FAIL("a length that overflows", mmap(0, ~0UL - 100, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("a length past user space", mmap(0, USER_END + PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("MAP_FIXED across the top of user space",
		  mmap((void *)(USER_END - PAGE), 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	MUST_FAIL("an offset that overflows", mmap(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, ~0UL & ~(PAGE - 1)));
	MUST_FAIL("neither shared nor private", mmap(0, PAGE, RW, MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("both shared and private", mmap(0, PAGE, RW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("an unknown flag", mmap(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | 0x1000, -1, 0));
	MUST_FAIL("write with execute", mmap(0, PAGE, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("an unknown protection bit", mmap(0, PAGE, PROT_READ | 0x8, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	MUST_FAIL("munmap of a misaligned address", munmap((void *)(FREE_HINT + 8), PAGE));
	MUST_FAIL("munmap of zero length", munmap((void *)FREE_HINT, 0));
	MUST_FAIL("munmap of a kernel address", munmap((void *)KERNEL_VA, PAGE));
	MUST_FAIL("munmap that wraps", munmap((void *)-PAGE, 2 * PAGE));
	MUST_FAIL("munmap across the top of user space", munmap((void *)(USER_END - PAGE), 2 * PAGE));

	p = map(0, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p)
		return fail("mmap failed");
	p[0] = 'k';
	MUST_FAIL("mprotect of a misaligned address", mprotect(p + 8, PAGE, PROT_READ));
	MUST_FAIL("mprotect of zero length", mprotect(p, 0, PROT_READ));
	MUST_FAIL("mprotect of a partly unmapped range", mprotect(p - PAGE, 3 * PAGE, PROT_READ));
	MUST_FAIL("mprotect to write with execute", mprotect(p, PAGE, PROT_WRITE | PROT_EXEC));
	MUST_FAIL("mprotect to an unknown bit", mprotect(p, PAGE, PROT_READ | 0x10));
	MUST_FAIL("mprotect of a kernel address", mprotect((void *)KERNEL_VA, PAGE, PROT_READ));
	MUST_FAIL("mprotect of an unmapped range", mprotect((void *)FREE_HINT, PAGE, PROT_READ));
	p[PAGE] = 'l';   /* still writable: nothing changed */
	if (p[0] != 'k' || area_is((uint64)p, (uint64)p + 2 * PAGE, 0, 0))
		return fail("a refused call changed the mapping");
	munmap(p, 2 * PAGE);
	close(fd);
	close(wfd);
	close(dfd);
	close(pfd[0]);
	close(pfd[1]);
	unlink(FILE_A);
	if (area_count() != areas)
		return fail("%d areas after, %d before", area_count(), areas);
	if (free_settled(f1) != f1)
		return fail("the refused calls cost %ld frames", (long)(f1 - free_now()));
	return 0;
}


int main(void)
{
	if (mmap_warm_up("mmapranges") < 0)
		return 0;
	run_balanced("munmap_partial", munmap_partial);
	run_balanced("munmap_unmapped", munmap_unmapped);
	run_balanced("mprotect_up_down", mprotect_up_down);
	run_balanced("mprotect_none_and_back", mprotect_none_and_back);
	run_balanced("fixed_over_heap", fixed_over_heap);
	run_balanced("fixed_over_mapping", fixed_over_mapping);
	run_balanced("hint_free_and_taken", hint_free_and_taken);
	run_balanced("invalid_arguments", invalid_arguments);
	run_case("mmapranges_frames_balanced", balanced_since_start);
	return 0;
}
