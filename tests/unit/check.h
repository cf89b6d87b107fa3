/* A tiny test framework: CHECK records a failure and goes on. */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdio.h>

static int check_failed_in_case;
static int check_cases_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		if (!check_failed_in_case) \
			printf("  %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		check_failed_in_case = 1; \
	} \
} while (0)

/* Run one case, print PASS name / FAIL name: why. */
#define RUN(fn) do { \
	check_failed_in_case = 0; \
	fn(); \
	if (check_failed_in_case) { \
		printf("FAIL %s: a check failed (line above)\n", #fn); \
		check_cases_failed++; \
	} else { \
		printf("PASS %s\n", #fn); \
	} \
} while (0)

#define CHECK_EXIT() (check_cases_failed ? 1 : 0)

#endif
