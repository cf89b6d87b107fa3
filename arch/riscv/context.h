/*
 * Register save areas shared between C and assembly.
 *
 * struct trapframe: a process's user registers, saved by the trap vector
 * (arch/riscv/trap.S) when the process enters the kernel and restored on
 * the way back. struct context: the callee-saved registers swtch() keeps
 * for a thread of kernel execution. struct kframe: registers saved on the
 * kernel stack when a trap interrupts the kernel itself.
 *
 * The assembly uses the TF_*, CTX_* and KF_* offsets below; the
 * _Static_asserts keep them true to the structs.
 */
#ifndef ARCH_RISCV_CONTEXT_H
#define ARCH_RISCV_CONTEXT_H

/* x1..x31 in slot (n - 1), then the extra fields. */
#define TF_REG(n)   (((n) - 1) * 8)
#define TF_EPC      (31 * 8)
#define TF_KSP      (32 * 8)   /* kernel stack top to switch to */
#define TF_KTP      (33 * 8)   /* this hart's struct hart, for tp */
#define TF_SIZE     (34 * 8)

#define CTX_RA      0
#define CTX_SP      8
#define CTX_S(n)    (16 + (n) * 8)   /* s0..s11 */
#define CTX_SIZE    (14 * 8)

/* kframe: x1..x31 as in the trapframe (x2 = sp before the trap), then CSRs. */
#define KF_REG(n)   (((n) - 1) * 8)
#define KF_SEPC     (31 * 8)
#define KF_SSTATUS  (32 * 8)
#define KF_SIZE     (34 * 8)           /* keeps sp 16-byte aligned */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct trapframe {
	uint64_t ra, sp, gp, tp;
	uint64_t t0, t1, t2;
	uint64_t s0, s1;
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
	uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	uint64_t t3, t4, t5, t6;
	uint64_t epc;       /* user pc: where sret returns to */
	uint64_t kernel_sp; /* set before returning to user */
	uint64_t kernel_tp; /* set before returning to user */
};

struct context {
	uint64_t ra, sp;
	uint64_t s[12];
};

struct kframe {
	uint64_t regs[31];  /* x1..x31 */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t pad;
};

_Static_assert(offsetof(struct trapframe, a0) == TF_REG(10), "trapframe a0");
_Static_assert(offsetof(struct trapframe, t6) == TF_REG(31), "trapframe t6");
_Static_assert(offsetof(struct trapframe, epc) == TF_EPC, "trapframe epc");
_Static_assert(offsetof(struct trapframe, kernel_sp) == TF_KSP, "trapframe ksp");
_Static_assert(offsetof(struct trapframe, kernel_tp) == TF_KTP, "trapframe ktp");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe size");
_Static_assert(offsetof(struct context, s) == CTX_S(0), "context s0");
_Static_assert(sizeof(struct context) == CTX_SIZE, "context size");
_Static_assert(offsetof(struct kframe, sepc) == KF_SEPC, "kframe sepc");
_Static_assert(offsetof(struct kframe, sstatus) == KF_SSTATUS, "kframe sstatus");
_Static_assert(sizeof(struct kframe) == KF_SIZE, "kframe size");

/* Save the current callee-saved registers in *old, resume *new. */
void swtch(struct context *old, struct context *new);

#endif
#endif
