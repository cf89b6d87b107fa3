/*
 * Host stand-in for arch/riscv/tlb.h: the same interface for one
 * simulated hart (index SHIM_TLB_HART), with counters a host test reads to
 * assert that a flush did or did not happen. Link shim/shim_tlb.c instead
 * of arch/riscv/tlb.c, and shim/shim_kernel.c for panic.
 */
#ifndef TESTS_UNIT_SHIM_TLB_H
#define TESTS_UNIT_SHIM_TLB_H

#include "arch/riscv/tlb.h"

#define SHIM_TLB_HART 0   /* the one simulated hart's index */

extern unsigned shim_tlb_switches;      /* satp writes (each with a full flush) */
extern unsigned shim_tlb_flushes_all;   /* full local flushes, the satp ones included */
extern unsigned shim_tlb_flushes_page;  /* tlb_flush_page calls */
extern uint64_t shim_tlb_last_page;     /* the va of the last tlb_flush_page */
extern unsigned shim_tlb_remote_calls;  /* tlb_flush_harts calls naming another hart */

/* Forget every counter and what the hart has loaded (its first switch writes satp). */
void shim_tlb_reset(void);

#endif
