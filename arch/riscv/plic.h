/* The platform-level interrupt controller: routes device IRQs to harts. */
#ifndef ARCH_RISCV_PLIC_H
#define ARCH_RISCV_PLIC_H

#include <stdint.h>

void     plic_init(uint64_t pa);                 /* boot hart, once */
void     plic_enable(int hart, uint32_t irq);    /* route irq to hart's S-mode */
uint32_t plic_claim(void);                       /* 0 when none pending */
void     plic_complete(uint32_t irq);

#endif
