/*
 * fuzz [calls=N] [seed=S] [batch=B] [workers=W]: a system-call fuzzer.
 *
 *   parent (the run)                 workers (one per batch, W at once)
 *   ----------------                 ----------------------------------
 *   count creatable inodes           chdir /fz/wK, clean it, set up targets:
 *   touch own image, take free          junk buffer, unterminated string,
 *     frames (the baseline)             lazy pages, a copy-on-write page,
 *   fork W workers, a ticker            crafted ELF files e0, e1
 *   wait: worker done -> next batch  B calls: raw ecalls, full 64-bit
 *         ticker -> watchdog:           registers, every number below
 *         a worker whose call count     SYS_COUNT and some above, arguments
 *         stood still > STUCK_TICKS     from fuzzgen.c; every ORACLE_EVERY
 *         is killed                     calls an oracle
 *   all gone: clean /fz, free frames  a failed oracle: the reason into the
 *     and creatable inodes == start     shared slot, exit FAIL_STATUS
 *
 * Output: "fuzz: ..." progress lines, then PASS/FAIL lines:
 *   fuzz_oracles        no oracle failed and no worker died unexpectedly
 *   fuzz_workers_done   every worker (and what it left) is gone
 *   fuzz_frames_balanced, fuzz_inodes_balanced   the counts equal the start
 * A failure prints the seed, the batch and the last RING calls of the
 * worker (number, six arguments, result), kept in memory shared with the
 * parent so they survive the worker.
 *
 * What a worker may touch. Workers must not damage the run or the rest of
 * the system: they close the console first (no stray output), work in
 * /fz/wK, create/change/remove only the names of fuzzgen.c's scratch list,
 * open anything else read-only, exec only in a child of their own, kill
 * only their own children, and never munmap/mprotect/MAP_FIXED over their
 * own image, stack, or the targets (the call is drawn again).
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "lazuli/syscall.h"
#include "lazuli/dirent.h"
#include "lazuli/mman.h"
#include "user/user.h"
#include "user/lazuli.h"

#include "fuzzgen.c"
/* elftest's builder; its instruction encoders we do not all use */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#include "elfbuild.c"
#pragma clang diagnostic pop
#include "counthelp.c"

#define RING            16          /* calls a failure report shows */
#define WHY_LEN         160
#define MAX_WORKERS     8
#define FAIL_STATUS     91          /* a worker's exit status: an oracle failed */
#define EXEC_FAILED     127
#define ORACLE_EVERY    16          /* calls between oracles */
#define COW_EVERY       64          /* calls between fresh copy-on-write pages */
#define TICK            5           /* the ticker's sleep, in ticks (10 ms each) */
#define STUCK_TICKS     150         /* a worker this long without a call is killed */
#define DEATH_TICKS     1000        /* ... and must be gone this long after the kill */
#define CHILD_TICKS     50          /* a worker's own children: exec'd files, forks */
#define UNKNOWN_CALLS   8           /* numbers past SYS_COUNT tried besides huge ones */
#define HOLDER_TICKS    20          /* the copy-on-write holder's life */
#define MAX_FAIL_REPORTS 3
#define BAD_MAJOR       (DEVICE_MAJORS_GUESS + 7)
#define DEVICE_MAJORS_GUESS 16      /* fs/device.h: majors 0..15; none past */
#define NO_PID          0x40000000  /* far above any pid a run reaches */
#define USER_TEXT_BASE_GUESS 0x10000UL   /* user.ld.in: where the image starts */
#define PAGE_ROUND(x)   (((uint64)(x) + PAGE - 1) & ~(PAGE - 1))
#define IC_DIR          "/icount"     /* count_creatable_inodes works here */

struct call_rec {
	uint64 n;                 /* the call's number in the batch */
	uint64 nr, a[6];
	long  ret;
};

/* One worker's slot, in memory shared with the parent (MAP_SHARED). */
struct slot {
	int    pid;               /* 0: free */
	int    killed_at;         /* uptime of the watchdog's kill, 0: none */
	uint64 batch;
	uint64 calls;             /* calls made so far; the watchdog's progress mark */
	uint64 seen_calls;        /* [parent] calls at the last look */
	int    seen_at;           /* [parent] uptime of the last progress */
	struct call_rec ring[RING];
	char   why[WHY_LEN];
};

