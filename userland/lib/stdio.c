/*
 * The character calls of <stdio.h>: puts, putchar, getchar, vprintf.
 * The formatted ones are in printf.c.
 */
#include "stdio.h"

/* s and a newline, in one write when short enough. */
int puts(const char *s)
{
	return printf("%s\n", s) < 0 ? EOF : 0;
}

int putchar(int c)
{
	char ch = (char)c;

	return write(stdout, &ch, 1) == 1 ? (unsigned char)ch : EOF;
}

int getchar(void)
{
	unsigned char ch;

	return read(stdin, &ch, 1) == 1 ? ch : EOF;
}

int vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}
