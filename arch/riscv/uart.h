/* The ns16550a UART: the console's wire. */
#ifndef ARCH_RISCV_UART_H
#define ARCH_RISCV_UART_H

#include <stddef.h>
#include <stdint.h>

/* Program the UART at pa (from the device tree) and turn on RX interrupts. */
void uart_init(uint64_t pa);
/* Write n bytes, polling, under the console output lock: never interleaved. */
void uart_write(const char *buf, size_t n);
/* The same without the lock, for panic reports. */
void uart_write_unlocked(const char *buf, size_t n);
/* Interrupt handler: pass every received byte to console_input(). */
void uart_intr(void);

#endif
