/*
 * lazuli-only user helpers: reading the time and cycle counters, and a few
 * library routines xv6's user.h lacks. Include after user/user.h.
 *
 * rdtime() and rdcycle() read the `time` and `cycle` CSRs directly; the
 * kernel lets user mode do so through scounteren. On QEMU virt, time
 * counts at 10 MHz (the device tree's timebase-frequency).
 */
#ifndef LAZULI_USER_LAZULI_H
#define LAZULI_USER_LAZULI_H

#include <stdarg.h>
#include <stdint.h>
#include "kernel/types.h"

/* Wall-clock ticks of the platform timer (10 MHz on QEMU virt). */
static inline uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Cycles this hart has run (under QEMU TCG: instructions, roughly). */
static inline uint64_t rdcycle(void)
{
	uint64_t c;
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

#define RDTIME_HZ 10000000UL   /* QEMU virt timebase-frequency */

/* Format into buf (at most size bytes, NUL-terminated when size > 0);
 * returns the length the whole output has, which is >= size when it was
 * cut short. Same conversions as printf. */
int  snprintf(char *buf, int size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
int  vsnprintf(char *buf, int size, const char *fmt, va_list ap);
int  vfprintf(int fd, const char *fmt, va_list ap);

int  strncmp(const char *a, const char *b, uint n);

#endif
