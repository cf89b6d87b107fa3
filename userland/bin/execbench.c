/*
 * execbench: what demand-paged exec and a mapped file cost and save, in
 * figures (docs/demand-paging.md, docs/mmap.md).
 *
 * Prints one line per figure, `BENCH name value unit`, and no verdict,
 * as lazybench and cowbench do; tests/boot/bench.py collects them. A
 * value of -1 means the measurement could not be made. Time comes from
 * rdtime() (10 MHz on QEMU virt); every timed thing is done once untimed
 * first, then EXEC_RUNS times, and the median printed.
 *
 *   exec_bigtext_ns
 *       fork + exec(/bigtext) + exit + wait: a program with 1 MiB of
 *       text that runs one page of it and exits. A copying exec reads and
 *       copies the whole megabyte; a demand-paged one maps one page.
 *   exec_bigtext_frames
 *       user frames that exec of /bigtext took, seen by the parent while
 *       the child waits on its input (its text costs none: it is the
 *       file's).
 *   exec_small_ns
 *       the same for /bigtext's small sibling, /echo with no argument,
 *       for scale.
 *   sh8_frames
 *       frames that 8 idle shells took in all (free frames before and
 *       after starting them; each waits on its input, a pipe).
 *   sh_text_pages
 *       the text pages one idle shell maps (all of them the file's
 *       frames, shared by the 8).
 *   sh8_private_frames, sh8_pt_frames
 *       of sh8_frames, the shells' private pages (data, the copied
 *       boundary page, stack) and the page-table frames they added.
 *   sh8_user_frames
 *       of sh8_frames, the user frames (memstat's user_frames; a file's
 *       frames are the file system's, not counted there).
 *   sh8_bound
 *       the target's allowance: one copy of the text plus 8 x (data +
 *       stack + page tables), i.e. sh_text_pages + sh8_private_frames +
 *       sh8_pt_frames; compare sh8_user_frames + sh8_pt_frames.
 *   sh8_kernel_frames
 *       the rest of sh8_frames: kernel memory for the 8 processes and
 *       the 8 pipes their input comes from (slabs for procs, mms, areas,
 *       pipe buffers), which no address space maps.
 *   read_16m_ns
 *       a sequential read pass over a 16 MiB file with read(): open, read
 *       it in 64 KiB chunks into a resident buffer, summing every byte of
 *       each chunk, close. The file is written once beforehand; the file
 *       system keeps it in frames, so this is two copies a page (into a
 *       kernel bounce buffer, then out to the user) and the sum.
 *   mmap_read_16m_ns
 *       the same pass through mmap: open, mmap the whole file
 *       MAP_PRIVATE PROT_READ, close, sum every byte in order, munmap.
 *       No byte is copied; each page costs a fault or is mapped ahead of
 *       one (fault-around), and munmap takes the mappings down again.
 *   mmap_read_faults
 *       the faults one mmap pass takes (memstat's faults_served): 4096
 *       with mm.faultaround=0, far fewer with fault-around.
 *   resum_16m_ns
 *       the sum alone: a second pass over a mapping whose pages the first
 *       pass mapped (no fault, no copy), the floor of both passes above.
 *   file16m_frames, file16m_frames_left
 *       free frames the 16 MiB file took (its pages and index pages),
 *       and free frames still missing once it is unlinked (0 wanted).
 * The two passes take turns, FILE_RUNS times each after a warm-up; both
 * sums are checked against the pattern written (-1 if one is wrong).
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/lazuli.h"

#define EXEC_RUNS    9
#define SHELLS       8
#define MAX_AREAS    16
#define IDLE_TRIES   200

#define FILE_PATH    "/execbench.dat"
#define FILE_SIZE    (16UL * 1024 * 1024)
#define FILE_CHUNK   (64UL * 1024)   /* read()'s buffer, and write's */
#define FILE_RUNS    5

#define MAX_RUNS EXEC_RUNS
#include "benchhelp.c"
static unsigned char chunk[FILE_CHUNK];   /* read()'s resident buffer */
_Static_assert(FILE_RUNS <= EXEC_RUNS, "samples[] holds FILE_RUNS");

/* Fork, exec path with argv in the child, wait: the time it took (ticks), or 0. */
static uint64 exec_once(const char *path, char **argv)
{
	uint64 t0 = rdtime();
	int pid = fork(), status;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		exec((char *)path, argv);
		exit(127);
	}
	wait(&status);
	return status == 0 ? rdtime() - t0 : 0;
}

/* Median ns of fork + exec + exit + wait of path; -1 if it failed. */
static long exec_ns(const char *path, char **argv)
{
	if (!exec_once(path, argv))
		return -1;
	for (int i = 0; i < EXEC_RUNS; i++)
		if (!(samples[i] = exec_once(path, argv)))
			return -1;
	return (long)(median(EXEC_RUNS) * NS_PER_TICK);
}

