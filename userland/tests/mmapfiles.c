/*
 * mmapfiles: what a mapped file is, through the mapping and through the file.
 *
 * A file mapping is the file's own frames (fs lends them to mm): a
 * shared one writes them, a private one maps them read-only and copies a
 * page on its first write. So the cases check bytes both ways (through
 * the mapping and through read()/write()) and count the frames each step
 * costs: reading a file mapping costs none, a private write one. Then
 * the edges of a file: what a touch past its end does (the last page
 * reads zeros; a page wholly past the end is a kill, "beyond end of
 * file"), that a mapping outlives close() and unlink(), that two files
 * mapped at once stay apart, that truncation takes pages out of a
 * mapping, and pmap's line for a mapped file.
 *
 * mmapranges splits and changes areas (munmap, mprotect, MAP_FIXED,
 * hints, bad arguments); mmapfork checks what fork shares. mmaphelp.c
 * holds what the three share, and how their frame accounting stays
 * exact. docs/mmap.md has the story; tests/boot/cases.py boots each.
 *
 * Run as init (init=/mmapfiles test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "mmaphelp.c"

#define TAIL        100            /* bytes of a file's partial last page */
#define EXEC_FAILED 127            /* a child's status when exec gave -1 */

/* The size of path now, or ~0. */
static uint64 file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? ~0UL : st.size;
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
	/* The file's own frames, mapped by us alone: copy-on-write, not shared. */
	if (area_of((uint64)p, &e) || e.resident != 4 || e.shared != 0 || e.cow != 4 ||
	    (e.prot & VMMAP_SHARED))
		return fail("vmmap: %lu resident, %lu shared, %lu cow, prot %x; want 4, 0, 4, private",
			    e.resident, e.shared, e.cow, e.prot);
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

/* A mapping outlives close() and unlink(); the file's frames go with its last mapping.
 * A second file made just after keeps the kernel-heap page that holds the
 * inode in use (kmalloc frees a slab page with its last object), so the
 * count is the file's frames only, wherever the inode fell among the
 * image's inodes. */
static uint64 cache_now(void)
{
	struct memstat st;

	memstat(&st);
	return st.file_frames;
}

static int outlives_close_unlink(void)
{
	uint64 size = 2 * PAGE, f1, c1;
	char buf[4];
	char *p;
	int fd, pin;

	if (make_file(FILE_A, size, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	if ((pin = open(FILE_PIN, O_CREATE | O_RDWR)) < 0)
		return fail("cannot make %s", FILE_PIN);
	close(pin);
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
	c1 = cache_now();
	if (munmap(p, size) != 0)
		return fail("munmap failed");
	/* Its 2 pages leave the page cache, and exactly they come back. */
	for (int i = 0; i < SETTLE_TRIES && cache_now() != c1 - 2; i++)
		sleep(1);
	if (cache_now() != c1 - 2) {
		unlink(FILE_PIN);
		return fail("the last munmap of an unlinked file took %ld frames from the page "
			    "cache, want its 2", (long)(c1 - cache_now()));
	}
	if (free_settled(f1 + 2) != f1 + 2) {
		unlink(FILE_PIN);
		return fail("the last munmap of an unlinked file gave back %ld frames, want its 2",
			    (long)(free_now() - f1));
	}
	unlink(FILE_PIN);
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

int main(void)
{
	if (mmap_warm_up("mmapfiles") < 0)
		return 0;
	run_balanced("private_readonly", private_readonly);
	run_balanced("private_readwrite", private_readwrite);
	run_balanced("shared_needs_writer", shared_needs_writer);
	run_balanced("shared_sees_io", shared_sees_io);
	run_balanced("end_of_file", end_of_file);
	run_balanced("outlives_close_unlink", outlives_close_unlink);
	run_balanced("two_files", two_files);
	run_balanced("truncate_unmaps", truncate_unmaps);
	run_balanced("pmap_names_file", pmap_names_file);
	run_case("mmapfiles_frames_balanced", balanced_since_start);
	return 0;
}
