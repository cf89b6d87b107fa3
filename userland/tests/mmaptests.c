/*
 * mmaptests: mmap, munmap and mprotect, on files and anonymous memory.
 *
 * A file mapping is the file's own frames (fs lends them to mm): a
 * shared one writes them, a private one maps them read-only and copies a
 * page on its first write. So the cases check bytes both ways (through
 * the mapping and through read()/write()), what a touch past the end of
 * the file does (a kill: "beyond end of file"), that a mapping outlives
 * close() and unlink(), how munmap and mprotect split areas (vmmap shows
 * the pieces, with the file offset of each), what fork shares, and that
 * every bad argument is -1 with nothing changed.
 *
 * Exact accounting. mmap puts an area without a hint in the highest gap
 * below the stack's guard, and the kernel frees a page table once
 * nothing is left in it. So before the cases an anchor page is mapped
 * there and kept to the end: the leaf table under it (2 MiB) holds every
 * small mapping the cases make, and stays. A file is also made, mapped
 * and removed, so the kernel's slabs and the root directory have room.
 * Then each case must give back every frame it took: run_balanced()
 * checks the free-frame count after each, with its files closed and
 * deleted (after a failure it also unmaps everything below the anchor,
 * so one failure does not spread), and the last case checks the whole
 * suite. Where a case can say how many frames a step costs, it says so
 * to the frame: reading a file mapping costs none, a private write one.
 *
 * Run as init (init=/mmaptests test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0. docs/mmap.md has the
 * story; tests/boot/cases.py boots it.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"

#define FILE_A      "/mm_a"
#define FILE_B      "/mm_b"
#define CHUNK       512            /* make_file's write size */
#define TAIL        100            /* bytes of a file's partial last page */
#define RW          (PROT_READ | PROT_WRITE)
#define USER_END    (1UL << 38)    /* the top of user space (mm/mm.h's USER_TOP) */
#define FREE_HINT   0x3000000000UL /* user space nothing reserves */
#define SCRATCH     (256 * PAGE - PAGE)   /* the anchor's leaf table below it */
#define CHAN_TRIES  500            /* ticks a channel's reader waits */
#define CHAN_GO     21
#define SEED_A      1
#define SEED_B      2
#define PARENT_MARK 'p'
#define CHILD_MARK  'c'
#define EXEC_FAILED 127            /* a child's status when exec gave -1 */

/* Byte i of the file made with seed: every byte differs from its neighbours and pages differ. */
static char fbyte(uint64 i, int seed)
{
	return (char)(((i >> 12) * 31 + i * 7 + (uint64)seed) & 0xff);
}

