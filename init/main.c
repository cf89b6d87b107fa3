/*
 * kmain: from the device tree to the first process.
 *
 *   boot hart:  entry.S -> kmain -> parse DTB -> frames + kernel map ->
 *               console -> traps, PLIC, timer -> process slots -> file
 *               system -> other harts -> init (or the self-tests) ->
 *               scheduler
 *   other harts: entry.S -> kmain_secondary -> kernel map -> traps ->
 *               timer -> scheduler
 *
 * Boot arguments (from QEMU's -append, /chosen/bootargs):
 *   init=/PATH     first program (default /init)
 *   init.args=A,B  init's arguments after its name (argv[1], argv[2], ...)
 *   test=1         power off when init exits, with its status
 *   selftest=1     run the kernel's self-tests instead of init, power off
 *   mm.eager=1     sbrk allocates at once instead of lazily
 *   mm.trace=1     one console line per page fault served
 *   mm.faultaround=N  pages mapped ahead of a run of sequential faults
 *                  (default 32, 0 = off, at most 64)
 *   mm.cow=0       fork copies resident pages instead of sharing them
 *   mm.zeropage=0  a read of untouched memory allocates a page
 *   mm.stack=SIZE  the stack's limit (bytes, or with K or M; default 8M)
 *   test.panic=1   deliberately fault in the kernel (tests the panic report)
 *   test.kstack=1  overflow a kernel stack (tests its guard page)
 *   test.copyfault=kernel|irqoff  a user-copy routine faults on its kernel
 *                  side, or with interrupts off (both are kernel bugs: tests
 *                  that the trap handler panics instead of resolving them)
 */
#include "arch/riscv/csr.h"
#include "arch/riscv/fdt.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/sv39.h"
#include "arch/riscv/poweroff.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/tlb.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/uart.h"
#include "fs/fs.h"
#include "init/selftest.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/mm.h"
#include "proc/proc.h"

static struct boot_info boot;

static bool bootarg_on(const char *key)
{
	char v[8];
	return bootarg_get(&boot, key, v, sizeof(v)) && strcmp(v, "1") == 0;
}

/* A boot argument that is 0 or 1 turns a default-on switch off or on. */
static bool bootarg_off(const char *key)
{
	char v[8];
	return bootarg_get(&boot, key, v, sizeof(v)) && strcmp(v, "0") == 0;
}

/* A size boot argument (bytes, or a number with K or M) into *out. */
static bool bootarg_size(const char *key, uint64_t *out)
{
	char v[24];
	if (!bootarg_get(&boot, key, v, sizeof(v)) || !v[0])
		return false;
	uint64_t n = 0;
	const char *c = v;
	for (; *c >= '0' && *c <= '9' && n < (1UL << 40); c++)
		n = n * 10 + (uint64_t)(*c - '0');
	if (c == v)
		return false;
	if (*c == 'K' || *c == 'k')
		n <<= 10, c++;
	else if (*c == 'M' || *c == 'm')
		n <<= 20, c++;
	if (*c)
		return false;
	*out = n;
	return true;
}

/* A decimal boot argument into *out; false when absent or not a number. */
static bool bootarg_uint(const char *key, unsigned *out)
{
	char v[16];
	if (!bootarg_get(&boot, key, v, sizeof(v)) || !v[0])
		return false;
	unsigned n = 0;
	for (const char *c = v; *c; c++) {
		if (*c < '0' || *c > '9' || n > 100000)
			return false;
		n = n * 10 + (unsigned)(*c - '0');
	}
	*out = n;
	return true;
}

static void print_banner(void)
{
	struct frame_stats fs;
	frame_stats(&fs);
	printf("lazuli: RISC-V Sv39 kernel, booting on hart %d of %d\n",
	       this_hart_id(), boot.nharts);
	printf("lazuli: RAM %p-%p (%lu MiB), %lu frames free of %lu\n",
	       (void *)boot.ram.base, (void *)(boot.ram.base + boot.ram.size),
	       boot.ram.size >> 20, fs.free, fs.total);
	printf("lazuli: bootargs \"%s\"\n", boot.bootargs);
}

/* Touch an unmapped kernel address: exercises the panic report. */
static void deliberate_fault(void)
{
	volatile uint64_t *bad = (volatile uint64_t *)KSTACK_REGION;   /* slot 0's guard */
	printf("lazuli: test.panic=1: storing to %p\n", (void *)bad);
	*bad = 1;
}

/* The boot hart's id has no slot in harts[]: say so through SBI and stop. */
static void unsupported_boot_hart(void)
{
	static const char msg[] = "lazuli: boot hart id too large (MAX_HARTS)\n";
	for (const char *c = msg; *c; c++)
		sbi_console_putchar(*c);
	sbi_shutdown(1);
}

