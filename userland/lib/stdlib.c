/*
 * strtol, atol, abs, abort and assert's failure report. calloc and
 * realloc are in malloc.c, next to the block layout they depend on.
 * strtol is host-tested by tests/unit/test_ulib.c.
 */
#include <limits.h>
#include "ctype.h"
#include "stdio.h"
#include "stdlib.h"

/* The value of digit c in bases up to 36, or 36 if c is no digit. */
static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (islower(c))
		return c - 'a' + 10;
	if (isupper(c))
		return c - 'A' + 10;
	return 36;
}

/*
 * C's strtol: leading space, an optional sign, then digits of base (2 to
 * 36; 0 means by prefix: 0x hexadecimal, 0 octal, else decimal; base 16
 * also skips a 0x). *end (when end is not 0) is where parsing stopped, or
 * s when there were no digits. Out of range gives LONG_MAX or LONG_MIN
 * (there is no errno to set). A bad base returns 0 with *end = s.
 */
long strtol(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long acc = 0, limit;
	int negative = 0, any = 0, overflow = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-' || *p == '+')
		negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	limit = negative ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
	for (;; p++) {
		int d = digit_value((unsigned char)*p);

		if (d >= base)
			break;
		any = 1;
		if (acc > (limit - d) / base)
			overflow = 1;
		else
			acc = acc * base + d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return negative ? LONG_MIN : LONG_MAX;
	return negative ? (long)(0 - acc) : (long)acc;
}

long atol(const char *s)
{
	return strtol(s, 0, 10);
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}

/* No signals: end with the status of a program the kernel killed. */
void abort(void)
{
	exit(-1);
}

void __assert_fail(const char *expr, const char *file, int line, const char *func)
{
	fprintf(stderr, "assertion failed: %s (%s:%d, in %s)\n", expr, file, line, func);
	abort();
}
