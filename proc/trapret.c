/*
 * The process side of traps: what happens to a process after the arch
 * layer has decoded a trap, and the road back to user mode.
 */
#include "proc/proc_internal.h"
#include "arch/riscv/trap.h"
#include "lib/printf.h"
#include "mm/frame.h"
#include "mm/mm.h"

static bool trace_faults;   /* [I] mm.trace=1 */

void proc_set_trace(bool on) { trace_faults = on; }

static const char *access_name(int access)
{
	switch (access) {
	case FAULT_READ:  return "load";
	case FAULT_WRITE: return "store";
	case FAULT_EXEC:  return "instruction fetch";
	default:          return "access";
	}
}

/*
 * Under fault injection (fail.frame) init is not killed for want of a
 * frame: it yields and its fault runs again, with a new draw. Init is the
 * test driver that reports whether everyone else's failures were clean;
 * Linux likewise never picks init as the OOM victim, and retries a fault
 * that ran out of memory. Without injection an OOM kills init as anyone.
 */
static bool retry_init_oom(struct proc *p, enum fault_result r)
{
	if (r != FAULT_OOM || p != init_proc || frame_fail_percent_now() == 0)
		return false;
	proc_yield();
	return true;
}

bool proc_page_fault(uint64_t va, int access, uint64_t pc, bool from_user)
{
	struct proc *p = proc_current();
	struct fault_report rep;
	enum fault_result r = mm_fault(p ? p->mm : NULL, va, (enum fault_access)access, pc, &rep);
	if (r == FAULT_OK && trace_faults) {
		char ahead[24] = "";
		if (rep.ahead)
			snprintf(ahead, sizeof(ahead), " +%u ahead", rep.ahead);
		printf("fault: pid %d (%s) %s %p -> %s%s%s\n", p->pid, p->name,
		       access_name(access), (void *)va, rep.rule, ahead,
		       from_user ? "" : " (in kernel copy)");
	}
	if (r >= 0 || retry_init_oom(p, r))
		return true;
	/* A bad user pointer in a system call is the call's error, not a kill. */
	if (from_user || r == FAULT_BUG) {
		printf("lazuli: killed pid %d (%s): %s at %p, pc %p: %s\n", p->pid, p->name,
		       access_name(access), (void *)va, (void *)pc, rep.rule);
		proc_set_killed(p);
	}
	return false;
}

void proc_user_exception(const char *cause, uint64_t pc, uint64_t tval)
{
	struct proc *p = proc_current();
	printf("lazuli: killed pid %d (%s): %s at pc %p (stval %p)\n", p->pid, p->name,
	       cause, (void *)pc, (void *)tval);
	proc_set_killed(p);
}

void proc_user_trap_return(void)
{
	struct proc *p = proc_current();
	if (proc_killed(p))
		proc_exit(-1);

	trap_return_to_user(&p->tf, p->kstack);
}
