/*
 * elftest: exec of crafted ELF files, checked from user space.
 *
 * Each case builds a small executable in memory (an ELF header, program
 * headers, a few real RV64 instructions; the builder is elfbuild.c),
 * writes it to /e_<case>, and execs it in a forked child three times.
 * What may happen to a child:
 *
 *   refused   exec returned -1; the child exits EXEC_FAILED
 *   ran       the program ran to its end: exit(RAN_STATUS)
 *   killed    the kernel killed it: wait() gives -1
 *
 * Every case says which of these it accepts; anything else fails it, and
 * so does a hang: a watchdog child sleeps WATCHDOG_TICKS alongside each
 * exec and the child is killed when the watchdog wakes first. A child
 * that kill cannot stop either (stuck in the kernel) is abandoned, and
 * the case is not repeated. The last line, frames_balanced, compares
 * free frames before the first case and after every child is gone.
 *
 * Before exec the child makes its standard input the file it runs, so
 * the programs that read(0, ...) and fstat(0, ...) have a real file.
 *
 * Run as init (init=/elftest test=1) or from the shell. Every case prints
 * one PASS/FAIL line; the program exits 0. docs/lazy-tests.md lists the
 * cases.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "lazuli/syscall.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "elfbuild.c"

#define USER_TOP        0x4000000000UL   /* lowest address user space lacks */
#define REPEATS         3                /* execs of each file */
#define WATCHDOG_TICKS  300              /* 3 s: ample for a few instructions */
#define EXEC_FAILED     99               /* child's status when exec returned */
#define KILLED          (-1)             /* wait() status of a killed process */
#define STACK_TOUCH     (4 * PAGE)       /* stack used below main, touched first */
#define DIRSIZ_MAX      14               /* longest file name (lazuli/dirent.h) */

/* ---- the cases: each makes its spec ---- */

/* lui t0, DATA_VA; then the touch; then exit. */
static void touch_data(struct spec *s, uint32 flags, uint64 filesz, void (*touch)(struct spec *))
{
	spec_init(s);
	emit(s, rv_lui(REG_T0, DATA_VA / PAGE));
	touch(s);
	emit_exit(s);
	seal_text(s);
	add_data(s, flags, filesz, PAGE);
}

static void do_load(struct spec *s)  { emit(s, rv_ld(REG_T1, REG_T0, 0)); }
static void do_store(struct spec *s) { emit(s, rv_sd(REG_ZERO, REG_T0, 0)); }

/* read(0, t0, DATA_BYTES): the kernel stores into the segment. */
static void do_read(struct spec *s)
{
	emit(s, rv_addi(REG_A7, REG_ZERO, SYS_read));
	emit(s, rv_addi(REG_A0, REG_ZERO, 0));
	emit(s, rv_addi(REG_A1, REG_T0, 0));
	emit(s, rv_addi(REG_A2, REG_ZERO, DATA_BYTES));
	emit(s, RV_ECALL);
}

/* fstat(0, t0): the kernel stores a struct stat into the segment. */
static void do_fstat(struct spec *s)
{
	emit(s, rv_addi(REG_A7, REG_ZERO, SYS_fstat));
	emit(s, rv_addi(REG_A0, REG_ZERO, 0));
	emit(s, rv_addi(REG_A1, REG_T0, 0));
	emit(s, RV_ECALL);
}

static void mk_w_only_load(struct spec *s)  { touch_data(s, PF_W, DATA_BYTES, do_load); }
static void mk_w_only_store(struct spec *s) { touch_data(s, PF_W, DATA_BYTES, do_store); }
static void mk_w_only_read(struct spec *s)  { touch_data(s, PF_W, DATA_BYTES, do_read); }
static void mk_w_only_fstat(struct spec *s) { touch_data(s, PF_W, DATA_BYTES, do_fstat); }
static void mk_none_touched(struct spec *s) { touch_data(s, 0, 0, do_load); }

