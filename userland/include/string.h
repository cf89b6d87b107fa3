/*
 * <string.h> for lazuli programs: the string and memory calls of
 * user/user.h and user/lazuli.h, plus strncpy, strcat, strncat, strrchr,
 * strstr. The older calls keep xv6's declarations (uint lengths, strchr
 * taking a char), which callers cannot tell from C's.
 */
#ifndef LAZULI_STRING_H
#define LAZULI_STRING_H

#include <stddef.h>
#include "user/user.h"
#include "user/lazuli.h"

char *strncpy(char *dst, const char *src, size_t n);
char *strcat(char *dst, const char *src);
char *strncat(char *dst, const char *src, size_t n);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

#endif
