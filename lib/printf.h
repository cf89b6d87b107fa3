/*
 * Kernel console output.
 *
 * printf formats a whole message into a buffer and hands it to the console
 * in one locked write, so lines from different harts never interleave.
 * Conversions: %d %i %u %x %X %p %s %c %%, with l / ll / z length
 * modifiers, field width, '-' and '0' flags.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));

/* Where printf's output goes; set once by the console driver at boot. */
void printf_set_sink(void (*write)(const char *buf, size_t n));

/* A broken kernel invariant: report (cause, hart, backtrace) and power off. */
__attribute__((noreturn, format(__printf__, 1, 2)))
void panic(const char *fmt, ...);

#endif
