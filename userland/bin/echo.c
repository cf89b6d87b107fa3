/* echo ARGS...: print the arguments separated by spaces, then a newline. */
#include "kernel/types.h"
#include "user/user.h"

/*
 * The whole line is assembled first and written with one write(), so that
 * a reader on a pipe sees it arrive at once.
 */
int main(int argc, char *argv[])
{
	uint len = 1;   /* the newline */
	char *line, *p;

	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	line = malloc(len);
	if (line == 0) {
		fprintf(2, "echo: out of memory\n");
		return 1;
	}
	p = line;
	for (int i = 1; i < argc; i++) {
		uint n = strlen(argv[i]);
		memcpy(p, argv[i], n);
		p += n;
		if (i + 1 < argc)
			*p++ = ' ';
	}
	*p++ = '\n';
	return write(1, line, p - line) == p - line ? 0 : 1;
}
