/*
 * latbench: scheduling latency as a figure (docs/benchmarks.md).
 *
 * How late does a process that sleeps one tick (sleep(1), 10 ms) wake
 * when every hart is busy in long system calls? The sampler takes
 * SAMPLES sleep(1)s, each timed with rdtime, first on an idle machine,
 * then with hogs running:
 *
 *   readers  one per hart: back-to-back read()s of a 4 MiB file, each
 *            call a long stay in the kernel (a copy page by page)
 *   writer   one: a console write loop of WRITE_SIZE-byte writes
 *            (carriage returns, so the log stays readable)
 *
 * A sleep(1) waits for the next tick, so it lasts 0 to 10 ms before the
 * scheduler gets back to the sampler; what the hogs add is on top. For
 * each phase: the median, the 99th percentile and the maximum in
 * microseconds, and how far the maximum is beyond the sleep's own tick
 * (the target: at most 3 ticks, 30000 us). Harts are counted as the most processes
 * procinfo ever shows running at once while spinners run.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"

#define MAX_RUNS    SAMPLES
#define SAMPLES     300
#include "benchhelp.c"

#define MiB         (1024UL * 1024UL)
#define SBRK_FAILED ((char *)-1)
#define FILE_SIZE   (4 * MiB)
#define WRITE_SIZE  1024
#define MAX_HARTS   8
#define TICK_US     10000
#define LAT_FILE    "/latbench.dat"

static struct procinfo procs[64];
static char line[WRITE_SIZE];

/* Spin in user mode until killed. */
static void spin(void)
{
	for (volatile uint64 i = 0;; i++)
		;
}

/* How many harts: the most processes seen running at once among spinners. */
static int count_harts(void)
{
	int pids[MAX_HARTS], most = 1;

	for (int i = 0; i < MAX_HARTS; i++)
		if ((pids[i] = fork()) == 0)
			spin();
	for (int round = 0; round < 50; round++) {
		int n = procinfo(procs, 64), running = 0;

		for (int i = 0; i < n && i < 64; i++)
			running += procs[i].state == PROCINFO_RUNNING;
		if (running > most)
			most = running;
		sleep(1);
	}
	for (int i = 0; i < MAX_HARTS; i++)
		if (pids[i] > 0)
			kill(pids[i]);
	for (int i = 0; i < MAX_HARTS; i++)
		wait(0);
	return most > MAX_HARTS ? MAX_HARTS : most;
}

static int make_file(void)
{
	char *buf = sbrk(FILE_SIZE);
	int fd = open(LAT_FILE, O_CREATE | O_TRUNC | O_WRONLY);

	if (buf == SBRK_FAILED || fd < 0)
		return -1;
	memset(buf, 'x', FILE_SIZE);
	int n = write(fd, buf, FILE_SIZE);
	close(fd);
	sbrk(-(int)FILE_SIZE);
	return n == FILE_SIZE ? 0 : -1;
}

static void reader(void)
{
	char *buf = sbrk(FILE_SIZE);

	if (buf == SBRK_FAILED)
		exit(1);
	memset(buf, 0, FILE_SIZE);   /* resident: the reads copy, they do not fault */
	for (;;) {
		int fd = open(LAT_FILE, O_RDONLY);
		if (fd < 0)
			exit(1);
		while (read(fd, buf, FILE_SIZE) > 0)
			;
		close(fd);
	}
}

static void writer(void)
{
	memset(line, '\r', sizeof(line));
	for (;;)
		if (write(1, line, sizeof(line)) < 0)
			exit(1);
}

/* SAMPLES sleep(1)s, in microseconds, into samples[] (sorted). */
static void sample(void)
{
	sleep(1);   /* start on a tick */
	for (int i = 0; i < SAMPLES; i++) {
		uint64 t0 = rdtime();
		sleep(1);
		samples[i] = (rdtime() - t0) * NS_PER_TICK / 1000;
	}
	median(SAMPLES);
}

static void report(const char *phase)
{
	char name[48];
	uint64 max = samples[SAMPLES - 1];
	uint64 beyond = max > TICK_US ? max - TICK_US : 0;

	snprintf(name, sizeof(name), "lat_%s_median_us", phase);
	bench(name, (long)samples[SAMPLES / 2], "us");
	snprintf(name, sizeof(name), "lat_%s_p99_us", phase);
	bench(name, (long)samples[SAMPLES * 99 / 100], "us");
	snprintf(name, sizeof(name), "lat_%s_max_us", phase);
	bench(name, (long)max, "us");
	snprintf(name, sizeof(name), "lat_%s_max_beyond_us", phase);
	bench(name, (long)beyond, "us");
}

int main(void)
{
	int harts = count_harts(), pids[MAX_HARTS + 1], nhogs = 0;
	uint64 t0;

	bench("lat_harts", harts, "harts");
	if (make_file() < 0) {
		printf("latbench: cannot make %s\n", LAT_FILE);
		return 1;
	}
	sample();
	report("idle");

	for (int i = 0; i < harts + 1; i++) {
		int pid = fork();
		if (pid == 0) {
			if (i < harts)
				reader();
			writer();
		}
		if (pid > 0)
			pids[nhogs++] = pid;
	}
	bench("lat_hogs", nhogs, "processes");
	sleep(5);   /* the hogs under way */
	t0 = rdtime();
	sample();
	bench("lat_hog_phase_ms", (long)((rdtime() - t0) * NS_PER_TICK / 1000000), "ms");
	for (int i = 0; i < nhogs; i++)
		kill(pids[i]);
	for (int i = 0; i < nhogs; i++)
		wait(0);
	report("hogs");
	unlink(LAT_FILE);
	return 0;
}
