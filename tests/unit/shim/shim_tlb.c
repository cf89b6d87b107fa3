/*
 * The TLB layer for host tests: arch/riscv/tlb.c's bookkeeping for one
 * hart, with counters in place of satp writes and sfence.vma. The rules
 * are the kernel's: a switch to another space writes satp and flushes;
 * a switch to the loaded space flushes only if its gen moved; a removal
 * bumps gen and flushes at once if the space is loaded here.
 */
#include <stddef.h>
#include "shim_tlb.h"

void panic(const char *fmt, ...);   /* shim/shim_kernel.c: aborts the test */

unsigned shim_tlb_switches;
unsigned shim_tlb_flushes_all;
unsigned shim_tlb_flushes_page;
uint64_t shim_tlb_last_page;
unsigned shim_tlb_remote_calls;

static struct tlb_space kernel_space;
static struct tlb_space *loaded;   /* NULL until the first tlb_switch */
static uint64_t loaded_gen;        /* loaded->gen at this hart's last flush */

#define HART_BIT (1UL << SHIM_TLB_HART)

void shim_tlb_reset(void)
{
	shim_tlb_switches = shim_tlb_flushes_all = shim_tlb_flushes_page = 0;
	shim_tlb_last_page = 0;
	shim_tlb_remote_calls = 0;
	if (loaded)
		loaded->loaded &= ~HART_BIT;
	loaded = NULL;
	loaded_gen = 0;
}

void tlb_init(uint64_t kernel_root)
{
	tlb_space_init(&kernel_space, kernel_root);
	shim_tlb_reset();
}

void tlb_space_init(struct tlb_space *s, uint64_t root)
{
	s->root = root;
	s->gen = 0;
	s->loaded = 0;
}

void tlb_flush_page(uint64_t va)
{
	shim_tlb_flushes_page++;
	shim_tlb_last_page = va;
}

unsigned tlb_hart(void)
{
	return SHIM_TLB_HART;
}

void tlb_flush_all(void)
{
	shim_tlb_flushes_all++;
}

void tlb_switch(struct tlb_space *s)
{
	struct tlb_space *next = s ? s : &kernel_space;
	if (loaded == next) {
		if (loaded_gen != next->gen) {
			loaded_gen = next->gen;
			shim_tlb_flushes_all++;
		}
		return;
	}
	next->loaded |= HART_BIT;
	loaded_gen = next->gen;
	shim_tlb_switches++;
	shim_tlb_flushes_all++;
	if (loaded)
		loaded->loaded &= ~HART_BIT;
	loaded = next;
}

void tlb_removed(struct tlb_space *s)
{
	s->gen++;
	if (loaded == s) {
		loaded_gen = s->gen;
		shim_tlb_flushes_all++;
	}
}

void tlb_removed_page(struct tlb_space *s, uint64_t va)
{
	s->gen++;
	if (loaded == s) {
		if (loaded_gen + 1 == s->gen) {
			shim_tlb_flushes_page++;
			shim_tlb_last_page = va;
		} else {
			shim_tlb_flushes_all++;
		}
		loaded_gen = s->gen;
	}
}

bool tlb_loaded_here(const struct tlb_space *s)
{
	return loaded == (s ? s : &kernel_space);
}

/* One hart: waiting could never end, so a loaded space is a test bug. */
void tlb_wait_unloaded(struct tlb_space *s)
{
	if (tlb_loaded_here(s))
		panic("tlb_wait_unloaded: this hart has the space in satp");
	if (s->loaded)
		panic("tlb_wait_unloaded: loaded on hart mask %#lx, which the shim lacks",
		      (unsigned long)s->loaded);
}

/* There are no other harts: a call naming one is counted, and succeeds. */
int tlb_flush_harts(uint64_t hart_mask, uint64_t va, uint64_t len)
{
	(void)va;
	(void)len;
	if (hart_mask & ~HART_BIT)
		shim_tlb_remote_calls++;
	return 0;
}
