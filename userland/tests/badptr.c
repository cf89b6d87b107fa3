/*
 * badptr: system calls given bad pointers, bad descriptors and bad lengths.
 *
 * Each must return -1, and the process must live on to print the next
 * line: the kernel's user-copy routines fail the call instead of killing
 * anyone (or panicking). The bad pointers are:
 *
 *   null       0, the never-mapped page 0
 *   unmapped   0x3000000000, user space nothing reserves
 *   kernel     0xffffffc080200000, the kernel's text
 *   wrapping   -4096 with 8192 bytes: the range wraps past the top
 *
 * plus, for calls that write to user memory, the program's own read-only
 * text. Buffers that sbrk reserved but nothing has touched yet must work.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "check.h"

#define UNMAPPED_VA  0x3000000000UL
#define KERNEL_VA    0xffffffc080200000UL
#define WRAP_VA      ((uint64)-4096)
#define BAD_LEN      8192        /* with WRAP_VA, wraps past 2^64 */
#define DATA_FILE    "/bp_file"
#define DATA_SIZE    (4 * PGSIZE)
#define SMALL        8
#define FAR_FD       1000
#define EXEC_RETURNED 77         /* a child's status when exec gave -1 */
#define STRING_TAIL  16          /* unterminated bytes before unmapped memory */

struct bad {
	const char *name;
	uint64 va;
};

static const struct bad bad[] = {
	{ "null", 0 },
	{ "unmapped", UNMAPPED_VA },
	{ "kernel", KERNEL_VA },
	{ "wrapping", WRAP_VA },
};
#define NBAD ((int)(sizeof(bad) / sizeof(bad[0])))

/* Somewhere in this program's own text, which is mapped read-only. */
#define TEXT_VA      ((uint64)(void *)main)

int main(void);

static char data[DATA_SIZE];
static int data_fd = -1;

/*
 * Evaluate call once for every bad pointer (named p in it); fail the case,
 * naming the pointer, if it gives anything but -1.
 */
#define EACH_BAD_FAILS(call)                                                  \
	do {                                                                  \
		for (int i_ = 0; i_ < NBAD; i_++) {                           \
			void *p = (void *)bad[i_].va;                         \
			long r_ = (call);                                     \
			if (r_ != -1)                                         \
				return fail("%s pointer: returned %ld",       \
					    bad[i_].name, r_);                \
		}                                                             \
	} while (0)

/* Fail the case unless call gives -1; what names the attempt. */
#define MUST_FAIL(what, call)                                                 \
	do {                                                                  \
		long r_ = (call);                                             \
		if (r_ != -1)                                                 \
			return fail("%s: returned %ld", what, r_);            \
	} while (0)

/* The lowest free descriptor: what the next open would get. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static int setup(void)
{
	int fd;

	for (int i = 0; i < DATA_SIZE; i++)
		data[i] = (char)(i * 3 + 1);
	fd = open(DATA_FILE, O_CREATE | O_RDWR | O_TRUNC);
	if (fd < 0 || write(fd, data, DATA_SIZE) != DATA_SIZE)
		return -1;
	close(fd);
	data_fd = open(DATA_FILE, O_RDONLY);
	return data_fd < 0 ? -1 : 0;
}

static int read_bad(void)
{
	uint64 text_before = *(volatile uint64 *)TEXT_VA;
	int fds[2];

	EACH_BAD_FAILS(read(data_fd, p, BAD_LEN));
	MUST_FAIL("file into text", read(data_fd, (void *)TEXT_VA, SMALL));
	if (*(volatile uint64 *)TEXT_VA != text_before)
		return fail("the kernel wrote into read-only text");
	if (pipe(fds) < 0)
		return fail("pipe failed");
	/* Data waits in the pipe each time, so a read cannot block. */
	EACH_BAD_FAILS((write(fds[1], data, SMALL), read(fds[0], p, BAD_LEN)));
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static int write_bad(void)
{
	int fd, fds[2];

	fd = open(DATA_FILE, O_WRONLY);
	if (fd < 0)
		return fail("cannot open %s", DATA_FILE);
	EACH_BAD_FAILS(write(fd, p, BAD_LEN));
	close(fd);
	EACH_BAD_FAILS(write(1, p, BAD_LEN));
	if (pipe(fds) < 0)
		return fail("pipe failed");
	EACH_BAD_FAILS(write(fds[1], p, BAD_LEN));
	close(fds[0]);
	close(fds[1]);
	return 0;
}

/* pipe() into bad memory fails and leaves no descriptor behind. */
static int pipe_bad(void)
{
	int before = lowest_free_fd();

	EACH_BAD_FAILS(pipe(p));
	MUST_FAIL("into text", pipe((int *)TEXT_VA));
	if (lowest_free_fd() != before)
		return fail("a failed pipe() left descriptors open");
	return 0;
}

