/*
 * The small C library: strings, memory, stat(), gets(), atoi().
 *
 * Built with -fno-builtin, so these are the only definitions; the compiler
 * may still emit calls to memcpy/memset/memmove for structure copies, and
 * these satisfy them.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"

char *strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++) != '\0')
		;
	return dst;
}

int strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (uchar)*a - (uchar)*b;
}

int strncmp(const char *a, const char *b, uint n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || *a == '\0')
			return (uchar)*a - (uchar)*b;
	}
	return 0;
}

uint strlen(const char *s)
{
	uint n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* First occurrence of c in s, or 0. Unlike C's, never finds the NUL. */
char *strchr(const char *s, char c)
{
	for (; *s != '\0'; s++) {
		if (*s == c)
			return (char *)s;
	}
	return 0;
}

void *memset(void *dst, int c, uint n)
{
	uchar *d = dst;
	uint64 pattern = (uchar)c * 0x0101010101010101ULL;

	/* Bytes up to an 8-byte boundary, then whole doublewords, then the tail. */
	while (n > 0 && ((uint64)d & 7)) {
		*d++ = (uchar)c;
		n--;
	}
	for (; n >= 32; n -= 32, d += 32) {
		((uint64 *)(void *)d)[0] = pattern;
		((uint64 *)(void *)d)[1] = pattern;
		((uint64 *)(void *)d)[2] = pattern;
		((uint64 *)(void *)d)[3] = pattern;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64 *)(void *)d = pattern;
	while (n-- > 0)
		*d++ = (uchar)c;
	return dst;
}

/* Copy n bytes; the areas may overlap. A negative n copies nothing. */
void *memmove(void *dst, const void *src, int n)
{
	uchar *d = dst;
	const uchar *s = src;

	if (d == s || n <= 0)
		return dst;
	if (d < s || d >= s + n) {
		while (n-- > 0)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		while (n-- > 0)
			*--d = *--s;
	}
	return dst;
}

void *memcpy(void *dst, const void *src, uint n)
{
	uchar *d = dst;
	const uchar *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, uint n)
{
	const uchar *x = a, *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

/*
 * Read one line from fd 0 into buf: at most max-1 bytes, stopping after a
 * newline (which is kept) or at end of input. Always NUL-terminates, so
 * buf[0] == '\0' on return means end of input.
 */
char *gets(char *buf, int max)
{
	int i = 0;
	char c;

	while (i + 1 < max) {
		if (read(0, &c, 1) < 1)
			break;
		buf[i++] = c;
		if (c == '\n' || c == '\r')
			break;
	}
	buf[i] = '\0';
	return buf;
}

/* fstat() by name: 0, or -1 if path cannot be opened. */
int stat(const char *path, struct stat *st)
{
	int fd, r;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	close(fd);
	return r;
}

/* Decimal prefix of s, with an optional leading '-'; 0 if none. */
int atoi(const char *s)
{
	int sign = 1, n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-') {
		sign = -1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return sign * n;
}
