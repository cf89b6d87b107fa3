/*
 * The string calls C has and xv6's ulib.c lacks: strncpy, strcat,
 * strncat, strrchr, strstr. Pure functions, host-tested by
 * tests/unit/test_ulib.c.
 */
#include "string.h"

/* Copy at most n bytes of src; pad with NULs up to n. Like C's, the
 * result is not NUL-terminated when src has n bytes or more. */
char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i] != '\0'; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

/* Append at most n bytes of src, then a NUL (so dst needs n + 1 spare). */
char *strncat(char *dst, const char *src, size_t n)
{
	char *d = dst + strlen(dst);

	while (n-- > 0 && *src != '\0')
		*d++ = *src++;
	*d = '\0';
	return dst;
}

/* Last occurrence of c in s; c == '\0' finds the terminator, as in C. */
char *strrchr(const char *s, int c)
{
	const char *last = 0;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++ != '\0');
	return (char *)last;
}

/* First place needle occurs in haystack; an empty needle is at the start. */
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack != '\0'; haystack++) {
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	}
	return n == 0 ? (char *)haystack : 0;
}
