/*
 * cowbench: what copy-on-write fork and the shared zero page cost and
 * save, in figures (issue 8).
 *
 * Prints one line per figure, `BENCH name value unit`, and no verdict:
 * a benchmark is never a timed test. The first line is `BENCH mode X`,
 * X one of cow, nocow (boot argument mm.cow=0) or nozero (mm.zeropage=0),
 * from memstat(), so tests/boot/bench.py can put runs of the same kernel
 * side by side. A value of -1 means the measurement could not be made.
 *
 * Time comes from rdtime() (10 MHz on QEMU virt: one tick is 100 ns).
 * Every timed thing is done once untimed first (warm-up), then repeated
 * and the median printed. Frames come from memstat(): user_frames counts
 * frames that map user pages (the zero page is one of them, counted
 * once); page tables are FRAME_PT and are counted apart, in pt_frames.
 *
 * The figures:
 *
 *   fork_tiny_ns, fork_16m_resident_ns
 *       fork + exit + wait of this process, as it is at start and with
 *       16 MiB of heap resident. Before each timed fork the 16 MiB is
 *       written again (untimed), so every fork starts from writable
 *       pages, as a working program's would be.
 *   fork_tiny_call_ns, fork_16m_call_ns
 *       of those, the fork() call alone as the parent sees it (the rest
 *       is the child's exit, freeing its mappings, and wait).
 *   fork_16m_rewrite_ns_per_page
 *       what copy-on-write defers: after the fork, the child has exited;
 *       the parent's first write to each page takes a "cow reuse" fault.
 *       Time of that write pass per page (compare retouch_ns_per_page).
 *   fork_16m_child_write_ns_per_page
 *       the other side: a child writes every page it shares with the
 *       parent, a "cow copy" fault each (a frame, a 4 KiB copy, a flush).
 *   retouch_ns_per_page
 *       the same write pass with no fork before it (no faults).
 *   sh_exec_ns
 *       fork + exec + wait of /echo from the real shell: /sh runs a
 *       script of SH_LINES lines "echo", its output going to a file; the
 *       time of an empty script is subtracted and the rest divided by
 *       SH_LINES. So it is what one command line costs the shell.
 *   exec_tiny_ns, exec_16m_resident_ns
 *       fork + exec(/echo) + wait straight from this process, as it is
 *       at start and with 16 MiB resident (a big shell).
 *   readers_parent_frames, readers_total_frames, readers_pt_frames
 *       a parent with 16 MiB resident, alone (user frames in use), then
 *       with READERS children alive that have each read every byte of
 *       it; and the page-table frames the children added.
 *   zero_read_data_frames, zero_read_pt_frames, zero_read_faults
 *       a read pass over 64 MiB of fresh heap: user frames and page-table
 *       frames it took, and the faults it cost (fault-around included).
 *   zero_write_data_frames, zero_write_faults
 *       then one byte written to each of those pages.
 *   zero_read_ns_per_page, zero_write_ns_per_page
 *       the time of those two passes per page.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define PAGE 4096UL
#define ALIGN_UP(x, a) (((uint64)(x) + (a) - 1) & ~((uint64)(a) - 1))

#define SBRK_FAILED   ((char *)-1)
#define LEVEL0_SPAN   (2 * MiB)

#define FORK_RUNS     9            /* fork + exit + wait, exec from here */
#define SH_RUNS       5            /* shell scripts of each length */
#define SH_LINES      32           /* commands in the long script */
#define ZERO_RUNS     3            /* 64 MiB read and write passes */
#define MAX_RUNS      FORK_RUNS

#define RESIDENT_SIZE (16 * MiB)
#define ZERO_SIZE     (64 * MiB)
#define READERS       8

#define SH_SCRIPT     "/cowbench.sh"
#define SH_EMPTY      "/cowbench0.sh"
#define OUT_FILE      "/cowbench.out"

#include "benchhelp.c"

/* Raise the break to a multiple of align (so runs are alike). */
static void align_break(uint64 align)
{
	uint64 now = (uint64)sbrk(0);

	sbrk((int)(ALIGN_UP(now, align) - now));
}

/* Store one byte in every page of [p, p+len). */
static void touch(char *p, uint64 len)
{
	for (uint64 off = 0; off < len; off += PAGE)
		*(volatile char *)(p + off) = 1;
}

/* Load one byte of every page of [p, p+len); their sum. */
static uint64 read_pages(const char *p, uint64 len)
{
	uint64 sum = 0;

	for (uint64 off = 0; off < len; off += PAGE)
		sum += *(volatile const char *)(p + off);
	return sum;
}

static uint64 call_samples[MAX_RUNS];   /* the fork() call alone, per run */
static uint64 last_call;                 /* ticks of the last fork_once's fork() */

/* Ticks of one fork + exit + wait; 0 if fork failed. */
static uint64 fork_once(void)
{
	uint64 t0 = rdtime();
	int pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0)
		exit(0);
	last_call = rdtime() - t0;
	wait(0);
	return rdtime() - t0;
}

