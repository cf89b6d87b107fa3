/*
 * fuzzgen.c: the fuzzer's generators: a seeded PRNG, and the adversarial
 * values each kind of system-call argument is drawn from.
 *
 * #included by fuzz.c, so the fuzzer stays a single program; it is not a
 * program of its own.
 *
 * Every value comes from rnd(), an xorshift64* generator seeded from the
 * run's seed and the batch number, so a seed replays the same calls. The
 * generators know what the worker must never do (see fuzz.c: "What a
 * worker may touch"): a path a call may create, change or remove is
 * always one of the scratch names or a pointer nothing can read; a pid
 * to kill is the worker's own child or none; a buffer the kernel may
 * write is the junk area, which PROT_NONE pages bound on both sides.
 */

#define PAGE          4096UL
#define USER_TOP      (1UL << 38)              /* mm/mm.h: Sv39's user half */
#define UNMAPPED_VA   0x3000000000UL           /* user space nothing reserves */
#define KERNEL_VA     0xffffffc080200000UL     /* the kernel's text */
#define KERNEL_BASE   0xffffffc000000000UL     /* the kernel half's first byte */
#define NONCANON_VA   0x0000800000000000UL     /* not sign-extended from bit 38 */
#define JUNK_PAGES    8                        /* the buffer the kernel may fill */

static uint64 rng_state;

/* xorshift64* (Vigna): full period over non-zero states, cheap, and good
 * enough to pick arguments. */
static uint64 rnd(void)
{
	uint64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dUL;
}

/* A state for batch b of the run seeded with seed (never zero). */
static void rnd_seed(uint64 seed, uint64 batch)
{
	uint64 z = seed + (batch + 1) * 0x9e3779b97f4a7c15UL;   /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	rng_state = (z ^ (z >> 31)) | 1;
}

static uint64 below(uint64 n) { return n ? rnd() % n : 0; }
static int one_in(uint64 n)   { return below(n) == 0; }

/* An int argument may carry any upper half: the kernel must read 32 bits. */
static uint64 high_junk(uint64 v)
{
	return one_in(4) ? (v & 0xffffffffUL) | (rnd() << 32) : v;
}

/* What the worker set up for the generators (fuzz.c: worker_setup). */
struct targets {
	uint64 junk;          /* JUNK_PAGES of writable memory, PROT_NONE around */
	uint64 str_end;       /* the end of a page of 'a's, PROT_NONE after it */
	uint64 lazy;          /* sbrk'd pages nothing has touched yet */
	uint64 cow;           /* a page shared copy-on-write with a child */
	uint64 guard;         /* inside the stack's guard gap */
	uint64 text;          /* our own text: readable, never writable */
	uint64 argv;          /* in junk: an argv array of odd pointers */
};
static struct targets tg;

static uint64 any_value(void)
{
	static const uint64 fixed[] = {
		0, 1, 2, 3, 7, 8, 15, 16, 63, 64, 255, 4095, 4096, 4097,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000UL,
		(uint64)-1, (uint64)-2, (uint64)-4096, 0x8000000000000000UL,
		0x7fffffffffffffffUL, USER_TOP, USER_TOP - 1, KERNEL_VA,
	};

	switch (below(4)) {
	case 0:  return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
	case 1:  return below(64);
	case 2:  return high_junk(rnd() & 0xffffffffUL);
	default: return rnd();
	}
}

/* A length or count. */
static uint64 gen_len(void)
{
	static const uint64 fixed[] = {
		0, 1, 2, 15, 16, 100, 511, 512, 513, 4095, 4096, 4097, 8192,
		JUNK_PAGES * PAGE, JUNK_PAGES * PAGE + 1, 1UL << 20, 0x7fffffff,
		0x80000000, 0xffffffff, (uint64)-1, (uint64)-4096,
	};

	if (one_in(3))
		return below(PAGE * 2);
	if (one_in(6))
		return any_value();
	return high_junk(fixed[below(sizeof(fixed) / sizeof(fixed[0]))]);
}

