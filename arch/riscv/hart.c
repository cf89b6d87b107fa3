/*
 * SMP bring-up. OpenSBI starts only the boot hart; the others wait in
 * OpenSBI until we ask for them through the SBI HSM extension. Each one
 * enters _start_secondary (entry.S) at its physical address with its boot
 * stack in a1, and reports in by setting harts[id].started.
 */
#include "arch/riscv/hart.h"
#include "arch/riscv/fdt.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/sv39.h"
#include "arch/riscv/tlb.h"
#include "lib/printf.h"

#define HART_STACK_SIZE 16384
/* How long a started hart may take to report in: generous, for loaded hosts. */
#define HART_START_SECONDS 10

struct hart harts[MAX_HARTS];
static int nharts;
static int hart_ids[MAX_HARTS];
static uint64_t timebase_hz;

static uint8_t hart_stacks[MAX_HARTS][HART_STACK_SIZE] __attribute__((aligned(16)));

extern char _start_secondary[];
extern uint64_t hart_release_pa;

/*
 * Boot stacks for harts that entered _start after the boot hart and are
 * parked there (entry.S), polling by physical address.
 */
static volatile uint64_t hart_release[MAX_HARTS];

/* Let a parked hart go on to _start_secondary with its stack. */
static void release_parked(int id)
{
	hart_release[id] = harts[id].boot_stack;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hart_release_pa = (uint64_t)hart_release - DIRECT_MAP_BASE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Where a hart reports a kernel-stack overflow (trap.S switches here). */
#define EMERG_STACK_SIZE 4096
static uint8_t emerg_stacks[MAX_HARTS][EMERG_STACK_SIZE] __attribute__((aligned(16)));

void hart_set_self(int id)
{
	harts[id].id = id;
	harts[id].emerg_stack = (uint64_t)&emerg_stacks[id][EMERG_STACK_SIZE];
	__asm__ volatile("mv tp, %0" :: "r"(&harts[id]));
}

int hart_count(void)
{
	return nharts;
}

void hart_record(const struct boot_info *bi)
{
	nharts = bi->nharts;
	timebase_hz = bi->timebase_hz;
	for (int i = 0; i < nharts; i++)
		hart_ids[i] = bi->hart_ids[i];
}

void hart_start_others(void)
{
	uint64_t entry_pa = (uint64_t)_start_secondary - DIRECT_MAP_BASE;
	/*
	 * Truncating a mapped file must fence the harts that run its mappers
	 * before the frames are freed (arch/riscv/tlb.h); without RFENCE no
	 * other hart could be fenced, so none may run.
	 */
	if (nharts > 1 && !tlb_remote_present()) {
		printf("lazuli: SBI has no RFENCE extension: running on hart %d alone\n",
		       (int)this_hart_id());
		return;
	}
	for (int i = 0; i < nharts; i++) {
		int id = hart_ids[i];
		if (id == this_hart_id())
			continue;
		harts[id].id = id;
		harts[id].boot_stack = (uint64_t)&hart_stacks[id][HART_STACK_SIZE];
		long err = sbi_hart_start((uint64_t)id, entry_pa, harts[id].boot_stack);
		if (err == SBI_ERR_ALREADY_AVAILABLE) {
			release_parked(id);   /* it is running already: parked in _start */
			err = 0;
		}
		if (err) {
			printf("lazuli: hart %d did not start (SBI error %ld)\n", id, err);
			continue;
		}
		uint64_t deadline = rdtime() + HART_START_SECONDS * timebase_hz;
		while (!harts[id].started && rdtime() < deadline)
			;
		if (!harts[id].started)
			printf("lazuli: hart %d did not report in\n", id);
	}
}

int hart_started_count(void)
{
	int n = 0;
	for (int i = 0; i < nharts; i++)
		n += harts[hart_ids[i]].started;
	return n;
}
