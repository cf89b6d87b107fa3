/*
 * Host tests of the user C library's pure functions: the formatter's
 * sprintf/snprintf (userland/lib/printf.c), strtol (lib/stdlib.c) and the
 * string calls of lib/string.c. Those files are compiled with their
 * functions renamed u_* (tests/unit/meson.build) so they do not replace
 * the host C library's.
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include "check.h"

int   u_sprintf(char *buf, const char *fmt, ...);
int   u_snprintf(char *buf, int size, const char *fmt, ...);
long  u_strtol(const char *s, char **end, int base);
char *u_strncpy(char *dst, const char *src, size_t n);
char *u_strcat(char *dst, const char *src);
char *u_strncat(char *dst, const char *src, size_t n);
char *u_strrchr(const char *s, int c);
char *u_strstr(const char *haystack, const char *needle);

static char buf[128];

#define FMT(expect, ...) do { \
	int n_ = u_sprintf(buf, __VA_ARGS__); \
	CHECK(strcmp(buf, expect) == 0); \
	CHECK(n_ == (int)strlen(expect)); \
} while (0)

static void sprintf_formats(void)
{
	FMT("42 -7 0", "%d %i %d", 42, -7, 0);
	FMT("4294967295", "%u", 4294967295U);
	FMT("ff FF", "%x %X", 255, 255);
	FMT("-9223372036854775808", "%ld", LONG_MIN);
	FMT("18446744073709551615", "%lu", 18446744073709551615UL);
	FMT("   42|42   |00042|-0042", "%5d|%-5d|%05d|%05d", 42, 42, 42, -42);
	FMT("  ab|ab  |x", "%4s|%-4s|%c", "ab", "ab", 'x');
	FMT("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	FMT("100%", "100%%");
	FMT("(null)", "%s", (char *)0);
	FMT("%q", "%q");
}

static void snprintf_truncates(void)
{
	memset(buf, 'x', sizeof(buf));
	CHECK(u_snprintf(buf, 4, "%s", "abcdef") == 6);
	CHECK(strcmp(buf, "abc") == 0);
	CHECK(u_snprintf(buf, 1, "%d", 12345) == 5);
	CHECK(buf[0] == '\0');
	buf[0] = 'y';
	CHECK(u_snprintf(buf, 0, "abc") == 3);
	CHECK(buf[0] == 'y');
}

static void strtol_bases(void)
{
	char *end;
	const char *s;

	CHECK(u_strtol("  -123abc", &end, 10) == -123 && *end == 'a');
	CHECK(u_strtol("+77", &end, 8) == 63 && *end == '\0');
	CHECK(u_strtol("0x1f", &end, 0) == 31 && *end == '\0');
	CHECK(u_strtol("0X1F", &end, 16) == 31);
	CHECK(u_strtol("017", &end, 0) == 15);
	CHECK(u_strtol("0", &end, 0) == 0 && *end == '\0');
	CHECK(u_strtol("101", &end, 2) == 5);
	CHECK(u_strtol("zZ", &end, 36) == 35 * 36 + 35);
	s = "0x";            /* "0" is the number; the x is left over */
	CHECK(u_strtol(s, &end, 0) == 0 && end == s + 1);
	s = "  xyz";         /* no digits: end is the start */
	CHECK(u_strtol(s, &end, 10) == 0 && end == s);
	s = "12";
	CHECK(u_strtol(s, &end, 1) == 0 && end == s);
	CHECK(u_strtol("9223372036854775807", &end, 10) == LONG_MAX);
	CHECK(u_strtol("-9223372036854775808", &end, 10) == LONG_MIN);
	CHECK(u_strtol("9223372036854775808", &end, 10) == LONG_MAX && *end == '\0');
	CHECK(u_strtol("-99999999999999999999", &end, 10) == LONG_MIN);
	CHECK(u_strtol("12", NULL, 10) == 12);
}

static void strings(void)
{
	char s[32];
	const char *path = "/a/b/c";

	memset(s, 'x', sizeof(s));
	u_strncpy(s, "ab", 5);
	CHECK(memcmp(s, "ab\0\0\0x", 6) == 0);
	u_strncpy(s, "abcdef", 3);
	CHECK(memcmp(s, "abc\0", 4) == 0);   /* not terminated: the old NUL */
	strcpy(s, "foo");
	CHECK(strcmp(u_strcat(s, "bar"), "foobar") == 0);
	CHECK(strcmp(u_strncat(s, "bazooka", 3), "foobarbaz") == 0);
	CHECK(strcmp(u_strncat(s, "", 3), "foobarbaz") == 0);
	CHECK(u_strrchr(path, '/') == path + 4);
	CHECK(u_strrchr(path, 'q') == NULL);
	CHECK(u_strrchr(path, '\0') == path + 6);
	s[0] = '\0';
	u_strcat(s, "hello world");
	CHECK(u_strstr(s, "world") == s + 6);
	CHECK(u_strstr(s, "") == s);
	CHECK(u_strstr(s, "o w") == s + 4);
	CHECK(u_strstr("aaab", "aab") != NULL);
	CHECK(u_strstr("abc", "abcd") == NULL);
	CHECK(u_strstr("", "a") == NULL);
}

int main(void)
{
	RUN(sprintf_formats);
	RUN(snprintf_truncates);
	RUN(strtol_bases);
	RUN(strings);
	return CHECK_EXIT();
}
