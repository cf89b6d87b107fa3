/*
 * <stdlib.h> for lazuli programs: malloc, free, atoi and exit as declared
 * by user/user.h, plus calloc, realloc, strtol, abort, abs.
 *
 * exit has xv6's declaration (int, never returns); abort ends the program
 * with status -1, as if the kernel had killed it.
 */
#ifndef LAZULI_STDLIB_H
#define LAZULI_STDLIB_H

#include <stddef.h>
#include "user/user.h"

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *calloc(size_t n, size_t size);     /* zeroed; 0 on overflow or no memory */
void *realloc(void *p, size_t size);     /* 0 (p untouched) when it cannot grow */
long  strtol(const char *s, char **end, int base);
long  atol(const char *s);
void  abort(void) __attribute__((noreturn));
int   abs(int x);
long  labs(long x);

#endif
