/* The supervisor timer, through SBI: TICK_HZ ticks a second. */
#ifndef ARCH_RISCV_TIMER_H
#define ARCH_RISCV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TICK_HZ 100

void     timer_init(uint64_t timebase_hz);   /* boot hart, once; hz > 0 */
void     timer_start_hart(void);             /* arm this hart's first tick */
/* Timer interrupt on this hart: re-arm; true if the tick count advanced. */
bool     timer_intr(void);
uint64_t timer_ticks(void);                  /* ticks since boot */
/* Milliseconds of the time CSR (any hart; 0 before timer_init). */
uint64_t timer_ms(void);

#endif