static void mk_none_with_contents(struct spec *s)
{
	spec_valid(s);
	add_data(s, 0, DATA_BYTES, PAGE);
}

static void mk_file_past_end(struct spec *s)
{
	spec_valid(s);
	s->seg[0].filesz += PAGE;      /* the file ends with the code */
	s->seg[0].memsz += PAGE;
}

static void mk_filesz_gt_memsz(struct spec *s)
{
	spec_valid(s);
	s->seg[0].filesz += sizeof(uint64);
	s->size += sizeof(uint64);
}

static void mk_vaddr_wrap(struct spec *s)
{
	spec_valid(s);
	add_data(s, PF_R, 0, 2 * PAGE);
	s->seg[1].vaddr = -PAGE;       /* the last page of 2^64 */
}

static void mk_above_user_top(struct spec *s)
{
	spec_valid(s);
	add_data(s, PF_R | PF_W, 0, PAGE);
	s->seg[1].vaddr = USER_TOP;
}

/* Where the stack goes: exec must refuse, not collide. */
static void mk_end_at_user_top(struct spec *s)
{
	spec_valid(s);
	add_data(s, PF_R | PF_W, 0, PAGE);
	s->seg[1].vaddr = USER_TOP - PAGE;
}

static void mk_page_zero(struct spec *s)
{
	spec_valid(s);
	add_data(s, PF_R, 0, PAGE);
	s->seg[1].vaddr = 0;
}

static void mk_phoff_past_file(struct spec *s)
{
	spec_valid(s);
	s->phoff = s->size + PAGE;
}

static void mk_phnum_huge(struct spec *s)
{
	spec_valid(s);
	s->phnum = 65535;
}

/* The text claims two pages; the data segment sits in the second. */
static void mk_overlap(struct spec *s)
{
	spec_valid(s);
	s->seg[0].memsz = 2 * PAGE;
	add_data(s, PF_R | PF_W, DATA_BYTES, PAGE);
	s->seg[1].vaddr = TEXT_VA + PAGE;
}

static void mk_entry_outside(struct spec *s)
{
	spec_valid(s);
	s->entry = DATA_VA + 16 * PAGE;
}

static void mk_entry_not_exec(struct spec *s)
{
	spec_valid(s);
	add_data(s, PF_R | PF_W, DATA_BYTES, PAGE);
	s->entry = DATA_VA;
}

static void mk_no_phdrs(struct spec *s)
{
	spec_valid(s);
	s->nseg = 0;
	s->phnum = 0;
}

static void mk_misaligned_offset(struct spec *s)
{
	spec_init(s);
	s->code_off = TEXT_OFF + sizeof(uint32);
	s->seg[0].offset = s->code_off;
	emit_exit(s);
	seal_text(s);
}

static void mk_wx_segment(struct spec *s)
{
	spec_valid(s);
	s->seg[0].flags = PF_R | PF_W | PF_X;
}

static void mk_truncated_header(struct spec *s)
{
	spec_valid(s);
	s->size = EHDR_SIZE / 2;
}

static void mk_zero_length(struct spec *s)
{
	spec_valid(s);
	s->size = 0;
}

/* ---- running them ---- */

#define ACCEPT_REFUSED  0x1
#define ACCEPT_RAN      0x2
#define ACCEPT_KILLED   0x4
#define ACCEPT_ANY      (ACCEPT_REFUSED | ACCEPT_RAN | ACCEPT_KILLED)

struct elf_case {
	const char *name;
	void (*make)(struct spec *);
	int accept;
};

/*
 * The PF_W-only cases come last: on a kernel that loops on such a page a
 * child may be stuck in the kernel for good, and at -smp 1 the machine
 * with it.
 */
