/*
 * lazybench: what lazy allocation costs and saves, in figures.
 *
 * Prints one line per figure, `BENCH name value unit`, and no verdict:
 * a benchmark is never a timed test. The first line is `BENCH mode lazy`
 * or `BENCH mode eager` (memstat().eager, boot argument mm.eager=1), so
 * two runs of the same kernel can be compared. A value of -1 means the
 * measurement could not be made (sbrk refused: eager mode without the
 * memory for 1 GiB).
 *
 * Time comes from rdtime() (the platform timer, 10 MHz on QEMU virt, so
 * one tick is 100 ns). A fast operation is timed many times and its
 * median printed; a slow one a few times. docs/lazy-tests.md explains
 * each figure.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)
#define PAGE 4096UL
#define ALIGN_UP(x, a) (((uint64)(x) + (a) - 1) & ~((uint64)(a) - 1))

#define SBRK_FAILED   ((char *)-1)
#define LEVEL0_SPAN   (2 * MiB)

#define FAST_RUNS     201          /* sbrk(4 KiB), memset of a page */
#define BIG_RUNS      9            /* sbrk(1 GiB) */
#define SLOW_RUNS     5            /* fork, read of 1 MiB */
#define TOUCH_RUNS    3            /* 16 MiB first touch */
#define MAX_RUNS      FAST_RUNS

#define TOUCH_SIZE    (16 * MiB)
#define SPARSE_SIZE   (1 * GiB)
#define SPARSE_STRIDE (64 * PAGE)
#define READ_SIZE     (1 * MiB)
#define FILE_CHUNK    (64 * KiB)
#define DATA_FILE     "/lazybench.dat"

#include "benchhelp.c"
static char chunk[FILE_CHUNK];     /* what the data file is written from */

static uint64 free_frames(void)
{
	struct memstat st;

	memstat(&st);
	return st.free_frames;
}

/* Raise the break to a multiple of align (so runs are alike). */
static void align_break(uint64 align)
{
	uint64 now = (uint64)sbrk(0);

	sbrk((int)(ALIGN_UP(now, align) - now));
}

/* Store one byte in every page of [p, p+len). */
static void touch(char *p, uint64 len, uint64 stride)
{
	for (uint64 off = 0; off < len; off += stride)
		*(volatile char *)(p + off) = 1;
}

/* Median latency of sbrk(size), shrinking back after each; -1 on failure. */
static long sbrk_latency_ns(uint64 size, int runs)
{
	for (int i = 0; i < runs; i++) {
		uint64 t0 = rdtime();
		char *p = sbrk((int)size);
		uint64 t1 = rdtime();

		if (p == SBRK_FAILED)
			return -1;
		sbrk(-(int)size);
		samples[i] = t1 - t0;
	}
	return (long)ticks_to_ns(median(runs));
}

/* First touch and re-touch per page over TOUCH_SIZE; also sbrk + touch total. */
static void touch_costs(void)
{
	uint64 pages = TOUCH_SIZE / PAGE, first[TOUCH_RUNS], again[TOUCH_RUNS];

	for (int i = 0; i < TOUCH_RUNS; i++) {
		uint64 t0 = rdtime();
		char *p = sbrk((int)TOUCH_SIZE);
		uint64 t1 = rdtime();

		if (p == SBRK_FAILED) {
			bench("first_touch_ns_per_page", -1, "ns");
			return;
		}
		touch(p, TOUCH_SIZE, PAGE);
		uint64 t2 = rdtime();
		touch(p, TOUCH_SIZE, PAGE);
		uint64 t3 = rdtime();
		sbrk(-(int)TOUCH_SIZE);
		first[i] = t2 - t1;
		again[i] = t3 - t2;
		samples[i] = t2 - t0;
	}
	bench("sbrk16m_touch_all_ns", (long)ticks_to_ns(median(TOUCH_RUNS)), "ns");
	for (int i = 0; i < TOUCH_RUNS; i++)
		samples[i] = first[i];
	bench("first_touch_ns_per_page", (long)(ticks_to_ns(median(TOUCH_RUNS)) / pages), "ns");
	for (int i = 0; i < TOUCH_RUNS; i++)
		samples[i] = again[i];
	bench("retouch_ns_per_page", (long)(ticks_to_ns(median(TOUCH_RUNS)) / pages), "ns");
}

/* memset of one resident page: the floor a fault cannot beat. */
static void memset_floor(void)
{
	char *p = sbrk((int)PAGE);

	if (p == SBRK_FAILED) {
		bench("memset_resident_page_ns", -1, "ns");
		return;
	}
	memset(p, 0, PAGE);
	for (int i = 0; i < FAST_RUNS; i++) {
		uint64 t0 = rdtime();
		memset(p, i, PAGE);
		samples[i] = rdtime() - t0;
	}
	sbrk(-(int)PAGE);
	bench("memset_resident_page_ns", (long)ticks_to_ns(median(FAST_RUNS)), "ns");
}

