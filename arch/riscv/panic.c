/*
 * panic() and the backtrace.
 *
 * The kernel is built with frame pointers; unwind.c follows their chain
 * (and the live ra of interrupted code) and we name each address from
 * the symbol table that tools/ksyms.py writes into the .ksyms section
 * after linking.
 *
 * A panic switches console output to an unlocked path (the lock may be
 * what is broken), stops the other harts' output by winning panic_owner,
 * and powers off with a failure status.
 */
#include <stdarg.h>
#include "arch/riscv/panic.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/sv39.h"
#include "arch/riscv/uart.h"
#include "arch/riscv/unwind.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define KSYMS_MAGIC   0x4d59534b   /* "KSYM" */
#define KSYMS_SIZE    (96 * 1024)
#define MAX_FRAMES    24

struct ksym {
	uint64_t addr;
	uint32_t name;   /* offset of the name in the string area */
	uint32_t pad;
};

struct ksyms_header {
	uint32_t magic;
	uint32_t count;
	/* struct ksym[count], sorted by addr, then NUL-terminated names */
};

__attribute__((section(".ksyms"), used, aligned(8)))
static const uint8_t ksyms_blob[KSYMS_SIZE];

static int panic_owner = -1;

const char *ksym_lookup(uint64_t pc, uint64_t *offset)
{
	/* Hide the (all-zero at compile time) contents from the optimizer. */
	const uint8_t *blob = ksyms_blob;
	__asm__("" : "+r"(blob));
	const struct ksyms_header *h = (const void *)blob;
	if (h->magic != KSYMS_MAGIC || h->count == 0)
		return NULL;
	const struct ksym *syms = (const void *)(h + 1);
	const char *names = (const char *)(syms + h->count);
	int lo = 0, hi = (int)h->count - 1, best = -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (syms[mid].addr <= pc) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (best < 0)
		return NULL;
	*offset = pc - syms[best].addr;
	return names + syms[best].name;
}

static void print_frame(int i, uint64_t pc)
{
	uint64_t off = 0;
	const char *name = ksym_lookup(pc, &off);
	if (name)
		printf("  #%d %p %s+0x%lx\n", i, (void *)pc, name, off);
	else
		printf("  #%d %p ?\n", i, (void *)pc);
}

extern char _kernel_start[], _etext[], _kernel_end[];

static bool in_text(uint64_t a)
{
	return a >= (uint64_t)_kernel_start && a < (uint64_t)_etext;
}

static uint64_t function_of(uint64_t pc)
{
	uint64_t off;
	if (!in_text(pc))
		return 0;
	return ksym_lookup(pc, &off) ? pc - off : 0;
}

/* The call instructions (unprivileged spec, RV64I and the C extension). */
#define OPCODE_MASK     0x7fu      /* bits 6:0 of a 32-bit instruction */
#define OPCODE_JAL      0x6fu
#define OPCODE_JALR     0x67u
#define RD_SHIFT        7
#define REG_MASK        0x1fu
#define REG_RA          1          /* x1 */
#define C_JALR_MASK     0xf07fu    /* funct4, rs2 and op of a 16-bit instruction */
#define C_JALR_MATCH    0x9002u    /* c.jalr: funct4 1001, rs2 0, op 10 (rs1 != 0) */
#define C_RS1_MASK      0x0f80u    /* rs1; 0 would be c.ebreak */

/* A call ends at ra: c.jalr (rd is ra) at ra - 2, or jal/jalr with rd = ra at ra - 4. */
static bool after_call(uint64_t ra)
{
	if ((ra & 1) || !in_text(ra - 4) || !in_text(ra - 1))
		return false;
	uint16_t hi = *(const uint16_t *)(ra - 2), lo = *(const uint16_t *)(ra - 4);
	if ((hi & C_JALR_MASK) == C_JALR_MATCH && (hi & C_RS1_MASK) != 0)
		return true;
	uint32_t insn = (uint32_t)hi << 16 | lo;
	uint32_t opcode = insn & OPCODE_MASK, rd = (insn >> RD_SHIFT) & REG_MASK;
	return (opcode == OPCODE_JAL || opcode == OPCODE_JALR) && rd == REG_RA;
}

