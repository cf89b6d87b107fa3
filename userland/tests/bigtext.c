/*
 * bigtext: a 1 MiB program that touches one page of its text.
 *
 * A helper of exectests and of the exec benchmark (docs/demand-paging.md).
 * Its text segment holds the few instructions below and BIG_BYTES of
 * read-only table (in .rodata, which user.ld puts in the text segment
 * after the code), so the file is a little over 1 MiB. Unless asked, it
 * never reads the table: with demand-paged exec only the page of code
 * ever gets mapped, while a copying exec would copy all of it.
 *
 *   bigtext          exit 0 at once (the benchmark's program)
 *   bigtext wait     read standard input until end of file, then exit 0
 *   bigtext sum      the same, then read every byte of the table; exit 0
 *                    if it holds what it was built with, else 1
 *
 * It calls nothing but read and exit, and main stays small, so everything
 * it runs fits in the first page of text (exectests checks that it maps
 * exactly one).
 */
#include "kernel/types.h"
#include "user/user.h"

#define BIG_BYTES (1024 * 1024)
#define BIG_WORD  0x0123456789abcdefUL   /* every word of the table */

static const uint64 big[BIG_BYTES / sizeof(uint64)] __attribute__((used)) = {
	[0 ... BIG_BYTES / sizeof(uint64) - 1] = BIG_WORD,
};

int main(int argc, char *argv[])
{
	char c;

	if (argc < 2)
		exit(0);
	while (read(0, &c, 1) == 1)
		;
	if (argv[1][0] == 's') {
		for (uint64 i = 0; i < BIG_BYTES / sizeof(uint64); i++)
			if (((volatile const uint64 *)big)[i] != BIG_WORD)
				exit(1);
	}
	exit(0);
}
