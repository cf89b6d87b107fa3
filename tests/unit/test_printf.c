/*
 * Host tests of the kernel's formatter (lib/printf.c). The kernel file is
 * compiled with its functions renamed k* (see tests/unit/meson.build) so
 * they do not replace the host C library's printf that reports results.
 */
#include <stddef.h>
#include <string.h>
#include "check.h"

int ksnprintf(char *buf, size_t size, const char *fmt, ...);
#define snprintf ksnprintf

static char buf[128];

#define FMT(expect, ...) do { \
	snprintf(buf, sizeof(buf), __VA_ARGS__); \
	CHECK(strcmp(buf, expect) == 0); \
} while (0)

static void integers(void)
{
	FMT("42 -7 0", "%d %d %d", 42, -7, 0);
	FMT("4294967295", "%u", 4294967295U);
	FMT("ff FF", "%x %X", 255, 255);
	FMT("-9223372036854775808", "%ld", (long)(-9223372036854775807L - 1));
	FMT("18446744073709551615", "%lu", 18446744073709551615UL);
	FMT("ffffffffffffffff", "%llx", 18446744073709551615ULL);
	FMT("123", "%zu", (size_t)123);
}

static void widths(void)
{
	FMT("   42", "%5d", 42);
	FMT("42   |", "%-5d|", 42);
	FMT("00042", "%05d", 42);
	FMT("-0042", "%05d", -42);
	FMT("  ab", "%4s", "ab");
	FMT("ab  |", "%-4s|", "ab");
}

static void strings_and_chars(void)
{
	FMT("hi x %", "%s %c %%", "hi", 'x');
	FMT("(null)", "%s", (char *)0);
	FMT("0x00000000deadbeef", "%p", (void *)0xdeadbeef);
	FMT("%q", "%q");
}

static void truncation(void)
{
	char small[8];
	int n = snprintf(small, sizeof(small), "%s", "0123456789");
	CHECK(n == 10);
	CHECK(strcmp(small, "0123456") == 0);
	CHECK(snprintf(NULL, 0, "%d", 12345) == 5);
}

int main(void)
{
	RUN(integers);
	RUN(widths);
	RUN(strings_and_chars);
	RUN(truncation);
	return CHECK_EXIT();
}
