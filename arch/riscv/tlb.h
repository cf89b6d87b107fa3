/* PLACEHOLDER until the tlb branch lands: the TLB layer's interface. */
#ifndef ARCH_RISCV_TLB_H
#define ARCH_RISCV_TLB_H
#include <stdbool.h>
#include <stdint.h>
struct tlb_space {
	uint64_t root;
	uint64_t gen;
	uint64_t loaded;
};
void tlb_init(uint64_t kernel_root);
void tlb_init_hart(void);
void tlb_space_init(struct tlb_space *s, uint64_t root);
void tlb_switch(struct tlb_space *s);
void tlb_removed(struct tlb_space *s);
bool tlb_loaded_here(const struct tlb_space *s);
void tlb_wait_unloaded(struct tlb_space *s);
void tlb_flush_page(uint64_t va);
void tlb_flush_all(void);
int  tlb_flush_harts(uint64_t hart_mask, uint64_t va, uint64_t len);
#endif
