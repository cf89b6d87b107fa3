/*
 * QEMU's test finisher: a 32-bit write of FINISHER_PASS ends QEMU with
 * status 0, (code << 16) | FINISHER_FAIL ends it with status `code`.
 * Used only for failure exits; a clean shutdown goes through SBI SRST.
 */
#include "arch/riscv/poweroff.h"
#include "mm/physmap.h"

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555

static uint64_t finisher_pa;

void poweroff_set_device(uint64_t pa)
{
	finisher_pa = pa;
}

void poweroff_test_device(int status)
{
	if (!finisher_pa)
		return;
	volatile uint32_t *reg = pa_to_kva(finisher_pa);
	*reg = status ? ((uint32_t)status << 16) | FINISHER_FAIL : FINISHER_PASS;
}
