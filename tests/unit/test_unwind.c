/*
 * The backtrace walk (arch/riscv/unwind.c) on a made-up stack: three
 * functions at made-up addresses, frames laid out as the kernel's
 * prologues lay them out (saved ra at fp-8, saved fp at fp-16).
 *
 *   spin()      calls timer()    in a loop
 *   first_run() calls spin()     once; its frame is the stack's bottom
 */
#include <string.h>
#include "tests/unit/check.h"
#include "arch/riscv/unwind.h"

#define TIMER      0x1000u   /* function starts; each is 0x1000 long */
#define SPIN       0x2000u
#define FIRST_RUN  0x3000u
#define CODE_END   0x4000u

#define SPIN_RET   (SPIN + 0x20)       /* return address of spin's call of timer */
#define FIRST_RET  (FIRST_RUN + 0x10)  /* return address of first_run's call of spin */

#define HALF_CALL  (TIMER + 0x2c)       /* ra between a call's auipc and its jalr */

static uint64_t stack[64];

static uint64_t function_of(uint64_t pc)
{
	if (pc < TIMER || pc >= CODE_END)
		return 0;
	return pc & ~(uint64_t)0xfff;
}

/* Every return address of the made-up code follows a call, but HALF_CALL. */
static bool after_call(uint64_t ra)
{
	return function_of(ra - 4) != 0 && ra != HALF_CALL;
}

static struct unwind_ops ops = { .function_of = function_of, .after_call = after_call };

/* Frame pointers of first_run and spin (and timer, once its prologue ran). */
static uint64_t fp_first, fp_spin, fp_timer;

static void build_stack(void)
{
	memset(stack, 0, sizeof(stack));
	ops.stack_lo = (uint64_t)&stack[0];
	ops.stack_hi = (uint64_t)&stack[64];
	fp_first = (uint64_t)&stack[64];
	stack[63] = FIRST_RUN;          /* a new process's context: ra = the function itself */
	stack[62] = 0;                  /* fp = 0: the bottom */
	fp_spin = (uint64_t)&stack[60];
	stack[59] = FIRST_RET;
	stack[58] = fp_first;
	fp_timer = (uint64_t)&stack[56];
	stack[55] = SPIN_RET;
	stack[54] = fp_spin;
}

static int walk(uint64_t pc, uint64_t ra, uint64_t fp, uint64_t *pcs)
{
	build_stack();
	uint64_t at = fp == 1 ? fp_spin : fp == 2 ? fp_timer : fp == 3 ? fp_first : fp;
	return unwind(pc, ra, at, pcs, 16, &ops);
}

/* The tick lands on timer's first instruction: fp is still spin's. */
static void caller_in_ra_at_entry(void)
{
	uint64_t pcs[16];
	int n = walk(TIMER, SPIN_RET, 1, pcs);
	CHECK(n == 3);
	CHECK(pcs[0] == TIMER);
	CHECK(pcs[1] == SPIN_RET - 4);
	CHECK(pcs[2] == FIRST_RET - 4);
}

/* In timer after its prologue: the chain names spin; ra adds nothing. */
static void no_repeat_after_prologue(void)
{
	uint64_t pcs[16];
	int n = walk(TIMER + 8, SPIN_RET, 2, pcs);
	CHECK(n == 3);
	CHECK(pcs[0] == TIMER + 8);
	CHECK(pcs[1] == SPIN_RET - 4);
	CHECK(pcs[2] == FIRST_RET - 4);
}

/* In spin's loop: ra still holds the return from its last call of timer. */
static void stale_ra_in_own_function(void)
{
	uint64_t pcs[16];
	int n = walk(SPIN + 0x30, SPIN_RET, 1, pcs);
	CHECK(n == 2);
	CHECK(pcs[0] == SPIN + 0x30);
	CHECK(pcs[1] == FIRST_RET - 4);
}

/* A function that has called nothing yet saved the live ra: no repeat. */
static void saved_ra_equals_live_ra(void)
{
	uint64_t pcs[16];
	int n = walk(SPIN + 0x8, FIRST_RET, 1, pcs);
	CHECK(n == 2);
	CHECK(pcs[1] == FIRST_RET - 4);
}

