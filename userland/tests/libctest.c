/*
 * The C library for student programs (docs/userland.md): written as a
 * textbook program would be, with the standard headers only (plus
 * check.h's reporting and kernel/riscv.h's readers), so that it building
 * is itself a test. One PASS/FAIL line per case; exits 0.
 */
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "check.h"

static int printf_count(void)
{
	int n = printf("libctest: %d %s\n", 42, "ok");

	if (n != 16)
		return fail("printf returned %d, wanted 16", n);
	n = puts("libctest: puts");
	if (n < 0)
		return fail("puts returned %d", n);
	if (putchar('\n') != '\n')
		return fail("putchar did not return its character");
	return 0;
}

static int sprintf_formats(void)
{
	char buf[64];
	int n;

	n = sprintf(buf, "[%5d|%-5d|%05d|%x|%lu|%s|%c]", 42, -7, 42, 0xbeef, 123456789012UL, "s", 'c');
	if (strcmp(buf, "[   42|-7   |00042|beef|123456789012|s|c]") != 0)
		return fail("sprintf gave \"%s\"", buf);
	if (n != (int)strlen(buf))
		return fail("sprintf returned %d for %d characters", n, (int)strlen(buf));
	n = snprintf(buf, 4, "%s", "abcdef");
	if (n != 6 || strcmp(buf, "abc") != 0)
		return fail("snprintf(4) gave %d, \"%s\"", n, buf);
	return 0;
}

static int strings(void)
{
	char buf[32];
	const char *path = "/usr/bin/prog";

	strncpy(buf, "hello", sizeof(buf));
	strcat(buf, ", ");
	strncat(buf, "worldwide", 5);
	if (strcmp(buf, "hello, world") != 0)
		return fail("strncpy/strcat/strncat gave \"%s\"", buf);
	if (strrchr(path, '/') != path + 8 || strrchr(path, 'z') != NULL)
		return fail("strrchr");
	if (strstr(buf, "world") != buf + 7 || strstr(buf, "xyz") != NULL || strstr(buf, "") != buf)
		return fail("strstr");
	return 0;
}

static int numbers(void)
{
	char *end;

	if (strtol("  -123abc", &end, 10) != -123 || *end != 'a')
		return fail("strtol decimal");
	if (strtol("0x1F", NULL, 0) != 31 || strtol("017", NULL, 0) != 15 || strtol("z", NULL, 36) != 35)
		return fail("strtol bases");
	if (strtol("99999999999999999999", NULL, 10) != LONG_MAX)
		return fail("strtol overflow");
	if (atoi("  56") != 56 || abs(-3) != 3)
		return fail("atoi/abs");
	return 0;
}

static int classes(void)
{
	if (!isdigit('7') || isdigit('a') || !isspace('\t') || isspace('x') ||
	    !isalpha('Q') || isalpha('1') || !isalnum('z') || !isxdigit('F') ||
	    toupper('a') != 'A' || tolower('Z') != 'z' || !ispunct('!'))
		return fail("a ctype class is wrong");
	return 0;
}

static int memory(void)
{
	int *a = calloc(1000, sizeof(int));
	char *s;

	if (a == NULL)
		return fail("calloc failed");
	for (int i = 0; i < 1000; i++) {
		if (a[i] != 0)
			return fail("calloc: a[%d] = %d", i, a[i]);
	}
	free(a);
	if (calloc(SIZE_MAX / 2, 4) != NULL)
		return fail("calloc of an overflowing size succeeded");
	s = malloc(8);
	strcpy(s, "abcdefg");
	s = realloc(s, 100000);
	if (s == NULL || strcmp(s, "abcdefg") != 0)
		return fail("realloc lost the contents");
	s[99999] = 1;
	free(s);
	return 0;
}

/* A child ends through fn; its exit status must be -1. */
static int dies_with_minus_one(void (*fn)(void), const char *what)
{
	int status = 0;
	int pid = fork();

	if (pid < 0)
		return fail("fork failed");
	if (pid == 0) {
		fn();
		exit(0);
	}
	wait(&status);
	if (status != -1)
		return fail("%s: child exited %d, wanted -1", what, status);
	return 0;
}

static void call_abort(void)
{
	abort();
}

static void call_assert(void)
{
	bool no = false;

	assert(no);
}

static int abort_and_assert(void)
{
	assert(1 + 1 == 2);   /* a true assertion does nothing */
	if (dies_with_minus_one(call_abort, "abort") < 0)
		return -1;
	return dies_with_minus_one(call_assert, "assert");
}

static int gnu_c(void)
{
	uint64_t sp = r_sp(), t0 = r_time(), t1;
	int local;

	asm volatile("nop");   /* the GNU spelling, as xv6 programs write it */
	if (sp > (uint64_t)&local + PGSIZE || sp + PGSIZE < (uint64_t)&local)
		return fail("r_sp %p is not near a local at %p", (void *)sp, (void *)&local);
	if (r_fp() == 0 || r_ra() == 0)
		return fail("r_fp or r_ra is 0");
	do
		t1 = r_time();
	while (t1 == t0);
	return 0;
}

static int readme(void)
{
	char buf[16];
	int fd = open("/README", O_RDONLY);
	int n;

	if (fd < 0)
		return fail("no /README");
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? 0 : fail("/README is empty");
}

int main(void)
{
	run_case("printf_count", printf_count);
	run_case("sprintf_formats", sprintf_formats);
	run_case("strings", strings);
	run_case("strtol", numbers);
	run_case("ctype", classes);
	run_case("calloc_realloc", memory);
	run_case("abort_assert", abort_and_assert);
	run_case("gnu_c_readers", gnu_c);
	run_case("readme", readme);
	return 0;
}
