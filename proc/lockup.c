/*
 * The lockup detector: a hart that has run one process in the kernel for
 * lockup=N seconds without passing through its scheduler says so.
 *
 *   scheduler loop (every pass)      timer tick from the kernel, same hart
 *   ---------------------------      -------------------------------------
 *   stamp = now, warned = false      running a process, now - stamp >= N s,
 *                                    not warned yet?  -> one warning: the
 *                                    pid, the program and the backtrace of
 *                                    the interrupted kernel code; warned = true
 *
 * A process in a long system call that reaches its preemption points
 * yields at the first one after a tick, so it passes through the
 * scheduler many times a second; one that runs in user mode yields at the
 * tick itself. Only kernel code that loops without a preemption point (or
 * sleeps) for N seconds is reported, once per episode: the next pass
 * through the scheduler ends the episode. Kernel code that spins with
 * interrupts off takes no tick, and so cannot be seen here (Linux needs an
 * NMI watchdog for that; RISC-V has no NMI for S-mode).
 *
 * The stamp and the flag are per-hart fields, written and read only by
 * their own hart (the tick interrupts the hart's own code), so they need
 * no lock.
 */
#include "proc/proc_internal.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/panic.h"
#include "arch/riscv/timer.h"
#include "lib/printf.h"

static uint64_t lockup_ms;       /* [I] 0 = off */
static uint64_t test_spin_ms;    /* [I] test.lockup=1: init's first run spins this long */

void proc_set_lockup_secs(unsigned secs)
{
	lockup_ms = (uint64_t)secs * 1000;
}

void proc_set_test_lockup(uint64_t ms)
{
	test_spin_ms = ms;
}

void proc_lockup_stamp(void)
{
	struct hart *h = this_hart();
	h->sched_stamp_ms = timer_ms();
	h->lockup_warned = false;
}

void proc_lockup_check(uint64_t pc, uint64_t ra, uint64_t fp)
{
	struct hart *h = this_hart();
	struct proc *p = h->proc;
	if (lockup_ms == 0 || p == NULL || h->lockup_warned)
		return;
	uint64_t stuck = timer_ms() - h->sched_stamp_ms;
	if (stuck < lockup_ms)
		return;
	h->lockup_warned = true;
	warn_backtrace(pc, ra, fp, "lockup: hart %d has run pid %d (%s) in the kernel for %lu s "
		       "without scheduling", h->id, p->pid, p->name, stuck / 1000);
}

/*
 * test.lockup=1: spin in the kernel with interrupts on, never reaching
 * a preemption point, as a kernel loop that forgot one would.
 */
static __attribute__((noinline)) void lockup_test_spin(void)
{
	uint64_t end = timer_ms() + test_spin_ms;
	printf("lazuli: test.lockup=1: pid %d spins in the kernel for %lu ms\n",
	       proc_current()->pid, test_spin_ms);
	while (timer_ms() < end)
		__asm__ volatile("nop");
	printf("lazuli: test.lockup=1: the spin is over\n");
}

void proc_lockup_test(struct proc *p)
{
	if (test_spin_ms != 0 && p == init_proc)
		lockup_test_spin();
}
