/*
 * The reporting convention of the in-guest tests.
 *
 * Every case prints exactly one line, "PASS name" or "FAIL name: why",
 * and the program exits 0 whatever the outcome: the boot harness counts
 * the lines. A case is a function returning 0 when it passed, or the
 * result of fail("why %d", ...) when it did not.
 *
 * Header-only (static functions) so each test stays a single program.
 */
#ifndef LAZULI_TESTS_CHECK_H
#define LAZULI_TESTS_CHECK_H

#include <stdarg.h>
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"

#define WHY_MAX 160

static char check_why[WHY_MAX];

/* Record why the current case failed; returns -1 for `return fail(...)`. */
static int __attribute__((format(printf, 1, 2), unused)) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(check_why, sizeof(check_why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Run one case and print its line. */
static void __attribute__((unused)) run_case(const char *name, int (*fn)(void))
{
	check_why[0] = '\0';
	if (fn() == 0)
		printf("PASS %s\n", name);
	else
		printf("FAIL %s: %s\n", name, check_why[0] ? check_why : "failed");
}

/* Print a case's line directly, for cases that are not functions. */
static void __attribute__((unused)) report(const char *name, int ok, const char *why)
{
	if (ok)
		printf("PASS %s\n", name);
	else
		printf("FAIL %s: %s\n", name, why);
}

/* Reap every child that is left; used after a case that may have failed
 * half way, so the next case starts without strays. */
static void __attribute__((unused)) reap_all(void)
{
	while (wait(0) >= 0)
		;
}

#endif
