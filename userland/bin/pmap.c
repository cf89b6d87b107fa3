/*
 * pmap [PID]: the memory map of a process (default: pmap itself).
 *
 * A header, then one line per area, from vmmap(); sizes in KiB:
 *
 *   address                           prot kind  offset       Rss  Shared Private     Cow    Zero     Pss mapping
 *   0000000000010000-0000000000012000 r-xp image 00000000       8       8       0       8       0       4 [anon]
 *   0000003fff6fe000-0000003fff700000 rw-s mmap  00001000       4       4       0       0       0       2 /mm_a
 *
 *   prot     r, w, x, then s (shared: writes reach the file or a fork) or p (private)
 *   offset   the file offset (hex bytes) mapped at the area's start
 *   Rss      pages with a frame (own or shared with other processes)
 *   Shared   of those, frames mapped more than once
 *   Private  Rss - Shared
 *   Cow      of Rss, copy-on-write pages (read-only until written)
 *   Zero     pages mapping the shared zero page: not resident, not in Rss
 *   Pss      proportional: a frame shared n ways counts 1/n
 *   mapping  the file's path, or [heap], [stack], [anon] (no file); a file
 *            no name leads to any more (unlinked) is [deleted inode N]
 *
 * and a total line with the reserved size and the same columns. The first
 * three fields of an area line stay "start-end prot kind" for scripts.
 *
 * Names: the kernel gives an inode number; pmap finds the path by walking
 * the tree from "/" once, the first time an area has a file (the file
 * system is small), remembering every regular file's number and path.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "user/lazuli.h"

#define KIB         1024
#define PAGE_KIB    (PGSIZE / KIB)
#define MILLI       1000   /* pss_x1000 is pages x MILLI */
#define FIRST_GUESS 8      /* areas asked for on the first try */
#define LABEL_SIZE  64     /* the total line's label, padded (%-53s) like
			      "start-end prot kind offset": 33 + 1 + 4 + 1 + 5 + 1 + 8 */
#define MAX_NAMES   256    /* regular files the walk remembers */
#define MAX_DEPTH   8      /* directories deep the walk goes */
#define NAME_SIZE   32     /* "[deleted inode N]" */

/* A regular file's inode number and path, found by walking the tree. */
struct named {
	uint64 inum;
	char  *path;
};

static struct named names[MAX_NAMES];
static int nnames;
static int walked;   /* the tree has been walked */

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
	case VMMAP_KIND_MMAP:  return "mmap";
	default:               return "?";
	}
}

/* "rwx" with '-' for each right the area lacks, then 's' (shared) or 'p' (private). */
static void prot_string(uint32 prot, char out[5])
{
	out[0] = (prot & VMMAP_PROT_R) ? 'r' : '-';
	out[1] = (prot & VMMAP_PROT_W) ? 'w' : '-';
	out[2] = (prot & VMMAP_PROT_X) ? 'x' : '-';
	out[3] = (prot & VMMAP_SHARED) ? 's' : 'p';
	out[4] = '\0';
}

/* A malloc'd copy of s, or 0. */
static char *copy_string(const char *s)
{
	char *c = malloc(strlen(s) + 1);

	if (c)
		strcpy(c, s);
	return c;
}

/* Remember every regular file under directory dir (depth levels down so far). */
static void walk(const char *dir, int depth)
{
	char path[MAXPATH];
	struct dirent de;
	struct stat st;
	uint len = strlen(dir);
	int fd;

	if (depth > MAX_DEPTH || len + 1 + DIRSIZ + 1 > sizeof(path) || (fd = open(dir, O_RDONLY)) < 0)
		return;
	strcpy(path, dir);
	if (len > 0 && path[len - 1] != '/')
		path[len++] = '/';
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0 || strcmp(de.name, ".") == 0 || strcmp(de.name, "..") == 0)
			continue;
		memmove(path + len, de.name, DIRSIZ);
		path[len + DIRSIZ] = '\0';
		if (stat(path, &st) < 0)
			continue;
		if (st.type == T_DIR)
			walk(path, depth + 1);
		else if (st.type == T_FILE && nnames < MAX_NAMES &&
			 (names[nnames].path = copy_string(path)) != 0)
			names[nnames++].inum = st.ino;
	}
	close(fd);
}

/* What an area maps, for the last column. */
static const char *mapping_name(const struct vmmap_entry *e, char buf[NAME_SIZE])
{
	if (e->inum == 0) {
		switch (e->kind) {
		case VMMAP_KIND_HEAP:  return "[heap]";
		case VMMAP_KIND_STACK: return "[stack]";
		default:               return "[anon]";
		}
	}
	if (!walked) {
		walk("/", 0);
		walked = 1;
	}
	for (int i = 0; i < nnames; i++)
		if (names[i].inum == e->inum)
			return names[i].path;
	snprintf(buf, NAME_SIZE, "[deleted inode %lu]", e->inum);
	return buf;
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
	printf(" %7lu %7lu %7lu %7lu %7lu %7lu",
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
	printf("%-53s %7s %7s %7s %7s %7s %7s %s\n",
	       "address                           prot kind  offset",
	       "Rss", "Shared", "Private", "Cow", "Zero", "Pss", "mapping");
	for (int i = 0; i < n; i++) {
		struct usage u = { v[i].resident, v[i].shared, v[i].cow, v[i].zero,
				   v[i].pss_x1000 };
		char prot[5], name[NAME_SIZE];

		prot_string(v[i].prot, prot);
		printf("%016lx-%016lx %s %-5s %08lx", v[i].start, v[i].end, prot,
		       kind_name(v[i].kind), v[i].offset);
		columns(&u);
		printf(" %s\n", mapping_name(&v[i], name));
		reserved += v[i].end - v[i].start;
		total.resident += u.resident;
		total.shared += u.shared;
		total.cow += u.cow;
		total.zero += u.zero;
		total.pss_x1000 += u.pss_x1000;
	}
	free(v);
	snprintf(label, sizeof(label), "total %lu KiB reserved", reserved / KIB);
	printf("%-53s", label);
	columns(&total);
	printf("\n");
	return 0;
}
