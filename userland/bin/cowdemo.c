/*
 * cowdemo: every copy-on-write and zero-page rule once, for docs/cow.md.
 *
 * Boot with `init=/cowdemo test=1 mm.trace=1` and read the fault lines
 * between the program's own lines: each step says which rule it expects.
 * Prints "cowdemo: ok" when every process saw only its own values.
 */
#include "kernel/types.h"
#include "user/user.h"

#define PAGE 4096

int main(void)
{
	char *p = sbrk(2 * PAGE), c;
	int fds[2], status, bad = 0;

	printf("cowdemo: 1. read, then write, a fresh heap page\n");
	c = *(volatile char *)p;                 /* zero page */
	p[0] = 'A';                              /* new page: replaces the zero page */
	p[PAGE] = 'B';                           /* new page */

	printf("cowdemo: 2. fork; the child writes page 0\n");
	if (fork() == 0) {
		p[0] = 'C';                      /* cow copy: the child's own page */
		exit(p[0] == 'C' ? 0 : 1);
	}
	wait(&status);                           /* the kernel writes status: cow reuse */
	bad |= status != 0 || p[0] != 'A';
	printf("cowdemo: 3. the parent writes page 0 again\n");
	p[0] = 'D';                              /* cow reuse: no one else maps it */

	printf("cowdemo: 4. fork; the child read()s from a pipe into page 1\n");
	pipe(fds);
	if (fork() == 0) {
		read(fds[0], p + PAGE, 1);       /* kernel store into a cow page: cow copy */
		exit(p[PAGE] == 'E' ? 0 : 1);
	}
	write(fds[1], "E", 1);
	wait(&status);
	bad |= status != 0 || p[PAGE] != 'B' || c != 0;
	printf("cowdemo: %s\n", bad ? "FAILED: a write was seen by another process" : "ok");
	exit(bad);
}
