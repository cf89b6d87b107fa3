/*
 * proctest: processes — fork, exec, exit, wait, kill, getpid.
 *
 * `proctest exit N` is the helper the fork case runs: it exits with N.
 * Works as init (pid 1), where orphans come back to it.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "errno.h"
#include "check.h"

#define SELF          "/proctest"
#define NCHILD        100      /* children in the fork-and-exec case */
#define EXEC_FAILED   99       /* status of a child whose exec returned */
#define STATUS_DIRECT 42       /* status passed straight to exit() */
#define LONG_SLEEP    1000     /* ticks: far longer than the test runs */
#define NO_SUCH_PID   1000000
#define ZOMBIE_TICKS  100      /* ticks to wait for a child to exit */

static int pids[NCHILD];

/*
 * Fork NCHILD children, each exec'ing `proctest exit i`; wait for all and
 * check each one's status came back as i, through exec and wait.
 */
static int fork_exec_many(void)
{
	int seen = 0, wrong = 0, r, status;

	for (int i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			reap_all();
			return fail("fork %d of %d failed", i + 1, NCHILD);
		}
		if (pids[i] == 0) {
			char num[12];
			char *argv[] = { "proctest", "exit", num, 0 };

			snprintf(num, sizeof(num), "%d", i);
			exec(SELF, argv);
			exit(EXEC_FAILED);
		}
	}
	while (seen < NCHILD && (r = wait(&status)) >= 0) {
		for (int i = 0; i < NCHILD; i++) {
			if (pids[i] == r) {
				seen++;
				if (status != i)
					wrong++;
				break;
			}
		}
	}
	if (seen != NCHILD)
		return fail("wait returned %d of %d children", seen, NCHILD);
	if (wrong != 0)
		return fail("%d children came back with the wrong status", wrong);
	return 0;
}

/* The pids of the case above are distinct, and none is ours. */
static int pids_distinct(void)
{
	int me = getpid();

	for (int i = 0; i < NCHILD; i++) {
		if (pids[i] <= 0 || pids[i] == me)
			return fail("child %d has pid %d (we are %d)", i, pids[i], me);
		for (int j = 0; j < i; j++) {
			if (pids[i] == pids[j])
				return fail("children %d and %d share pid %d", j, i, pids[i]);
		}
	}
	return 0;
}

/* A child's getpid() is what fork returned to the parent. */
static int getpid_child(void)
{
	int fds[2], pid, child_says = 0, me = getpid();

	if (pipe(fds) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid == 0) {
		int mine = getpid();

		write(fds[1], &mine, sizeof(mine));
		exit(0);
	}
	close(fds[1]);
	read(fds[0], &child_says, sizeof(child_says));
	close(fds[0]);
	wait(0);
	if (pid < 0)
		return fail("fork failed");
	if (child_says != pid || child_says == me)
		return fail("fork said %d, child says %d, parent is %d", pid, child_says, me);
	return 0;
}

/* exit(n) without exec reaches wait; wait(0) is allowed. */
static int exit_status(void)
{
	int pid, r, status = -1;

	pid = fork();
	if (pid == 0)
		exit(STATUS_DIRECT);
	r = wait(&status);
	if (r != pid || status != STATUS_DIRECT)
		return fail("wait gave pid %d status %d, wanted %d status %d",
			    r, status, pid, STATUS_DIRECT);
	pid = fork();
	if (pid == 0)
		exit(0);
	r = wait(0);
	if (r != pid)
		return fail("wait(0) gave %d, wanted %d", r, pid);
	return 0;
}

/* exec /echo with its output on a pipe: the arguments arrive intact. */
static int exec_echo(void)
{
	static const char want[] = "hello lazuli world\n";
	char got[64];
	int fds[2], pid, n = 0, r;

	if (pipe(fds) < 0)
		return fail("pipe failed");
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "hello", "lazuli", "world", 0 };

		close(1);
		dup(fds[1]);
		close(fds[0]);
		close(fds[1]);
		exec("/echo", argv);
		exit(EXEC_FAILED);
	}
	close(fds[1]);
	while (n < (int)sizeof(got) - 1 && (r = read(fds[0], got + n, sizeof(got) - 1 - n)) > 0)
		n += r;
	got[n] = '\0';
	close(fds[0]);
	wait(0);
	if (strcmp(got, want) != 0)
		return fail("read back '%s'", got);
	return 0;
}

/* exec of a file that does not exist returns -1 to the caller. */
static int exec_missing(void)
{
	char *argv[] = { "nothing", 0 };

	if (exec("/no-such-program", argv) != -1)
		return fail("exec returned other than -1");
	return 0;
}

