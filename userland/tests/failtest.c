/*
 * failtest [NAME...]: the in-guest test programs under fault injection
 * (boot argument fail.frame=PERCENT,SEED; docs/reliability.md).
 *
 * Injected failures break the programs' exact assertions (a fork fails,
 * a child is killed for want of memory), so their own PASS/FAIL lines are
 * not results here: each child (default: lazytests memtests proctest
 * fstest pipetest) runs with its output through a pipe, echoed as
 * "  | line". What must hold whatever failed:
 *
 *   PASS injection_on       memstat's fail_percent is not 0
 *   PASS survived_NAME      the child came back through wait, with an exit
 *                           status or killed (clean: -1 from its calls, an
 *                           out-of-memory kill); a panic stops the machine
 *   PASS failures_injected  memstat's fail_injected grew during the run
 *   PASS fail_frames_balanced  every frame came back: free frames after
 *                           the last child (and every orphan) equal those
 *                           before the first, once files the children
 *                           left behind (killed before their cleanup)
 *                           are removed
 *
 * Runs as init, which the kernel never kills for want of memory under
 * injection (its fault is retried; proc/trapret.c); its own calls that
 * fail (fork, pipe) are retried.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "check.h"

#define STACK_TOUCH   (4 * PGSIZE)  /* stack used below main, touched first */
#define RETRIES       200           /* tries of a call that fails by injection */
#define SETTLE_TRIES  100           /* looks for frames still on their way back */
#define NAME_MAX      32
#define MAX_NAMES     128           /* root entries remembered at the start */
#define LINE_MAX      200
#define EXEC_FAILED   127

static char *default_tests[] = { "lazytests", "memtests", "proctest", "fstest",
				 "pipetest", 0 };

static char root_names[MAX_NAMES][DIRSIZ + 1];
static int  nroot;
static char line[LINE_MAX + 8];
static char chunk[256];

static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[STACK_TOUCH];

	/* The address escapes, so all STACK_TOUCH bytes are laid out and the
	 * stores stay (without it they compiled to a few stores in one page). */
	__asm__ volatile("" : : "r"(pad) : "memory");
	for (int i = 0; i < STACK_TOUCH; i += PGSIZE)
		pad[i] = 0;
	pad[STACK_TOUCH - 1] = 0;
}

static int stat_now(struct memstat *ms)
{
	for (int i = 0; i < RETRIES; i++)
		if (memstat(ms) == 0)
			return 0;
	return -1;
}

/* A directory entry's name as a C string. */
static void entry_name(const struct dirent *de, char *name)
{
	memmove(name, de->name, DIRSIZ);
	name[DIRSIZ] = '\0';
}

static int in_root_list(const char *name)
{
	for (int i = 0; i < nroot; i++)
		if (strcmp(root_names[i], name) == 0)
			return 1;
	return 0;
}

/* Remember the root directory's names, or remove what is not among them. */
static void scan_root(int remove)
{
	struct dirent de;
	char name[DIRSIZ + 1], path[DIRSIZ + 2];
	int fd = -1;

	for (int i = 0; i < RETRIES && fd < 0; i++)
		fd = open("/", O_RDONLY);
	if (fd < 0)
		return;
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		entry_name(&de, name);
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (!remove) {
			if (nroot < MAX_NAMES)
				strcpy(root_names[nroot++], name);
		} else if (!in_root_list(name)) {
			snprintf(path, sizeof(path), "/%s", name);
			printf("failtest: removing %s, left by a child\n", path);
			for (int i = 0; i < RETRIES && unlink(path) < 0; i++)
				;
		}
	}
	close(fd);
}

/* Echo a child's output line by line, so none of it reads as a result. */
static void echo_output(int fd)
{
	int n, len = 0;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		for (int i = 0; i < n; i++) {
			char c = chunk[i];
			if (c != '\n' && len < LINE_MAX) {
				line[len++] = c;
				continue;
			}
			if (c != '\n')
				continue;   /* a long line: the rest is dropped */
			line[len] = '\0';
			printf("  | %s\n", line);
			len = 0;
		}
	}
	if (len > 0) {
		line[len] = '\0';
		printf("  | %s\n", line);
	}
}

/* fork + exec /name with its output through a pipe; wait; report. */
static void run_test(char *name)
{
	char path[NAME_MAX + 2], survived[NAME_MAX + 12];
	char *argv[] = { name, 0 };
	int fds[2], pid = -1, r, status = 0, ok = -1;

	snprintf(survived, sizeof(survived), "survived_%s", name);
	snprintf(path, sizeof(path), "/%s", name);
	for (int i = 0; i < RETRIES && ok < 0; i++)
		if ((ok = pipe(fds)) < 0)
			sleep(1);
	if (ok < 0) {
		report(survived, 0, "pipe failed every time");
		return;
	}
	for (int i = 0; i < RETRIES && pid < 0; i++)
		if ((pid = fork()) < 0)
			sleep(1);
	if (pid == 0) {
		close(1);
		close(2);
		if (dup(fds[1]) != 1 || dup(fds[1]) != 2)
			exit(EXEC_FAILED);
		close(fds[0]);
		close(fds[1]);
		for (int i = 0; i < RETRIES; i++)
			exec(path, argv);   /* returns only if it failed */
		exit(EXEC_FAILED);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		report(survived, 0, "fork failed every time");
		return;
	}
	echo_output(fds[0]);
	close(fds[0]);
	/* Orphans given to us (we are init) may come back first. */
	while ((r = wait(&status)) >= 0 && r != pid)
		;
	if (r != pid) {
		report(survived, 0, "lost the child");
		return;
	}
	printf("failtest: %s %s %d\n", name, status == -1 ? "killed, status" : "exited with",
	       status);
	report(survived, 1, "");
}

int main(int argc, char *argv[])
{
	char **tests = argc > 1 ? argv + 1 : default_tests;
	struct memstat ms;
	uint64 before, after, injected;

	touch_stack();
	check_why[0] = '\0';      /* and our pages of bss */
	memset(line, 0, sizeof(line));
	memset(chunk, 0, sizeof(chunk));
	scan_root(0);
	if (stat_now(&ms) < 0) {
		report("injection_on", 0, "memstat failed");
		return 1;
	}
	report("injection_on", ms.fail_percent != 0, "memstat: fail_percent is 0");
	printf("failtest: fail.frame=%lu%%, %lu free frames\n", ms.fail_percent,
	       ms.free_frames);
	before = ms.free_frames;
	injected = ms.fail_injected;

	for (int i = 0; tests[i] != 0; i++)
		if (strlen(tests[i]) <= NAME_MAX)
			run_test(tests[i]);
	while (wait(0) >= 0)      /* orphans */
		;
	scan_root(1);

	stat_now(&ms);
	injected = ms.fail_injected - injected;
	printf("failtest: %lu allocations failed on purpose\n", injected);
	report("failures_injected", injected > 0, "no allocation failed");
	/* An orphan's frames return when init reaps it, a moment later. */
	after = ms.free_frames;
	for (int i = 0; i < SETTLE_TRIES && after != before; i++) {
		sleep(1);
		stat_now(&ms);
		after = ms.free_frames;
	}
	if (after == before)
		printf("PASS fail_frames_balanced\n");
	else
		printf("FAIL fail_frames_balanced: before %lu after %lu\n", before, after);
	return 0;
}