static struct slot *slots;
static struct slot *me;          /* in a worker: its slot */
static uint64 opt_calls = 20000, opt_seed = 1, opt_batch = 200;
static int opt_workers = 3, opt_concurrent;
static char opt_dir[16] = "/fz";

/* ---- the worker ---- */

static long raw_ecall(uint64 nr, const uint64 a[6])
{
	register uint64 a0 __asm__("a0") = a[0];
	register uint64 a1 __asm__("a1") = a[1];
	register uint64 a2 __asm__("a2") = a[2];
	register uint64 a3 __asm__("a3") = a[3];
	register uint64 a4 __asm__("a4") = a[4];
	register uint64 a5 __asm__("a5") = a[5];
	register uint64 a7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return (long)a0;
}

static uint64 initial_brk, stack_lo;
static int holder_pid, my_pid;
static void oracle_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static uint fds_open;            /* bit fd: open, as the calls' results say */

static int lowest_free_fd(void)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if (!(fds_open & (1u << fd)))
			return fd;
	return -1;
}

/* A call gave us descriptor fd: it must be the lowest free one. */
static void fd_given(int fd, const char *call)
{
	int low = lowest_free_fd();

	if (fd != low)
		oracle_fail("%s gave fd %d, the lowest free is %d", call, fd, low);
	fds_open |= 1u << fd;
}
static char worker_dir[32];

/* An oracle failed: say why in the slot, and end the worker. */
static void oracle_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(me->why, WHY_LEN, fmt, ap);
	va_end(ap);
	exit(FAIL_STATUS);
}

