/* Host stand-in for arch/riscv/tlb.c: one simulated hart that counts. */
#ifndef TESTS_UNIT_SHIM_TLB_H
#define TESTS_UNIT_SHIM_TLB_H

extern unsigned shim_tlb_flush_all_count;    /* tlb_flush_all and flushing switches */
extern unsigned shim_tlb_removed_count;      /* tlb_removed calls */

#endif
