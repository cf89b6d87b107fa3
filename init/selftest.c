/*
 * Kernel self-tests (selftest=1): facts about the booted machine that only
 * the kernel can check. Each prints "PASS name" or "FAIL name: why"; the
 * boot test harness reads those lines, and QEMU's exit status says
 * whether all passed.
 */
#include "init/selftest.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/fdt.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/tlb.h"
#include "lib/printf.h"
#include "mm/mm.h"

#define TICKS_WANTED       5
#define TICKS_WAIT_SECONDS 10   /* generous: a loaded host may starve the hart */
#define HARTS_WAIT_SECONDS 30   /* for a hart that reports after bring-up gave up */

static int failures;

static void report(const char *name, bool ok, const char *why)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		failures++;
	}
}

/* The timer interrupt advances the tick count (we wait TICKS_WAIT_SECONDS at most). */
static void test_ticks(const struct boot_info *bi)
{
	uint64_t start = timer_ticks();
	uint64_t deadline = rdtime() + TICKS_WAIT_SECONDS * bi->timebase_hz;
	while (timer_ticks() - start < TICKS_WANTED && rdtime() < deadline)
		wfi();
	uint64_t got = timer_ticks() - start;
	printf("selftest: %lu ticks in the window\n", got);
	report("ticks_advance", got >= TICKS_WANTED, "the timer did not tick");
}

/*
 * Every hart reported in. Bring-up gives each hart HART_START_SECONDS; on
 * a loaded host (QEMU's vCPU threads starved) one may report after that,
 * so a late hart gets HARTS_WAIT_SECONDS more before it counts as lost.
 */
static void test_harts(const struct boot_info *bi)
{
	uint64_t deadline = rdtime() + HARTS_WAIT_SECONDS * bi->timebase_hz;
	while (hart_started_count() < bi->nharts && rdtime() < deadline)
		;
	int up = hart_started_count();
	printf("selftest: %d of %d harts up\n", up, bi->nharts);
	report("harts_up", up == bi->nharts, "a hart did not start");
}

void selftest_run(const struct boot_info *bi)
{
	test_harts(bi);
	test_ticks(bi);
	report("mm_selftest", mm_selftest() == 0, "see the lines above");
	report("tlb_selftest", tlb_selftest() == 0, "see the lines above");
	printf("selftest: %s\n", failures ? "FAILED" : "all passed");
	sbi_shutdown(failures != 0);
}
