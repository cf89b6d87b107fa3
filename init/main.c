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
 *   fail.frame=PERCENT[,SEED]  from init's start on, fail PERCENT% of frame
 *                  and kernel-heap allocations (fault injection; seed 1)
 *   lockup=N       warn when a hart runs one process in the kernel for N
 *                  seconds without scheduling (default 10, 0 = off)
 *   test.lockup=1  init spins in the kernel for lockup+2 s before it starts
 *                  (tests the lockup detector)
 *   test.panic=1   deliberately fault in the kernel (tests the panic report)
 *   test.kstack=1  overflow a kernel stack (tests its guard page)
 *   test.copyfault=kernel|irqoff  a user-copy routine faults on its kernel
 *                  side, or with interrupts off (both are kernel bugs: tests
 *                  that the trap handler panics instead of resolving them)
 *
 * An argument not in this list, one without its value, or a value of the
 * wrong form gets one warning line (check_bootargs) and is ignored.
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

#define BOOTARG_PATH_MAX 64   /* init=: the path, with its NUL */

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

/* The largest values boot arguments take: a number (mm.faultaround=,
 * lockup=, ...) and a size before its K or M (1 TiB of bytes). */
#define BOOTARG_NUMBER_LIMIT 1000000
#define BOOTARG_SIZE_LIMIT   (1ULL << 40)

/* A decimal number from *c up to a separator or the end; false if none. */
static bool parse_decimal(const char **c, uint64_t *out)
{
	const char *start = *c;
	uint64_t n = 0;
	for (; **c >= '0' && **c <= '9' && n < (1ULL << 58); (*c)++)
		n = n * 10 + (uint64_t)(**c - '0');
	*out = n;
	return *c != start;
}

