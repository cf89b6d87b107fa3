/*
 * seqtouch [pages]: grow the heap by `pages` (default 256) and store to
 * each new page in order, then print how many page faults that took,
 * from the kernel's faults-served counter:
 *
 *   seqtouch: 256 pages, 256 faults
 *
 * With mm.faultaround=0 every page is one fault; with fault-around on,
 * a run of sequential faults maps the pages ahead and far fewer are
 * needed. The boot tests compare the two (docs/lazy-tests.md).
 */
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char *argv[])
{
	int pages = argc > 1 ? atoi(argv[1]) : 256;
	if (pages <= 0 || pages > 65536) {
		fprintf(2, "usage: seqtouch [pages (1..65536)]\n");
		return 1;
	}
	struct memstat before, after;
	memstat(&before);   /* the first call faults in nothing but may warm the stack */
	char *heap = sbrk(pages * 4096);
	if (heap == (char *)-1) {
		fprintf(2, "seqtouch: sbrk failed\n");
		return 1;
	}
	if (memstat(&before) < 0)
		return 1;
	for (int i = 0; i < pages; i++)
		heap[i * 4096] = 1;
	if (memstat(&after) < 0)
		return 1;
	printf("seqtouch: %d pages, %lu faults\n", pages,
	       after.faults_served - before.faults_served);
	return 0;
}
