/*
 * <stdio.h> for lazuli programs: the formatted output of user/user.h and
 * user/lazuli.h under their C names, plus puts, putchar, sprintf.
 *
 * There is no FILE: a stream is a file descriptor, so stdin, stdout and
 * stderr are 0, 1 and 2, and fprintf(stderr, ...) works as in C.
 * Output is unbuffered between calls (one write per call). Every printf
 * variant returns the number of characters it produced.
 */
#ifndef LAZULI_STDIO_H
#define LAZULI_STDIO_H

#include <stdarg.h>
#include <stddef.h>
#include "user/user.h"
#include "user/lazuli.h"

#define EOF    (-1)
#define stdin  0
#define stdout 1
#define stderr 2

int puts(const char *s);                 /* s and a newline; EOF on error */
int putchar(int c);                      /* c, or EOF on error */
int getchar(void);                       /* the next byte of fd 0, or EOF */
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int vsprintf(char *buf, const char *fmt, va_list ap);
int vprintf(const char *fmt, va_list ap);

#endif