/* [lo, hi) overlaps what the worker lives on (its image, stack, targets). */
static int touches_own(uint64 addr, uint64 len)
{
	uint64 lo = addr & ~(PAGE - 1), hi = addr + len;
	const uint64 own[][2] = {
		{ USER_TEXT_BASE_GUESS, initial_brk },
		{ stack_lo, USER_TOP },
		{ tg.junk - PAGE, tg.junk + (JUNK_PAGES + 1) * PAGE },
		{ tg.str_end - 2 * PAGE, tg.str_end + PAGE },
		{ tg.cow, tg.cow + PAGE },
		{ (uint64)slots, (uint64)slots + PAGE_ROUND(sizeof(struct slot) * MAX_WORKERS) },
	};

	if (hi < addr || hi - addr > (1UL << 40))     /* wraps, or spans all */
		return 1;
	hi = (hi + PAGE - 1) & ~(PAGE - 1);
	for (uint i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (lo < own[i][1] && own[i][0] < hi)
			return 1;
	return 0;
}

/* Wait for child pid; with bounded, at most CHILD_TICKS (a timer child,
 * then kill): for children that run what we cannot vouch for (exec). */
static void reap_child(int pid, int bounded)
{
	int timer = bounded ? fork() : -1, r;

	if (timer == 0) {
		sleep(CHILD_TICKS);
		exit(0);
	}
	while ((r = wait(0)) >= 0 && r != pid) {
		if (r == timer) {
			kill(pid);
			timer = -1;
		} else if (r == holder_pid) {
			holder_pid = 0;
		}
	}
	if (timer > 0) {
		kill(timer);
		while ((r = wait(0)) >= 0 && r != timer)
			if (r == holder_pid)
				holder_pid = 0;
	}
}

/* A fresh copy-on-write page: written here, then shared with a child. */
static void refresh_cow(void)
{
	if (holder_pid > 0) {
		kill(holder_pid);
		reap_child(holder_pid, 0);
		holder_pid = 0;
	}
	memset((void *)tg.cow, 'c', PAGE);
	((char *)tg.cow)[PAGE - 1] = '\0';
	holder_pid = fork();
	if (holder_pid == 0) {
		sleep(HOLDER_TICKS);
		exit(0);
	}
	if (holder_pid < 0)
		holder_pid = 0;
	char *p = sbrk(2 * PAGE);             /* two fresh lazy pages */
	if (p != (char *)-1)
		tg.lazy = (uint64)p;
}

/* Write the crafted ELF files: e0 valid, e1 with bits flipped. */
static void write_elves(void)
{
	struct spec s;

	for (int k = 0; k < 2; k++) {
		spec_valid(&s);
		if (one_in(3))
			add_data(&s, below(8), below(2 * PAGE), one_in(2) ? any_value() : below(4 * PAGE));
		if (one_in(3))
			s.phnum = below(3) ? below(8) : 0xffff;
		if (one_in(4))
			s.entry = any_value();
		spec_render(&s);
		if (k == 1)
			for (int i = 0, n = 1 + below(8); i < n; i++) {
				uint64 at = below(EHDR_SIZE + 2 * sizeof(struct elf64_phdr));
				file_buf[at] ^= (uint8)(1 << below(8));
			}
		int fd = open(k ? "e1" : "e0", O_CREATE | O_TRUNC | O_WRONLY);
		if (fd >= 0) {
			write(fd, file_buf, one_in(8) ? below(s.size) : s.size);
			close(fd);
		}
	}
}

/* Remove everything under dir (a path of ours), deepest first, reading
 * the directory itself: names a call made up (a long name cut to DIRSIZ)
 * go too. depth bounds the recursion. */
static void clean_dir(const char *dir, int depth)
{
	struct dirent de;
	char path[MAXPATH];
	int fd = open(dir, O_RDONLY);

	if (fd < 0)
		return;
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		char name[DIRSIZ + 1];
		if (de.inum == 0)
			continue;
		memcpy(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
			continue;
		if (unlink(path) < 0 && depth > 0) {
			clean_dir(path, depth - 1);
			unlink(path);
		}
	}
	close(fd);
}

static void clean_scratch(void)
{
	clean_dir(".", MAXPATH / 2);
}

static void worker_setup(int k)
{
	struct vmmap_entry map[16];

	for (int fd = 0; fd < NOFILE; fd++)
		close(fd);                       /* nothing may reach the console */
	fds_open = 0;
	snprintf(worker_dir, sizeof(worker_dir), "%s/w%d", opt_dir, k);
	if (chdir(worker_dir) < 0)
		oracle_fail("cannot chdir to %s", worker_dir);
	clean_scratch();
	paths_init();
	initial_brk = (uint64)sbrk(0);
	int n = vmmap(0, map, 16);
	for (int i = 0; i < n && i < 16; i++)
		if (map[i].kind == VMMAP_KIND_STACK)
			stack_lo = map[i].start, tg.guard = map[i].start - map[i].guard / 2;

	/* junk between two unmapped pages; a page of 'a's with nothing after */
	char *m = mmap(0, (JUNK_PAGES + 5) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		oracle_fail("mmap of the targets failed");
	munmap(m, PAGE);
	munmap(m + (JUNK_PAGES + 1) * PAGE, PAGE);
	munmap(m + (JUNK_PAGES + 4) * PAGE, PAGE);
	tg.junk = (uint64)m + PAGE;
	tg.cow = (uint64)m + (JUNK_PAGES + 2) * PAGE;
	tg.str_end = (uint64)m + (JUNK_PAGES + 4) * PAGE;
	memset((void *)(tg.str_end - PAGE), 'a', PAGE);
	tg.text = (uint64)raw_ecall;
	/* an argv of odd pointers, at the start of junk */
	uint64 *argv = (uint64 *)tg.junk;
	for (int i = 0; i < 8; i++)
		argv[i] = one_in(3) ? bad_pointer() : gen_path_ro();
	argv[below(9)] = 0;
	tg.argv = (uint64)argv;
	refresh_cow();
	write_elves();
}

/* The oracles: what must hold whatever the calls before did. */
static void check_oracles(void)
{
	int low = lowest_free_fd();
	char c;

	if (low >= 0) {
		if (read(low, &c, 1) != -1)
			oracle_fail("read on closed fd %d did not fail", low);
		if (write(low, "x", 1) != -1)
			oracle_fail("write on closed fd %d did not fail", low);
		if (close(low) != -1)
			oracle_fail("close of closed fd %d did not fail", low);
		int fd = open("/sh", O_RDONLY);
		fd_given(fd, "open");
		if (read(fd, (void *)KERNEL_VA, 16) != -1)
			oracle_fail("read into the kernel's text did not fail");
		if (read(fd, (void *)tg.text, 16) != -1)
			oracle_fail("read into our read-only text did not fail");
		if (write(fd, "x", 1) != -1)
			oracle_fail("write to a read-only descriptor did not fail");
		if (close(fd) != 0)
			oracle_fail("close of open fd %d failed", fd);
		fds_open &= ~(1u << fd);
	} else if (open("/sh", O_RDONLY) != -1) {
		oracle_fail("open succeeded with every descriptor taken");
	}
	if (fstat(NOFILE, 0) != -1 || close(-1) != -1 || dup(NOFILE + 5) != -1)
		oracle_fail("a call on a descriptor out of range did not fail");
	if (getpid() != my_pid)
		oracle_fail("getpid changed: %d, was %d", getpid(), my_pid);
	if (kill(NO_PID - 1) != -1)
		oracle_fail("kill of a pid nobody has did not fail");
	if (open("nosuchname", O_RDONLY) != -1)
		oracle_fail("open of a missing name did not fail");
	if (mkdir(".") != -1)
		oracle_fail("mkdir of an existing name did not fail");
}

/* Draw the number and arguments of one call; 0 if this draw is to be skipped. */
static int draw_call(uint64 *nr, uint64 a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = any_value();
	if (one_in(40)) {                              /* an unknown number */
		*nr = one_in(2) ? SYS_COUNT + below(UNKNOWN_CALLS) : any_value();
		if (*nr > 0 && *nr < SYS_COUNT)
			*nr = 0;
		return 1;
	}
	*nr = 1 + below(SYS_COUNT - 1);
	switch (*nr) {
	case SYS_exit:
		return 0;                              /* ends the batch: never drawn */
	case SYS_fork:
	case SYS_getpid:
	case SYS_uptime:
		return 1;
	case SYS_wait:
	case SYS_pipe:
	case SYS_memstat:
		a[0] = gen_out_ptr();
		return 1;
	case SYS_read:
		a[0] = gen_fd(), a[1] = gen_out_ptr(), a[2] = gen_len();
		return 1;
	case SYS_write:
		a[0] = gen_fd(), a[1] = gen_in_ptr(), a[2] = gen_len();
		return 1;
	case SYS_kill:
		/* our own child, or a pid nobody has: never anyone else's */
		if (one_in(2) && holder_pid > 0)
			a[0] = high_junk((uint64)holder_pid);
		else
			a[0] = high_junk(one_in(2) ? (uint64)-(long)below(100) : NO_PID + below(1000));
		return 1;
	case SYS_exec:
		a[0] = one_in(3) ? gen_path_rw() : (uint64)(one_in(2) ? "e0" : "e1");
		a[1] = one_in(2) ? tg.argv : gen_in_ptr();
		return 1;
	case SYS_fstat:
		a[0] = gen_fd(), a[1] = gen_out_ptr();
		return 1;
	case SYS_chdir:
		a[0] = gen_path_ro();
		return 1;
	case SYS_dup:
	case SYS_close:
		a[0] = gen_fd();
		return 1;
	case SYS_sbrk:
		a[0] = one_in(4) ? any_value() : high_junk((uint64)(long)((int)below(64 * PAGE) -
							 (int)(32 * PAGE)));
		return 1;
	case SYS_sleep:
		a[0] = high_junk(one_in(3) ? (uint64)-below(5) : below(3));
		return 1;
	case SYS_open:
		if (one_in(3)) {
			a[0] = (uint64)read_only_names[below(NREADONLY)];
			a[1] = high_junk(O_RDONLY);
		} else {
			a[0] = gen_path_rw();
			a[1] = high_junk(one_in(4) ? any_value() : below(0x800));
		}
		return 1;
	case SYS_mknod:
		a[0] = gen_path_rw(), a[1] = high_junk(BAD_MAJOR + below(100));
		return 1;
	case SYS_unlink:
	case SYS_mkdir:
		a[0] = gen_path_rw();
		return 1;
	case SYS_link:
		a[0] = gen_path_rw(), a[1] = gen_path_rw();
		return 1;
	case SYS_vmmap:
		a[0] = one_in(2) ? 0 : any_value(), a[1] = gen_out_ptr(), a[2] = gen_len();
		return 1;
	case SYS_procinfo:
		a[0] = gen_out_ptr(), a[1] = gen_len();
		return 1;
	case SYS_mmap:
		a[0] = one_in(2) ? 0 : any_value() & ~(one_in(2) ? PAGE - 1 : 0);
		a[1] = gen_len();
		a[2] = high_junk(one_in(4) ? any_value() : below(8));
		a[3] = high_junk(one_in(4) ? any_value() : (below(4) | (below(2) << 4) | (below(2) << 5)));
		a[4] = gen_fd();
		a[5] = one_in(2) ? 0 : gen_len();
		if (((int)a[3] & MAP_FIXED) && touches_own(a[0], a[1]))
			return 0;
		return 1;
	case SYS_munmap:
	case SYS_mprotect:
		a[0] = one_in(3) ? tg.lazy : one_in(2) ? tg.junk - PAGE + below(4) * PAGE : any_value();
		a[1] = gen_len();
		a[2] = high_junk(one_in(4) ? any_value() : below(8));
		return !touches_own(a[0], a[1]);
	default:
		return 1;                              /* every argument any_value() */
	}
}

/* Run one drawn call and check what must hold right after it. */
static void do_call(uint64 nr, const uint64 a[6])
{
	struct call_rec *rec = &me->ring[me->calls % RING];
	uint64 brk0 = (uint64)sbrk(0);
	long r;

	rec->n = me->calls, rec->nr = nr;
	memcpy(rec->a, a, sizeof(rec->a));
	rec->ret = 0x7eadbeef;                         /* "did not return" */
	me->calls++;

	if (nr == SYS_exec) {                          /* risky: in a child */
		int pid = fork();
		if (pid == 0) {
			raw_ecall(nr, a);
			exit(EXEC_FAILED);
		}
		rec->ret = pid;
		if (pid > 0)
			reap_child(pid, 1);
		return;
	}
	r = raw_ecall(nr, a);
	rec->ret = r;
	switch (nr) {
	case SYS_fork:
		if (r == 0)
			exit(0);
		if (r > 0)
			reap_child(r, 0);
		break;
	case SYS_wait:
		if (r == holder_pid)
			holder_pid = 0;
		break;
	case SYS_sbrk: {
		uint64 now = (uint64)sbrk(0);
		if (r == -1 && now != brk0)
			oracle_fail("sbrk(%ld) failed but the break moved %lx -> %lx",
				    (long)(int)a[0], brk0, now);
		if (r != -1 && ((uint64)r != brk0 || now != brk0 + (uint64)(long)(int)a[0]))
			oracle_fail("sbrk(%ld) gave %lx, break %lx -> %lx",
				    (long)(int)a[0], (uint64)r, brk0, now);
		break;
	}
	case SYS_open:
	case SYS_dup:
		if (r >= 0)
			fd_given((int)r, nr == SYS_open ? "open" : "dup");
		break;
	case SYS_close:
		if ((int)a[0] >= 0 && (int)a[0] < NOFILE && (fds_open & (1u << (int)a[0]))) {
			if (r != 0)
				oracle_fail("close of open fd %d failed", (int)a[0]);
			fds_open &= ~(1u << (int)a[0]);
		} else if (r != -1) {
			oracle_fail("close of closed fd %d did not fail", (int)a[0]);
		}
		break;
	case SYS_pipe:
		if (r == 0) {       /* the kernel wrote fds at a[0], so we can read them */
			int fds[2];
			memcpy(fds, (void *)a[0], sizeof(fds));
			fd_given(fds[0], "pipe");
			fd_given(fds[1], "pipe");
			/* never both ends: a read or write then cannot block */
			int end = one_in(2);
			if (close(fds[end]) != 0)
				oracle_fail("close of pipe fd %d failed", fds[end]);
			fds_open &= ~(1u << fds[end]);
		}
		break;
	case SYS_chdir:
		if (r == 0 && chdir(worker_dir) < 0)
			oracle_fail("cannot chdir back to %s", worker_dir);
		break;
	case SYS_getpid:
		if (r != my_pid)
			oracle_fail("getpid gave %ld, was %d", r, my_pid);
		break;
	}
	if (nr != SYS_sbrk && nr != SYS_munmap && nr != SYS_mmap && nr != SYS_mprotect &&
	    (uint64)sbrk(0) != brk0)
		oracle_fail("the break moved %lx -> %lx without sbrk", brk0, (uint64)sbrk(0));
}

static void __attribute__((noreturn)) worker(int k, struct slot *s)
{
	uint64 nr, a[6];

	me = s;
	my_pid = getpid();
	rnd_seed(opt_seed, s->batch);
	worker_setup(k);
	for (uint64 i = 0; i < opt_batch; i++) {
		while (!draw_call(&nr, a))
			;
		do_call(nr, a);
		if (i % ORACLE_EVERY == ORACLE_EVERY - 1)
			check_oracles();
		if (i % COW_EVERY == COW_EVERY - 1)
			refresh_cow();
		if (one_in(64))
			write_elves();
	}
	if (holder_pid > 0) {
		kill(holder_pid);
		reap_child(holder_pid, 0);
	}
	while (wait(0) >= 0)
		;
	clean_scratch();
	exit(0);
}

/* ---- the parent ---- */

static uint64 total_calls, batches_started, batches_done, watchdog_kills;
static int failures;

static void print_ring(struct slot *s)
{
	printf("fuzz: seed %lu batch %lu, the last calls (number a0..a5 -> result):\n",
	       opt_seed, s->batch);
	uint64 first = s->calls > RING ? s->calls - RING : 0;
	for (uint64 i = first; i < s->calls; i++) {
		struct call_rec *c = &s->ring[i % RING];
		printf("fuzz:   #%lu nr %lu %lx %lx %lx %lx %lx %lx -> %ld\n", c->n, c->nr,
		       c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5], (long)c->ret);
	}
}

static void report_failure(struct slot *s, const char *what)
{
	failures++;
	if (failures > MAX_FAIL_REPORTS)
		return;
	printf("FAIL fuzz_oracles: seed %lu batch %lu: %s\n", opt_seed, s->batch, what);
	print_ring(s);
}

static void start_worker(int k)
{
	struct slot *s = &slots[k];
	int pid;

	memset(s, 0, sizeof(*s));
	s->batch = batches_started++;
	s->seen_at = uptime();
	pid = fork();
	if (pid == 0)
		worker(k, s);
	if (pid < 0) {
		printf("fuzz: fork of a worker failed\n");
		batches_started--;
		return;
	}
	s->pid = pid;
}

/* A worker ended with status; account for it. */
static void worker_ended(struct slot *s, int status)
{
	total_calls += s->calls;
	batches_done++;
	if (status == FAIL_STATUS)
		report_failure(s, s->why);
	else if (status == -1 && s->killed_at) {
		struct call_rec *c = &s->ring[(s->calls + RING - 1) % RING];
		if (++watchdog_kills <= MAX_FAIL_REPORTS)
			printf("fuzz: watchdog killed batch %lu in call #%lu: nr %lu %lx %lx %lx\n",
			       s->batch, c->n, c->nr, c->a[0], c->a[1], c->a[2]);
	}
	else if (status != 0) {
		char why[64];
		snprintf(why, sizeof(why), "worker pid %d ended with status %d", s->pid, status);
		report_failure(s, why);
	}
	s->pid = 0;
}

/* The ticker came back: kill workers that stood still too long. 0, or -1
 * when a killed worker outlived DEATH_TICKS (a hang: the run stops). */
static int watchdog(void)
{
	int now = uptime();

	for (int k = 0; k < opt_workers; k++) {
		struct slot *s = &slots[k];
		if (!s->pid)
			continue;
		if (s->calls != s->seen_calls) {
			s->seen_calls = s->calls;
			s->seen_at = now;
		} else if (!s->killed_at && now - s->seen_at > STUCK_TICKS) {
			kill(s->pid);
			s->killed_at = now;
		} else if (s->killed_at && now - s->killed_at > DEATH_TICKS) {
			char why[80];
			snprintf(why, sizeof(why), "worker pid %d still alive %d ticks after kill",
				 s->pid, now - s->killed_at);
			report_failure(s, why);
			return -1;
		}
	}
	return 0;
}

static int start_ticker(void)
{
	int pid = fork();

	if (pid == 0) {
		sleep(TICK);
		exit(0);
	}
	return pid;
}

/* Run every batch; returns 0, or -1 if a worker hung (then some may be left). */
static int run_batches(void)
{
	uint64 nbatches = (opt_calls + opt_batch - 1) / opt_batch;
	uint64 next_report = nbatches / 10 ? nbatches / 10 : 1;
	int ticker = -1, active = 0, status, pid;

	for (;;) {
		for (int k = 0; k < opt_workers; k++)
			if (!slots[k].pid && batches_started < nbatches && failures == 0) {
				start_worker(k);
				active += slots[k].pid != 0;
			}
		if (active == 0)
			break;
		if (ticker < 0)
			ticker = start_ticker();
		pid = wait(&status);
		if (pid < 0)
			break;
		if (pid == ticker) {
			ticker = -1;
			if (watchdog() < 0)
				return -1;
			continue;
		}
		for (int k = 0; k < opt_workers; k++)
			if (slots[k].pid == pid) {
				worker_ended(&slots[k], status);
				active--;
				if (batches_done % next_report == 0)
					printf("fuzz: %lu of %lu batches, %lu calls, %lu watchdog kills, %d ticks\n",
					       batches_done, nbatches, total_calls, watchdog_kills, uptime());
			}
	}
	while (ticker > 0 && (pid = wait(0)) >= 0 && pid != ticker)
		;
	return 0;
}

/* Remove whatever workers left in their scratch directories. */
static void clean_all_scratch(void)
{
	char dir[32];

	for (int k = 0; k < MAX_WORKERS; k++) {
		snprintf(dir, sizeof(dir), "%s/w%d", opt_dir, k);
		if (chdir(dir) == 0)
			clean_scratch();
	}
	chdir("/");
}

/* Give every page of our image and some stack a frame, and read the files
 * workers read, so nothing of ours is counted against them. */
static void __attribute__((noinline)) prefault(void)
{
	volatile char pad[16 * PAGE];
	struct vmmap_entry map[16];
	int n = vmmap(0, map, 16);

	for (uint i = 0; i < sizeof(pad); i += PAGE)
		pad[i] = 0;
	for (int i = 0; i < n && i < 16; i++) {
		if (map[i].kind != VMMAP_KIND_IMAGE)
			continue;
		for (uint64 va = map[i].start; va < map[i].end; va += PAGE) {
			volatile char *p = (volatile char *)va;
			char c = *p;
			if (map[i].prot & VMMAP_PROT_W)
				*p = c;
		}
	}
	for (int i = 0; i < NREADONLY; i++) {
		int fd = open(read_only_names[i], O_RDONLY);
		char buf[512];
		while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

/* Make /fz and /fz/wK, with every scratch name made and removed once so
 * the directories have all the blocks they will ever need. */
static void make_dirs(void)
{
	char dir[32];

	mkdir(opt_dir);
	for (int k = 0; k < MAX_WORKERS; k++) {
		snprintf(dir, sizeof(dir), "%s/w%d", opt_dir, k);
		mkdir(dir);
		if (chdir(dir) < 0)
			continue;
		for (int i = 0; i < NSCRATCH; i++) {
			int fd = open(scratch_names[i], O_CREATE | O_RDWR);
			close(fd);
		}
		clean_scratch();
		chdir("/");
	}
}

static uint64 parse_num(const char *s)
{
	uint64 v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, base = 16;
	for (; *s; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
			*s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
			*s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return v;
}

static void parse_args(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		char *v = strchr(argv[i], '=');
		if (!v)
			continue;
		v++;
		if (strncmp(argv[i], "calls=", 6) == 0)
			opt_calls = parse_num(v);
		else if (strncmp(argv[i], "seed=", 5) == 0)
			opt_seed = parse_num(v);
		else if (strncmp(argv[i], "batch=", 6) == 0)
			opt_batch = parse_num(v);
		else if (strncmp(argv[i], "dir=", 4) == 0 && strlen(v) < sizeof(opt_dir))
			strcpy(opt_dir, v);
		else if (strncmp(argv[i], "concurrent=", 11) == 0)
			opt_concurrent = (int)parse_num(v);
		else if (strncmp(argv[i], "workers=", 8) == 0)
			opt_workers = (int)parse_num(v);
	}
	if (opt_workers < 1 || opt_workers > MAX_WORKERS)
		opt_workers = 3;
	if (opt_batch < 1)
		opt_batch = 200;
}

int main(int argc, char *argv[])
{
	uint64 free0 = 0, free1;
	int inodes0 = 0, inodes1, hung, t0;

	parse_args(argc, argv);
	printf("fuzz: seed %lu calls %lu batch %lu workers %d (reproduce: ./lazuli fuzz --seed %lu --calls %lu)\n",
	       opt_seed, opt_calls, opt_batch, opt_workers, opt_seed, opt_calls);
	slots = mmap(0, PAGE_ROUND(sizeof(struct slot) * MAX_WORKERS), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		printf("FAIL fuzz_oracles: cannot map the shared slots\n");
		exit(1);
	}
	memset(slots, 0, PAGE_ROUND(sizeof(struct slot) * MAX_WORKERS));
	make_dirs();
	prefault();
	/* Beside other programs (stress) the system-wide counts are not ours
	 * to compare, and filling the file system would fail their calls. */
	if (!opt_concurrent) {
		inodes0 = count_creatable_inodes(IC_DIR);   /* first: it may grow the inode table */
		free0 = free_settled(free_frames());
		printf("fuzz: start: %lu free frames, %d creatable inodes\n", free0, inodes0);
	}

	t0 = uptime();
	hung = run_batches();
	printf("fuzz: %lu calls in %lu batches, %lu watchdog kills, %d ticks\n",
	       total_calls, batches_done, watchdog_kills, uptime() - t0);
	if (failures == 0)
		printf("PASS fuzz_oracles\n");
	else if (failures > MAX_FAIL_REPORTS)
		printf("fuzz: %d more failures not shown\n", failures - MAX_FAIL_REPORTS);
	if (hung) {
		printf("FAIL fuzz_workers_done: a worker outlived its kill (seed %lu)\n", opt_seed);
		exit(1);
	}
	/* As init, what workers left behind (orphans) is ours to end. */
	if (getpid() == 1) {
		struct procinfo pi[NPROC];
		int n = procinfo(pi, NPROC);
		for (int i = 0; i < n && i < NPROC; i++)
			if (pi[i].pid != 1)
				kill(pi[i].pid);
	}
	while (wait(0) >= 0)
		;
	printf("PASS fuzz_workers_done\n");

	clean_all_scratch();
	if (opt_concurrent)
		exit(failures ? 1 : 0);
	free1 = free_settled(free0);
	inodes1 = count_creatable_inodes(IC_DIR);
	if (free1 == free0)
		printf("PASS fuzz_frames_balanced\n");
	else
		printf("FAIL fuzz_frames_balanced: seed %lu: %lu free frames at the start, %lu at the end\n",
		       opt_seed, free0, free1);
	if (inodes1 == inodes0 && inodes0 > 0)
		printf("PASS fuzz_inodes_balanced\n");
	else
		printf("FAIL fuzz_inodes_balanced: seed %lu: %d creatable inodes at the start, %d at the end\n",
		       opt_seed, inodes0, inodes1);
	printf("fuzz: end: %lu free frames, %d creatable inodes\n", free1, inodes1);
	exit(0);
}