/* A child running path, its stdin a pipe we hold: its pid (and *in), or -1. */
static int start_idle(const char *path, char **argv, int *in)
{
	int fds[2], pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(0);
		dup(fds[0]);
		close(fds[0]);
		close(fds[1]);
		exec((char *)path, argv);
		exit(127);
	}
	close(fds[0]);
	*in = fds[1];
	return pid;
}

/* Wait until pid sleeps with the same resident count three looks in a row. */
static int settle(int pid)
{
	static struct procinfo ps[64];
	uint64 last = ~0UL;
	int same = 0;

	for (int i = 0; i < IDLE_TRIES; i++) {
		int n = procinfo(ps, 64), found = 0;

		for (int j = 0; j < n && j < 64; j++) {
			if (ps[j].pid != pid)
				continue;
			found = 1;
			if (ps[j].state == PROCINFO_SLEEPING && ps[j].resident == last &&
			    ps[j].name[0] != 'e')   /* no longer execbench's fork */
				same++;
			else
				same = 0;
			last = ps[j].resident;
		}
		if (!found)
			return -1;
		if (same >= 3)
			return 0;
		sleep(1);
	}
	return -1;
}

/* Private pages (resident, not shared) and text pages of pid. */
static void pages_of(int pid, uint64 *private, uint64 *text)
{
	struct vmmap_entry map[MAX_AREAS];
	int n = vmmap(pid, map, MAX_AREAS);

	*private = *text = 0;
	for (int i = 0; i < n && i < MAX_AREAS; i++) {
		*private += map[i].resident - map[i].shared;
		if (map[i].kind == VMMAP_KIND_IMAGE && (map[i].prot & VMMAP_PROT_X))
			*text = map[i].resident;
	}
}

/* User frames /bigtext's exec took, the child waiting on its input. */
static long bigtext_frames(void)
{
	char *argv[] = { "bigtext", "wait", 0 };
	uint64 u0 = stat_now().user_frames, u1;
	int in, pid = start_idle("/bigtext", argv, &in), status;

	if (pid < 0)
		return -1;
	if (settle(pid) < 0) {
		close(in);
		wait(&status);
		return -1;
	}
	u1 = stat_now().user_frames;
	close(in);
	wait(&status);
	return (long)(u1 - u0);
}

/* Eight idle shells: what they took, and what the target allows them. */
static void shells(void)
{
	char *argv[] = { "sh", 0 };
	int pid[SHELLS], in[SHELLS], status, ok = 1;
	struct memstat s0 = stat_now(), s1;
	uint64 private = 0, text = 0;

	for (int i = 0; i < SHELLS; i++) {
		pid[i] = start_idle("/sh", argv, &in[i]);
		if (pid[i] < 0 || settle(pid[i]) < 0)
			ok = 0;
	}
	s1 = stat_now();
	for (int i = 0; ok && i < SHELLS; i++) {
		uint64 p, t;

		pages_of(pid[i], &p, &t);
		private += p;
		if (t > text)
			text = t;
	}
	/* Each shell holds the write ends of its elders' inputs: close all, then reap. */
	for (int i = 0; i < SHELLS; i++)
		if (pid[i] > 0)
			close(in[i]);
	for (int i = 0; i < SHELLS; i++)
		if (pid[i] > 0)
			wait(&status);
	bench("sh8_frames", ok ? (long)(s0.free_frames - s1.free_frames) : -1, "frames");
	bench("sh_text_pages", ok ? (long)text : -1, "pages");
	bench("sh8_private_frames", ok ? (long)private : -1, "frames");
	bench("sh8_pt_frames", ok ? (long)(s1.pt_frames - s0.pt_frames) : -1, "frames");
	bench("sh8_user_frames", ok ? (long)(s1.user_frames - s0.user_frames) : -1, "frames");
	bench("sh8_bound", ok ? (long)(text + private + s1.pt_frames - s0.pt_frames) : -1,
	      "frames");
	bench("sh8_kernel_frames", ok ? (long)((s0.free_frames - s1.free_frames) -
					     (s1.user_frames - s0.user_frames) -
					     (s1.pt_frames - s0.pt_frames)) : -1, "frames");
}

/* The byte at offset off of the benchmark file. */
static unsigned char pattern(uint64 off)
{
	return (unsigned char)(off * 7 + (off >> 12));
}

