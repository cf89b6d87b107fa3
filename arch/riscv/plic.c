/*
 * PLIC (RISC-V PLIC specification). On QEMU virt each hart has two
 * contexts, M-mode (2*hart) and S-mode (2*hart + 1); we use the latter.
 */
#include "arch/riscv/plic.h"
#include "arch/riscv/hart.h"
#include "mm/physmap.h"

#define PLIC_PRIORITY(irq)      (4 * (irq))
#define PLIC_ENABLE(ctx)        (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)     (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)         (0x200004 + 0x1000 * (ctx))
#define S_CONTEXT(hart)         (2 * (hart) + 1)

static volatile uint8_t *plic;

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)(plic + off);
}

void plic_init(uint64_t pa)
{
	plic = pa_to_kva(pa);
}

void plic_enable(int hart, uint32_t irq)
{
	if (!plic)
		return;
	*reg(PLIC_PRIORITY(irq)) = 1;
	*reg(PLIC_ENABLE(S_CONTEXT(hart)) + 4 * (irq / 32)) |= 1U << (irq % 32);
	*reg(PLIC_THRESHOLD(S_CONTEXT(hart))) = 0;
}

uint32_t plic_claim(void)
{
	return plic ? *reg(PLIC_CLAIM(S_CONTEXT(this_hart_id()))) : 0;
}

void plic_complete(uint32_t irq)
{
	*reg(PLIC_CLAIM(S_CONTEXT(this_hart_id()))) = irq;
}
