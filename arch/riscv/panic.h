/* Panic reports: cause, hart, registers and a symbolized backtrace. */
#ifndef ARCH_RISCV_PANIC_H
#define ARCH_RISCV_PANIC_H

#include <stdint.h>
#include "arch/riscv/context.h"

/* An unexpected exception in kernel code: report it and power off (failure). */
void panic_trap(struct kframe *kf, const char *cause, uint64_t stval)
	__attribute__((noreturn));

/*
 * A trap found the kernel stack overflowed into its guard (trap.S); sp,
 * ra and fp are the overflowed code's.
 */
void kernel_stack_overflow(uint64_t sp, uint64_t ra, uint64_t fp) __attribute__((noreturn));

/*
 * Print the stack from pc and the frame-pointer chain at fp; ra is the
 * live return-address register of interrupted code, 0 when there is none
 * (see unwind.h).
 */
void backtrace(uint64_t pc, uint64_t ra, uint64_t fp);

/*
 * A warning with a backtrace, and the machine goes on: one line from fmt,
 * then the backtrace from pc, ra and fp. Warnings from two harts do not
 * interleave.
 */
void warn_backtrace(uint64_t pc, uint64_t ra, uint64_t fp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The kernel-stack slot ending at top is mapped (mm, as it maps each
 * process slot's stack, in slot order): a backtrace may read the slots
 * below top, and no other part of the kernel-stack region.
 */
void backtrace_kstack_mapped(uint64_t top);

/* Name of the function containing pc, and pc's offset into it. */
const char *ksym_lookup(uint64_t pc, uint64_t *offset);

#endif
