/*
 * Per-hart state.
 *
 * Each hart's tp register points at its struct hart while it runs kernel
 * code (user tp is saved in the trapframe). Fields are touched only by
 * their own hart, except `started`, which the boot hart waits on.
 */
#ifndef ARCH_RISCV_HART_H
#define ARCH_RISCV_HART_H

#define MAX_HARTS 8
#define HART_EMERG_STACK 144  /* offsetof(struct hart, emerg_stack), for trap.S */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/context.h"
#include "arch/riscv/csr.h"

struct proc;

struct hart {
	int             id;          /* hart id from the device tree */
	struct proc    *proc;        /* process running here, or NULL */
	struct context  sched_ctx;   /* the scheduler loop's registers */
	int             irq_depth;   /* spin_lock nesting (irq_push_off) */
	bool            irq_was_on;  /* interrupts on before the first push */
	volatile bool   started;     /* set once the hart reaches its scheduler */
	uint64_t        boot_stack;  /* top of this hart's boot/scheduler stack */
	uint64_t        emerg_stack; /* top of a stack for reporting a kernel-stack overflow */
	uint64_t        sched_stamp_ms; /* last pass through the scheduler (proc/lockup.c) */
	bool            lockup_warned;  /* the lockup since that pass was reported */
};

_Static_assert(__builtin_offsetof(struct hart, emerg_stack) == HART_EMERG_STACK,
	       "HART_EMERG_STACK");

extern struct hart harts[MAX_HARTS];

static inline struct hart *this_hart(void)
{
	return (struct hart *)read_tp();
}

static inline int this_hart_id(void) { return this_hart()->id; }

/* Number of harts the device tree listed (and that we run). */
int hart_count(void);
/* Bring up every other hart through SBI HSM; boot hart only. */
void hart_start_others(void);
/* Point tp at harts[id]; first thing each hart does in C. */
void hart_set_self(int id);
/* Remember the device tree's list of harts. */
struct boot_info;
void hart_record(const struct boot_info *bi);
/* How many harts have reached their scheduler. */
int hart_started_count(void);

#endif /* __ASSEMBLER__ */
#endif
