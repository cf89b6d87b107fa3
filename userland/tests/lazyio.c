/*
 * lazyio: the kernel's user-copy paths against lazy memory.
 *
 * read, write, pipe and exec take buffers that sbrk reserved but nothing
 * has touched yet: the copy faults the pages in as the user's own access
 * would (write() from untouched memory sends zeros, read() into it lands
 * the data, exec reads argv from it). Addresses no area allows (the
 * kernel half, above the break, the guard page) make the call return -1
 * instead, and the caller lives on.
 *
 * Works lazy or eager (mm.eager=1). docs/lazy-tests.md lists the cases.
 * Run as init (init=/lazyio test=1) or from the shell.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"

#define DATA_FILE      "/lazyio.dat"
#define DATA_LEN       64
#define IO_PAGES       4                  /* one untouched region, in pages */
#define PIPE_LEN       300                /* crosses a page boundary below */
#define FILE_LEN       (3 * PAGE)
#define FILE_LEN2      (2 * PAGE + 333)
#define FILL           0x5a

static char iobuf[4 * PAGE];              /* resident (prefaulted) buffer */

/*
 * A fresh region of IO_PAGES untouched pages (page-aligned); 0 if sbrk
 * failed. In lazy mode the pages are checked to have no frame yet.
 */
static char *fresh_pages(void)
{
	uint64 res;
	char *p;

	if (brk_align(PAGE) == 0)
		return 0;
	res = heap_resident();
	p = sbrk((int)(IO_PAGES * PAGE));
	if (p == SBRK_FAILED || (!eager && heap_resident() != res))
		return 0;
	return p;
}

/*
 * write() from untouched memory sends zeros; read() into untouched memory
 * lands the data. Both cross a page boundary between untouched pages.
 */
static int pipe_untouched(void)
{
	uint64 mark = brk_now();
	char *p = fresh_pages();
	int fds[2], n, err = 0;

	if (p == 0) {
		brk_reset(mark);
		return fail("no fresh untouched pages");
	}
	if (pipe(fds) < 0) {
		brk_reset(mark);
		return fail("pipe failed");
	}
	n = write(fds[1], p + PAGE - PIPE_LEN / 2, PIPE_LEN);
	if (n != PIPE_LEN) {
		err = fail("write from untouched memory returned %d", n);
		goto out;
	}
	memset(iobuf, FILL, PIPE_LEN);
	n = read(fds[0], iobuf, PIPE_LEN);
	if (n != PIPE_LEN || first_nonzero(iobuf, PIPE_LEN) >= 0) {
		err = fail("read back %d bytes, first nonzero at %ld", n,
			   first_nonzero(iobuf, PIPE_LEN));
		goto out;
	}
	for (int i = 0; i < PIPE_LEN; i++)
		iobuf[i] = (char)(i + 1);
	if (write(fds[1], iobuf, PIPE_LEN) != PIPE_LEN) {
		err = fail("write to the pipe failed");
		goto out;
	}
	n = read(fds[0], p + 3 * PAGE - PIPE_LEN / 2, PIPE_LEN);
	if (n != PIPE_LEN) {
		err = fail("read into untouched memory returned %d", n);
		goto out;
	}
	if (memcmp(p + 3 * PAGE - PIPE_LEN / 2, iobuf, PIPE_LEN) != 0)
		err = fail("data read into untouched memory is wrong");
out:
	close(fds[0]);
	close(fds[1]);
	brk_reset(mark);
	return err;
}

/*
 * The data file as the start snapshot saw it: DATA_LEN bytes. Cases
 * that rewrite it put it back this way.
 */
static void make_data_file(void)
{
	char buf[DATA_LEN];
	int fd = open(DATA_FILE, O_CREATE | O_RDWR | O_TRUNC);

	for (int i = 0; i < DATA_LEN; i++)
		buf[i] = (char)('a' + i % 26);
	write(fd, buf, DATA_LEN);
	close(fd);
}

/* Open the data file afresh (truncated or not). */
static int open_data(int trunc)
{
	return open(DATA_FILE, O_RDWR | (trunc ? O_TRUNC : 0));
}

/* The same with a file: untouched memory written out, and read into. */
static int file_untouched(void)
{
	uint64 mark = brk_now();
	char *p = fresh_pages(), *dst;
	int fd, n, err = 0;

	if (p == 0) {
		brk_reset(mark);
		return fail("no fresh untouched pages");
	}
	fd = open_data(1);
	n = write(fd, p + 100, FILE_LEN);
	close(fd);
	if (n != FILE_LEN) {
		err = fail("write of %lu untouched bytes returned %d", FILE_LEN, n);
		goto out;
	}
	memset(iobuf, FILL, FILE_LEN);
	fd = open_data(0);
	n = read(fd, iobuf, FILE_LEN);
	close(fd);
	if (n != FILE_LEN || first_nonzero(iobuf, FILE_LEN) >= 0) {
		err = fail("file holds %d bytes, first nonzero at %ld", n,
			   first_nonzero(iobuf, FILE_LEN));
		goto out;
	}
	brk_reset(mark);
	if ((p = fresh_pages()) == 0) {
		err = fail("no fresh untouched pages for the read");
		goto out;
	}
	for (uint64 i = 0; i < FILE_LEN2; i++)
		iobuf[i] = (char)(i * 13 + 5);
	fd = open_data(1);
	n = write(fd, iobuf, FILE_LEN2);
	close(fd);
	if (n != FILE_LEN2) {
		err = fail("writing the file returned %d", n);
		goto out;
	}
	dst = p + 555;
	fd = open_data(0);
	n = read(fd, dst, FILE_LEN2);
	close(fd);
	if (n != FILE_LEN2)
		err = fail("read into untouched memory returned %d, want %lu", n, FILE_LEN2);
	else if (memcmp(dst, iobuf, FILE_LEN2) != 0)
		err = fail("data read into untouched memory is wrong");
out:
	make_data_file();
	brk_reset(mark);
	return err;
}

