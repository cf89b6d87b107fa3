/*
 * Boot-time memory setup: the frame allocator over RAM and the kernel's
 * page table.
 *
 *   physical RAM (from the device tree), e.g. -m 128M:
 *   0x80000000 +--------------------+
 *              | OpenSBI (reserved) |  /reserved-memory
 *              +--------------------+
 *              | free               |
 *   0x80200000 +--------------------+
 *              | kernel image       |  _kernel_start .. _kernel_end
 *              +--------------------+
 *              | struct frame[]     |  allocator metadata
 *              +--------------------+
 *              | free ... DTB ...   |  the DTB is reserved too
 *   0x88000000 +--------------------+
 *
 * The kernel map: all RAM at DIRECT_MAP_BASE + pa, read/write and never
 * executable, in 2 MiB / 1 GiB leaves, except the kernel image, mapped
 * with 4 KiB leaves: text R+X, rodata R, data and bss R+W. Devices are
 * mapped read/write at the same offset. All entries are global (G).
 */
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/pt.h"
#include "mm/physmap.h"
#include "arch/riscv/fdt.h"
#include "arch/riscv/panic.h"
#include "arch/riscv/sv39.h"
#include "lib/printf.h"
#include "lib/string.h"

_Static_assert(KSTACK_SIZE == KSTACK_SLOT_SIZE - KSTACK_GUARD_SIZE,
	       "a kernel stack fills its slot above the guard");

uintptr_t physmap_offset = DIRECT_MAP_BASE;

extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

static uint64_t image_pa(const char *sym)
{
	return (uint64_t)(uintptr_t)sym - DIRECT_MAP_BASE;
}

/* Add r to the sorted list of reserved ranges. */
static int reserve(struct mem_range *list, int n, int max, uint64_t base, uint64_t size)
{
	if (n >= max)
		panic("mm_init: too many reserved ranges");
	int i = n;
	while (i > 0 && list[i - 1].base > base) {
		list[i] = list[i - 1];
		i--;
	}
	list[i] = (struct mem_range){ base, size };
	return n + 1;
}

/* Hand [start, end) minus the sorted reserved ranges to the allocator. */
static void release_free(uint64_t start, uint64_t end, const struct mem_range *res, int n)
{
	uint64_t cur = start;
	for (int i = 0; i < n; i++) {
		uint64_t rs = page_down(res[i].base);
		uint64_t re = page_up(res[i].base + res[i].size);
		if (rs > cur)
			frame_release_range(cur, rs < end ? rs : end);
		if (re > cur)
			cur = re;
	}
	if (cur < end)
		frame_release_range(cur, end);
}

static void kmap(uint64_t pa, uint64_t size, uint64_t flags)
{
	if (pt_map_range(kernel_root, DIRECT_MAP_BASE + pa, pa, size,
			 flags | PTE_G | PTE_A | PTE_D))
		panic("mm_init: out of memory building the kernel map");
}

/* Map RAM around the kernel image, then the image itself with W^X. */
static void map_kernel(const struct boot_info *bi)
{
	uint64_t ram_end = bi->ram.base + bi->ram.size;
	uint64_t k0 = image_pa(_kernel_start), k1 = image_pa(_kernel_end);
	uint64_t rw = PTE_R | PTE_W;

	kmap(bi->ram.base, k0 - bi->ram.base, rw);
	kmap(k0, image_pa(_etext) - k0, PTE_R | PTE_X);
	kmap(image_pa(_etext), image_pa(_erodata) - image_pa(_etext), PTE_R);
	kmap(image_pa(_erodata), k1 - image_pa(_erodata), rw);
	kmap(k1, ram_end - k1, rw);

	if (bi->uart_base)
		kmap(page_down(bi->uart_base), PAGE_SIZE, rw);
	if (bi->plic_base)
		kmap(bi->plic_base, page_up(bi->plic_size), rw);
	if (bi->finisher_base)
		kmap(page_down(bi->finisher_base), PAGE_SIZE, rw);
}

void mm_init(const struct boot_info *bi)
{
	uint64_t ram_end = bi->ram.base + bi->ram.size;
	uint64_t meta = page_up(image_pa(_kernel_end));
	uint64_t meta_size = frame_meta_size(bi->ram.base, ram_end);
	frame_init_meta(bi->ram.base, ram_end, pa_to_kva(meta));

	struct mem_range res[BOOT_MAX_RESERVED + 3];
	int n = 0;
	for (int i = 0; i < bi->nreserved; i++)
		n = reserve(res, n, BOOT_MAX_RESERVED + 3, bi->reserved[i].base, bi->reserved[i].size);
	n = reserve(res, n, BOOT_MAX_RESERVED + 3, image_pa(_kernel_start),
		    meta + meta_size - image_pa(_kernel_start));
	n = reserve(res, n, BOOT_MAX_RESERVED + 3, bi->dtb.base, bi->dtb.size);
	release_free(bi->ram.base, ram_end, res, n);

	kernel_root = frame_alloc_zeroed(FRAME_PT);
	if (!kernel_root)
		panic("mm_init: no memory for the kernel page table");
	map_kernel(bi);
	/* Create the kernel-stack region's table now, so mm_create can share it. */
	if (!pt_walk(kernel_root, KSTACK_REGION, true))
		panic("mm_init: no memory for the kernel-stack tables");
	tlb_init(kernel_root);
	mm_zero_page_init();
}

void mm_init_hart(void)
{
	tlb_switch(NULL);
}

uint64_t mm_kstack_map(int slot)
{
	uint64_t base = KSTACK_REGION + (uint64_t)slot * KSTACK_SLOT_SIZE + KSTACK_GUARD_SIZE;
	for (uint64_t va = base; va < base + KSTACK_SIZE; va += PAGE_SIZE) {
		uint64_t pa = frame_alloc_zeroed(FRAME_KERNEL);
		if (!pa || pt_map(kernel_root, va, pa, PTE_R | PTE_W | PTE_G | PTE_A | PTE_D))
			return 0;
	}
	backtrace_kstack_mapped(base + KSTACK_SIZE);
	return base + KSTACK_SIZE;
}
