/*
 * bigbss: a 4 MiB program that is nearly all .bss.
 *
 * A helper of exectests (docs/demand-paging.md). BSS_BYTES of .bss after
 * one page of initialised data: exec maps the whole .bss pages as
 * anonymous memory that nothing backs until it is touched, and copies
 * only the page where .data ends and .bss begins. So starting it costs a
 * handful of frames, not a thousand.
 *
 *   bigbss          read standard input until end of file, then exit 0
 *   bigbss check    the same, then read every page of .bss (zeros, all
 *                   on the zero page), write one word in its last page
 *                   and check .data; exit 0 if all held, else 1
 */
#include "kernel/types.h"
#include "user/user.h"

#define BSS_BYTES  (4 * 1024 * 1024)
#define DATA_WORDS 600                   /* .data: a little more than one page */
#define DATA_WORD  0x5a5a5a5a5a5a5a5aUL
#define PAGE       4096

static char bss[BSS_BYTES];
static uint64 data[DATA_WORDS] = { [0 ... DATA_WORDS - 1] = DATA_WORD };

int main(int argc, char *argv[])
{
	char c;

	(void)argv;
	while (read(0, &c, 1) == 1)
		;
	if (argc < 2)
		exit(0);
	for (int i = 0; i < BSS_BYTES; i += PAGE)
		if (((volatile char *)bss)[i] != 0)
			exit(1);
	((volatile char *)bss)[BSS_BYTES - 1] = 1;
	for (int i = 0; i < DATA_WORDS; i++)
		if (((volatile uint64 *)data)[i] != DATA_WORD)
			exit(1);
	exit(0);
}
