/* Trap setup and the C side of trap.S. */
#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include <stdint.h>
#include "arch/riscv/context.h"

void trap_init_hart(void);            /* stvec, sscratch, interrupt enables */
const char *trap_cause_name(uint64_t scause);

/* Leave for user mode with tf's registers (trap.S). */
void user_return(struct trapframe *tf) __attribute__((noreturn));

#endif
