/*
 * cowrefs: copy-on-write fork: who holds a frame, and when it is freed.
 *
 * A frame shared by fork has one reference per process that maps it. A
 * write copies only while someone else holds the frame; once the others
 * have written or exited, the writer's frame is its alone and a write
 * reuses it. The frame goes back only when the last reference goes.
 * Every order of write and exit by an owner and its child checks that to
 * the frame, and so does a child that execs (exec drops its references).
 *
 * One binary for every switch: memstat() says whether copy-on-write
 * (mm.cow) is on; without it fork copies, and no write takes a frame.
 * cowtests checks isolation, the kernel's copies and OOM; zerotests the
 * zero page; stacktests stack growth. docs/lazy-tests.md ("cowtests")
 * lists the cases.
 *
 * Run as init (init=/cowrefs test=1) or from the shell. Every case prints
 * one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "cowhelp.c"

#define ORDER_PAGES     64         /* reference-count scenarios */
#define EXEC_PAGES      256

/* -- reference counts ------------------------------------------------------ */

/*
 * A scenario: the steps of two processes sharing a region, M (the owner,
 * our child) and C (M's child). "mw" M writes every page, "mx" M exits
 * (and we reap it), "cw", "cx" the same for C (and M, if alive, reaps it).
 */
struct order {
	const char *name;
	const char *steps[4];
};

static const struct order orders[] = {
	{ "refs_mw_mx_cw_cx", { "mw", "mx", "cw", "cx" } },
	{ "refs_mw_cw_mx_cx", { "mw", "cw", "mx", "cx" } },
	{ "refs_mw_cw_cx_mx", { "mw", "cw", "cx", "mx" } },
	{ "refs_cw_mw_mx_cx", { "cw", "mw", "mx", "cx" } },
	{ "refs_cw_mw_cx_mx", { "cw", "mw", "cx", "mx" } },
	{ "refs_cw_cx_mw_mx", { "cw", "cx", "mw", "mx" } },
	{ "refs_mw_mx_cx",    { "mw", "mx", "cx" } },
	{ "refs_mw_cx_mx",    { "mw", "cx", "mx" } },
	{ "refs_cx_mw_mx",    { "cx", "mw", "mx" } },
	{ "refs_cw_cx_mx",    { "cw", "cx", "mx" } },
	{ "refs_cw_mx_cx",    { "cw", "mx", "cx" } },
	{ "refs_mx_cw_cx",    { "mx", "cw", "cx" } },
	{ "refs_mx_cx",       { "mx", "cx" } },
	{ "refs_cx_mx",       { "cx", "mx" } },
};
#define NORDERS ((int)(sizeof(orders) / sizeof(orders[0])))

#define ACK_OK   '+'
#define CMD_WRITE_COPIES 'W'   /* write; every page must be copied */
#define CMD_WRITE_REUSES 'w'   /* write; no frame may move */
#define CMD_REAP  'r'
#define CMD_EXIT  'x'

static struct {
	int cmd[2][2];     /* [0]: to M, [1]: to C */
	int ack[2];
	int cpid;          /* in M: its child */
} ord;

/* In M or C: fail through the ack pipe. */
static void __attribute__((noreturn)) worker_fail(const char *why)
{
	char buf[WHY_MAX + 1];
	int n = snprintf(buf, sizeof(buf), "!%s", why);

	write(ord.ack[1], buf, n < WHY_MAX ? n : WHY_MAX);
	exit(CHILD_FAILED);
}

/* M (id 1) or C (id 2): obey the commands on fd until told to exit. */
static void __attribute__((noreturn)) worker(int id, int fd)
{
	char why[WHY_MAX], op;
	int wrote = 0;

	prefault_self();
	write(ord.ack[1], "+", 1);
	while (read(fd, &op, 1) == 1) {
		uint64 f1, f2, want = op == CMD_WRITE_COPIES ? ORDER_PAGES : 0;
		switch (op) {
		case CMD_WRITE_COPIES:
		case CMD_WRITE_REUSES:
			f1 = free_now();
			fill_pages(shared.base, 0, ORDER_PAGES, id);
			f2 = free_now();
			wrote = 1;
			if (f1 - f2 != want) {
				snprintf(why, sizeof(why), "%c's writes took %ld frames, want %lu",
					 id == 1 ? 'M' : 'C', (long)(f1 - f2), want);
				worker_fail(why);
			}
			break;
		case CMD_REAP:
			if (wait_for(ord.cpid) != 0)
				worker_fail("C ended badly");
			break;
		case CMD_EXIT:
			break;
		}
		if (check_pages(shared.base, 0, ORDER_PAGES, wrote ? id : 0) >= 0) {
			snprintf(why, sizeof(why), "%c's pages do not hold %s values",
				 id == 1 ? 'M' : 'C', wrote ? "its own" : "the original");
			worker_fail(why);
		}
		write(ord.ack[1], "+", 1);
		if (op == CMD_EXIT)
			exit(0);
	}
	worker_fail("command pipe closed");
}

