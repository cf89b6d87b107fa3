/*
 * fuzz [calls=N] [seed=S] [batch=B] [workers=W] [from=F] [dir=/D] [concurrent=1]:
 * a system-call fuzzer. from=F numbers the first batch F (replays part of a run).
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
 * /fz/wK, create/change/remove only inside it (every path such a call is
 * given is relative or unreadable, and chdir is undone), open anything else
 * read-only, exec only in a child of their own, kill
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
#define CHILD_TICKS     50          /* the longest a worker waits for an exec'd child */
#define UNKNOWN_CALLS   8           /* numbers past SYS_COUNT tried besides huge ones */
#define HOLDER_TICKS    20          /* the copy-on-write holder's life */
#define MAX_FAIL_REPORTS 3
#define DEVICE_MAJORS   16          /* fs/device.h: majors 0..15 */
#define BAD_MAJOR       (DEVICE_MAJORS + 7)   /* mknod: never a driver (no console) */
#define NO_PID          0x40000000  /* far above any pid a run reaches */
#define USER_TEXT_BASE  0x10000UL   /* mm/mm.h, user.ld.in: where the image starts */
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
#define SLOTS_LEN PAGE_ROUND(sizeof(struct slot) * MAX_WORKERS)
static struct slot *me;          /* in a worker: its slot */
static uint64 opt_calls = 20000, opt_seed = 1, opt_batch = 200;
static uint64 opt_from;          /* the first batch's number (replays a part of a run) */
static int opt_workers = 3, opt_concurrent;
static char opt_dir[16] = "/fz";

#include "fuzzwork.c"

/* ---- the parent ---- */

static uint64 total_calls, batches_started, batches_done, watchdog_kills, overcounted;
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
	s->batch = opt_from + batches_started++;
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
	/*
	 * Only the worker runs its loop and writes its slot, so more calls
	 * than drawn mean the slot was written by something else: a kernel
	 * that let another process run the worker's code or write its
	 * memory, or a copy the fuzzer aimed into its own slot (the guards
	 * keep that out: reliability.md, "A fuzzer that damaged itself").
	 */
	if (s->calls > opt_batch) {
		char why[96];
		overcounted++;
		snprintf(why, sizeof(why), "batch made %lu calls, not %lu: its slot was written by "
			 "something else", s->calls, opt_batch);
		report_failure(s, why);
		return;
	}
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
		else if (strncmp(argv[i], "from=", 5) == 0)
			opt_from = parse_num(v);
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
	printf("fuzz: seed %lu calls %lu batch %lu workers %d (reproduce: ./lazuli fuzz --seed %lu "
	       "--calls %lu --workers %d --from %lu)\n", opt_seed, opt_calls, opt_batch, opt_workers,
	       opt_seed, opt_calls, opt_workers, opt_from);
	/* Between two PROT_NONE pages: a worker's copy that runs off the end
	 * of some other mapping of its own stops there (fuzzwork.c). */
	char *g = mmap(0, SLOTS_LEN + 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED || mprotect(g, PAGE, PROT_NONE) < 0 ||
	    mprotect(g + PAGE + SLOTS_LEN, PAGE, PROT_NONE) < 0) {
		printf("FAIL fuzz_oracles: cannot map the shared slots\n");
		exit(1);
	}
	slots = (struct slot *)(g + PAGE);
	memset(slots, 0, SLOTS_LEN);
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
	printf("fuzz: %lu calls in %lu batches, %lu watchdog kills, %lu batches over-counted, %d ticks\n",
	       total_calls, batches_done, watchdog_kills, overcounted, uptime() - t0);
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
