/*
 * The frame-pointer walk (see unwind.h).
 *
 * The kernel is built with frame pointers: once a function's prologue has
 * run, fp (s0) points just above its saved return address (fp - 8) and
 * its caller's fp (fp - 16). Following that chain names every caller,
 * with two exceptions that this file handles:
 *
 *  - Interrupted code may stand in a prologue or an epilogue, where fp
 *    is still (or again) the caller's. The caller's return address is
 *    then only in the live ra register. It is added when it follows a
 *    call instruction (between the auipc and the jalr of a call, ra holds
 *    half an address, not a return address), lies in another function
 *    than pc (ra left over from an earlier call made by this function
 *    points into the function itself), and the chain would not report it
 *    anyway (a function that has made no call yet saved exactly the live
 *    ra). One case this cannot tell apart: a function interrupted in the
 *    prologue of a call to itself (recursion) loses that one caller.
 *
 *  - Each kernel stack starts with fp = 0 (entry.S, trap.S, and a new
 *    process's context). The bottom frame's saved ra is then no return
 *    address when it is a function's first byte: a new process's first
 *    switch "returns" to proc_first_run with ra set to proc_first_run
 *    itself. Such a frame ends the walk unprinted.
 *
 * Every word read lies in [stack_lo, stack_hi), and fp must grow at each
 * step, so a garbage chain ends the walk; it never faults or loops.
 */
#include "arch/riscv/unwind.h"

static bool frame_ok(const struct unwind_ops *ops, uint64_t fp)
{
	return (fp & 7) == 0 && fp >= ops->stack_lo + 16 && fp <= ops->stack_hi &&
	       ops->stack_lo < ops->stack_hi;
}

int unwind(uint64_t pc, uint64_t ra, uint64_t fp, uint64_t *pcs, int max,
	   const struct unwind_ops *ops)
{
	int n = 0;
	if (max <= 0)
		return 0;
	pcs[n++] = pc;

	uint64_t saved_ra = frame_ok(ops, fp) ? ((const uint64_t *)fp)[-1] : 0;
	if (ra != 0 && ra != saved_ra && n < max && ops->after_call(ra)) {
		uint64_t caller = ops->function_of(ra - 4);
		if (caller != 0 && caller != ops->function_of(pc))
			pcs[n++] = ra - 4;
	}

	while (n < max && frame_ok(ops, fp)) {
		uint64_t ret = ((const uint64_t *)fp)[-1];
		uint64_t prev = ((const uint64_t *)fp)[-2];
		if (ret == 0)
			break;
		if (prev == 0 && ops->function_of(ret) == ret)
			break;            /* the bottom of a new process's stack */
		pcs[n++] = ret - 4;       /* the call instruction, not the return point */
		if (prev <= fp)
			break;            /* frames grow up the stack; anything else is garbage */
		fp = prev;
	}
	return n;
}
