/*
 * The frame-pointer walk behind every backtrace, kept free of the kernel
 * (no printing, no symbol table of its own) so that it runs on the host
 * under the unit tests.
 */
#ifndef ARCH_RISCV_UNWIND_H
#define ARCH_RISCV_UNWIND_H

#include <stdbool.h>
#include <stdint.h>

struct unwind_ops {
	/* The first address of the function holding pc, or 0 when pc is not code. */
	uint64_t (*function_of)(uint64_t pc);
	/* Does a call instruction (jal or jalr writing ra) end just before ra? */
	bool (*after_call)(uint64_t ra);
	/*
	 * The stack the walk may read: [stack_lo, stack_hi). A frame's two
	 * words (fp - 16, fp - 8) must lie inside, so a smashed chain can
	 * never lead the walk to memory that is not there (a guard page,
	 * device memory) while it reports a panic.
	 */
	uint64_t stack_lo, stack_hi;
};

/*
 * Fill pcs[0..max) with the code addresses of a stack, innermost first,
 * and return how many. pc is where the code stands (frame #0); each
 * later entry is a call instruction (return address - 4).
 *
 * ra is the live return-address register of interrupted code, or 0 when
 * the caller has none (panic() walks its own stack). It matters when the
 * interrupt lands where the frame chain does not yet (or no longer) name
 * the caller: in a function's prologue before it sets fp, or in its
 * epilogue after it restored fp. There the caller is only in ra, and a
 * walk from fp alone would skip it. A heuristic: a function that saved
 * ra and then used it as a scratch register for a code address just
 * after a call may show one frame too many.
 */
int unwind(uint64_t pc, uint64_t ra, uint64_t fp, uint64_t *pcs, int max,
	   const struct unwind_ops *ops);

#endif
