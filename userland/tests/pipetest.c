/*
 * pipetest: pipes — a bulk transfer with a checksum, end of file, and
 * writing with no reader left (which fails with -1: there are no signals).
 */
#include "kernel/types.h"
#include "user/user.h"
#include "check.h"

#define BULK_BYTES   (1024 * 1024)
#define WRITE_CHUNK  4096      /* the writer's writes: large */
#define READ_CHUNK   333       /* the reader's reads: small and odd-sized */
#define SEED         0x2545f491u
#define FNV_OFFSET   2166136261u
#define FNV_PRIME    16777619u
#define NWRITERS     2
#define WRITER_OK    0
#define WRITER_SHORT 1         /* a write returned less than asked */
#define WRITER_GOT_ERROR 2     /* a write returned -1, as it should */

static char wbuf[WRITE_CHUNK], rbuf[READ_CHUNK];

/* A small deterministic byte stream (xorshift), so both ends agree. */
static uint32 next_random(uint32 *state)
{
	uint32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static uint32 fnv_add(uint32 h, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		h = (h ^ (uchar)p[i]) * FNV_PRIME;
	return h;
}

/* Fill buf with the next n bytes of the stream. */
static void fill(uint32 *state, char *buf, int n)
{
	for (int i = 0; i < n; i++)
		buf[i] = (char)next_random(state);
}

/* The checksum of the whole stream, computed here without a pipe. */
static uint32 expected_sum(void)
{
	uint32 state = SEED, h = FNV_OFFSET;

	for (int off = 0; off < BULK_BYTES; off += WRITE_CHUNK) {
		fill(&state, wbuf, WRITE_CHUNK);
		h = fnv_add(h, wbuf, WRITE_CHUNK);
	}
	return h;
}

/*
 * A child writes the stream in large writes while we read it in small
 * reads: the writer keeps running into a full pipe. The bytes must arrive
 * complete and in order, then end of file.
 */
static int bulk_checksum(void)
{
	uint32 want = expected_sum(), got = FNV_OFFSET;
	int fds[2], pid, n, total = 0, status = -1;

	if (pipe(fds) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid == 0) {
		uint32 state = SEED;

		close(fds[0]);
		for (int off = 0; off < BULK_BYTES; off += WRITE_CHUNK) {
			fill(&state, wbuf, WRITE_CHUNK);
			if (write(fds[1], wbuf, WRITE_CHUNK) != WRITE_CHUNK)
				exit(WRITER_SHORT);
		}
		exit(WRITER_OK);
	}
	close(fds[1]);
	while ((n = read(fds[0], rbuf, READ_CHUNK)) > 0) {
		got = fnv_add(got, rbuf, n);
		total += n;
	}
	close(fds[0]);
	wait(&status);
	if (pid < 0)
		return fail("fork failed");
	if (status != WRITER_OK)
		return fail("the writer saw a short write");
	if (total != BULK_BYTES)
		return fail("read %d bytes, wanted %d", total, BULK_BYTES);
	if (got != want)
		return fail("checksum %x, wanted %x", got, want);
	return 0;
}

/* Reading a pipe whose only writer is closed gives 0 at once. */
static int eof_empty(void)
{
	int fds[2], n;
	char c;

	if (pipe(fds) < 0)
		return fail("pipe failed");
	close(fds[1]);
	n = read(fds[0], &c, 1);
	close(fds[0]);
	if (n != 0)
		return fail("read gave %d", n);
	return 0;
}

/* End of file comes only after the last of several writers has closed. */
static int eof_last_writer(void)
{
	int fds[2], n, total = 0;
	char buf[16];

	if (pipe(fds) < 0)
		return fail("pipe failed");
	for (int i = 0; i < NWRITERS; i++) {
		if (fork() == 0) {
			close(fds[0]);
			sleep(i);   /* the second writer comes later */
			write(fds[1], "ab", 2);
			exit(0);
		}
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		total += n;
	n = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	for (int i = 0; i < NWRITERS; i++)
		wait(0);
	if (total != 2 * NWRITERS)
		return fail("read %d bytes before end of file, wanted %d", total, 2 * NWRITERS);
	if (n != 0)
		return fail("a read after end of file gave %d", n);
	return 0;
}

/* A write to a pipe with no read end fails, and the writer lives on. */
static int no_reader(void)
{
	int fds[2], n;

	if (pipe(fds) < 0)
		return fail("pipe failed");
	close(fds[0]);
	n = write(fds[1], "x", 1);
	close(fds[1]);
	if (n != -1)
		return fail("write returned %d", n);
	return 0;
}

/*
 * The reader goes away while the writer is blocked on a full pipe: the
 * blocked write must return (-1) rather than wait forever.
 */
static int reader_leaves(void)
{
	int fds[2], pid, status = -1;
	char c;

	if (pipe(fds) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (int off = 0; off < BULK_BYTES; off += WRITE_CHUNK) {
			if (write(fds[1], wbuf, WRITE_CHUNK) < 0)
				exit(WRITER_GOT_ERROR);
		}
		exit(WRITER_OK);
	}
	close(fds[1]);
	read(fds[0], &c, 1);   /* the writer is running */
	close(fds[0]);
	wait(&status);
	if (pid < 0)
		return fail("fork failed");
	if (status != WRITER_GOT_ERROR)
		return fail("the writer's status is %d, not a failed write", status);
	return 0;
}

int main(void)
{
	run_case("pipe_bulk_1mib", bulk_checksum);
	run_case("pipe_eof_empty", eof_empty);
	run_case("pipe_eof_last_writer", eof_last_writer);
	run_case("pipe_no_reader", no_reader);
	run_case("pipe_reader_leaves", reader_leaves);
	return 0;
}
