/*
 * Boot entry.
 *
 * OpenSBI jumps here in S-mode with the MMU off: a0 = hart id, a1 = the
 * device-tree blob's physical address. The code runs at its physical
 * address until it has turned on a boot page table that maps the first
 * GiB of RAM at its own address and BOOT_ALIAS_GIB GiB of it in the upper
 * half, then jumps to the upper-half copy of itself. Only position-independent instructions
 * (auipc-based `la`) may be used before the jump.
 *
 * Secondary harts enter at _start_secondary (started through SBI HSM by
 * the boot hart) with a1 = the top of their boot stack (a virtual
 * address); they take the same road to the upper half.
 */
#include "arch/riscv/sv39.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"

#define BOOT_PTE_FLAGS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RAM_BASE 0x80000000
#define BOOT_STACK_SIZE 16384

	.section .text.boot, "ax"
	.globl _start
_start:
	/*
	 * OpenSBI sends one hart here. Should another arrive too (seen with
	 * many harts on a loaded host), it must not run kmain a second time:
	 * the first hart wins the lottery, any other parks below until the
	 * boot hart hands it a stack through hart_release[] (arch/riscv/hart.c).
	 */
	la	t0, boot_lottery
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	bnez	t1, park
	mv	s2, a0          /* s0 is fp: keep the arguments in s2, s3 */
	mv	s3, a1
	call	boot_pt_setup
	call	enable_boot_paging
	/* Now executing upper-half instructions. */
	la	sp, boot_stack_top
	mv	fp, zero
	/* Clear bss (the boot page table lives in .data, not here). */
	la	t0, _bss_start
	la	t1, _bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	mv	a0, s2
	mv	a1, s3
	call	kmain
3:	wfi
	j	3b

/* A hart that entered _start late: wait for its stack, then go on as a secondary. */
park:
	li	t0, MAX_HARTS
	bgeu	a0, t0, 3b          /* a hart we do not run: stop here for good */
	la	t0, hart_release_pa
	ld	t0, 0(t0)
	beqz	t0, park
	slli	t1, a0, 3
	add	t0, t0, t1
	fence	r, r
	ld	a1, 0(t0)
	beqz	a1, park
	j	_start_secondary

	.globl _start_secondary
_start_secondary:
	mv	s2, a0
	mv	s3, a1
	call	enable_boot_paging
	mv	sp, s3
	mv	fp, zero
	mv	a0, s2
	call	kmain_secondary
4:	wfi
	j	4b

/*
 * Fill boot_page_table: a root entry for VA 0x80000000 (identity, for the
 * jump) and BOOT_ALIAS_GIB upper-half alias entries from RAM_BASE on, so
 * the device tree can be read wherever QEMU put it. 1 GiB leaves. Runs
 * physical.
 */
#define BOOT_ALIAS_GIB 4
boot_pt_setup:
	la	t0, boot_page_table
	li	t1, (RAM_BASE >> 12) << PTE_PPN_SHIFT
	ori	t1, t1, BOOT_PTE_FLAGS
	li	t2, (RAM_BASE >> 30) * 8
	add	t3, t0, t2
	sd	t1, 0(t3)
	li	t2, (KERNEL_HALF_INDEX + (RAM_BASE >> 30)) * 8
	add	t3, t0, t2
	li	t4, BOOT_ALIAS_GIB
	li	t5, (PAGE_SIZE_1G >> 12) << PTE_PPN_SHIFT
1:	sd	t1, 0(t3)
	add	t1, t1, t5
	addi	t3, t3, 8
	addi	t4, t4, -1
	bnez	t4, 1b
	ret

/*
 * Turn on the boot page table and return to the caller's upper-half alias.
 * ra holds a physical return address; add the alias offset to it.
 */
enable_boot_paging:
	la	t0, boot_page_table
	srli	t0, t0, 12
	li	t1, SATP_MODE_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	li	t1, DIRECT_MAP_BASE
	add	ra, ra, t1
	ret

	.section .data
	.balign 8
boot_lottery:
	.word 0
	.balign 8
	.globl hart_release_pa
hart_release_pa:            /* physical address of hart_release[], once set */
	.dword 0
	.balign 4096
	.globl boot_page_table
boot_page_table:
	.zero 4096

	.section .bss
	.balign 16
boot_stack:
	.zero BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