/* The lab's sparse array: sbrk 1 GiB, touch every 64th page. */
static void sparse(void)
{
	uint64 touched = SPARSE_SIZE / SPARSE_STRIDE, before, used, t0, t1;
	char *p;

	before = free_frames();
	t0 = rdtime();
	p = sbrk((int)SPARSE_SIZE);
	if (p == SBRK_FAILED) {
		bench("sparse_1g_total_ns", -1, "ns");
		bench("sparse_frames_allocated", -1, "frames");
		bench("sparse_pages_touched", (long)touched, "pages");
		bench("sparse_frames_per_touch_x1000", -1, "ratio");
		return;
	}
	touch(p, SPARSE_SIZE, SPARSE_STRIDE);
	t1 = rdtime();
	used = before - free_frames();
	sbrk(-(int)SPARSE_SIZE);
	bench("sparse_1g_total_ns", (long)ticks_to_ns(t1 - t0), "ns");
	bench("sparse_frames_allocated", (long)used, "frames");
	bench("sparse_pages_touched", (long)touched, "pages");
	bench("sparse_frames_per_touch_x1000", (long)(used * 1000 / touched), "ratio");
}

/* Median time of fork + exit + wait of this process as it is now. */
static long fork_ns(void)
{
	for (int i = 0; i < SLOW_RUNS; i++) {
		uint64 t0 = rdtime();
		int pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			exit(0);
		wait(0);
		samples[i] = rdtime() - t0;
	}
	return (long)ticks_to_ns(median(SLOW_RUNS));
}

static void fork_costs(void)
{
	char *p;

	bench("fork_tiny_ns", fork_ns(), "ns");
	p = sbrk((int)TOUCH_SIZE);
	if (p == SBRK_FAILED) {
		bench("fork_16m_reserved_ns", -1, "ns");
		bench("fork_16m_resident_ns", -1, "ns");
		return;
	}
	bench("fork_16m_reserved_ns", fork_ns(), "ns");
	touch(p, TOUCH_SIZE, PAGE);
	bench("fork_16m_resident_ns", fork_ns(), "ns");
	sbrk(-(int)TOUCH_SIZE);
}

/* Write READ_SIZE bytes to the data file; 0 or -1. */
static int make_file(void)
{
	int fd = open(DATA_FILE, O_CREATE | O_RDWR | O_TRUNC);

	if (fd < 0)
		return -1;
	memset(chunk, 'z', FILE_CHUNK);
	for (uint64 done = 0; done < READ_SIZE; done += FILE_CHUNK) {
		if (write(fd, chunk, FILE_CHUNK) != FILE_CHUNK) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* Ticks to read the whole file into p; 0 if the read fell short. */
static uint64 read_file_into(char *p)
{
	int fd = open(DATA_FILE, O_RDONLY), n;
	uint64 done = 0, t0 = rdtime();

	while (done < READ_SIZE && (n = read(fd, p + done, (int)(READ_SIZE - done))) > 0)
		done += (uint64)n;
	uint64 t = rdtime() - t0;
	close(fd);
	return done == READ_SIZE ? t : 0;
}

/* read() of 1 MiB into untouched pages (each faults) vs into touched ones. */
static void read_costs(void)
{
	uint64 fresh[SLOW_RUNS], again[SLOW_RUNS];
	int n = 0;

	if (make_file() == 0) {
		for (; n < SLOW_RUNS; n++) {
			char *p = sbrk((int)READ_SIZE);

			if (p == SBRK_FAILED)
				break;
			fresh[n] = read_file_into(p);
			again[n] = read_file_into(p);
			sbrk(-(int)READ_SIZE);
			if (fresh[n] == 0 || again[n] == 0)
				break;
		}
		unlink(DATA_FILE);
	}
	if (n < SLOW_RUNS) {
		bench("read_1m_untouched_ns", -1, "ns");
		bench("read_1m_touched_ns", -1, "ns");
		return;
	}
	for (int i = 0; i < SLOW_RUNS; i++)
		samples[i] = fresh[i];
	bench("read_1m_untouched_ns", (long)ticks_to_ns(median(SLOW_RUNS)), "ns");
	for (int i = 0; i < SLOW_RUNS; i++)
		samples[i] = again[i];
	bench("read_1m_touched_ns", (long)ticks_to_ns(median(SLOW_RUNS)), "ns");
}

int main(void)
{
	struct memstat st;
	char *mark = sbrk(0);

	memstat(&st);
	printf("BENCH mode %s\n", st.eager ? "eager" : "lazy");
	align_break(LEVEL0_SPAN);
	/* Eager mode fills memory to refuse 1 GiB: once is enough then. */
	bench("sbrk_1g_ns", sbrk_latency_ns(SPARSE_SIZE, st.eager ? 1 : BIG_RUNS), "ns");
	bench("sbrk_4k_ns", sbrk_latency_ns(PAGE, FAST_RUNS), "ns");
	touch_costs();
	memset_floor();
	sparse();
	/* Back to the program's own break: "tiny" means nothing extra. */
	sbrk((int)(mark - sbrk(0)));
	fork_costs();
	read_costs();
	exit(0);
}
