/*
 * ps: the processes, from procinfo(). Sizes in KiB:
 *
 *     PID STATE  NAME                 Rss     Pss
 *       1 sleep  init                  16      10
 *
 *   Rss   pages with a frame, own or shared with other processes
 *   Pss   proportional: a frame shared n ways counts 1/n, so the Pss of
 *         all processes adds up to the user frames they use
 *
 * A zombie has given its memory back: both are 0.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define KIB         1024
#define PAGE_KIB    (PGSIZE / KIB)
#define MILLI       1000   /* pss_x1000 is pages x MILLI */
#define FIRST_GUESS 16     /* entries asked for on the first try */
#define SLACK       4      /* room for processes born between two calls */

static const char *state_name(uint32 state)
{
	switch (state) {
	case PROCINFO_NEW:      return "new";
	case PROCINFO_SLEEPING: return "sleep";
	case PROCINFO_RUNNABLE: return "ready";
	case PROCINFO_RUNNING:  return "run";
	case PROCINFO_ZOMBIE:   return "zombie";
	default:                return "?";
	}
}

/*
 * Fetch the process list into a malloc'd array; *count gets how many
 * entries it holds (-1: procinfo failed). Asks again, bigger, when the
 * first array was too small; after that, shows what fitted.
 */
static struct procinfo *fetch(int *count)
{
	int want = FIRST_GUESS;

	for (int tries = 0; tries < 2; tries++) {
		struct procinfo *v = malloc(want * sizeof(*v));
		int n;

		if (v == 0)
			return 0;
		n = procinfo(v, want);
		if (n <= want || tries == 1) {
			*count = n < want ? n : want;
			return v;
		}
		free(v);
		want = n + SLACK;
	}
	return 0;
}

int main(void)
{
	struct procinfo *v;
	int n;

	v = fetch(&n);
	if (v == 0) {
		fprintf(2, "ps: out of memory\n");
		return 1;
	}
	if (n < 0) {
		fprintf(2, "ps: procinfo failed\n");
		return 1;
	}
	printf("%5s %-6s %-16s %7s %7s\n", "PID", "STATE", "NAME", "Rss", "Pss");
	for (int i = 0; i < n; i++)
		printf("%5d %-6s %-16s %7lu %7lu\n", v[i].pid, state_name(v[i].state),
		       v[i].name, v[i].resident * PAGE_KIB,
		       (v[i].pss_x1000 * PAGE_KIB + MILLI / 2) / MILLI);
	free(v);
	return 0;
}
