/*
 * pmap [PID]: the memory map of a process (default: pmap itself).
 *
 * One line per area, from vmmap():
 *   start-end prot kind resident-pages
 *   0000000000010000-0000000000012000 r-x image 2
 * and a total line: reserved size and resident pages.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define KIB        1024
#define FIRST_GUESS 8      /* areas asked for on the first try */

static const char *kind_name(uint32 kind)
{
	switch (kind) {
	case VMMAP_KIND_IMAGE: return "image";
	case VMMAP_KIND_HEAP:  return "heap";
	case VMMAP_KIND_STACK: return "stack";
	default:               return "?";
	}
}

/* "rwx" with '-' for each right the area lacks. */
static void prot_string(uint32 prot, char out[4])
{
	out[0] = (prot & VMMAP_PROT_R) ? 'r' : '-';
	out[1] = (prot & VMMAP_PROT_W) ? 'w' : '-';
	out[2] = (prot & VMMAP_PROT_X) ? 'x' : '-';
	out[3] = '\0';
}

/*
 * Fetch all of pid's areas into a malloc'd array; *count gets how many.
 * Asks again with a bigger array when the first was too small (the map
 * may change between the two calls; a third try is not worth it).
 */
static struct vmmap_entry *fetch(int pid, int *count)
{
	int want = FIRST_GUESS;

	for (int tries = 0; tries < 2; tries++) {
		struct vmmap_entry *v = malloc(want * sizeof(*v));
		int n;

		if (v == 0)
			return 0;
		n = vmmap(pid, v, want);
		if (n < 0 || n <= want) {
			*count = n;
			return v;
		}
		free(v);
		want = n;
	}
	*count = want;
	return 0;
}

int main(int argc, char *argv[])
{
	int pid = argc > 1 ? atoi(argv[1]) : 0;
	uint64 reserved = 0, resident = 0;
	struct vmmap_entry *v;
	int n;

	v = fetch(pid, &n);
	if (v == 0) {
		fprintf(2, "pmap: out of memory\n");
		return 1;
	}
	if (n < 0) {
		fprintf(2, "pmap: no process %d\n", pid);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char prot[4];

		prot_string(v[i].prot, prot);
		printf("%016lx-%016lx %s %s %lu\n", v[i].start, v[i].end, prot,
		       kind_name(v[i].kind), v[i].resident);
		reserved += v[i].end - v[i].start;
		resident += v[i].resident;
	}
	printf("total %lu KiB reserved, %lu pages resident (%lu KiB)\n",
	       reserved / KIB, resident, resident * PGSIZE / KIB);
	return 0;
}
