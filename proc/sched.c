/*
 * The scheduler, sleep and wakeup.
 *
 * Every hart runs proc_scheduler() on its boot stack: a round-robin scan
 * of the process table that switches to each runnable process in turn.
 * A process gives the hart back through sched(), holding its own p->lock
 * across the switch; the scheduler releases it. That lock is what makes
 * sleep and wakeup race-free: wakeup must take p->lock to see SLEEPING,
 * and the sleeper holds it from before it releases its condition lock
 * until it is off the CPU.
 *
 * Address spaces: the scheduler calls mm_activate(p->mm) before switching
 * to p, which writes satp only if this hart had another mm; a hart with
 * nothing to run drops to the kernel's page table before it waits.
 */
#include "proc/proc_internal.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/timer.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "mm/mm.h"

static char ticks_chan;   /* sleepers on the tick count wait on this */

struct proc *proc_current(void)
{
	irq_push_off();
	struct proc *p = this_hart()->proc;
	irq_pop_off();
	return p;
}

void proc_scheduler(void)
{
	struct hart *h = this_hart();
	int next = 0;
	for (;;) {
		irq_enable();   /* let devices interrupt between scans */
		proc_lockup_stamp();
		bool ran = false;
		for (int n = 0; n < NPROC; n++) {
			struct proc *p = &procs[(next + n) % NPROC];
			spin_lock(&p->lock);
			if (p->state == P_RUNNABLE) {
				p->state = P_RUNNING;
				h->proc = p;
				mm_activate(p->mm);
				swtch(&h->sched_ctx, &p->ctx);
				h->proc = NULL;
				ran = true;
				next = (int)(p - procs) + 1;
			}
			spin_unlock(&p->lock);
			if (ran)
				break;
		}
		if (!ran) {
			mm_activate(NULL);   /* hold no process's page table while idle */
			wfi();
		}
	}
}

void sched(void)
{
	struct proc *p = proc_current();
	struct hart *h = this_hart();
	if (!spin_held(&p->lock))
		panic("sched: p->lock not held");
	if (h->irq_depth != 1)
		panic("sched: holding locks other than p->lock");
	if (p->state == P_RUNNING)
		panic("sched: process still running");
	if (irq_enabled())
		panic("sched: interrupts enabled");
	bool was_on = h->irq_was_on;
	swtch(&p->ctx, &h->sched_ctx);
	this_hart()->irq_was_on = was_on;   /* we may be on another hart now */
}

void proc_yield(void)
{
	struct proc *p = proc_current();
	__atomic_store_n(&p->resched, false, __ATOMIC_RELAXED);   /* yielding now */
	spin_lock(&p->lock);
	p->state = P_RUNNABLE;
	sched();
	spin_unlock(&p->lock);
}

void proc_sleep(void *chan, struct spinlock *lk)
{
	struct proc *p = proc_current();
	if (!p)
		panic("proc_sleep: no process");
	spin_lock(&p->lock);
	spin_unlock(lk);
	p->chan = chan;
	p->state = P_SLEEPING;
	sched();
	p->chan = NULL;
	spin_unlock(&p->lock);
	spin_lock(lk);
}

void proc_wakeup(void *chan)
{
	struct proc *self = proc_current();
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		if (p == self)
			continue;
		spin_lock(&p->lock);
		if (p->state == P_SLEEPING && p->chan == chan)
			p->state = P_RUNNABLE;
		spin_unlock(&p->lock);
	}
}

bool proc_killed(struct proc *p)
{
	spin_lock(&p->lock);
	bool k = p->killed;
	spin_unlock(&p->lock);
	return k;
}

void proc_set_killed(struct proc *p)
{
	spin_lock(&p->lock);
	p->killed = true;
	spin_unlock(&p->lock);
}

/* Sleepers on the tick count check it under this lock; the tick wakes them under it. */
static struct spinlock ticks_lock = SPINLOCK_INIT("ticks");

void proc_tick(bool advanced, bool from_user)
{
	if (advanced) {
		spin_lock(&ticks_lock);
		proc_wakeup(&ticks_chan);
		spin_unlock(&ticks_lock);
	}
	struct proc *p = proc_current();
	if (p == NULL)
		return;
	if (from_user)
		proc_yield();
	else
		__atomic_store_n(&p->resched, true, __ATOMIC_RELAXED);
}

/*
 * Called a page at a time in long calls, so it takes no lock: the kernel
 * is not preempted, so this hart's process cannot change under us, and
 * reading `killed` without p->lock only risks noticing a kill one page
 * later.
 */
int proc_preempt_point(void)
{
	struct proc *p = this_hart()->proc;
	if (p == NULL)
		return 0;
	if (__atomic_exchange_n(&p->resched, false, __ATOMIC_RELAXED))
		proc_yield();
	return __atomic_load_n(&p->killed, __ATOMIC_RELAXED) ? -EINTR : 0;
}

int proc_sleep_ticks(int n)
{
	if (n < 0)
		return -1;
	struct proc *p = proc_current();
	spin_lock(&ticks_lock);
	uint64_t start = timer_ticks();
	while (timer_ticks() - start < (uint64_t)n) {
		if (proc_killed(p)) {
			spin_unlock(&ticks_lock);
			return -1;
		}
		proc_sleep(&ticks_chan, &ticks_lock);
	}
	spin_unlock(&ticks_lock);
	return 0;
}