static int fstat_bad(void)
{
	EACH_BAD_FAILS(fstat(data_fd, p));
	MUST_FAIL("into text", fstat(data_fd, (struct stat *)TEXT_VA));
	MUST_FAIL("across the top of user space",
		  fstat(data_fd, (struct stat *)(MAXVA - SMALL)));
	return 0;
}

/*
 * A path with STRING_TAIL bytes and no NUL before the end of the heap:
 * reading it runs into unmapped memory. Returns 0 if sbrk failed.
 */
static char *unterminated_path(void)
{
	char *page = sbrk(PGSIZE);

	if (page == (char *)-1)
		return 0;
	memset(page, 'a', PGSIZE);
	return page + PGSIZE - STRING_TAIL;
}

static int paths_bad(void)
{
	char *tail = unterminated_path();
	struct stat st;

	EACH_BAD_FAILS(open(p, O_RDONLY));
	EACH_BAD_FAILS(open(p, O_CREATE | O_RDWR));
	EACH_BAD_FAILS(mknod(p, 1, 1));
	EACH_BAD_FAILS(unlink(p));
	EACH_BAD_FAILS(mkdir(p));
	EACH_BAD_FAILS(chdir(p));
	EACH_BAD_FAILS(link(p, "/bp_link"));
	EACH_BAD_FAILS(link(DATA_FILE, p));
	EACH_BAD_FAILS(stat(p, &st));
	if (tail == 0)
		return fail("sbrk failed");
	MUST_FAIL("unterminated open", open(tail, O_RDONLY));
	MUST_FAIL("unterminated mkdir", mkdir(tail));
	sbrk(-PGSIZE);
	unlink("/bp_link");
	return 0;
}

/* Run exec(path, argv) in a child; did exec return -1 there? */
static int exec_fails(const char *path, char **argv)
{
	int pid = fork(), status = -1;

	if (pid == 0) {
		close(1);   /* should exec succeed, keep its output quiet */
		close(2);
		exec(path, argv);
		exit(EXEC_RETURNED);
	}
	if (pid < 0 || wait(&status) != pid)
		return 0;
	return status == EXEC_RETURNED;
}

static int exec_bad(void)
{
	for (int i = 0; i < NBAD; i++) {
		char *p = (char *)bad[i].va;
		char *argv_bad_entry[] = { "echo", p, 0 };
		char *argv_ok[] = { "echo", 0 };

		if (!exec_fails(p, argv_ok))
			return fail("%s path: exec did not return -1", bad[i].name);
		if (!exec_fails("/echo", (char **)p))
			return fail("%s argv: exec did not return -1", bad[i].name);
		/* (A NULL argv[1] just ends the list: nothing bad there.) */
		if (p != 0 && !exec_fails("/echo", argv_bad_entry))
			return fail("%s argv[1]: exec did not return -1", bad[i].name);
	}
	return 0;
}

/*
 * wait() storing the status into bad memory (0 means "don't store"): -1,
 * and the child is reaped all the same (as Linux's wait4): no zombie is
 * left for a second wait.
 */
static int wait_bad(void)
{
	for (int i = 0; i < NBAD; i++) {
		int pid, r, again;

		if (bad[i].va == 0)
			continue;
		pid = fork();
		if (pid == 0)
			exit(0);
		r = wait((int *)bad[i].va);
		again = wait(0);
		while (again >= 0 && wait(0) >= 0)   /* do not leave it behind */
			;
		if (r != -1)
			return fail("%s pointer: returned %d", bad[i].name, r);
		if (again == pid)
			return fail("%s pointer: child %d kept as a zombie", bad[i].name, pid);
	}
	return 0;
}

static int memstat_bad(void)
{
	EACH_BAD_FAILS(memstat(p));
	MUST_FAIL("into text", memstat((struct memstat *)TEXT_VA));
	return 0;
}

static int vmmap_bad(void)
{
	struct vmmap_entry v[2];

	EACH_BAD_FAILS(vmmap(0, p, 2));
	MUST_FAIL("into text", vmmap(0, (struct vmmap_entry *)TEXT_VA, 2));
	MUST_FAIL("negative count", vmmap(0, v, -1));
	return 0;
}

/*
 * procinfo into bad memory fails; so does a negative count. A count of 0
 * copies nothing, so it only counts, whatever the pointer.
 */
static int procinfo_bad(void)
{
	struct procinfo v[2];

	EACH_BAD_FAILS(procinfo(p, 2));
	MUST_FAIL("into text", procinfo((struct procinfo *)TEXT_VA, 2));
	MUST_FAIL("across the top of user space",
		  procinfo((struct procinfo *)(MAXVA - SMALL), 1));
	MUST_FAIL("negative count", procinfo(v, -1));
	if (procinfo(0, 0) < 1)
		return fail("procinfo(0, 0) did not count this process");
	if (procinfo(v, 2) < 1 || v[0].pid <= 0)
		return fail("procinfo into a good buffer failed");
	return 0;
}