/* M: make the region, fork C, then obey. */
static void __attribute__((noreturn)) owner(void)
{
	close(ord.cmd[0][1]);
	close(ord.cmd[1][1]);
	close(ord.ack[0]);
	if (shared_new(ORDER_PAGES))
		worker_fail("sbrk failed");
	ord.cpid = fork();
	if (ord.cpid < 0)
		worker_fail("fork of C failed");
	if (ord.cpid == 0) {
		close(ord.cmd[0][0]);
		worker(2, ord.cmd[1][0]);
	}
	close(ord.cmd[1][0]);
	worker(1, ord.cmd[0][0]);
}

/* Wait for one ack; 0, or fail() with what the worker said. */
static int await_ack(const char *step)
{
	char buf[WHY_MAX];
	int n;

	if (read(ord.ack[0], buf, 1) != 1)
		return fail("%s: no answer", step);
	if (buf[0] == ACK_OK)
		return 0;
	n = read(ord.ack[0], buf + 1, sizeof(buf) - 2);
	buf[n > 0 ? n + 1 : 1] = '\0';
	return fail("%s: %s", step, buf[0] == WHY_MARK ? buf + 1 : buf);
}

static void close_order_pipes(void)
{
	for (int i = 0; i < 2; i++) {
		close(ord.cmd[i][0]);
		close(ord.cmd[i][1]);
	}
	close(ord.ack[0]);
	close(ord.ack[1]);
}

/* Run one scenario; frames must be where they were when it is over. */
static int run_order(const struct order *o)
{
	uint64 free0 = free_now();   /* the pipes are made and freed inside */
	int alive[2] = { 1, 1 }, wrote[2] = { 0, 0 }, mpid, err = 0;

	if (pipe(ord.cmd[0]) < 0 || pipe(ord.cmd[1]) < 0 || pipe(ord.ack) < 0)
		return fail("pipe failed");
	mpid = fork();
	if (mpid < 0) {
		close_order_pipes();
		return fail("fork failed");
	}
	if (mpid == 0)
		owner();
	close(ord.cmd[0][0]);
	close(ord.cmd[1][0]);
	close(ord.ack[1]);
	ord.cmd[0][0] = ord.cmd[1][0] = ord.ack[1] = -1;
	if (await_ack("start M") || await_ack("start C"))
		err = -1;
	for (int s = 0; s < 4 && o->steps[s] && !err; s++) {
		int who = o->steps[s][0] == 'c', other = !who;
		char cmd = CMD_EXIT;

		if (o->steps[s][1] == 'w') {
			cmd = cow && alive[other] && !wrote[other] ? CMD_WRITE_COPIES
								   : CMD_WRITE_REUSES;
			wrote[who] = 1;
		}
		write(ord.cmd[who][1], &cmd, 1);
		if ((err = await_ack(o->steps[s])) != 0)
			break;
		if (cmd != CMD_EXIT)
			continue;
		alive[who] = 0;
		if (who == 0) {
			if (wait_for(mpid) != 0)
				err = fail("M ended badly");
		} else if (alive[0]) {
			cmd = CMD_REAP;
			write(ord.cmd[0][1], &cmd, 1);
			err = await_ack("M reaps C");
		}
	}
	close_order_pipes();   /* a worker left behind reads EOF and exits */
	if (err)
		kill(mpid);
	reap_all();
	if (free_settled(free0) != free0 && !err)
		err = fail("%ld frames missing after %s", (long)(free0 - free_now()), o->name);
	return err;
}

/* Fork then exec: exec drops the child's references, the parent's writes reuse. */
static void exec_child(void)
{
	char *argv[] = { "echo", "cowexec", 0 };

	close(1);
	if (dup(report_fd) != 1)
		child_fail("dup failed");
	exec("/echo", argv);
	child_fail("exec returned");
}

static int fork_exec(void)
{
	uint64 mark = brk_now(), free0 = free_now(), f1, f2;
	struct vmmap_entry h;
	struct child c;
	long bad;
	int err = 0;

	if (shared_new(EXEC_PAGES))
		return fail("sbrk failed");
	if (run_child(exec_child, &c) < 0)
		err = fail("pipe or fork failed");
	else if (c.status != 0 || strcmp(c.out, "cowexec\n") != 0)
		err = fail("echo said \"%s\", status %d", c.out, c.status);
	h = heap_now();
	if (!err && h.shared != 0)
		err = fail("%lu heap pages still shared after the child exec'd", h.shared);
	f1 = free_now();
	fill_pages(shared.base, 0, EXEC_PAGES, 1);
	f2 = free_now();
	if (!err && f1 != f2)
		err = fail("writing pages no one else maps took %ld frames", (long)(f1 - f2));
	if (!err && (bad = check_pages(shared.base, 0, EXEC_PAGES, 1)) >= 0)
		err = fail("page %ld lost what was written", bad);
	brk_reset(mark);
	if (!err && free_settled(free0) != free0)
		err = fail("%ld frames missing afterwards", (long)(free0 - free_now()));
	return err;
}

int main(void)
{
	cow_warm_up("cowrefs");

	for (int i = 0; i < NORDERS; i++) {
		check_why[0] = '\0';
		report(orders[i].name, run_order(&orders[i]) == 0, check_why);
	}
	run_case("fork_exec", fork_exec);

	run_case("cowrefs_frames_balanced", balanced_since_start);
	exit(0);
}
