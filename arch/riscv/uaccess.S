/*
 * The only instructions that touch user memory.
 *
 * Both routines run with sstatus.SUM set so S-mode may access U pages.
 * A page fault whose sepc lies between uaccess_begin and uaccess_end is
 * handed to the fault handler (arch/riscv/trap.c), with interrupts on
 * (it may sleep, so a copy must never run under a spinlock); if it is
 * resolved the faulting load or store simply runs again, and if not the
 * handler moves sepc to uaccess_fixup, which clears SUM and returns -1.
 * The callers (mm/uaccess.c) have already checked that the range is in
 * the user half; a fault on the kernel side of a copy is a kernel bug and
 * panics.
 */
#include "arch/riscv/csr.h"

	.section .text
	.globl uaccess_begin, uaccess_end, uaccess_fixup

/*
 * long uaccess_copy(void *dst, const void *src, size_t n)
 * Returns 0, or -1 if a page could not be faulted in.
 */
	.globl uaccess_copy
uaccess_copy:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
uaccess_begin:
	or	t0, a0, a1
	or	t0, t0, a2
	andi	t0, t0, 7
	bnez	t0, 2f
	/* All three multiples of 8: copy doublewords. */
1:	beqz	a2, 3f
	ld	t1, 0(a1)
	sd	t1, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f
	lbu	t1, 0(a1)
	sb	t1, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	csrc	sstatus, t6
	li	a0, 0
	ret

/*
 * long uaccess_strncpy(char *dst, const char *usrc, size_t max)
 * Copies bytes up to and including a NUL. Returns the string's length,
 * max if no NUL came within max bytes, or -1 on an unresolvable fault.
 */
	.globl uaccess_strncpy
uaccess_strncpy:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	li	t2, 0
4:	beq	t2, a2, 5f
	add	t0, a1, t2
	lbu	t1, 0(t0)
	add	t0, a0, t2
	sb	t1, 0(t0)
	beqz	t1, 5f
	addi	t2, t2, 1
	j	4b
5:	csrc	sstatus, t6
	mv	a0, t2
	ret
uaccess_end:

uaccess_fixup:
	li	t6, SSTATUS_SUM
	csrc	sstatus, t6
	li	a0, -1
	ret
