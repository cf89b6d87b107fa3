/*
 * testall [NAME...]: run the in-guest tests (default: proctest fstest
 * pipetest badptr errnotest), each as a child by fork + exec of /NAME, then check
 * that every frame they used came back.
 *
 * Output: the children's own PASS/FAIL lines; per child "PASS ran_NAME"
 * (it exited with status 0) or "FAIL ran_NAME: why"; and last
 * "PASS frames_balanced" or "FAIL frames_balanced: before X after Y",
 * comparing memstat's free_frames before the first child and after the
 * last one (and every orphan) is gone.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "check.h"

#define STACK_TOUCH   (4 * PGSIZE)  /* stack used below main, touched first */
#define SETTLE_TRIES  20            /* looks for frames still on their way back */
#define SETTLE_TICKS  1             /* ticks between the looks */
#define NAME_MAX      32
#define EXEC_FAILED   127

static char *default_tests[] = { "proctest", "fstest", "pipetest", "badptr", "errnotest", 0 };

/*
 * Touch the stack testall will use below main from here on (printf's
 * buffer among it), so those pages are not counted against the children.
 */
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

static uint64 free_frames(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return 0;
	return ms.free_frames;
}

/* fork + exec /name and wait for it; prints the ran_name line. */
static void run_test(char *name)
{
	char path[NAME_MAX + 2], ran[NAME_MAX + 8];
	char *argv[] = { name, 0 };
	int pid, r, status = -1;

	snprintf(ran, sizeof(ran), "ran_%s", name);
	if (strlen(name) > NAME_MAX) {
		report(ran, 0, "name too long");
		return;
	}
	snprintf(path, sizeof(path), "/%s", name);
	pid = fork();
	if (pid == 0) {
		exec(path, argv);
		exit(EXEC_FAILED);
	}
	if (pid < 0) {
		report(ran, 0, "fork failed");
		return;
	}
	/* Orphans given to us (when we are init) may come back first. */
	while ((r = wait(&status)) >= 0 && r != pid)
		;
	if (r != pid)
		printf("FAIL %s: lost the child\n", ran);
	else if (status == EXEC_FAILED)
		printf("FAIL %s: cannot exec %s\n", ran, path);
	else if (status != 0)
		printf("FAIL %s: exit status %d\n", ran, status);
	else
		printf("PASS %s\n", ran);
}

int main(int argc, char *argv[])
{
	char **tests = argc > 1 ? argv + 1 : default_tests;
	uint64 before, after;

	touch_stack();
	check_why[0] = '\0';      /* and our one page of bss */
	before = free_frames();

	for (int i = 0; tests[i] != 0; i++)
		run_test(tests[i]);
	while (wait(0) >= 0)      /* orphans, when we are init */
		;

	/* An orphan's frames return when init reaps it, a moment later. */
	after = free_frames();
	for (int i = 0; i < SETTLE_TRIES && after < before; i++) {
		sleep(SETTLE_TICKS);
		after = free_frames();
	}
	if (before != 0 && after == before)
		printf("PASS frames_balanced\n");
	else
		printf("FAIL frames_balanced: before %lu after %lu\n", before, after);
	return 0;
}