/* Write the first n bytes of `from` (or n bytes of `fill` if from is 0) to path. */
static int make_file(const char *path, const char *from, int n, char fill)
{
	static char buf[4096];
	int in = -1, out, got = n;

	if (n > (int)sizeof(buf))
		return -1;
	memset(buf, fill, n);
	if (from) {
		in = open(from, O_RDONLY);
		if (in < 0)
			return -1;
		got = read(in, buf, n);
		close(in);
	}
	out = open(path, O_CREATE | O_TRUNC | O_WRONLY);
	if (out < 0 || got != n || write(out, buf, n) != n) {
		if (out >= 0)
			close(out);
		return -1;
	}
	close(out);
	return 0;
}

/*
 * exec of files that are not runnable programs returns -1, and the
 * caller's image is untouched: it simply carries on (this very code runs
 * after each failed exec). Also too many and too long arguments.
 */
static int exec_bad_images(void)
{
	static char longarg[5000];
	char *argv[] = { "x", 0 };
	char *many[40];
	int err = 0;

	if (make_file("/trunc", "/echo", 200, 0) < 0 ||
	    make_file("/garbage", 0, 512, 'z') < 0 ||
	    make_file("/empty", 0, 0, 0) < 0)
		return fail("could not create the test files");
	if (exec("/trunc", argv) != -1)
		err = fail("a truncated ELF file did not fail");
	else if (exec("/garbage", argv) != -1)
		err = fail("a file of garbage did not fail");
	else if (exec("/empty", argv) != -1)
		err = fail("an empty file did not fail");
	else if (exec("/", argv) != -1)
		err = fail("a directory did not fail");
	unlink("/trunc");
	unlink("/garbage");
	unlink("/empty");
	if (err)
		return err;

	for (int i = 0; i < 39; i++)
		many[i] = "arg";
	many[39] = 0;
	if (exec("/echo", many) != -1)
		return fail("39 arguments (more than MAXARG) did not fail");
	memset(longarg, 'a', sizeof(longarg) - 1);
	char *toolong[] = { "echo", longarg, 0 };
	if (exec("/echo", toolong) != -1)
		return fail("a 5000-byte argument did not fail");
	return 0;
}

/*
 * A child forks a grandchild and exits at once. The grandchild, now an
 * orphan, must still run to completion, and it is no longer our child:
 * wait() cannot return it — unless we are init, to whom it was given.
 *
 * hold: the grandchild blocks reading it until we close our end (so it
 *       is still alive when its parent exits).
 * done: the grandchild writes its pid there once it has gone on.
 */
static int orphan(void)
{
	int hold[2], done[2], child, grandchild = 0, r, status;
	char c;

	if (pipe(hold) < 0 || pipe(done) < 0)
		return fail("pipe failed");
	child = fork();
	if (child == 0) {
		if (fork() == 0) {
			int me = getpid();

			close(hold[1]);
			read(hold[0], &c, 1);   /* EOF once the test lets go */
			write(done[1], &me, sizeof(me));
			exit(0);
		}
		exit(0);
	}
	close(hold[0]);
	close(done[1]);
	r = wait(&status);
	if (r != child) {
		close(hold[1]);
		close(done[0]);
		return fail("wait gave %d, wanted the child %d", r, child);
	}
	/* Let the orphan go on before asking, so a wrong answer cannot hang. */
	close(hold[1]);
	if (getpid() != 1 && (r = wait(0)) != -1) {
		close(done[0]);
		return fail("wait returned %d: the orphan became our child", r);
	}
	r = read(done[0], &grandchild, sizeof(grandchild));
	close(done[0]);
	if (r != sizeof(grandchild))
		return fail("the orphan never ran on (read gave %d)", r);
	if (getpid() == 1 && (r = wait(0)) != grandchild)
		return fail("as init, wait gave %d, wanted the orphan %d", r, grandchild);
	return 0;
}

/* kill() ends a child sleeping far longer than the test runs. */
static int kill_sleeping(void)
{
	int pid, r, status = 0;

	pid = fork();
	if (pid < 0)
		return fail("fork failed");
	if (pid == 0) {
		sleep(LONG_SLEEP);
		exit(0);
	}
	sleep(1);   /* let it fall asleep */
	if (kill(pid) != 0) {
		return fail("kill(%d) failed", pid);
	}
	r = wait(&status);
	if (r != pid)
		return fail("wait gave %d, wanted %d", r, pid);
	if (status == 0)
		return fail("the child finished its sleep instead of dying");
	return 0;
}

