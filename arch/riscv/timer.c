/*
 * Timer ticks. Every hart arms its own timer through SBI; only the boot
 * hart advances the global tick count, so it counts time, not harts.
 */
#include "arch/riscv/timer.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi.h"

static uint64_t hz;            /* [I] time units per second */
static uint64_t interval;      /* [I] time units per tick */
static int      counting_hart; /* [I] the hart that advances ticks */
static uint64_t ticks;         /* [A] */

void timer_init(uint64_t timebase_hz)
{
	hz = timebase_hz;
	interval = timebase_hz / TICK_HZ;
	counting_hart = this_hart_id();
}

void timer_start_hart(void)
{
	sbi_set_timer(rdtime() + interval);
	csr_set(sie, SIE_STIE);
}

bool timer_intr(void)
{
	sbi_set_timer(rdtime() + interval);
	if (this_hart_id() != counting_hart)
		return false;
	__atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
	return true;
}

uint64_t timer_ms(void)
{
	return hz ? rdtime() / (hz / 1000) : 0;
}

uint64_t timer_ticks(void)
{
	return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}