/*
 * In a child: exec /echo with everything in fresh sbrk memory. The
 * pointer array ends at a page boundary, so its NULL is the first word
 * of an untouched page; the empty last argument is an untouched page;
 * the path string straddles two pages. Echo's output goes to the report.
 */
static void exec_child(void)
{
	static const char *words[] = { "echo", "lazy", "argv" };
	enum { NWORDS = 3, NPTRS = NWORDS + 1, NPAGES = 6 };
	char *a, *path, *s;
	char **argv;
	uint64 res;

	if (brk_align(PAGE) == 0)
		child_fail("cannot align the break");
	res = heap_resident();
	a = sbrk((int)(NPAGES * PAGE));
	if (a == SBRK_FAILED)
		child_fail("sbrk failed");
	argv = (char **)(a + PAGE - NPTRS * sizeof(char *));   /* page 0 */
	path = a + 3 * PAGE - 3;                               /* pages 2-3 */
	s = a + 3 * PAGE + 64;                                 /* page 3 */
	strcpy(path, "/echo");
	for (int i = 0; i < NWORDS; i++) {
		argv[i] = strcpy(s, words[i]);
		s += strlen(words[i]) + 1;
	}
	argv[NWORDS] = a + 4 * PAGE;      /* "" in untouched page 4 */
	/* argv[NPTRS], the NULL, is at a + PAGE: untouched page 1 */
	if (!eager && heap_resident() != res + 3)
		child_fail("%lu heap pages resident before exec, want %lu",
			   heap_resident(), res + 3);
	close(1);
	if (dup(report_fd) != 1)
		child_fail("cannot put the report on fd 1");
	exec(path, argv);
	child_fail("exec returned");
}

/* exec takes its path and argv from reserved, untouched sbrk memory. */
static int exec_lazy_argv(void)
{
	static const char want[] = "lazy argv \n";   /* "" adds the last space */
	struct child c;

	if (run_child(exec_child, &c) < 0)
		return fail("pipe or fork failed");
	if (c.why[0])
		return fail("%s", c.why);
	if (c.status != 0)
		return fail("echo exited with status %d", c.status);
	if (strcmp(c.out, want) != 0)
		return fail("echo printed \"%s\", want \"lazy argv \\n\"", c.out);
	return 0;
}

/* Child: hand bad addresses to read and write; each must give -1. */
static void bad_copy_child(void)
{
	char *above = (char *)PAGE_UP(brk_now()), *guard = (char *)guard_page();
	char buf[DATA_LEN];
	int fds[2], fd, n;

	if (pipe(fds) < 0)
		child_fail("pipe failed");
	if ((n = write(fds[1], (char *)KERNEL_VA, 10)) != -1)
		child_fail("write to a pipe from the kernel's address gave %d", n);
	fd = open(DATA_FILE, O_RDWR);
	if ((n = write(fd, (char *)KERNEL_VA, 10)) != -1)
		child_fail("write to a file from the kernel's address gave %d", n);
	close(fd);
	fd = open(DATA_FILE, O_RDONLY);
	if ((n = read(fd, above, 10)) != -1)
		child_fail("read from a file into %p above the break gave %d", above, n);
	if ((n = read(fd, guard, 10)) != -1)
		child_fail("read into the guard page gave %d", n);
	if (write(fds[1], "0123456789", 10) != 10)
		child_fail("write to the pipe failed");
	if ((n = read(fds[0], above, 10)) != -1)
		child_fail("read from a pipe into %p above the break gave %d", above, n);
	close(fd);
	fd = open(DATA_FILE, O_RDONLY);
	if ((n = read(fd, buf, DATA_LEN)) != DATA_LEN)
		child_fail("a good read after the bad ones gave %d", n);
	close(fd);
	close(fds[0]);
	close(fds[1]);
}

/* Bad addresses in system calls: -1, and the caller is not killed. */
static int bad_copy_fails(void)
{
	return expect_clean(bad_copy_child);
}

int main(void)
{
	make_data_file();
	warm_up();

	run_case("pipe_untouched", pipe_untouched);
	run_case("file_untouched", file_untouched);
	run_case("exec_lazy_argv", exec_lazy_argv);
	run_case("bad_copy_fails", bad_copy_fails);

	run_case("io_frames_balanced", balanced_since_start);
	unlink(DATA_FILE);
	exit(0);
}