/* A size (bytes, or a number with K or M) into *out; false if v is not one. */
static bool parse_size(const char *v, uint64_t *out)
{
	const char *c = v;
	uint64_t n;
	if (!parse_decimal(&c, &n) || n >= BOOTARG_SIZE_LIMIT)
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

/* A size boot argument into *out; false when absent or not a size. */
static bool bootarg_size(const char *key, uint64_t *out)
{
	char v[24];
	return bootarg_get(&boot, key, v, sizeof(v)) && parse_size(v, out);
}

/* A decimal number into *out; false if v is not one (or is huge). */
static bool parse_uint(const char *v, unsigned *out)
{
	const char *c = v;
	uint64_t n;
	if (!parse_decimal(&c, &n) || *c || n > BOOTARG_NUMBER_LIMIT)
		return false;
	*out = (unsigned)n;
	return true;
}

/* A decimal boot argument into *out; false when absent or not a number. */
static bool bootarg_uint(const char *key, unsigned *out)
{
	char v[16];
	return bootarg_get(&boot, key, v, sizeof(v)) && parse_uint(v, out);
}

/* The boot arguments the kernel knows (the list at the top), by value form. */
enum bootarg_form {
	BOOTARG_SWITCH,   /* 0 or 1 */
	BOOTARG_NUMBER,   /* decimal */
	BOOTARG_SIZE,     /* bytes, or with K or M */
	BOOTARG_PATH,     /* an absolute path */
	BOOTARG_CHOICE,   /* one of the words in `choices` */
	BOOTARG_ANY,      /* any text: init.args, or a value whose own parser warns (fail.frame) */
};

static const struct bootarg_key {
	const char       *key;
	enum bootarg_form form;
	const char       *choices;   /* BOOTARG_CHOICE: "a|b" */
} bootarg_keys[] = {
	{ "init",           BOOTARG_PATH,   0 },
	{ "init.args",      BOOTARG_ANY,    0 },
	{ "test",           BOOTARG_SWITCH, 0 },
	{ "selftest",       BOOTARG_SWITCH, 0 },
	{ "mm.eager",       BOOTARG_SWITCH, 0 },
	{ "mm.trace",       BOOTARG_SWITCH, 0 },
	{ "mm.faultaround", BOOTARG_NUMBER, 0 },
	{ "mm.cow",         BOOTARG_SWITCH, 0 },
	{ "mm.zeropage",    BOOTARG_SWITCH, 0 },
	{ "mm.stack",       BOOTARG_SIZE,   0 },
	{ "test.panic",     BOOTARG_SWITCH, 0 },
	{ "test.kstack",    BOOTARG_SWITCH, 0 },
	{ "test.copyfault", BOOTARG_CHOICE, "kernel|irqoff" },
	{ "fail.frame",     BOOTARG_ANY,    0 },
	{ "lockup",         BOOTARG_NUMBER, 0 },
	{ "test.lockup",    BOOTARG_SWITCH, 0 },
};

/* What a value of each form looks like, for the warning. */
static const char *const bootarg_form_text[] = {
	[BOOTARG_SWITCH] = "0 or 1",
	[BOOTARG_NUMBER] = "a decimal number",
	[BOOTARG_SIZE]   = "a size (bytes, or a number with K or M)",
	[BOOTARG_PATH]   = "a path starting with /",
	[BOOTARG_CHOICE] = "one of",
	[BOOTARG_ANY]    = "",
};

/* Is v one of the '|'-separated words of choices? */
static bool is_choice(const char *v, const char *choices)
{
	size_t n = strlen(v);
	for (const char *c = choices; *c; ) {
		const char *end = strchr(c, '|');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		if (len == n && strncmp(c, v, n) == 0)
			return true;
		c += len + (end ? 1 : 0);
	}
	return false;
}

static bool value_ok(const struct bootarg_key *k, const char *v)
{
	unsigned u;
	uint64_t size;
	switch (k->form) {
	case BOOTARG_SWITCH: return strcmp(v, "0") == 0 || strcmp(v, "1") == 0;
	case BOOTARG_NUMBER: return parse_uint(v, &u);
	case BOOTARG_SIZE:   return parse_size(v, &size);
	case BOOTARG_PATH:   return v[0] == '/' && strlen(v) < BOOTARG_PATH_MAX;
	case BOOTARG_CHOICE: return is_choice(v, k->choices);
	case BOOTARG_ANY:    return true;
	}
	return false;
}

/* The entry for the key in word (up to '=' or its end), or NULL. */
static const struct bootarg_key *find_key(const char *word)
{
	const char *eq = strchr(word, '=');
	size_t klen = eq ? (size_t)(eq - word) : strlen(word);
	for (size_t i = 0; i < sizeof(bootarg_keys) / sizeof(bootarg_keys[0]); i++) {
		const struct bootarg_key *k = &bootarg_keys[i];
		if (strlen(k->key) == klen && strncmp(k->key, word, klen) == 0)
			return k;
	}
	return NULL;
}

/*
 * One warning line for each boot argument that is unknown, lacks its
 * value or has one of the wrong form. The parsers above ignore such an
 * argument (a switch reads as off); this says so instead of staying quiet.
 */
static void check_bootargs(void)
{
	char word[BOOT_ARGS_MAX];
	for (const char *s = boot.bootargs; *s; ) {
		while (*s == ' ')
			s++;
		size_t n = 0;
		while (s[n] && s[n] != ' ')
			n++;
		if (n == 0)
			break;
		memcpy(word, s, n);
		word[n] = 0;
		s += n;

		const struct bootarg_key *k = find_key(word);
		const char *eq = strchr(word, '=');
		if (!k)
			printf("lazuli: unknown boot argument \"%s\", ignored\n", word);
		else if (!eq)
			printf("lazuli: boot argument \"%s\" needs a value (%s=...), ignored\n",
			       word, word);
		else if (!value_ok(k, eq + 1))
			printf("lazuli: boot argument \"%s\": %s must be %s%s%s, ignored\n",
			       word, k->key, bootarg_form_text[k->form],
			       k->choices ? " " : "", k->choices ? k->choices : "");
	}
}

/*
 * fail.frame=PERCENT[,SEED] into *percent and *seed (default 1). False,
 * after one warning line, when the value is malformed or PERCENT > 100.
 */
static bool bootarg_fail_frame(unsigned *percent, uint64_t *seed)
{
	char v[32];
	if (!bootarg_get(&boot, "fail.frame", v, sizeof(v)))
		return false;
	const char *c = v;
	uint64_t pct = 0;
	*seed = 1;
	bool ok = parse_decimal(&c, &pct) && pct <= 100;
	if (ok && *c == ',') {
		c++;
		ok = parse_decimal(&c, seed);
	}
	if (!ok || *c) {
		printf("lazuli: fail.frame must be PERCENT[,SEED] with PERCENT 0-100; "
		       "no fault injection\n");
		return false;
	}
	*percent = (unsigned)pct;
	return pct != 0;
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
	if (boot.nharts_present > boot.nharts)
		printf("lazuli: %d harts present, %d used: this kernel supports hart ids "
		       "below %d (MAX_HARTS)\n", boot.nharts_present, boot.nharts, MAX_HARTS);
	check_bootargs();

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
	unsigned lockup_secs = PROC_LOCKUP_DEFAULT_SECS;
	bootarg_uint("lockup", &lockup_secs);
	proc_set_lockup_secs(lockup_secs);
	if (bootarg_on("test.lockup"))
		proc_set_test_lockup((lockup_secs + 2) * 1000);
	unsigned fail_pct;
	uint64_t fail_seed;
	bool fail_on = bootarg_fail_frame(&fail_pct, &fail_seed);

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

	char init_path[BOOTARG_PATH_MAX];
	if (!bootarg_get(&boot, "init", init_path, sizeof(init_path)))
		strlcpy(init_path, "/init", sizeof(init_path));
	static char init_args[128];
	if (!bootarg_get(&boot, "init.args", init_args, sizeof(init_args)))
		init_args[0] = '\0';
	proc_make_init(init_path, init_args);
	if (fail_on) {
		/* After boot: init exists, and has not run (other harts are
		 * scheduling already); its first faults are the first draws. */
		printf("lazuli: fail.frame: failing %u%% of frame and heap allocations "
		       "(seed %lu)\n", fail_pct, fail_seed);
		frame_fail_percent(fail_pct, fail_seed);
	}
	proc_run_init();
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
