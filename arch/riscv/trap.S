/*
 * Trap entry and exit.
 *
 * One vector serves traps from user mode and from the kernel. sscratch
 * tells them apart: it is 0 while the hart runs kernel code, and points at
 * the current process's trapframe while it runs user code. The kernel half
 * is mapped in every address space, so no satp write happens here.
 *
 * From user: save every user register into the trapframe, load the
 * kernel's sp and tp from it, and call user_trap(tf), which never returns
 * here; it leaves through user_return(tf).
 * From the kernel: push a kframe on the current kernel stack, call
 * kernel_trap(kf), and restore (kernel_trap may move kf->sepc to a fixup).
 */
#include "arch/riscv/context.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sv39.h"

	.section .text
	.globl trap_vector
	.balign 4
trap_vector:
	csrrw	sp, sscratch, sp
	bnez	sp, from_user
	/* From the kernel: undo the swap (sscratch stays 0). */
	csrrw	sp, sscratch, sp
	j	from_kernel

from_user:
	/* sp = trapframe, sscratch = user sp. */
	sd	ra, TF_REG(1)(sp)
	sd	gp, TF_REG(3)(sp)
	sd	tp, TF_REG(4)(sp)
	sd	t0, TF_REG(5)(sp)
	sd	t1, TF_REG(6)(sp)
	sd	t2, TF_REG(7)(sp)
	sd	s0, TF_REG(8)(sp)
	sd	s1, TF_REG(9)(sp)
	sd	a0, TF_REG(10)(sp)
	sd	a1, TF_REG(11)(sp)
	sd	a2, TF_REG(12)(sp)
	sd	a3, TF_REG(13)(sp)
	sd	a4, TF_REG(14)(sp)
	sd	a5, TF_REG(15)(sp)
	sd	a6, TF_REG(16)(sp)
	sd	a7, TF_REG(17)(sp)
	sd	s2, TF_REG(18)(sp)
	sd	s3, TF_REG(19)(sp)
	sd	s4, TF_REG(20)(sp)
	sd	s5, TF_REG(21)(sp)
	sd	s6, TF_REG(22)(sp)
	sd	s7, TF_REG(23)(sp)
	sd	s8, TF_REG(24)(sp)
	sd	s9, TF_REG(25)(sp)
	sd	s10, TF_REG(26)(sp)
	sd	s11, TF_REG(27)(sp)
	sd	t3, TF_REG(28)(sp)
	sd	t4, TF_REG(29)(sp)
	sd	t5, TF_REG(30)(sp)
	sd	t6, TF_REG(31)(sp)
	csrr	t0, sscratch
	sd	t0, TF_REG(2)(sp)
	csrw	sscratch, zero
	csrr	t0, sepc
	sd	t0, TF_EPC(sp)
	mv	a0, sp
	ld	tp, TF_KTP(a0)
	ld	sp, TF_KSP(a0)
	mv	fp, zero
	call	user_trap
1:	j	1b

/*
 * user_return(tf): back to user mode with tf's registers. The caller has
 * disabled interrupts and set sstatus.SPP = 0, SPIE = 1, and tf's
 * kernel_sp / kernel_tp for the next trap.
 */
	.globl user_return
user_return:
	csrw	sscratch, a0
	ld	t0, TF_EPC(a0)
	csrw	sepc, t0
	ld	ra, TF_REG(1)(a0)
	ld	sp, TF_REG(2)(a0)
	ld	gp, TF_REG(3)(a0)
	ld	tp, TF_REG(4)(a0)
	ld	t0, TF_REG(5)(a0)
	ld	t1, TF_REG(6)(a0)
	ld	t2, TF_REG(7)(a0)
	ld	s0, TF_REG(8)(a0)
	ld	s1, TF_REG(9)(a0)
	ld	a1, TF_REG(11)(a0)
	ld	a2, TF_REG(12)(a0)
	ld	a3, TF_REG(13)(a0)
	ld	a4, TF_REG(14)(a0)
	ld	a5, TF_REG(15)(a0)
	ld	a6, TF_REG(16)(a0)
	ld	a7, TF_REG(17)(a0)
	ld	s2, TF_REG(18)(a0)
	ld	s3, TF_REG(19)(a0)
	ld	s4, TF_REG(20)(a0)
	ld	s5, TF_REG(21)(a0)
	ld	s6, TF_REG(22)(a0)
	ld	s7, TF_REG(23)(a0)
	ld	s8, TF_REG(24)(a0)
	ld	s9, TF_REG(25)(a0)
	ld	s10, TF_REG(26)(a0)
	ld	s11, TF_REG(27)(a0)
	ld	t3, TF_REG(28)(a0)
	ld	t4, TF_REG(29)(a0)
	ld	t5, TF_REG(30)(a0)
	ld	t6, TF_REG(31)(a0)
	ld	a0, TF_REG(10)(a0)
	sret

