/*
 * mmaphelp.c: what mmapfiles, mmapranges and mmapfork share.
 *
 * #included by each after lazyhelp.c (whose counting and child helpers
 * it uses), so every test stays a single program; it is not a program of
 * its own.
 *
 * Files. make_file() fills a file with a pattern (fbyte: every byte
 * differs from its neighbours, and pages differ), so check_bytes() can
 * tell which byte of which file a mapping shows, and file_read_at() reads
 * the same bytes through read() to compare.
 *
 * Areas. area_is() checks one area of vmmap() to the byte: its bounds,
 * that mmap made it, its file (inode number; 0: anonymous) and offset.
 *
 * Exact accounting. mmap puts an area without a hint in the highest gap
 * below the stack's guard, and the kernel frees a page table once
 * nothing is left in it. So mmap_warm_up() maps an anchor page there and
 * keeps it to the end: the leaf table under it (2 MiB) holds every small
 * mapping the cases make, and stays. A file is also made, mapped and
 * removed, so the kernel's slabs and the root directory have room. Then
 * each case must give back every frame it took: run_balanced() checks
 * the free-frame count after each, with its files closed and deleted
 * (after a failure it also unmaps everything below the anchor, so one
 * failure does not spread), and each program's last case checks the
 * whole program. Where a case can say how many frames a step costs, it
 * says so to the frame: reading a file mapping costs none, a private
 * write one.
 *
 * Kills. load_kills() and store_kills() run the access in a child and
 * expect the kernel to kill it; the kill line on the console names the
 * rule, which the program's boot cases look for.
 */
#include "kernel/fcntl.h"
#include "kernel/stat.h"

#define FILE_A      "/mm_a"
#define FILE_B      "/mm_b"
#define FILE_PIN    "/mm_pin"   /* keeps a kernel-heap page in use (outlives_close_unlink) */
#define CHUNK       512            /* make_file's write size */
#define RW          (PROT_READ | PROT_WRITE)
#define FREE_HINT   0x3000000000UL /* user space nothing reserves */
#define SCRATCH     (256 * PAGE - PAGE)   /* the anchor's leaf table below it */
#define SEED_A      1
#define SEED_B      2

/* -- files ------------------------------------------------------------------ */

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
static long __attribute__((unused)) check_bytes(const volatile char *base, uint64 foff, uint64 n, int seed)
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

/* path's inode number, or 0. */
static uint64 __attribute__((unused)) file_inum(const char *path)
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

/* -- areas ------------------------------------------------------------------ */

/* The area holding va in our address space; 0, or -1 when none does. */
static int __attribute__((unused)) area_of(uint64 va, struct vmmap_entry *out)
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

/*
 * Is there exactly one area [start, end), made by mmap, of file inum (0:
 * anonymous) at byte offset off? NULL, or what is wrong.
 */
static const char *__attribute__((unused)) area_is(uint64 start, uint64 end, uint64 inum, uint64 off)
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

static char *anchor;   /* one page mapped through the program: see the top */

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

/* -- kills ------------------------------------------------------------------ */

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
static int __attribute__((unused)) load_kills(void *va)
{
	target = va;
	return expect_killed(load_target);
}

static int __attribute__((unused)) store_kills(void *va)
{
	target = va;
	return expect_killed(store_target);
}

/* -- before the cases ------------------------------------------------------- */

/*
 * Make, use and remove what the kernel keeps once made (the leaf table
 * under mmap's gap, slab room for areas, inodes and files, root-directory
 * slots), then lazyhelp's warm-up and snapshot, and say so in one line
 * (or, without an anchor, in a FAIL line). 0, or -1: run no case.
 */
static int mmap_warm_up(const char *prog)
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
	if (!anchor) {
		printf("FAIL %s_anchor: cannot map the anchor page\n", prog);
		return -1;
	}
	printf("%s: cow %d, %lu frames free, anchor at %p\n", prog, cow, start_free, anchor);
	return 0;
}