/*
 * The stack fp is on, which the walk may read: a kernel stack's mapped
 * half of its slot, or the kernel image (boot and emergency stacks are
 * in its .bss). Anything else (a smashed fp): none.
 */
static uint64_t kstacks_top;   /* [I] the end of the highest mapped kernel-stack slot */

void backtrace_kstack_mapped(uint64_t top)
{
	if (top > kstacks_top)
		kstacks_top = top;
}

static void stack_of(uint64_t fp, struct unwind_ops *ops)
{
	ops->stack_lo = ops->stack_hi = 0;
	if (fp - 1 >= KSTACK_REGION && fp <= kstacks_top) {
		uint64_t slot = (fp - 1) & ~(KSTACK_SLOT_SIZE - 1);
		ops->stack_lo = slot + KSTACK_GUARD_SIZE;
		ops->stack_hi = slot + KSTACK_SLOT_SIZE;
	} else if (fp > (uint64_t)_kernel_start && fp <= (uint64_t)_kernel_end) {
		ops->stack_lo = (uint64_t)_kernel_start;
		ops->stack_hi = (uint64_t)_kernel_end;
	}
}

void backtrace(uint64_t pc, uint64_t ra, uint64_t fp)
{
	uint64_t pcs[MAX_FRAMES];
	struct unwind_ops ops = { .function_of = function_of, .after_call = after_call };
	/* pc first: if the walk itself faults, the report has said where. */
	printf("backtrace:\n");
	print_frame(0, pc);
	stack_of(fp, &ops);
	int n = unwind(pc, ra, fp, pcs, MAX_FRAMES, &ops);
	for (int i = 1; i < n; i++)
		print_frame(i, pcs[i]);
}

static struct spinlock warn_lock = SPINLOCK_INIT("warn");

void warn_backtrace(uint64_t pc, uint64_t ra, uint64_t fp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	spin_lock(&warn_lock);
	printf("%s\n", msg);
	backtrace(pc, ra, fp);
	spin_unlock(&warn_lock);
}

static void unlocked_sink(const char *buf, size_t n)
{
	uart_write_unlocked(buf, n);
}

/* Become the one hart that reports; any other panicking hart just stops. */
static void panic_enter(void)
{
	irq_disable();
	int expected = -1;
	if (!__atomic_compare_exchange_n(&panic_owner, &expected, this_hart_id(),
					 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (expected == this_hart_id()) {   /* we faulted while reporting */
			static const char msg[] = "\npanic: a fault or panic while reporting the panic above\n";
			uart_write_unlocked(msg, sizeof(msg) - 1);
			sbi_shutdown(1);
		}
		for (;;)
			wfi();
	}
	printf_set_sink(unlocked_sink);
}

void panic(const char *fmt, ...)
{
	panic_enter();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("\npanic: %s (hart %d)\n", msg, this_hart_id());
	/* Frame #0 is the call of panic(); the walk goes on from its caller's frame. */
	uint64_t fp = read_fp();
	backtrace(((uint64_t *)fp)[-1] - 4, 0, ((uint64_t *)fp)[-2]);
	sbi_shutdown(1);
}

void kernel_stack_overflow(uint64_t sp, uint64_t ra, uint64_t fp)
{
	panic_enter();
	printf("\npanic: kernel stack overflow (hart %d)\n", this_hart_id());
	printf("  sp %p  sepc %p  stval %p\n", (void *)sp, (void *)csr_read(sepc),
	       (void *)csr_read(stval));
	backtrace(csr_read(sepc), ra, fp);
	sbi_shutdown(1);
}

void panic_trap(struct kframe *kf, const char *cause, uint64_t stval)
{
	panic_enter();
	printf("\npanic: kernel %s (hart %d)\n", cause, this_hart_id());
	printf("  sepc %p  stval %p  sstatus %p\n", (void *)kf->sepc, (void *)stval,
	       (void *)kf->sstatus);
	backtrace(kf->sepc, kf->regs[0], kf->regs[7]);   /* x1 = ra, x8 = s0 = fp */
	sbi_shutdown(1);
}