/* The sum of n bytes from p, in order: the work both read passes do. */
__attribute__((noinline)) static uint64 sum_bytes(const unsigned char *p, uint64 n)
{
	uint64 sum = 0;

	for (uint64 i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

/* Write the FILE_SIZE benchmark file; the sum of its bytes, or 0 on failure. */
static uint64 make_file(void)
{
	int fd = open(FILE_PATH, O_CREATE | O_TRUNC | O_WRONLY);
	uint64 sum = 0;

	if (fd < 0)
		return 0;
	for (uint64 off = 0; off < FILE_SIZE; off += FILE_CHUNK) {
		for (uint64 i = 0; i < FILE_CHUNK; i++)
			chunk[i] = pattern(off + i);
		sum += sum_bytes(chunk, FILE_CHUNK);
		if (write(fd, chunk, FILE_CHUNK) != (int)FILE_CHUNK) {
			sum = 0;
			break;
		}
	}
	close(fd);
	return sum;
}

/* One read() pass: its time (ticks) and the sum (*sum; 0 on failure). */
static uint64 read_pass(uint64 *sum)
{
	uint64 t0 = rdtime(), s = 0;
	int fd = open(FILE_PATH, O_RDONLY), n;

	if (fd < 0) {
		*sum = 0;
		return 0;
	}
	while ((n = read(fd, chunk, FILE_CHUNK)) > 0)
		s += sum_bytes(chunk, (uint64)n);
	close(fd);
	*sum = n < 0 ? 0 : s;
	return rdtime() - t0;
}

/* One mmap pass: its time (ticks) and the sum (*sum; 0 on failure). */
static uint64 mmap_pass(uint64 *sum)
{
	uint64 t0 = rdtime();
	int fd = open(FILE_PATH, O_RDONLY);
	unsigned char *p;

	*sum = 0;
	if (fd < 0)
		return 0;
	p = mmap(0, FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);   /* the mapping holds the file */
	if (p == MAP_FAILED)
		return 0;
	*sum = sum_bytes(p, FILE_SIZE);
	if (munmap(p, FILE_SIZE) < 0)
		*sum = 0;
	return rdtime() - t0;
}

/* Ticks of a sum over the file's mapping once it is all mapped; 0 on failure. */
static uint64 resum_ticks(uint64 want)
{
	int fd = open(FILE_PATH, O_RDONLY);
	unsigned char *p;
	uint64 t0, t = 0;

	if (fd < 0)
		return 0;
	p = mmap(0, FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 0;
	if (sum_bytes(p, FILE_SIZE) == want) {   /* maps every page */
		t0 = rdtime();
		if (sum_bytes(p, FILE_SIZE) == want)
			t = rdtime() - t0;
	}
	munmap(p, FILE_SIZE);
	return t;
}

/* The 16 MiB file read with read() and through mmap, taking turns. */
static void file_reads(void)
{
	static uint64 reads[FILE_RUNS], maps[FILE_RUNS];
	uint64 free0, free1, want, got, faults = 0;
	long read_ns = -1, mmap_ns = -1, resum_ns = -1;
	int ok;

	memset(chunk, 0, FILE_CHUNK);   /* resident before counting: not the file's */
	free0 = stat_now().free_frames;
	want = make_file();
	free1 = stat_now().free_frames;
	ok = want != 0;
	read_pass(&got);   /* warm-up, untimed */
	ok = ok && got == want;
	mmap_pass(&got);
	ok = ok && got == want;
	for (int i = 0; ok && i < FILE_RUNS; i++) {
		uint64 f0;

		reads[i] = read_pass(&got);
		ok = got == want;
		f0 = stat_now().faults_served;
		maps[i] = mmap_pass(&got);
		faults = stat_now().faults_served - f0;   /* the same each run */
		ok = ok && got == want;
	}
	if (ok) {
		for (int i = 0; i < FILE_RUNS; i++)
			samples[i] = reads[i];
		read_ns = (long)(median(FILE_RUNS) * NS_PER_TICK);
		for (int i = 0; i < FILE_RUNS; i++)
			samples[i] = maps[i];
		mmap_ns = (long)(median(FILE_RUNS) * NS_PER_TICK);
		for (int i = 0; ok && i < FILE_RUNS; i++)
			ok = (samples[i] = resum_ticks(want)) != 0;
		if (ok)
			resum_ns = (long)(median(FILE_RUNS) * NS_PER_TICK);
	}
	unlink(FILE_PATH);
	bench("read_16m_ns", read_ns, "ns");
	bench("mmap_read_16m_ns", mmap_ns, "ns");
	bench("mmap_read_faults", mmap_ns >= 0 ? (long)faults : -1, "faults");
	bench("resum_16m_ns", resum_ns, "ns");
	bench("file16m_frames", want ? (long)(free0 - free1) : -1, "frames");
	bench("file16m_frames_left", (long)(free0 - stat_now().free_frames), "frames");
}

int main(void)
{
	char *big[] = { "bigtext", 0 };
	char *small[] = { "echo", 0 };

	printf("BENCH mode exec\n");
	bench("exec_bigtext_ns", exec_ns("/bigtext", big), "ns");
	bench("exec_small_ns", exec_ns("/echo", small), "ns");
	bench("exec_bigtext_frames", bigtext_frames(), "frames");
	shells();
	file_reads();
	exit(0);
}
