/*
 * init: the first process.
 *
 * The kernel starts it with fds 0, 1 and 2 open on the console. It runs
 * the shell, and as the parent of every orphan it reaps whatever exits.
 * When the shell itself exits (end of input, or `exit`), init says so in
 * one line and starts a new one.
 */
#include "kernel/types.h"
#include "user/user.h"

#define SHELL        "/sh"
#define QUICK_TICKS  10   /* a shell that dies sooner than this is broken */
#define BACKOFF      50   /* ticks to wait before restarting a broken one */

/* Start a shell; returns its pid, or -1 if fork failed. */
static int start_shell(void)
{
	char *argv[] = { "sh", 0 };
	int pid = fork();

	if (pid == 0) {
		exec(SHELL, argv);
		fprintf(2, "init: cannot exec %s\n", SHELL);
		exit(1);
	}
	return pid;
}

int main(void)
{
	for (;;) {
		int started = uptime();
		int shell = start_shell();
		int pid, status = -1;

		if (shell < 0) {
			fprintf(2, "init: fork failed\n");
			sleep(BACKOFF);
			continue;
		}
		/* Reap orphans until the shell itself is among the dead. */
		while ((pid = wait(&status)) != shell) {
			if (pid < 0) {   /* cannot happen while shell lives */
				fprintf(2, "init: wait failed\n");
				break;
			}
		}
		printf("init: sh exited with status %d, starting a new one\n", status);
		if (uptime() - started < QUICK_TICKS)
			sleep(BACKOFF);
	}
}
