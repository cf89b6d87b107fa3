/* Trap setup and the C side of trap.S. */
#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include <stdint.h>
#include "arch/riscv/context.h"

void trap_init_hart(void);            /* stvec, sscratch, interrupt enables */
const char *trap_cause_name(uint64_t scause);

/* Which PLIC interrupt is the UART's (from the device tree). */
void trap_set_uart_irq(uint32_t irq);

/*
 * Leave for user mode with tf's registers: interrupts off, sstatus set for
 * U-mode, the next trap's kernel stack (kstack) and hart noted in tf.
 */
void trap_return_to_user(struct trapframe *tf, uint64_t kstack) __attribute__((noreturn));

/* The last step of that, in trap.S. */
void user_return(struct trapframe *tf) __attribute__((noreturn));

#endif
