/*
 * Host self-check of the TLB stand-in (shim/shim_tlb.c) that mm host
 * tests link in place of arch/riscv/tlb.c: its counters follow the rules
 * of arch/riscv/tlb.h, so a test that asserts "a flush happened" can
 * trust them.
 */
#include "shim/shim_tlb.h"
#include "check.h"

#define KERNEL_ROOT 0x80001000UL
#define USER_ROOT   0x80002000UL

/* A switch writes satp once; switching to the same space again does not. */
static void switch_writes_satp_once(void)
{
	struct tlb_space s;
	tlb_init(KERNEL_ROOT);
	tlb_space_init(&s, USER_ROOT);
	tlb_switch(&s);
	CHECK(shim_tlb_switches == 1 && shim_tlb_flushes_all == 1);
	CHECK(tlb_loaded_here(&s) && s.loaded == (1UL << SHIM_TLB_HART));
	tlb_switch(&s);
	CHECK(shim_tlb_switches == 1 && shim_tlb_flushes_all == 1);
	tlb_switch(NULL);
	CHECK(shim_tlb_switches == 2 && s.loaded == 0 && tlb_loaded_here(NULL));
	tlb_wait_unloaded(&s);
}

/* A removal while loaded flushes at once, and the next switch does not again. */
static void removal_flushes_loaded_space(void)
{
	struct tlb_space s;
	tlb_init(KERNEL_ROOT);
	tlb_space_init(&s, USER_ROOT);
	tlb_switch(&s);
	tlb_removed(&s);
	CHECK(shim_tlb_flushes_all == 2 && s.gen == 1);
	tlb_switch(&s);
	CHECK(shim_tlb_flushes_all == 2 && shim_tlb_switches == 1);
	tlb_switch(NULL);
}

/* A removal while another space is loaded costs nothing until we come back. */
static void removal_elsewhere_flushes_on_return(void)
{
	struct tlb_space a, b;
	tlb_init(KERNEL_ROOT);
	tlb_space_init(&a, USER_ROOT);
	tlb_space_init(&b, USER_ROOT + 0x1000);
	tlb_switch(&a);
	tlb_switch(&b);
	unsigned flushes = shim_tlb_flushes_all;
	tlb_removed(&a);
	CHECK(shim_tlb_flushes_all == flushes);
	tlb_switch(&a);   /* a new satp: flushed anyway */
	CHECK(shim_tlb_switches == 3 && shim_tlb_flushes_all == flushes + 1);
	tlb_switch(NULL);
}

static void page_and_remote_flushes_counted(void)
{
	tlb_init(KERNEL_ROOT);
	tlb_flush_page(0x4000);
	CHECK(shim_tlb_flushes_page == 1 && shim_tlb_last_page == 0x4000);
	CHECK(tlb_flush_harts(1UL << SHIM_TLB_HART, 0, 0) == 0 && shim_tlb_remote_calls == 0);
	CHECK(tlb_flush_harts(~0UL, 0x4000, 0x1000) == 0 && shim_tlb_remote_calls == 1);
}

int main(void)
{
	RUN(switch_writes_satp_once);
	RUN(removal_flushes_loaded_space);
	RUN(removal_elsewhere_flushes_on_return);
	RUN(page_and_remote_flushes_counted);
	return CHECK_EXIT();
}