/* panic() has no live ra: the plain chain. */
static void no_ra(void)
{
	uint64_t pcs[16];
	int n = walk(TIMER + 8, 0, 2, pcs);
	CHECK(n == 3);
	CHECK(pcs[1] == SPIN_RET - 4);
}

/* The bottom frame's "return" to a function's first byte is not printed. */
static void bottom_of_new_stack(void)
{
	uint64_t pcs[16];
	int n = walk(FIRST_RUN + 0x20, 0, 3, pcs);
	CHECK(n == 1);
}

/* An ra outside the code (garbage) is not reported. */
static void ra_outside_code(void)
{
	uint64_t pcs[16];
	int n = walk(TIMER, 0x9000, 1, pcs);
	CHECK(n == 2);
	CHECK(pcs[1] == FIRST_RET - 4);
}

/* A frame pointer outside the stack gives pc (and a good ra) only. */
static void bad_fp(void)
{
	uint64_t pcs[16];
	int n = walk(TIMER, SPIN_RET, 0x10, pcs);
	CHECK(n == 2);
	CHECK(pcs[1] == SPIN_RET - 4);
}

/* In an epilogue, fp restored to spin's but ra not used yet: spin is named once. */
static void caller_in_ra_in_epilogue(void)
{
	uint64_t pcs[16];
	int n = walk(TIMER + 0x40, SPIN_RET, 1, pcs);
	CHECK(n == 3);
	CHECK(pcs[1] == SPIN_RET - 4);
	CHECK(pcs[2] == FIRST_RET - 4);
}

/* Between a call's auipc and jalr, ra is half an address: not a caller. */
static void half_call_ignored(void)
{
	uint64_t pcs[16];
	int n = walk(SPIN + 0x30, HALF_CALL, 1, pcs);
	CHECK(n == 2);
	CHECK(pcs[1] == FIRST_RET - 4);
}

/* The walk reads only the stack it was given: a chain leaving it ends. */
static void stays_on_its_stack(void)
{
	uint64_t pcs[16];
	build_stack();
	ops.stack_hi = (uint64_t)&stack[59];     /* spin's frame words are off limits */
	int n = unwind(TIMER + 8, 0, fp_timer, pcs, 16, &ops);
	CHECK(n == 2);                           /* timer, spin; not first_run's call */
	ops.stack_lo = ops.stack_hi = 0;         /* no stack at all: pc and ra only */
	n = unwind(TIMER, SPIN_RET, fp_spin, pcs, 16, &ops);
	CHECK(n == 2);
	CHECK(pcs[1] == SPIN_RET - 4);
}

/* A chain that points down the stack stops after one step, never loops. */
static void looping_chain(void)
{
	uint64_t pcs[16];
	build_stack();
	stack[58] = fp_timer;            /* spin's saved fp points below itself */
	int n = unwind(SPIN + 0x30, 0, fp_spin, pcs, 16, &ops);
	CHECK(n == 2);
}

/* max bounds the output. */
static void bounded(void)
{
	uint64_t pcs[2];
	build_stack();
	int n = unwind(TIMER, SPIN_RET, fp_spin, pcs, 2, &ops);
	CHECK(n == 2);
	CHECK(unwind(TIMER, SPIN_RET, fp_spin, pcs, 0, &ops) == 0);
}

int main(void)
{
	RUN(caller_in_ra_at_entry);
	RUN(no_repeat_after_prologue);
	RUN(stale_ra_in_own_function);
	RUN(saved_ra_equals_live_ra);
	RUN(no_ra);
	RUN(bottom_of_new_stack);
	RUN(ra_outside_code);
	RUN(bad_fp);
	RUN(caller_in_ra_in_epilogue);
	RUN(half_call_ignored);
	RUN(stays_on_its_stack);
	RUN(looping_chain);
	RUN(bounded);
	return CHECK_EXIT();
}