long uaccess_copy(void *dst, const void *src, size_t n);   /* arch/riscv/uaccess.S */

/* Make the user-copy routine fault the way test.copyfault asks. */
static void deliberate_copy_fault(const char *how)
{
	static uint64_t word;
	printf("lazuli: test.copyfault=%s\n", how);
	if (strcmp(how, "kernel") == 0) {
		/* Store into slot 0's kernel-stack guard: the copy's kernel side. */
		uaccess_copy((void *)KSTACK_REGION, &word, sizeof(word));
	} else if (strcmp(how, "irqoff") == 0) {
		/* Page 1 of user space, never mapped, as if under a spinlock. */
		irq_disable();
		uaccess_copy(&word, (const void *)PAGE_SIZE_4K, sizeof(word));
	}
	printf("lazuli: test.copyfault: the copy returned\n");
}

/* Recurse until the stack runs out (test.kstack=1). */
static volatile int keep_recursing = 1;

__attribute__((noinline)) int kstack_recurse(int depth)
{
	volatile char frame[256];
	frame[0] = (char)depth;
	if (keep_recursing)
		return kstack_recurse(depth + 1) + frame[0];
	return frame[0];
}

/* Overflow process slot 0's kernel stack: exercises its guard and trap.S's check. */
static void deliberate_stack_overflow(void)
{
	uint64_t top = KSTACK_REGION + KSTACK_SLOT_SIZE;
	printf("lazuli: test.kstack=1: recursing on the kernel stack at %p\n", (void *)top);
	__asm__ volatile("mv sp, %0\n\tli a0, 0\n\tcall kstack_recurse"
			 :: "r"(top) : "memory", "ra", "a0");
}

void kmain(uint64_t hartid, uint64_t dtb_pa)
{
	if (hartid >= MAX_HARTS)
		unsupported_boot_hart();
	hart_set_self((int)hartid);
	printf_set_sink(uart_write);   /* SBI console until uart_init */
	if (fdt_parse(dtb_pa, &boot))
		panic("kmain: no usable device tree at %p", (void *)dtb_pa);
	boot.boot_hart = (int)hartid;
	hart_record(&boot);

	mm_init(&boot);
	mm_init_hart();
	if (boot.uart_base)
		uart_init(boot.uart_base);
	poweroff_set_device(boot.finisher_base);
	print_banner();

	mm_set_eager(bootarg_on("mm.eager"));
	unsigned ahead;
	if (bootarg_uint("mm.faultaround", &ahead))
		mm_set_faultaround(ahead);
	mm_set_cow(!bootarg_off("mm.cow"));
	mm_set_zeropage(!bootarg_off("mm.zeropage"));
	uint64_t stack;
	if (bootarg_size("mm.stack", &stack) && mm_set_stack_size(stack))
		printf("lazuli: mm.stack must be between %luK and %luM; keeping %luK\n",
		       USER_STACK_MIN >> 10, USER_STACK_MAX >> 20, mm_stack_size() >> 10);
	proc_set_trace(bootarg_on("mm.trace"));
	proc_set_test_mode(bootarg_on("test"));

	trap_init_hart();
	plic_init(boot.plic_base);
	trap_set_uart_irq(boot.uart_irq);
	plic_enable(this_hart_id(), boot.uart_irq);
	timer_init(boot.timebase_hz);

	proc_init();
	fs_init();
	harts[hartid].started = true;
	hart_start_others();
	printf("lazuli: %d of %d harts up\n", hart_started_count(), boot.nharts);

	if (bootarg_on("test.panic"))
		deliberate_fault();
	if (bootarg_on("test.kstack"))
		deliberate_stack_overflow();
	char how[16];
	if (bootarg_get(&boot, "test.copyfault", how, sizeof(how)))
		deliberate_copy_fault(how);

	timer_start_hart();
	if (bootarg_on("selftest")) {
		irq_enable();
		selftest_run(&boot);   /* powers off */
	}

	char init_path[64];
	if (!bootarg_get(&boot, "init", init_path, sizeof(init_path)))
		strlcpy(init_path, "/init", sizeof(init_path));
	static char init_args[128];
	if (!bootarg_get(&boot, "init.args", init_args, sizeof(init_args)))
		init_args[0] = '\0';
	proc_start_init(init_path, init_args);
	proc_scheduler();
}

void kmain_secondary(uint64_t hartid)
{
	hart_set_self((int)hartid);
	mm_init_hart();
	trap_init_hart();
	plic_enable(this_hart_id(), boot.uart_irq);
	timer_start_hart();
	harts[hartid].started = true;
	printf("lazuli: hart %d up\n", (int)hartid);
	proc_scheduler();
}