from_kernel:
	/*
	 * Would the kframe land in a kernel stack's guard? Then the stack
	 * has overflowed and every store below would fault again: report it
	 * from the hart's emergency stack instead. t0 is parked in sscratch
	 * (0 in the kernel) while we look. The layout this test assumes is
	 * checked by _Static_asserts in arch/riscv/sv39.h.
	 */
	csrw	sscratch, t0
	addi	t0, sp, -KF_SIZE
	not	t0, t0
	srli	t0, t0, KSTACK_REGION_SHIFT
	bnez	t0, 1f                  /* not in the kernel-stack region */
	addi	t0, sp, -KF_SIZE
	slli	t0, t0, 64 - KSTACK_SLOT_SHIFT
	srli	t0, t0, 64 - KSTACK_SLOT_SHIFT   /* offset within the slot */
	srli	t0, t0, SV39_PAGE_SHIFT
	sltiu	t0, t0, KSTACK_GUARD_SIZE >> SV39_PAGE_SHIFT
	bnez	t0, stack_overflow
1:	csrrw	t0, sscratch, zero
	addi	sp, sp, -KF_SIZE
	sd	ra, KF_REG(1)(sp)
	sd	gp, KF_REG(3)(sp)
	sd	tp, KF_REG(4)(sp)
	sd	t0, KF_REG(5)(sp)
	sd	t1, KF_REG(6)(sp)
	sd	t2, KF_REG(7)(sp)
	sd	s0, KF_REG(8)(sp)
	sd	s1, KF_REG(9)(sp)
	sd	a0, KF_REG(10)(sp)
	sd	a1, KF_REG(11)(sp)
	sd	a2, KF_REG(12)(sp)
	sd	a3, KF_REG(13)(sp)
	sd	a4, KF_REG(14)(sp)
	sd	a5, KF_REG(15)(sp)
	sd	a6, KF_REG(16)(sp)
	sd	a7, KF_REG(17)(sp)
	sd	t3, KF_REG(28)(sp)
	sd	t4, KF_REG(29)(sp)
	sd	t5, KF_REG(30)(sp)
	sd	t6, KF_REG(31)(sp)
	addi	t0, sp, KF_SIZE
	sd	t0, KF_REG(2)(sp)
	csrr	t0, sepc
	sd	t0, KF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, KF_SSTATUS(sp)
	mv	a0, sp
	call	kernel_trap
	ld	t0, KF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, KF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	ra, KF_REG(1)(sp)
	ld	gp, KF_REG(3)(sp)
	ld	t0, KF_REG(5)(sp)
	ld	t1, KF_REG(6)(sp)
	ld	t2, KF_REG(7)(sp)
	ld	s0, KF_REG(8)(sp)
	ld	s1, KF_REG(9)(sp)
	ld	a0, KF_REG(10)(sp)
	ld	a1, KF_REG(11)(sp)
	ld	a2, KF_REG(12)(sp)
	ld	a3, KF_REG(13)(sp)
	ld	a4, KF_REG(14)(sp)
	ld	a5, KF_REG(15)(sp)
	ld	a6, KF_REG(16)(sp)
	ld	a7, KF_REG(17)(sp)
	ld	t3, KF_REG(28)(sp)
	ld	t4, KF_REG(29)(sp)
	ld	t5, KF_REG(30)(sp)
	ld	t6, KF_REG(31)(sp)
	addi	sp, sp, KF_SIZE
	sret

stack_overflow:
	csrrw	t0, sscratch, zero
	mv	a0, sp                  /* the overflowed sp, ra and fp, for the report */
	mv	a1, ra
	mv	a2, s0
	ld	sp, HART_EMERG_STACK(tp)
	call	kernel_stack_overflow   /* panics */
2:	j	2b