static const struct elf_case cases[] = {
	{ "control",            spec_valid,            ACCEPT_RAN },
	{ "none_with_contents", mk_none_with_contents, ACCEPT_REFUSED },
	{ "none_touched",       mk_none_touched,       ACCEPT_KILLED },
	{ "file_past_end",      mk_file_past_end,      ACCEPT_REFUSED },
	{ "filesz_gt_memsz",    mk_filesz_gt_memsz,    ACCEPT_REFUSED },
	{ "vaddr_wrap",         mk_vaddr_wrap,         ACCEPT_REFUSED },
	{ "above_user_top",     mk_above_user_top,     ACCEPT_REFUSED },
	{ "end_at_user_top",    mk_end_at_user_top,    ACCEPT_REFUSED },
	{ "page_zero",          mk_page_zero,          ACCEPT_REFUSED },
	{ "phoff_past_file",    mk_phoff_past_file,    ACCEPT_REFUSED },
	{ "phnum_huge",         mk_phnum_huge,         ACCEPT_REFUSED },
	{ "overlap",            mk_overlap,            ACCEPT_REFUSED },
	{ "entry_outside",      mk_entry_outside,      ACCEPT_REFUSED },
	{ "entry_not_exec",     mk_entry_not_exec,     ACCEPT_REFUSED },
	{ "no_phdrs",           mk_no_phdrs,           ACCEPT_REFUSED },
	{ "misaligned_offset",  mk_misaligned_offset,  ACCEPT_REFUSED },
	{ "wx_segment",         mk_wx_segment,         ACCEPT_REFUSED },
	{ "truncated_header",   mk_truncated_header,   ACCEPT_REFUSED },
	{ "zero_length",        mk_zero_length,        ACCEPT_REFUSED },
	{ "w_only_load",        mk_w_only_load,        ACCEPT_ANY },
	{ "w_only_store",       mk_w_only_store,       ACCEPT_ANY },
	{ "w_only_fstat",       mk_w_only_fstat,       ACCEPT_ANY },
	{ "w_only_read",        mk_w_only_read,        ACCEPT_ANY },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

enum outcome { OUT_REFUSED, OUT_RAN, OUT_KILLED, OUT_OTHER, OUT_HUNG, OUT_STUCK, OUT_NOFORK };

static int abandoned;   /* children kill could not stop */

static const char *outcome_name(enum outcome o)
{
	switch (o) {
	case OUT_REFUSED: return "exec refused";
	case OUT_RAN:     return "ran";
	case OUT_KILLED:  return "killed";
	case OUT_OTHER:   return "odd exit status";
	case OUT_HUNG:    return "hung until the watchdog killed it";
	case OUT_STUCK:   return "hung, and kill could not stop it";
	case OUT_NOFORK:  return "fork failed";
	}
	return "?";
}

static int accepted(enum outcome o)
{
	switch (o) {
	case OUT_REFUSED: return ACCEPT_REFUSED;
	case OUT_RAN:     return ACCEPT_RAN;
	case OUT_KILLED:  return ACCEPT_KILLED;
	default:          return 0;
	}
}

static enum outcome classify(int status)
{
	if (status == EXEC_FAILED)
		return OUT_REFUSED;
	if (status == RAN_STATUS)
		return OUT_RAN;
	if (status == KILLED)
		return OUT_KILLED;
	return OUT_OTHER;
}

/* A child that sleeps WATCHDOG_TICKS and exits; its pid, or -1. */
static int start_watchdog(void)
{
	int pid = fork();

	if (pid == 0) {
		sleep(WATCHDOG_TICKS);
		exit(0);
	}
	return pid;
}

/* Wait for child or dog, whichever ends first (others are strays). */
static int wait_either(int child, int dog, int *status)
{
	int r;

	while ((r = wait(status)) >= 0 && r != child && r != dog)
		;
	return r;
}

/* Exec path in a child with the file as its standard input; the outcome. */
static enum outcome exec_once(const char *path)
{
	char *argv[] = { (char *)path, 0 };
	int child, dog, status = 0;

	child = fork();
	if (child < 0)
		return OUT_NOFORK;
	if (child == 0) {
		close(0);
		open(path, O_RDONLY);
		exec(path, argv);
		exit(EXEC_FAILED);
	}
	dog = start_watchdog();
	if (dog < 0) {
		kill(child);
		wait_either(child, -1, 0);
		return OUT_NOFORK;
	}
	if (wait_either(child, dog, &status) == child) {
		kill(dog);
		wait_either(dog, -1, 0);
		return classify(status);
	}
	/* The watchdog woke first: the child hangs. */
	kill(child);
	dog = start_watchdog();
	int r = wait_either(child, dog, 0);
	if (r == child) {
		kill(dog);
		wait_either(dog, -1, 0);
		return OUT_HUNG;
	}
	abandoned++;
	return OUT_STUCK;
}

/* Write the spec's bytes to path; 0 or -1. */
static int write_file(const char *path, const struct spec *s)
{
	int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);
	int ok;

	if (fd < 0)
		return -1;
	spec_render(s);
	ok = s->size <= FILE_MAX && write(fd, file_buf, (int)s->size) == (int)s->size;
	close(fd);
	return ok ? 0 : -1;
}