/*
 * Issue 10, items 2 and 3: a process doing back-to-back long reads (8 MiB
 * of a file per call) must neither starve a sleeper nor outlive a kill by
 * more than a few ticks. The kernel is not preempted; the file read's
 * per-page preemption point is what lets the tick (and the kill) in.
 */
#define HOG_FILE   "/hogfile"
#define HOG_BYTES  (8 * 1024 * 1024)
#define HOG_CHUNK  (64 * 1024)
#define SLEEPS     10
#define MAX_LATE   5   /* ticks beyond the 1-tick sleep, or after the kill */

static int start_hog(char *buf)
{
	int pid, fd = open(HOG_FILE, O_CREATE | O_RDWR);

	if (fd < 0)
		return -1;
	memset(buf, 'h', HOG_CHUNK);
	for (int i = 0; i < HOG_BYTES / HOG_CHUNK; i++)
		if (write(fd, buf, HOG_CHUNK) != HOG_CHUNK)
			return -1;
	close(fd);
	pid = fork();
	if (pid == 0) {
		fd = open(HOG_FILE, O_RDONLY);
		for (;;) {   /* read it all, again and again, until killed */
			close(fd);
			fd = open(HOG_FILE, O_RDONLY);
			read(fd, buf, HOG_BYTES);
		}
	}
	return pid;
}

static int long_calls_preempted(void)
{
	char *buf = sbrk(HOG_BYTES);
	int pid, worst = 0, t, status;

	if (buf == (char *)-1)
		return fail("sbrk failed");
	pid = start_hog(buf);
	if (pid < 0)
		return fail("cannot start the reader");
	sleep(2);   /* let it get going */
	for (int i = 0; i < SLEEPS; i++) {
		t = uptime();
		sleep(1);
		t = uptime() - t;
		if (t > worst)
			worst = t;
	}
	t = uptime();
	kill(pid);
	if (wait(&status) != pid)
		return fail("lost the reader");
	t = uptime() - t;
	sbrk(-HOG_BYTES);
	unlink(HOG_FILE);
	if (worst > 1 + MAX_LATE)
		return fail("a 1-tick sleep took %d ticks beside a long reader", worst);
	if (t > MAX_LATE)
		return fail("the reader died %d ticks after the kill", t);
	return 0;
}

static int kill_nobody(void)
{
	if (kill(NO_SUCH_PID) != -1)
		return fail("kill(%d) did not fail", NO_SUCH_PID);
	return 0;
}

/* The state procinfo reports for pid, or 0 if there is no such process. */
static int state_of(int pid)
{
	static struct procinfo info[NPROC];
	int n = procinfo(info, NPROC);

	for (int i = 0; i < n && i < NPROC; i++)
		if (info[i].pid == pid)
			return info[i].state;
	return 0;
}

/*
 * A child that has exited but is not yet waited for is still a child:
 * setpgid finds it (the shell's parent-side setpgid after a fast child),
 * and only once it is reaped is it no such process.
 */
static int setpgid_zombie_child(void)
{
	int pid, status;

	pid = fork();
	if (pid < 0)
		return fail("fork failed");
	if (pid == 0)
		exit(0);
	for (int t = 0; state_of(pid) != PROCINFO_ZOMBIE; t++) {
		if (t == ZOMBIE_TICKS)
			return fail("child %d not a zombie after %d ticks", pid, ZOMBIE_TICKS);
		sleep(1);
	}
	if (setpgid(pid, pid) != 0)
		return fail("setpgid of the zombie child %d failed (errno %d)", pid, errno);
	if (wait(&status) != pid)
		return fail("wait did not give the child %d", pid);
	errno = 0;
	if (setpgid(pid, pid) != -1 || errno != ESRCH)
		return fail("setpgid of the reaped child %d: errno %d, wanted ESRCH", pid, errno);
	return 0;
}

/* With every child reaped, wait returns -1 at once. */
static int wait_no_children(void)
{
	int r = wait(0);

	if (r != -1)
		return fail("wait returned %d", r);
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "exit") == 0)
		exit(atoi(argv[2]));

	run_case("fork_exec_100", fork_exec_many);
	run_case("pids_distinct", pids_distinct);
	run_case("getpid_child", getpid_child);
	run_case("exit_status", exit_status);
	run_case("exec_echo", exec_echo);
	run_case("exec_missing", exec_missing);
	run_case("exec_bad_images", exec_bad_images);
	run_case("orphan_reparent", orphan);
	run_case("kill_sleeping", kill_sleeping);
	run_case("kill_nobody", kill_nobody);
	run_case("setpgid_zombie_child", setpgid_zombie_child);
	run_case("long_calls_preempted", long_calls_preempted);
	run_case("wait_no_children", wait_no_children);
	return 0;
}
