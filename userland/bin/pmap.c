/*
 * pmap [PID]: the memory map of a process (default: pmap itself).
 *
 * A header, then one line per area, from vmmap(); sizes in KiB:
 *
 *   address                           prot kind    Rss  Shared Private  Cow  Zero  Pss
 *   0000000000010000-0000000000012000 r-x image      8       8       0    8     0    4
 *
 *   Rss      pages with a frame (own or shared with other processes)
 *   Shared   of those, frames mapped more than once
 *   Private  Rss - Shared
 *   Cow      of Rss, copy-on-write pages (read-only until written)
 *   Zero     pages mapping the shared zero page: not resident, not in Rss
 *   Pss      proportional: a frame shared n ways counts 1/n
 *
 * and a total line with the reserved size and the same columns. The first
 * three fields of an area line stay "start-end prot kind" for scripts.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/lazuli.h"

#define KIB         1024
#define PAGE_KIB    (PGSIZE / KIB)
#define MILLI       1000   /* pss_x1000 is pages x MILLI */
#define FIRST_GUESS 8      /* areas asked for on the first try */
#define LABEL_SIZE  64     /* the total line's label, padded like "start-end prot kind" */

/* The per-area figures, summed for the total line. */
struct usage {
	uint64 resident, shared, cow, zero, pss_x1000;
};

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

/* The six figures after the label, in KiB; Pss rounded to the nearest. */
static void columns(const struct usage *u)
{
	printf(" %7lu %7lu %7lu %7lu %7lu %7lu\n",
	       u->resident * PAGE_KIB, u->shared * PAGE_KIB,
	       (u->resident - u->shared) * PAGE_KIB, u->cow * PAGE_KIB,
	       u->zero * PAGE_KIB, (u->pss_x1000 * PAGE_KIB + MILLI / 2) / MILLI);
}

int main(int argc, char *argv[])
{
	int pid = argc > 1 ? atoi(argv[1]) : 0;
	struct usage total = { 0 };
	uint64 reserved = 0;
	struct vmmap_entry *v;
	char label[LABEL_SIZE];
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
	printf("%-43s %7s %7s %7s %7s %7s %7s\n", "address                           prot kind",
	       "Rss", "Shared", "Private", "Cow", "Zero", "Pss");
	for (int i = 0; i < n; i++) {
		struct usage u = { v[i].resident, v[i].shared, v[i].cow, v[i].zero,
				   v[i].pss_x1000 };
		char prot[4];

		prot_string(v[i].prot, prot);
		printf("%016lx-%016lx %s %-5s", v[i].start, v[i].end, prot,
		       kind_name(v[i].kind));
		columns(&u);
		reserved += v[i].end - v[i].start;
		total.resident += u.resident;
		total.shared += u.shared;
		total.cow += u.cow;
		total.zero += u.zero;
		total.pss_x1000 += u.pss_x1000;
	}
	free(v);
	snprintf(label, sizeof(label), "total %lu KiB reserved", reserved / KIB);
	printf("%-43s", label);
	columns(&total);
	return 0;
}
