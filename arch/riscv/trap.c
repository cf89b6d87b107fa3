/*
 * Trap handling: the arch layer decodes, mm decides, proc acts.
 *
 * user_trap() runs on the process's kernel stack after trap.S saved its
 * registers; kernel_trap() runs on whatever kernel stack was in use. Both
 * turn scause/stval into a call: syscall_dispatch(), proc_page_fault(),
 * the timer or a device. Only kernel_trap can panic, and only for a fault
 * the kernel itself caused: outside the user-copy routines, on the kernel
 * side of a copy, or in a copy run with interrupts off.
 *
 * sstatus.SUM (S-mode may touch user pages) is set only inside the copy
 * routines (uaccess.S). Both handlers clear it on entry, so no handler
 * runs with it; kernel_trap's sret restores the interrupted sstatus, so
 * an interrupted copy resumes with SUM set again. QEMU flushes its TLB
 * when SUM changes, not when csrc finds it already clear.
 *
 * Page faults, from user mode and inside the copy routines, are handled
 * with interrupts enabled (the fault path may sleep), as system calls are.
 */
#include "arch/riscv/trap.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/panic.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/uart.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "syscall/syscall.h"
#include "lib/printf.h"

extern char trap_vector[];
extern char uaccess_begin[], uaccess_end[], uaccess_fixup[];

static uint32_t uart_irq;

void trap_set_uart_irq(uint32_t irq)
{
	uart_irq = irq;
}

void trap_init_hart(void)
{
	csr_write(stvec, (uint64_t)trap_vector);
	csr_write(sscratch, 0);
	csr_set(sie, SIE_SEIE | SIE_STIE);
	/* User programs may read the clocks (benchmarks use rdtime). */
	csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
}

const char *trap_cause_name(uint64_t scause)
{
	static const char *const names[] = {
		[EXC_INST_MISALIGNED]  = "instruction address misaligned",
		[EXC_INST_ACCESS]      = "instruction access fault",
		[EXC_ILLEGAL_INST]     = "illegal instruction",
		[EXC_BREAKPOINT]       = "breakpoint",
		[EXC_LOAD_MISALIGNED]  = "load address misaligned",
		[EXC_LOAD_ACCESS]      = "load access fault",
		[EXC_STORE_MISALIGNED] = "store address misaligned",
		[EXC_STORE_ACCESS]     = "store access fault",
		[EXC_ECALL_U]          = "environment call from U-mode",
		[EXC_ECALL_S]          = "environment call from S-mode",
		[EXC_INST_PAGE_FAULT]  = "instruction page fault",
		[EXC_LOAD_PAGE_FAULT]  = "load page fault",
		[EXC_STORE_PAGE_FAULT] = "store page fault",
	};
	if (scause & SCAUSE_INTERRUPT)
		return "interrupt";
	if (scause < sizeof(names) / sizeof(names[0]) && names[scause])
		return names[scause];
	return "unknown exception";
}

/* FAULT_READ / FAULT_WRITE / FAULT_EXEC for a page-fault cause, or -1. */
static int fault_access(uint64_t scause)
{
	switch (scause) {
	case EXC_LOAD_PAGE_FAULT:  return FAULT_READ;
	case EXC_STORE_PAGE_FAULT: return FAULT_WRITE;
	case EXC_INST_PAGE_FAULT:  return FAULT_EXEC;
	default:                   return -1;
	}
}

static void device_intr(void)
{
	uint32_t irq = plic_claim();
	if (!irq)
		return;
	if (irq == uart_irq)
		uart_intr();
	plic_complete(irq);
}

/* An interrupt; kf is the interrupted kernel code's frame, NULL from user mode. */
static void interrupt(uint64_t code, struct kframe *kf)
{
	bool from_user = kf == NULL;
	if (code == IRQ_S_TIMER) {
		if (!from_user)
			proc_lockup_check(kf->sepc, kf->regs[0], kf->regs[7]);   /* ra, fp */
		proc_tick(timer_intr(), from_user);
	} else if (code == IRQ_S_EXT)
		device_intr();
}

void trap_return_to_user(struct trapframe *tf, uint64_t kstack)
{
	irq_disable();
	tf->kernel_sp = kstack;
	tf->kernel_tp = (uint64_t)this_hart();
	uint64_t s = csr_read(sstatus);
	s &= ~(SSTATUS_SPP | SSTATUS_SUM);   /* to U-mode; no kernel access to user pages */
	s |= SSTATUS_SPIE;                   /* interrupts on once in user mode */
	csr_write(sstatus, s);
	user_return(tf);
}

void user_trap(struct trapframe *tf)
{
	uint64_t scause = csr_read(scause);
	uint64_t stval = csr_read(stval);
	int access = fault_access(scause);

	csr_clear(sstatus, SSTATUS_SUM);   /* clear already, unless something leaked it */
	if (scause & SCAUSE_INTERRUPT) {
		interrupt(scause & ~SCAUSE_INTERRUPT, NULL);
	} else if (scause == EXC_ECALL_U) {
		tf->epc += 4;   /* return past the ecall */
		irq_enable();
		syscall_dispatch();
	} else if (access >= 0) {
		irq_enable();   /* scause, stval and epc are saved: nesting is safe */
		proc_page_fault(stval, access, tf->epc, true);
	} else {
		proc_user_exception(trap_cause_name(scause), tf->epc, stval);
	}
	proc_user_trap_return();
}

/* Panic for a page fault in a copy routine that is the kernel's own bug. */
__attribute__((noreturn))
static void copy_fault_bug(struct kframe *kf, uint64_t scause, uint64_t stval,
			   const char *why)
{
	char cause[96];
	snprintf(cause, sizeof(cause), "%s in a user copy: %s", trap_cause_name(scause), why);
	panic_trap(kf, cause, stval);
}

/*
 * A copy routine (uaccess.S) faulted. The user side (stval below
 * USER_TOP; the callers checked the range) goes to the fault handler with
 * interrupts on, as the interrupted copy had them; if the handler cannot
 * resolve it, the copy resumes at uaccess_fixup and returns -1.
 */
static void copy_fault(struct kframe *kf, uint64_t scause, uint64_t stval, int access)
{
	if (stval >= USER_TOP)
		copy_fault_bug(kf, scause, stval, "the kernel side faulted");
	if (!(kf->sstatus & SSTATUS_SPIE))
		copy_fault_bug(kf, scause, stval,
			       "interrupts were off (a spinlock held? copies may sleep)");
	irq_enable();   /* sepc and sstatus are in kf, scause and stval read */
	bool resolved = proc_page_fault(stval, access, kf->sepc, false);
	irq_disable();  /* until sret restores the copy's own state */
	if (!resolved)
		kf->sepc = (uint64_t)uaccess_fixup;
}

void kernel_trap(struct kframe *kf)
{
	uint64_t scause = csr_read(scause);
	uint64_t stval = csr_read(stval);
	int access = fault_access(scause);

	/* A user copy may have been interrupted: no handler gets SUM. */
	csr_clear(sstatus, SSTATUS_SUM);   /* sret restores kf->sstatus */
	if (scause & SCAUSE_INTERRUPT) {
		interrupt(scause & ~SCAUSE_INTERRUPT, kf);
		return;
	}
	if (access >= 0 && kf->sepc >= (uint64_t)uaccess_begin &&
	    kf->sepc < (uint64_t)uaccess_end) {
		copy_fault(kf, scause, stval, access);
		return;
	}
	panic_trap(kf, trap_cause_name(scause), stval);
}