/*
 * Median fork + exit + wait with p[0..len) written again before each
 * (len 0: nothing to write); -1 if a fork failed.
 */
static long fork_ns(char *p, uint64 len)
{
	fork_once();   /* warm-up */
	for (int i = 0; i < FORK_RUNS; i++) {
		touch(p, len);
		if ((samples[i] = fork_once()) == 0)
			return -1;
		call_samples[i] = last_call;
	}
	return (long)ticks_to_ns(median(FORK_RUNS));
}

/* Median of the fork() calls alone of the last fork_ns. */
static long fork_call_ns(void)
{
	for (int i = 0; i < FORK_RUNS; i++)
		samples[i] = call_samples[i];
	return (long)ticks_to_ns(median(FORK_RUNS));
}

/* Median ticks of writing every page of p[0..len), with or without a fork before. */
static long rewrite_ns_per_page(char *p, uint64 len, int fork_first)
{
	for (int i = 0; i < FORK_RUNS; i++) {
		touch(p, len);   /* writable again (cow reuse), untimed */
		if (fork_first && fork_once() == 0)
			return -1;
		uint64 t0 = rdtime();
		touch(p, len);
		samples[i] = rdtime() - t0;
	}
	return (long)(ticks_to_ns(median(FORK_RUNS)) / (len / PAGE));
}

/*
 * Median ticks a child takes to write every page of p[0..len) that it
 * shares with this process ("cow copy" faults), per page; -1 on failure.
 */
static long child_write_ns_per_page(char *p, uint64 len)
{
	for (int i = 0; i < FORK_RUNS; i++) {
		int fds[2], pid;
		uint64 t = 0;

		touch(p, len);   /* writable again, untimed */
		if (pipe(fds) < 0 || (pid = fork()) < 0)
			return -1;
		if (pid == 0) {
			uint64 t0 = rdtime();

			touch(p, len);
			t = rdtime() - t0;
			write(fds[1], &t, sizeof(t));
			exit(0);
		}
		int n = read(fds[0], &t, sizeof(t));

		close(fds[0]);
		close(fds[1]);
		wait(0);
		if (n != sizeof(t))
			return -1;
		samples[i] = t;
	}
	return (long)(ticks_to_ns(median(FORK_RUNS)) / (len / PAGE));
}

/* In a child: stdout to OUT_FILE, then exec argv. Never returns. */
static void exec_quiet(char **argv)
{
	int fd = open(OUT_FILE, O_CREATE | O_WRONLY);

	if (fd < 0)
		exit(1);
	close(1);
	dup(fd);
	close(fd);
	exec(argv[0], argv);
	exit(127);
}

/* Ticks of fork + exec(argv) + wait from this process; 0 on failure. */
static uint64 exec_once(char **argv)
{
	uint64 t0 = rdtime();
	int pid = fork(), status = -1;

	if (pid < 0)
		return 0;
	if (pid == 0)
		exec_quiet(argv);
	wait(&status);
	uint64 t = rdtime() - t0;
	return status == 0 ? t : 0;
}

/* Median fork + exec(/echo) + wait with p[0..len) written before each; -1 on failure. */
static long exec_ns(char *p, uint64 len)
{
	char *argv[] = { "/echo", 0 };

	exec_once(argv);   /* warm-up */
	for (int i = 0; i < FORK_RUNS; i++) {
		touch(p, len);
		if ((samples[i] = exec_once(argv)) == 0)
			return -1;
	}
	return (long)ticks_to_ns(median(FORK_RUNS));
}

