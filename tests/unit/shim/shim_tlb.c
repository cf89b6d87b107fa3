/*
 * Host stand-in for arch/riscv/tlb.c: one simulated hart. It keeps the
 * bookkeeping the real layer keeps (which space is loaded, generations)
 * and counts flushes so tests can assert that a removal was flushed.
 */
#include <stdio.h>
#include <stdlib.h>
#include "arch/riscv/tlb.h"
#include "tests/unit/shim/shim_tlb.h"

unsigned shim_tlb_flush_all_count;
unsigned shim_tlb_removed_count;

static struct tlb_space *loaded;
static uint64_t loaded_gen;

void tlb_init(uint64_t kernel_root) { (void)kernel_root; }
void tlb_init_hart(void) { loaded = NULL; }

void tlb_space_init(struct tlb_space *s, uint64_t root)
{
	s->root = root;
	s->gen = 0;
	s->loaded = 0;
}

void tlb_switch(struct tlb_space *s)
{
	if (s == loaded) {
		if (s && s->gen != loaded_gen) {
			loaded_gen = s->gen;
			shim_tlb_flush_all_count++;
		}
		return;
	}
	if (loaded)
		loaded->loaded = 0;
	loaded = s;
	if (s) {
		s->loaded = 1;
		loaded_gen = s->gen;
	}
	shim_tlb_flush_all_count++;
}

void tlb_removed(struct tlb_space *s)
{
	s->gen++;
	shim_tlb_removed_count++;
	if (s == loaded) {
		loaded_gen = s->gen;
		shim_tlb_flush_all_count++;
	}
}

bool tlb_loaded_here(const struct tlb_space *s) { return s == loaded; }

void tlb_wait_unloaded(struct tlb_space *s)
{
	if (s->loaded) {
		fprintf(stderr, "shim: tlb_wait_unloaded on a loaded space would spin forever\n");
		abort();
	}
}

void tlb_flush_page(uint64_t va) { (void)va; }
void tlb_flush_all(void) { shim_tlb_flush_all_count++; }

int tlb_flush_harts(uint64_t hart_mask, uint64_t va, uint64_t len)
{
	(void)hart_mask;
	(void)va;
	(void)len;
	return 0;   /* there are no other harts */
}