/* Descriptors out of range, or not open, fail everywhere. */
static int bad_fds(void)
{
	int closed = lowest_free_fd();
	int fds[] = { -1, NOFILE, FAR_FD, closed };
	char buf[SMALL];
	struct stat st;

	for (uint i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		int fd = fds[i];

		if (read(fd, buf, SMALL) != -1 || write(fd, buf, SMALL) != -1 ||
		    fstat(fd, &st) != -1 || dup(fd) != -1 || close(fd) != -1)
			return fail("fd %d: a call did not return -1", fd);
	}
	return 0;
}

static int negative_lengths(void)
{
	char buf[SMALL];
	int fds[2];

	MUST_FAIL("read, file", read(data_fd, buf, -1));
	MUST_FAIL("write, console", write(1, buf, -5));
	if (pipe(fds) < 0)
		return fail("pipe failed");
	write(fds[1], buf, SMALL);
	MUST_FAIL("read, pipe", read(fds[0], buf, -1));
	MUST_FAIL("write, pipe", write(fds[1], buf, -1));
	close(fds[0]);
	close(fds[1]);
	return 0;
}

/*
 * Memory sbrk reserved but nothing touched yet is good memory: read,
 * write and pipe must accept it (the kernel faults it in).
 */
static int lazy_buffers(void)
{
	char *heap = sbrk(3 * PGSIZE);
	int fd, n, *fds;

	if (heap == (char *)-1)
		return fail("sbrk failed");
	fd = open(DATA_FILE, O_RDONLY);
	n = read(fd, heap, 2 * PGSIZE);
	close(fd);
	if (n != 2 * PGSIZE || memcmp(heap, data, 2 * PGSIZE) != 0) {
		sbrk(-3 * PGSIZE);
		return fail("read into untouched memory gave %d", n);
	}
	fds = (int *)(heap + 2 * PGSIZE);
	if (pipe(fds) < 0) {
		sbrk(-3 * PGSIZE);
		return fail("pipe() into untouched memory failed");
	}
	close(fds[0]);
	close(fds[1]);
	sbrk(-3 * PGSIZE);
	fd = open(DATA_FILE, O_WRONLY);
	heap = sbrk(PGSIZE);
	n = write(fd, heap, PGSIZE);   /* an untouched page reads as zeros */
	close(fd);
	sbrk(-PGSIZE);
	if (n != PGSIZE)
		return fail("write from untouched memory gave %d", n);
	return 0;
}

/* Just above the break, and the stack's guard page, are not user memory. */
static int beyond_areas(void)
{
	char *above = (char *)PGROUNDUP((uint64)sbrk(0)) + PGSIZE;
	struct vmmap_entry v[8];
	int n;

	MUST_FAIL("read above the break", read(data_fd, above, SMALL));
	MUST_FAIL("write from above the break", write(1, above, SMALL));
	n = vmmap(0, v, 8);
	for (int i = 0; i < n && i < 8; i++) {
		if (v[i].kind == VMMAP_KIND_STACK) {
			char *guard = (char *)(v[i].start - PGSIZE);

			MUST_FAIL("read into the stack guard", read(data_fd, guard, SMALL));
			return 0;
		}
	}
	return fail("vmmap shows no stack (vmmap gave %d)", n);
}

/*
 * mmap, munmap and mprotect given the kernel and the wrapping pointer:
 * -1 each (null and unmapped are ordinary user addresses to them: munmap
 * of nothing is 0, so they are not asked).
 */
static int mm_calls(void)
{
	for (int i = 0; i < NBAD; i++) {
		void *p = (void *)bad[i].va;

		if (bad[i].va != KERNEL_VA && bad[i].va != WRAP_VA)
			continue;
		MUST_FAIL("mmap MAP_FIXED", (long)mmap(p, BAD_LEN, PROT_READ,
						      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
		MUST_FAIL("munmap", munmap(p, BAD_LEN));
		MUST_FAIL("mprotect", mprotect(p, BAD_LEN, PROT_READ));
	}
	return 0;
}

int main(void)
{
	if (setup() < 0) {
		printf("FAIL badptr_setup: cannot create %s\n", DATA_FILE);
		return 0;
	}
	run_case("badptr_read", read_bad);
	run_case("badptr_write", write_bad);
	run_case("badptr_pipe", pipe_bad);
	run_case("badptr_fstat", fstat_bad);
	run_case("badptr_paths", paths_bad);
	run_case("badptr_exec", exec_bad);
	run_case("badptr_wait", wait_bad);
	run_case("badptr_memstat", memstat_bad);
	run_case("badptr_vmmap", vmmap_bad);
	run_case("badptr_procinfo", procinfo_bad);
	run_case("badptr_fds", bad_fds);
	run_case("badptr_negative_len", negative_lengths);
	run_case("badptr_lazy_buffers", lazy_buffers);
	run_case("badptr_beyond_areas", beyond_areas);
	run_case("badptr_mm_calls", mm_calls);
	close(data_fd);
	unlink(DATA_FILE);
	report("badptr_survived", 1, "");
	return 0;
}
