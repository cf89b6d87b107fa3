/*
 * RISC-V supervisor CSRs: names for every bit and cause the kernel uses,
 * and inline accessors. Values are from the RISC-V privileged spec.
 */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#include "arch/riscv/ul.h"
#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* sstatus */
#define SSTATUS_SIE  (_UL(1) << 1)    /* supervisor interrupts enabled */
#define SSTATUS_SPIE (_UL(1) << 5)    /* SIE before the trap */
#define SSTATUS_SPP  (_UL(1) << 8)    /* trap came from S-mode (else U-mode) */
#define SSTATUS_FS   (_UL(3) << 13)   /* floating-point state; kept Off */
#define SSTATUS_SUM  (_UL(1) << 18)   /* S-mode may access U pages */
#define SSTATUS_MXR  (_UL(1) << 19)   /* loads from X-only pages allowed */

/* sie / sip */
#define SIE_SSIE (_UL(1) << 1)   /* software interrupt */
#define SIE_STIE (_UL(1) << 5)   /* timer interrupt */
#define SIE_SEIE (_UL(1) << 9)   /* external interrupt */

/* scounteren: counters user mode may read (rdcycle, rdtime, rdinstret) */
#define SCOUNTEREN_CY (_UL(1) << 0)
#define SCOUNTEREN_TM (_UL(1) << 1)
#define SCOUNTEREN_IR (_UL(1) << 2)

/* scause: interrupt bit and codes */
#define SCAUSE_INTERRUPT (_UL(1) << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define EXC_INST_MISALIGNED   0
#define EXC_INST_ACCESS       1
#define EXC_ILLEGAL_INST      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_ECALL_S           9
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

/* satp */
#define SATP_MODE_SV39 (_UL(8) << 60)

#ifndef __ASSEMBLER__
#include <stdbool.h>

#define csr_read(csr) ({ uint64_t __v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, bits) ({ uint64_t __v = (uint64_t)(bits); \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, bits) ({ uint64_t __v = (uint64_t)(bits); \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })

static inline void irq_enable(void)  { csr_set(sstatus, SSTATUS_SIE); }
static inline void irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline bool irq_enabled(void) { return csr_read(sstatus) & SSTATUS_SIE; }

static inline uint64_t read_tp(void)
{
	uint64_t v;
	__asm__ volatile("mv %0, tp" : "=r"(v));
	return v;
}

static inline uint64_t read_fp(void)
{
	uint64_t v;
	__asm__ volatile("mv %0, s0" : "=r"(v));
	return v;
}

static inline uint64_t rdtime(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_addr(uint64_t va)
{
	__asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}
static inline void wfi(void) { __asm__ volatile("wfi"); }
#endif

#endif