/* /e_<name>, the name cut to fit a directory entry. */
static void case_path(const char *name, char *path)
{
	int n = 0;

	path[n++] = '/';
	path[n++] = 'e';
	path[n++] = '_';
	for (int i = 0; name[i] && n < DIRSIZ_MAX + 1; i++)
		path[n++] = name[i];
	path[n] = 0;
}

/* Build, write and exec one case REPEATS times; 0 or fail(). */
static int run_elf_case(const struct elf_case *c)
{
	static struct spec spec;
	char path[DIRSIZ_MAX + 2];
	int err = 0;

	c->make(&spec);
	case_path(c->name, path);
	if (write_file(path, &spec) < 0)
		return fail("cannot write %s", path);
	for (int i = 0; i < REPEATS && !err; i++) {
		enum outcome o = exec_once(path);
		if (!(accepted(o) & c->accept))
			err = fail("exec %d of %s: %s", i + 1, path, outcome_name(o));
		if (o == OUT_STUCK)
			return err;   /* the stuck child still has the file open */
	}
	if (unlink(path) < 0 && !err)
		err = fail("cannot unlink %s", path);
	return err;
}

static uint64 free_frames(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return 0;
	return ms.free_frames;
}

/* Touch the stack the cases use below main, so it is not counted. */
static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[STACK_TOUCH];

	/* The address escapes, so all STACK_TOUCH bytes are laid out and the
	 * stores stay (without it they compiled to a few stores in one page). */
	__asm__ volatile("" : : "r"(pad) : "memory");
	for (uint64 i = 0; i < STACK_TOUCH; i += PAGE)
		pad[i] = 0;
	pad[STACK_TOUCH - 1] = 0;
}

/*
 * Make once what the cases would make the first time and keep: our own
 * stack and .bss pages, and a directory slot in / for the case files.
 */
static void warm_up(void)
{
	static struct spec spec;

	touch_stack();
	check_why[0] = 0;
	spec_valid(&spec);
	write_file("/e_warm_up", &spec);
	unlink("/e_warm_up");
}

int main(void)
{
	uint64 before, after;

	warm_up();
	before = free_frames();
	for (int i = 0; i < NCASES; i++) {
		check_why[0] = 0;
		int ok = run_elf_case(&cases[i]) == 0;
		report(cases[i].name, ok, check_why);
	}
	if (abandoned) {
		printf("FAIL frames_balanced: %d children stuck for good\n", abandoned);
		exit(0);
	}
	while (wait(0) >= 0)   /* orphans, when we are init */
		;
	after = free_frames();
	if (before != 0 && after == before)
		printf("PASS frames_balanced\n");
	else
		printf("FAIL frames_balanced: before %lu after %lu\n", before, after);
	exit(0);
}
