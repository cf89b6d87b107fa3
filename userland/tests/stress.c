/*
 * stress [seconds=N] [seed=S]: run test programs and the fuzzer side by
 * side, each over and over, for N seconds; then check that every frame
 * and every inode came back.
 *
 * One runner per program of `programs` below, all at once; a runner
 * starts its program again as soon as it exits, so no program runs
 * beside a copy of itself (their file names would collide) but each runs
 * beside all the others. A program's output goes to /sl_NAME;
 * after each round the driver reads it and reports its FAIL lines, so the
 * console shows only failures and the summary.
 *
 * Only programs that are correct beside others are listed: those that
 * assert no system-wide count. The lazy-allocation, copy-on-write, mmap,
 * exec and elftest suites predict memstat's system-wide free frames to
 * the frame (lazyhelp.c's balanced_since_start / free_settled) and must
 * run alone; fuzz runs with concurrent=1, which skips its own
 * system-wide checks (this driver makes them, at the end).
 *
 * Output: "stress: ..." lines, FAIL lines from the programs
 * ("FAIL stress_NAME: round R: <their line>"), and
 *   stress_rounds           every round exited 0 and printed no FAIL line
 *   stress_frames_balanced  free frames at the end == at the start
 *   stress_inodes_balanced  creatable inodes at the end == at the start
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"

#define PAGE          4096UL
#define EXEC_FAILED   127
#define LINE_MAX      160
#define IC_DIR        "/stress_ic"   /* count_creatable_inodes works here */
#define FUZZ_CALLS    "calls=1500"

#include "counthelp.c"

struct runner {
	const char *name;
	int pid;
	int rounds, failed;
};

static struct runner programs[] = {
	{ .name = "proctest" }, { .name = "fstest" }, { .name = "pipetest" },
	{ .name = "badptr" }, { .name = "fuzz" },
};
#define NPROGRAMS ((int)(sizeof(programs) / sizeof(programs[0])))

static uint64 opt_seconds = 20, opt_seed = 1;

static void log_path(const struct runner *r, char *buf, int size)
{
	snprintf(buf, size, "/sl_%s", r->name);
}

static void start(struct runner *r)
{
	char path[32], logp[32], seed[32];
	char *argv[8] = { (char *)r->name, 0 };

	log_path(r, logp, sizeof(logp));
	if (strcmp(r->name, "fuzz") == 0) {
		snprintf(seed, sizeof(seed), "seed=%lu", opt_seed + r->rounds);
		argv[1] = FUZZ_CALLS, argv[2] = seed, argv[3] = "dir=/sfz";
		argv[4] = "concurrent=1", argv[5] = "workers=2", argv[6] = 0;
	}
	snprintf(path, sizeof(path), "/%s", r->name);
	r->pid = fork();
	if (r->pid == 0) {
		int fd = open(logp, O_CREATE | O_TRUNC | O_WRONLY);
		if (fd < 0)
			exit(EXEC_FAILED);
		close(1);
		close(2);
		dup(fd);
		dup(fd);
		close(fd);
		exec(path, argv);
		exit(EXEC_FAILED);
	}
}

/* Report the FAIL lines of r's last round; 1 if there were any. */
static int scan_log(struct runner *r)
{
	char logp[32], line[LINE_MAX], c;
	int fd, n = 0, bad = 0;

	log_path(r, logp, sizeof(logp));
	if ((fd = open(logp, O_RDONLY)) < 0)
		return 0;
	while (read(fd, &c, 1) == 1) {
		if (c != '\n' && n < LINE_MAX - 1) {
			line[n++] = c;
			continue;
		}
		line[n] = '\0';
		if (c == '\n') {
			if (strncmp(line, "FAIL ", 5) == 0) {
				printf("FAIL stress_%s: round %d: %s\n", r->name, r->rounds, line + 5);
				bad = 1;
			}
			n = 0;
		}
	}
	close(fd);
	return bad;
}

static void ended(struct runner *r, int status)
{
	int bad = scan_log(r);

	if (status != 0) {
		printf("FAIL stress_%s: round %d exited with status %d\n", r->name, r->rounds, status);
		bad = 1;
	}
	r->failed += bad;
	r->rounds++;
	r->pid = 0;
}

static uint64 parse_num(const char *s)
{
	uint64 v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64)(*s++ - '0');
	return v;
}

int main(int argc, char *argv[])
{
	uint64 free0, free1;
	int inodes0, inodes1, deadline, pid, status, failed = 0, rounds = 0;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "seconds=", 8) == 0)
			opt_seconds = parse_num(argv[i] + 8);
		else if (strncmp(argv[i], "seed=", 5) == 0)
			opt_seed = parse_num(argv[i] + 5);
	}
	printf("stress: %lu s of", opt_seconds);
	for (int i = 0; i < NPROGRAMS; i++)
		printf(" %s", programs[i].name);
	printf(", side by side\n");

	inodes0 = count_creatable_inodes(IC_DIR);   /* first: it may grow the inode table */
	free0 = free_settled(free_frames());
	printf("stress: start: %lu free frames, %d creatable inodes\n", free0, inodes0);

	deadline = uptime() + (int)opt_seconds * 100;
	for (int i = 0; i < NPROGRAMS; i++)
		start(&programs[i]);
	for (;;) {
		int active = 0;
		for (int i = 0; i < NPROGRAMS; i++)
			active += programs[i].pid > 0;
		if (active == 0)
			break;
		if ((pid = wait(&status)) < 0)
			break;
		for (int i = 0; i < NPROGRAMS; i++) {
			struct runner *r = &programs[i];
			if (r->pid != pid)
				continue;
			ended(r, status);
			if (uptime() < deadline)
				start(r);
		}
	}
	while (wait(0) >= 0)      /* orphans, when we are init */
		;
	for (int i = 0; i < NPROGRAMS; i++) {
		char logp[32];
		printf("stress: %s: %d rounds, %d failed\n", programs[i].name,
		       programs[i].rounds, programs[i].failed);
		rounds += programs[i].rounds;
		failed += programs[i].failed;
		log_path(&programs[i], logp, sizeof(logp));
		unlink(logp);
	}
	for (int k = 0; k < 8; k++) {           /* fuzz's scratch directories */
		char dir[16];
		snprintf(dir, sizeof(dir), "/sfz/w%d", k);
		unlink(dir);
	}
	unlink("/sfz");
	if (failed == 0 && rounds > NPROGRAMS)
		printf("PASS stress_rounds\n");
	else
		printf("FAIL stress_rounds: %d of %d rounds failed\n", failed, rounds);

	free1 = free_settled(free0);
	inodes1 = count_creatable_inodes(IC_DIR);
	if (free1 == free0)
		printf("PASS stress_frames_balanced\n");
	else
		printf("FAIL stress_frames_balanced: %lu free frames at the start, %lu at the end\n",
		       free0, free1);
	if (inodes1 == inodes0 && inodes0 > 0)
		printf("PASS stress_inodes_balanced\n");
	else
		printf("FAIL stress_inodes_balanced: %d creatable inodes at the start, %d at the end\n",
		       inodes0, inodes1);
	exit(0);
}