/* Write a shell script of `lines` lines "echo"; 0 or -1. */
static int make_script(const char *path, int lines)
{
	int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -1;
	for (int i = 0; i < lines; i++) {
		if (write(fd, "echo\n", 5) != 5) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* Median ticks of running /sh on script (fork, exec, the script, wait); 0 on failure. */
static uint64 sh_ticks(const char *script)
{
	char *argv[] = { "/sh", (char *)script, 0 };

	exec_once(argv);   /* warm-up */
	for (int i = 0; i < SH_RUNS; i++)
		if ((samples[i] = exec_once(argv)) == 0)
			return 0;
	return median(SH_RUNS);
}

/* One command line of the shell: fork + exec(/echo) + wait, from /sh itself. */
static void sh_exec(void)
{
	uint64 full = 0, empty = 0;

	if (make_script(SH_SCRIPT, SH_LINES) == 0 && make_script(SH_EMPTY, 0) == 0) {
		full = sh_ticks(SH_SCRIPT);
		empty = sh_ticks(SH_EMPTY);
	}
	unlink(SH_SCRIPT);
	unlink(SH_EMPTY);
	if (full == 0 || empty == 0 || full < empty) {
		bench("sh_exec_ns", -1, "ns");
		return;
	}
	bench("sh_exec_ns", (long)(ticks_to_ns(full - empty) / SH_LINES), "ns");
}

/*
 * READERS children read every byte of the parent's 16 MiB, say so on
 * `ready`, and wait for `go` to close before exiting. Frames are counted
 * while all of them are alive.
 */
static void readers(char *p)
{
	int ready[2], go[2], started = 0;
	struct memstat alone, with;
	char c;

	touch(p, RESIDENT_SIZE);
	if (pipe(ready) < 0 || pipe(go) < 0) {
		bench("readers_parent_frames", -1, "frames");
		return;
	}
	alone = stat_now();
	for (; started < READERS; started++) {
		int pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			uint64 sum = 0;

			close(ready[0]);
			close(go[1]);
			for (uint64 off = 0; off < RESIDENT_SIZE; off += sizeof(uint64))
				sum += *(volatile uint64 *)(p + off);
			c = (char)sum;
			write(ready[1], &c, 1);
			read(go[0], &c, 1);   /* end of file when the parent closes go */
			exit(0);
		}
	}
	for (int i = 0; i < started; i++)
		read(ready[0], &c, 1);
	with = stat_now();
	close(go[1]);
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	for (int i = 0; i < started; i++)
		wait(0);
	if (started < READERS) {
		bench("readers_parent_frames", -1, "frames");
		return;
	}
	bench("readers_parent_frames", (long)alone.user_frames, "frames");
	bench("readers_total_frames", (long)with.user_frames, "frames");
	bench("readers_pt_frames", (long)(with.pt_frames - alone.pt_frames), "frames");
	bench("readers_shared_frames", (long)with.shared_frames, "frames");
}

/* The 64 MiB read pass over fresh heap, then a write pass over it. */
static void zero_pass(void)
{
	uint64 rd[ZERO_RUNS], wr[ZERO_RUNS];
	struct memstat s0, s1, s2;
	uint64 pages = ZERO_SIZE / PAGE;

	for (int i = 0; i < ZERO_RUNS; i++) {
		s0 = stat_now();
		char *p = sbrk((int)ZERO_SIZE);

		if (p == SBRK_FAILED) {
			bench("zero_read_data_frames", -1, "frames");
			return;
		}
		uint64 t0 = rdtime();
		uint64 sum = read_pages(p, ZERO_SIZE);
		uint64 t1 = rdtime();
		s1 = stat_now();
		touch(p, ZERO_SIZE);
		uint64 t2 = rdtime();
		s2 = stat_now();
		sbrk(-(int)ZERO_SIZE);
		if (sum != 0) {
			bench("zero_read_data_frames", -1, "frames");
			return;
		}
		rd[i] = t1 - t0;
		wr[i] = t2 - t1;
	}
	/* Frame and fault counts are those of the last run (they repeat exactly). */
	bench("zero_read_data_frames", (long)(s1.user_frames - s0.user_frames), "frames");
	bench("zero_read_pt_frames", (long)(s1.pt_frames - s0.pt_frames), "frames");
	bench("zero_read_faults", (long)(s1.faults_served - s0.faults_served), "faults");
	bench("zero_write_data_frames", (long)(s2.user_frames - s0.user_frames), "frames");
	bench("zero_write_faults", (long)(s2.faults_served - s1.faults_served), "faults");
	for (int i = 0; i < ZERO_RUNS; i++)
		samples[i] = rd[i];
	bench("zero_read_ns_per_page", (long)(ticks_to_ns(median(ZERO_RUNS)) / pages), "ns");
	for (int i = 0; i < ZERO_RUNS; i++)
		samples[i] = wr[i];
	bench("zero_write_ns_per_page", (long)(ticks_to_ns(median(ZERO_RUNS)) / pages), "ns");
}

int main(void)
{
	struct memstat st = stat_now();
	char *p;

	printf("BENCH mode %s\n", !st.cow ? "nocow" : !st.zeropage ? "nozero" : "cow");
	bench("fork_tiny_ns", fork_ns(0, 0), "ns");
	bench("fork_tiny_call_ns", fork_call_ns(), "ns");
	bench("exec_tiny_ns", exec_ns(0, 0), "ns");
	sh_exec();

	align_break(LEVEL0_SPAN);
	p = sbrk((int)RESIDENT_SIZE);
	if (p == SBRK_FAILED) {
		bench("fork_16m_resident_ns", -1, "ns");
	} else {
		touch(p, RESIDENT_SIZE);
		bench("fork_16m_resident_ns", fork_ns(p, RESIDENT_SIZE), "ns");
		bench("fork_16m_call_ns", fork_call_ns(), "ns");
		bench("fork_16m_rewrite_ns_per_page", rewrite_ns_per_page(p, RESIDENT_SIZE, 1), "ns");
		bench("fork_16m_child_write_ns_per_page", child_write_ns_per_page(p, RESIDENT_SIZE), "ns");
		bench("retouch_ns_per_page", rewrite_ns_per_page(p, RESIDENT_SIZE, 0), "ns");
		bench("exec_16m_resident_ns", exec_ns(p, RESIDENT_SIZE), "ns");
		readers(p);
		sbrk(-(int)RESIDENT_SIZE);
	}
	zero_pass();
	unlink(OUT_FILE);
	exit(0);
}