/* Create (or empty) path and fill it with size bytes of seed's pattern; 0 or -1. */
static int make_file(const char *path, uint64 size, int seed)
{
	char buf[CHUNK];
	int fd = open(path, O_CREATE | O_TRUNC | O_RDWR);

	if (fd < 0)
		return -1;
	for (uint64 off = 0; off < size; off += CHUNK) {
		int n = size - off < CHUNK ? (int)(size - off) : CHUNK;
		for (int i = 0; i < n; i++)
			buf[i] = fbyte(off + (uint64)i, seed);
		if (write(fd, buf, n) != n) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* The first i < n where base[i] is not byte foff + i of seed's file, or -1. */
static long check_bytes(const volatile char *base, uint64 foff, uint64 n, int seed)
{
	for (uint64 i = 0; i < n; i++)
		if (base[i] != fbyte(foff + i, seed))
			return (long)i;
	return -1;
}

/* n bytes at off of path, through read() on a descriptor of its own; the count read. */
static int file_read_at(const char *path, uint64 off, char *buf, int n)
{
	char skip[CHUNK];
	int fd = open(path, O_RDONLY), got = 0;

	if (fd < 0)
		return -1;
	while (off > 0) {   /* no lseek: read up to off */
		int step = off < CHUNK ? (int)off : CHUNK;
		if (read(fd, skip, step) != step) {
			close(fd);
			return -1;
		}
		off -= (uint64)step;
	}
	got = read(fd, buf, n);
	close(fd);
	return got;
}

/* The size of path now, or ~0. */
static uint64 file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? ~0UL : st.size;
}

static uint64 file_inum(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : st.ino;
}

/* mmap, as a char pointer; 0 on MAP_FAILED. */
static char *map(void *addr, uint64 len, int prot, int flags, int fd, uint64 off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	return p == MAP_FAILED ? 0 : (char *)p;
}

/* The area holding va in our address space; 0, or -1 when none does. */
static int area_of(uint64 va, struct vmmap_entry *out)
{
	struct vmmap_entry areas[MAX_AREAS];
	int n = vmmap(0, areas, MAX_AREAS);

	for (int i = 0; i < n && i < MAX_AREAS; i++) {
		if (areas[i].start <= va && va < areas[i].end) {
			*out = areas[i];
			return 0;
		}
	}
	return -1;
}

static int area_count(void)
{
	struct vmmap_entry areas[MAX_AREAS];

	return vmmap(0, areas, MAX_AREAS);
}

/*
 * Is there exactly one area [start, end), made by mmap, of file inum (0:
 * anonymous) at byte offset off? NULL, or what is wrong.
 */
static const char *area_is(uint64 start, uint64 end, uint64 inum, uint64 off)
{
	struct vmmap_entry e;

	if (area_of(start, &e) < 0)
		return "no area";
	if (e.start != start || e.end != end)
		return "the area has other bounds";
	if (e.kind != VMMAP_KIND_MMAP)
		return "the area is not of kind mmap";
	if (e.inum != inum)
		return "the area names another file";
	if (e.offset != off)
		return "the area has another offset";
	return 0;
}

/* -- running the cases ----------------------------------------------------- */

static char *anchor;   /* one page mapped through the suite: see the top */

/*
 * Run one case and check that it gave every frame back (its files closed
 * and deleted: a failed case may have left them, so they go first).
 */
static void run_balanced(const char *name, int (*fn)(void))
{
	uint64 before = free_now(), after;
	int err;

	check_why[0] = '\0';
	err = fn();
	reap_all();
	if (err) {
		unlink(FILE_A);
		unlink(FILE_B);
		munmap(anchor - SCRATCH, SCRATCH);
		munmap((void *)FREE_HINT, 16 * PAGE);
	} else if ((after = free_settled(before)) != before) {
		err = fail("%lu frames free before, %lu after", before, after);
	}
	if (err == 0)
		printf("PASS %s\n", name);
	else
		printf("FAIL %s: %s\n", name, check_why[0] ? check_why : "failed");
}

/* What a killed child touches: a load or a store at target. */
static volatile char *target;

static void load_target(void)
{
	char c = *target;
	(void)c;
	child_fail("the load at %p was allowed", (void *)target);
}

static void store_target(void)
{
	*target = 'k';
	child_fail("the store at %p was allowed", (void *)target);
}

/* Would a child's load (store) at va be killed? 0, or fail(). */
static int load_kills(void *va)
{
	target = va;
	return expect_killed(load_target);
}

static int store_kills(void *va)
{
	target = va;
	return expect_killed(store_target);
}

/* -- private and shared file mappings -------------------------------------- */

/* A private read-only mapping of a file opened read-only reads the file, for no frame. */
static int private_readonly(void)
{
	uint64 size = 3 * PAGE + TAIL, f1, f2;
	struct vmmap_entry e;
	const char *why;
	char *p;
	long bad;
	int fd;

	if (make_file(FILE_A, size, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (!p)
		return fail("mmap failed");
	if ((why = area_is((uint64)p, (uint64)p + 4 * PAGE, file_inum(FILE_A), 0)))
		return fail("%s", why);
	f1 = free_now();
	bad = check_bytes(p, 0, size, SEED_A);
	f2 = free_now();
	if (bad >= 0)
		return fail("byte %ld differs from the file", bad);
	if ((bad = first_nonzero(p + size, 4 * PAGE - size)) >= 0)
		return fail("byte %ld past the end of the file is not zero", bad);
	if (f1 != f2)
		return fail("reading 4 file pages took %ld frames, want 0", (long)(f1 - f2));
	if (area_of((uint64)p, &e) || e.resident != 4 || e.shared != 4 || (e.prot & VMMAP_SHARED))
		return fail("vmmap: %lu resident, %lu shared, prot %x; want 4, 4, private",
			    e.resident, e.shared, e.prot);
	if (munmap(p, size) != 0)
		return fail("munmap failed");
	return unlink(FILE_A) ? fail("unlink failed") : 0;
}

/*
 * A private writable mapping of a read-only file: each page written
 * costs one frame (a read first maps the file's frame, the write then
 * copies it), and the file never sees the writes.
 */
static int private_readwrite(void)
{
	uint64 size = 4 * PAGE, f1, f2;
	char buf[16];
	char *p;
	int fd;

	if (make_file(FILE_A, size, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, size, RW, MAP_PRIVATE, fd, 0);
	close(fd);
	if (!p)
		return fail("mmap failed");
	f1 = free_now();
	if (p[0] != fbyte(0, SEED_A))   /* read first: the file's own frame */
		return fail("page 0 does not read the file");
	p[0] = 'X';                       /* then the copy */
	p[2 * PAGE + 5] = 'Y';            /* a write first: copied at once */
	f2 = free_now();
	if (f1 - f2 != 2)
		return fail("writing 2 private pages took %ld frames, want 2", (long)(f1 - f2));
	if (p[0] != 'X' || p[2 * PAGE + 5] != 'Y')
		return fail("the mapping lost its own writes");
	if (check_bytes(p + 1, 1, PAGE - 1, SEED_A) >= 0 ||
	    check_bytes(p + 2 * PAGE, 2 * PAGE, 5, SEED_A) >= 0)
		return fail("a copied page lost the file's other bytes");
	if (file_read_at(FILE_A, 0, buf, 1) != 1 || buf[0] != fbyte(0, SEED_A) ||
	    file_read_at(FILE_A, 2 * PAGE + 5, buf, 1) != 1 || buf[0] != fbyte(2 * PAGE + 5, SEED_A))
		return fail("a private write reached the file");
	if (munmap(p, size) != 0)
		return fail("munmap failed");
	if (free_now() - f2 != 2)
		return fail("munmap gave back %ld frames, want the 2 copies",
			    (long)(free_now() - f2));
	return unlink(FILE_A) ? fail("unlink failed") : 0;
}

/* A shared mapping that could write is refused for a read-only descriptor. */
static int shared_needs_writer(void)
{
	int fd;
	char *p;

	if (make_file(FILE_A, PAGE, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	if (map(0, PAGE, RW, MAP_SHARED, fd, 0)) {
		close(fd);
		return fail("a shared writable mapping of a read-only fd was allowed");
	}
	p = map(0, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (!p)
		return fail("a shared read-only mapping of a read-only fd was refused");
	if (p[7] != fbyte(7, SEED_A))
		return fail("the shared read-only mapping does not read the file");
	if (mprotect(p, PAGE, RW) != -1)
		return fail("mprotect raised write on a shared mapping of a read-only fd");
	if (mprotect(p, PAGE, PROT_READ) != 0)
		return fail("mprotect to the same protection failed");
	if (munmap(p, PAGE) != 0)
		return fail("munmap failed");
	return unlink(FILE_A) ? fail("unlink failed") : 0;
}

/* Shared writes are seen by read(), and write()s by the mapping, at once. */
static int shared_sees_io(void)
{
	uint64 size = 2 * PAGE, f1;
	char buf[8];
	char *p;
	int fd;

	if (make_file(FILE_A, size, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, size, RW, MAP_SHARED, fd, 0);
	if (!p) {
		close(fd);
		return fail("mmap failed");
	}
	f1 = free_now();
	memcpy(p + PAGE + 10, "mapped", 6);
	if (file_read_at(FILE_A, PAGE + 10, buf, 6) != 6 || memcmp(buf, "mapped", 6) != 0) {
		close(fd);
		return fail("read() does not see a store through the mapping");
	}
	if (write(fd, "written", 7) != 7) {   /* at offset 0 */
		close(fd);
		return fail("write failed");
	}
	close(fd);
	if (memcmp(p, "written", 7) != 0)
		return fail("the mapping does not see write()");
	if (free_now() != f1)
		return fail("shared stores took %ld frames, want 0", (long)(f1 - free_now()));
	if (area_is((uint64)p, (uint64)p + size, file_inum(FILE_A), 0))
		return fail("vmmap does not show the mapping");
	struct vmmap_entry e;
	if (area_of((uint64)p, &e) || !(e.prot & VMMAP_SHARED))
		return fail("vmmap does not call the mapping shared");
	if (munmap(p, size) != 0)
		return fail("munmap failed");
	return unlink(FILE_A) ? fail("unlink failed") : 0;
}

/*
 * The last page of a file reads zeros past its end; stores there (shared)
 * do not grow the file; a page wholly past the end is a kill.
 */
static int end_of_file(void)
{
	uint64 size = PAGE + TAIL;
	char buf[8];
	char *p;
	long bad;
	int fd, err = 0;

	if (make_file(FILE_A, size, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, 3 * PAGE, RW, MAP_SHARED, fd, 0);
	close(fd);
	if (!p)
		return fail("mmap of 3 pages of a 2-page file failed");
	if ((bad = first_nonzero(p + size, 2 * PAGE - size)) >= 0)
		err = fail("byte %ld past the end reads non-zero", (long)size + bad);
	if (!err && check_bytes(p, 0, size, SEED_A) >= 0)
		err = fail("the file's bytes differ");
	p[size + 50] = 'E';
	if (!err && p[size + 50] != 'E')
		err = fail("a store past the end in the last page did not stick");
	if (!err && file_size(FILE_A) != size)
		err = fail("a store past the end grew the file to %lu", file_size(FILE_A));
	if (!err && file_read_at(FILE_A, size, buf, sizeof(buf)) != 0)
		err = fail("read() past the end returned bytes");
	if (!err)
		err = load_kills(p + 2 * PAGE);
	if (!err)
		err = store_kills(p + 2 * PAGE + 8);
	munmap(p, 3 * PAGE);
	unlink(FILE_A);
	return err;
}

/* A mapping outlives close() and unlink(); the file's frames go with its last mapping. */
static int outlives_close_unlink(void)
{
	uint64 size = 2 * PAGE, f1;
	char buf[4];
	char *p;
	int fd;

	if (make_file(FILE_A, size, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, size, RW, MAP_SHARED, fd, 0);
	close(fd);
	if (!p)
		return fail("mmap failed");
	p[3] = 'C';   /* after close: still the file */
	if (file_read_at(FILE_A, 3, buf, 1) != 1 || buf[0] != 'C')
		return fail("after close, a shared store does not reach the file");
	if (unlink(FILE_A) != 0)
		return fail("unlink failed");
	p[PAGE + 1] = 'U';
	if (p[3] != 'C' || p[PAGE + 1] != 'U' || check_bytes(p + PAGE + 2, PAGE + 2, 10, SEED_A) >= 0)
		return fail("after unlink, the mapping lost the file's bytes");
	f1 = free_now();
	if (munmap(p, size) != 0)
		return fail("munmap failed");
	if (free_settled(f1 + 2) != f1 + 2)
		return fail("the last munmap of an unlinked file gave back %ld frames, want its 2",
			    (long)(free_now() - f1));
	return 0;
}

/* Two files mapped at once, each its own bytes and its own inode. */
static int two_files(void)
{
	uint64 size = 2 * PAGE;
	char *a, *b;
	int fa, fb, err = 0;

	if (make_file(FILE_A, size, SEED_A) || make_file(FILE_B, size, SEED_B))
		return fail("cannot make the files");
	fa = open(FILE_A, O_RDONLY);
	fb = open(FILE_B, O_RDONLY);
	a = map(0, size, PROT_READ, MAP_PRIVATE, fa, 0);
	b = map(0, size, PROT_READ, MAP_SHARED, fb, PAGE);
	close(fa);
	close(fb);
	if (!a || !b)
		err = fail("mmap failed");
	if (!err && (check_bytes(a, 0, size, SEED_A) >= 0 || check_bytes(b, PAGE, PAGE, SEED_B) >= 0))
		err = fail("a mapping shows the wrong file's bytes");
	if (!err && (area_is((uint64)a, (uint64)a + size, file_inum(FILE_A), 0) ||
		     area_is((uint64)b, (uint64)b + size, file_inum(FILE_B), PAGE)))
		err = fail("vmmap does not tell the two files apart");
	if (!err && file_inum(FILE_A) == file_inum(FILE_B))
		err = fail("the files share an inode number");
	if (!err)   /* page 1 of b is past the end of FILE_B */
		err = load_kills(b + PAGE);
	if (a)
		munmap(a, size);
	if (b)
		munmap(b, size);
	unlink(FILE_A);
	unlink(FILE_B);
	return err;
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

/* -- fork -------------------------------------------------------------------- */

static char *fk_shared, *fk_private, *fk_anon_shared, *fk_anon_private;

static void fork_writer(void)
{
	fk_shared[0] = CHILD_MARK;
	fk_private[0] = CHILD_MARK;
	fk_private[PAGE] = CHILD_MARK;
	fk_anon_shared[0] = CHILD_MARK;
	fk_anon_private[0] = CHILD_MARK;
}

/* A child's writes reach the parent through shared mappings only (and the file through a shared one). */
static int fork_shared_private(void)
{
	struct child c;
	char buf[2];
	int fd, err = 0;

	if (make_file(FILE_A, 2 * PAGE, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	fk_shared = map(0, PAGE, RW, MAP_SHARED, fd, 0);
	fk_private = map(0, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);
	close(fd);
	fk_anon_shared = map(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fk_anon_private = map(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!fk_shared || !fk_private || !fk_anon_shared || !fk_anon_private)
		err = fail("mmap failed");
	if (!err) {
		fk_private[0] = PARENT_MARK;   /* the parent's own copy before the fork */
		fk_anon_private[0] = PARENT_MARK;
		fk_anon_shared[0] = PARENT_MARK;
		if (run_child(fork_writer, &c) < 0 || c.status != 0)
			err = fail("the writing child failed (status %d)", c.status);
	}
	if (!err && fk_shared[0] != CHILD_MARK)
		err = fail("a shared file page did not show the child's store");
	if (!err && fk_anon_shared[0] != CHILD_MARK)
		err = fail("a shared anonymous page did not show the child's store");
	if (!err && (fk_private[0] != PARENT_MARK || fk_private[PAGE] != fbyte(PAGE, SEED_A)))
		err = fail("the child's store reached a private file page of the parent");
	if (!err && fk_anon_private[0] != PARENT_MARK)
		err = fail("the child's store reached a private anonymous page of the parent");
	if (!err && (file_read_at(FILE_A, 0, buf, 1) != 1 || buf[0] != CHILD_MARK ||
		     file_read_at(FILE_A, PAGE, buf, 1) != 1 || buf[0] != fbyte(PAGE, SEED_A)))
		err = fail("the file does not hold exactly the child's shared store");
	munmap(fk_shared, PAGE);
	munmap(fk_private, 2 * PAGE);
	munmap(fk_anon_shared, PAGE);
	munmap(fk_anon_private, PAGE);
	unlink(FILE_A);
	return err;
}

/* The page of anonymous shared memory a parent and its child talk through. */
struct channel {
	volatile int  go;      /* the parent's word */
	volatile int  reply;   /* the child's answer: go * 2 */
	volatile char note[16];
};

static struct channel *chan;

static void channel_child(void)
{
	for (int i = 0; i < CHAN_TRIES && chan->go == 0; i++)
		sleep(1);
	__sync_synchronize();
	if (chan->go != CHAN_GO)
		child_fail("the parent's word never came (%d)", chan->go);
	memcpy((char *)chan->note, "from the child", 15);
	__sync_synchronize();
	chan->reply = chan->go * 2;
}

/*
 * Anonymous shared memory made before fork is a channel both ways after
 * it; touched says whether the parent writes the page before the fork
 * (then the frame exists and fork shares it) or not (the page must still
 * be one page for both: the first to touch it after the fork makes it).
 */
static int channel(int touched)
{
	struct child c;
	int rep[2], pid, err = 0;

	chan = (struct channel *)map(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!chan)
		return fail("mmap failed");
	if (touched)
		chan->reply = 0;
	if (pipe(rep) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid < 0)
		return fail("fork failed");
	if (pid == 0) {
		close(rep[0]);
		report_fd = rep[1];
		channel_child();
		exit(0);
	}
	close(rep[1]);
	__sync_synchronize();
	chan->go = CHAN_GO;   /* after the fork: only sharing carries it */
	memset(&c, 0, sizeof(c));
	collect(rep[0], &c);
	close(rep[0]);
	c.status = wait_for(pid);
	__sync_synchronize();
	if (c.status != 0)
		err = fail("child: %s", c.why[0] ? c.why : "ended badly");
	if (!err && (chan->reply != 2 * CHAN_GO || memcmp((char *)chan->note, "from the child", 15)))
		err = fail("the child's answer did not arrive (%d)", chan->reply);
	munmap(chan, PAGE);
	return err;
}

static int anon_shared_channel(void)   { return channel(1); }
static int anon_shared_untouched(void) { return channel(0); }

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

/* -- truncation ------------------------------------------------------------- */

/*
 * O_TRUNC takes the pages past the new end out of every mapping: their
 * frames come back at once, a touch there kills, and what is written
 * again appears in the mapping.
 */
static int truncate_unmaps(void)
{
	uint64 f1;
	char *p;
	int fd, tfd, err = 0;

	if (make_file(FILE_A, 4 * PAGE, SEED_A) || (fd = open(FILE_A, O_RDONLY)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (!p)
		return fail("mmap failed");
	if (check_bytes(p, 0, 4 * PAGE, SEED_A) >= 0)
		return fail("the mapping does not read the file");
	f1 = free_now();
	tfd = open(FILE_A, O_WRONLY | O_TRUNC);
	if (tfd < 0)
		return fail("open with O_TRUNC failed");
	if (free_now() - f1 != 4)
		err = fail("truncation gave back %ld frames, want the file's 4", (long)(free_now() - f1));
	if (!err)
		err = load_kills(p);
	if (!err)
		err = load_kills(p + 3 * PAGE);
	if (!err && write(tfd, "Zz", 2) != 2)
		err = fail("write after truncation failed");
	if (!err && (p[0] != 'Z' || p[1] != 'z' || first_nonzero(p + 2, PAGE - 2) >= 0))
		err = fail("the mapping does not show the file written again");
	if (!err)
		err = load_kills(p + PAGE);
	close(tfd);
	munmap(p, 4 * PAGE);
	unlink(FILE_A);
	return err;
}

/* -- pmap ------------------------------------------------------------------ */

/* pmap of ourselves with a file mapped shared at an offset (the boot case reads the line). */
static int pmap_names_file(void)
{
	char pidbuf[16];
	char *argv[] = { "pmap", pidbuf, 0 };
	int fd, pid, err = 0;
	char *p;

	if (make_file(FILE_A, 3 * PAGE, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	p = map(0, 2 * PAGE, RW, MAP_SHARED, fd, PAGE);
	close(fd);
	if (!p)
		return fail("mmap failed");
	((volatile char *)p)[0] = 's';
	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	pid = fork();
	if (pid == 0) {
		exec("/pmap", argv);
		exit(EXEC_FAILED);
	}
	if (pid < 0 || wait_for(pid) != 0)
		err = fail("pmap did not run");
	munmap(p, 2 * PAGE);
	unlink(FILE_A);
	return err;
}

/*
 * Before the cases: make, use and remove what the kernel keeps once made
 * (the leaf table under mmap's gap, slab room for areas, inodes and
 * files, root-directory slots), then lazyhelp's warm-up and snapshot.
 */
static int mmap_warm_up(void)
{
	char *p, *q;
	int fd;

	anchor = map(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anchor)
		*(volatile char *)anchor = 1;
	make_file(FILE_A, 2 * PAGE, SEED_A);
	make_file(FILE_B, 2 * PAGE, SEED_B);
	fd = open(FILE_A, O_RDWR);
	p = map(0, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	q = map(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	close(fd);
	if (p && q) {
		((volatile char *)p)[0] = p[0];
		q[0] = 1;
		mprotect(q, PAGE, PROT_READ);
		munmap(q + 2 * PAGE, PAGE);
	}
	munmap(q, 4 * PAGE);
	munmap(p, 2 * PAGE);
	unlink(FILE_A);
	unlink(FILE_B);
	warm_up();
	return anchor ? 0 : -1;
}

int main(void)
{
	if (mmap_warm_up() < 0) {
		printf("FAIL mmap_anchor: cannot map the anchor page\n");
		return 0;
	}
	printf("mmaptests: cow %d, %lu frames free, anchor at %p\n", cow, start_free, anchor);
	run_balanced("private_readonly", private_readonly);
	run_balanced("private_readwrite", private_readwrite);
	run_balanced("shared_needs_writer", shared_needs_writer);
	run_balanced("shared_sees_io", shared_sees_io);
	run_balanced("end_of_file", end_of_file);
	run_balanced("outlives_close_unlink", outlives_close_unlink);
	run_balanced("two_files", two_files);
	run_balanced("munmap_partial", munmap_partial);
	run_balanced("munmap_unmapped", munmap_unmapped);
	run_balanced("mprotect_up_down", mprotect_up_down);
	run_balanced("mprotect_none_and_back", mprotect_none_and_back);
	run_balanced("fork_shared_private", fork_shared_private);
	run_balanced("anon_shared_channel", anon_shared_channel);
	run_balanced("anon_shared_untouched", anon_shared_untouched);
	run_balanced("fixed_over_heap", fixed_over_heap);
	run_balanced("fixed_over_mapping", fixed_over_mapping);
	run_balanced("hint_free_and_taken", hint_free_and_taken);
	run_balanced("invalid_arguments", invalid_arguments);
	run_balanced("truncate_unmaps", truncate_unmaps);
	run_balanced("pmap_names_file", pmap_names_file);
	run_case("frames_balanced", balanced_since_start);
	return 0;
}