/* A pointer nothing may read or write (the call must fail). */
static uint64 bad_pointer(void)
{
	static const uint64 fixed[] = {
		0, 1, 8, PAGE - 1, UNMAPPED_VA, UNMAPPED_VA + 7, KERNEL_VA, KERNEL_BASE,
		KERNEL_BASE - 1, NONCANON_VA, 0x8000000000000000UL, USER_TOP,
		USER_TOP + PAGE, (uint64)-1, (uint64)-4096, (uint64)-8,
	};

	if (one_in(8))
		return tg.guard + below(PAGE) ;
	if (one_in(16))
		return rnd();
	return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
}

/* A buffer the kernel reads from (write, exec's strings, paths). */
static uint64 gen_in_ptr(void)
{
	switch (below(10)) {
	case 0:  return tg.junk + below(JUNK_PAGES * PAGE);    /* unaligned, may run off */
	case 1:  return tg.str_end - 1 - below(64);           /* runs into PROT_NONE */
	case 2:  return tg.lazy + below(2) * PAGE + below(8);
	case 3:  return tg.cow + below(64);
	case 4:  return tg.text + below(64);
	case 5:  return USER_TOP - 1 - below(16);             /* the top of user space */
	case 6:
	case 7:  return bad_pointer();
	default: return tg.junk;
	}
}

/* A buffer the kernel writes to: never our own live memory. */
static uint64 gen_out_ptr(void)
{
	switch (below(10)) {
	case 0:  return tg.junk + below(JUNK_PAGES * PAGE);
	case 1:  return tg.junk + JUNK_PAGES * PAGE - 1 - below(64);   /* runs off the end */
	case 2:  return tg.lazy + below(2) * PAGE + below(8);
	case 3:  return tg.cow + below(64);
	case 4:  return tg.text + below(64);                  /* read-only */
	case 5:  return USER_TOP - 1;                         /* one byte of argv's page */
	case 6:
	case 7:  return bad_pointer();
	default: return tg.junk;
	}
}

/* A descriptor: mostly 0..NOFILE, sometimes far off or with a high half. */
static uint64 gen_fd(void)
{
	if (one_in(8))
		return any_value();
	if (one_in(8))
		return high_junk((uint64)-1);
	return high_junk(below(NOFILE + 2));
}

/*
 * The scratch names (relative to the worker's directory, /fz/wN). Every
 * name a call may create is here, so cleanup knows them all; dirs come
 * before what they hold, and cleanup runs the list backwards.
 */
static const char *const scratch_names[] = {
	"f0", "f1", "f2", "f3", "e0", "e1", "d0", "d0/f0", "d0/f1", "d0/d",
	"d0/d/f0", "d0/d/d", "d0/d/d/d", "d0/d/d/d/f0",
	"longname_abcdefghijklmnop", "longname_abcde",   /* the same name cut to DIRSIZ */
};
#define NSCRATCH ((int)(sizeof(scratch_names) / sizeof(scratch_names[0])))

/* Names outside the scratch directory that calls may only read. */
static const char *const read_only_names[] = { "/sh", "/init", "/", "/fz", ".", ".." };
#define NREADONLY ((int)(sizeof(read_only_names) / sizeof(read_only_names[0])))

static char long_path[200];     /* over MAXPATH; relative, in scratch */
static char deep_path[MAXPATH]; /* d0/d/d/d/../d/d/... */

static void paths_init(void)
{
	memset(long_path, 'x', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	strcpy(deep_path, "d0");
	while (strlen(deep_path) + 2 < sizeof(deep_path) - 1)
		strcpy(deep_path + strlen(deep_path), "/d");
}

/*
 * A path a call may create, change or remove with: a scratch name, a path
 * too long, deep or unterminated (all relative: they can only name
 * something in scratch, and fail), or a pointer nothing can read.
 */
static uint64 gen_path_rw(void)
{
	switch (below(12)) {
	case 0:  return (uint64)long_path + below(sizeof(long_path) - 1);
	case 1:  return (uint64)deep_path;
	case 2:  return tg.str_end - 1 - below(DIRSIZ * 2);   /* unterminated */
	case 3:  return bad_pointer();
	case 4:  return tg.lazy;                                /* "" (zero-filled) */
	default: return (uint64)scratch_names[below(NSCRATCH)];
	}
}

/* A path a call only reads through (open read-only, chdir, exec). */
static uint64 gen_path_ro(void)
{
	if (one_in(4))
		return (uint64)read_only_names[below(NREADONLY)];
	return gen_path_rw();
}
