/*
 * mm self-test (selftest=1): the frame allocator, the page-table code and
 * the kernel map, checked on the real machine. The host unit tests cover
 * the same code over simulated memory; this proves it on Sv39 hardware.
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/pt.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/printf.h"
#include "lib/string.h"

#define TEST_FRAMES 64

static int failed;

static void check(bool ok, const char *what)
{
	printf("%s mm.%s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failed++;
}

static void test_frames(void)
{
	struct frame_stats before, during, after;
	uint64_t pa[TEST_FRAMES];
	frame_stats(&before);
	bool distinct = true;
	for (int i = 0; i < TEST_FRAMES; i++) {
		pa[i] = frame_alloc_zeroed(FRAME_KERNEL);
		for (int j = 0; j < i; j++)
			distinct &= pa[i] != pa[j];
	}
	frame_stats(&during);
	check(during.free == before.free - TEST_FRAMES, "frames_counted");
	check(distinct && pa[0] && pa[TEST_FRAMES - 1], "frames_distinct");
	frame_get(pa[0]);
	check(frame_refcount(pa[0]) == 2, "frame_refcount");
	frame_put(pa[0]);
	for (int i = 0; i < TEST_FRAMES; i++)
		frame_put(pa[i]);
	frame_stats(&after);
	check(after.free == before.free, "frames_returned");
}

extern char kmain[], _etext[], _erodata[], _kernel_end[];
extern uint64_t boot_page_table[];

static void test_kernel_map(void)
{
	pte_t text = pt_lookup(kernel_root, (uint64_t)kmain);
	pte_t ro = pt_lookup(kernel_root, (uint64_t)_etext);
	pte_t data = pt_lookup(kernel_root, (uint64_t)boot_page_table);
	check((text & PTE_X) && !(text & PTE_W), "kernel_text_rx");
	check((ro & PTE_R) && !(ro & (PTE_W | PTE_X)), "kernel_rodata_r");
	check((data & PTE_W) && !(data & PTE_X), "kernel_data_rw");
	check(!(text & PTE_U) && (text & PTE_G), "kernel_not_user");
}

/* A scratch address space: lazy brk, a fault, shrink, destroy. */
static void test_address_space(void)
{
	struct frame_stats before, after;
	struct fault_report rep;
	frame_stats(&before);
	struct mm *mm = mm_create();
	const uint64_t heap = 0x100000;
	bool ok = mm && !mm_map_heap(mm, heap);
	check(ok, "map_heap");
	if (!ok)
		return;

	struct frame_stats mapped, reserved;
	frame_stats(&mapped);
	long old = mm_brk(mm, 64 * PAGE_SIZE);
	frame_stats(&reserved);
	check(old == (long)heap && reserved.free == mapped.free, "brk_is_lazy");

	enum fault_result r = mm_fault(mm, heap + 5 * PAGE_SIZE + 8, FAULT_WRITE, 0, &rep);
	pte_t pte = pt_lookup(mm->tlb.root, heap + 5 * PAGE_SIZE);
	check(r == FAULT_OK && (pte & (PTE_U | PTE_R | PTE_W | PTE_A | PTE_D)) ==
	      (PTE_U | PTE_R | PTE_W | PTE_A | PTE_D) && !(pte & PTE_X), "fault_maps_page");
	check(mm_fault(mm, heap + 64 * PAGE_SIZE, FAULT_READ, 0, &rep) == FAULT_SEGV, "fault_above_brk");
	check(mm_fault(mm, heap, FAULT_EXEC, 0, &rep) == FAULT_SEGV, "fault_exec_heap");
	check(mm_fault(mm, DIRECT_MAP_BASE, FAULT_READ, 0, &rep) == FAULT_SEGV, "fault_kernel_addr");

	mm_brk(mm, -60 * PAGE_SIZE);
	check(pt_lookup(mm->tlb.root, heap + 5 * PAGE_SIZE) == 0, "shrink_unmaps");
	mm_destroy(mm);
	frame_stats(&after);
	check(after.free == before.free, "destroy_returns_all");
}

/* Sequential faults turn on fault-around; a lone fault maps one page. */
static void test_fault_around(void)
{
	struct fault_report rep;
	struct mm *mm = mm_create();
	const uint64_t heap = 0x200000;
	if (!mm || mm_map_heap(mm, heap) ||
	    mm_brk(mm, 256 * PAGE_SIZE) < 0) {
		check(false, "fault_around_setup");
		mm_destroy(mm);
		return;
	}
	mm_fault(mm, heap + 100 * PAGE_SIZE, FAULT_WRITE, 0, &rep);   /* lone */
	check(pt_count_range(mm->tlb.root, heap, heap + 256 * PAGE_SIZE) == 1, "lone_fault_one_page");
	for (int i = 0; i < 5; i++)                          /* a run of five */
		mm_fault(mm, heap + (uint64_t)i * PAGE_SIZE, FAULT_WRITE, 0, &rep);
	uint64_t mapped = pt_count_range(mm->tlb.root, heap, heap + 100 * PAGE_SIZE);
	check(mapped == 5 + mm_faultaround_pages, "fault_around_maps_ahead");
	check(mm->heap->resident == mapped + 1, "fault_around_counted");
	mm_destroy(mm);
}

int mm_selftest(void)
{
	failed = 0;
	test_frames();
	test_kernel_map();
	test_address_space();
	test_fault_around();
	return failed;
}
