/*
 * exectests: demand-paged exec (docs/demand-paging.md).
 *
 * exec maps a program's text straight from the file's frames (shared by
 * every process running it, and keeping writers out of the file), its
 * data as a private copy-on-write file mapping, copies only the page
 * where data ends and .bss begins, and leaves whole .bss pages to the
 * zero page. The cases:
 *
 *   every_program_runs     each program of / runs with harmless arguments
 *                          (the test suites run as init in their own boot
 *                          cases: the table says which)
 *   sh_text_shared         two idle shells: the second one's text frames
 *                          are the first one's (the file's), and what its
 *                          start cost in user frames is exactly its private
 *                          pages, none of them text
 *   untouched_text_one_frame  bigtext (1 MiB of text) maps one text page
 *   bigbss_no_bss_frames   bigbss (4 MiB of .bss) starts for a handful of
 *                          frames; all of .bss then reads as zeros
 *   etxtbsy                a running program's file cannot be opened for
 *                          writing, and a file open for writing cannot be
 *                          exec'd; both work again afterwards
 *   unlink_while_running   the running copy of an unlinked program keeps
 *                          its text (reads all 1 MiB of it) and exits 0;
 *                          the file's frames come back afterwards
 *   bad_files_fail         garbage, an empty file and truncated copies of a
 *                          program fail exec with -1, the caller's image
 *                          intact (elftest has the crafted headers)
 *   exec_frames_balanced   free frames as at the start
 *
 * Children that are meant to stay up read their standard input, a pipe
 * the test holds, and exit at its end of file; the test waits until
 * procinfo says they sleep before it counts. Run as init (init=/exectests
 * test=1) or from the shell; every case prints one PASS/FAIL line.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "kernel/fcntl.h"
#include "lazuli/stat.h"
#include "lazuli/dirent.h"

#define EXEC_FAILED     127        /* a child's status when its exec returned */
#define MAX_PROCS       64         /* procinfo's buffer */
#define IDLE_TRIES      200        /* looks for a child to go to sleep */
#define IDLE_CONFIRM    3          /* ... and to stay asleep with the same figures */
#define BIGTEXT_BYTES   (1024 * KiB)
#define BIGBSS_BYTES    (4 * MiB)
#define BIGBSS_MAX_COST 32         /* frames bigbss may cost to start (4 MiB = 1024) */
#define COPY_CHUNK      4096
#define COPY_PATH       "/ex_copy"
#define BAD_PATH        "/ex_bad"

/* -- children --------------------------------------------------------------- */

/* A child running a program, its standard input a pipe we hold. */
struct running {
	int pid;
	int in;    /* write end of its stdin; close it and the child exits */
	int out;   /* read end of its stdout+stderr, or -1 */
};

/*
 * Start path with argv in a child whose stdin is a new pipe (kept open
 * when hold, else its end of file at once) and whose stdout and stderr
 * go into another pipe. 0 or -1.
 */
static int spawn(const char *path, char **argv, int hold, struct running *r)
{
	int in[2], out[2];

	if (pipe(in) < 0)
		return -1;
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		close(0);
		dup(in[0]);
		close(1);
		dup(out[1]);
		close(2);
		dup(out[1]);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		exec((char *)path, argv);
		exit(EXEC_FAILED);
	}
	close(in[0]);
	close(out[1]);
	r->out = out[0];
	r->in = in[1];
	if (!hold) {
		close(r->in);
		r->in = -1;
	}
	return 0;
}

/* Let the child finish: end its input, take its output, reap it. */
static void finish(struct running *r, struct child *c)
{
	memset(c, 0, sizeof(*c));
	if (r->in >= 0)
		close(r->in);
	collect(r->out, c);
	close(r->out);
	c->status = wait_for(r->pid);
}

/* Run path to its end; its status and output in *c. 0, or -1 if it could not start. */
static int run(const char *path, char **argv, struct child *c)
{
	struct running r;

	if (spawn(path, argv, 0, &r) < 0)
		return -1;
	finish(&r, c);
	return 0;
}

/* pid's procinfo entry; 0, or -1 when there is no such process. */
static int proc_of(int pid, struct procinfo *out)
{
	static struct procinfo ps[MAX_PROCS];
	int n = procinfo(ps, MAX_PROCS);

	for (int i = 0; i < n && i < MAX_PROCS; i++) {
		if (ps[i].pid == pid) {
			*out = ps[i];
			return 0;
		}
	}
	return -1;
}

/*
 * Wait until pid runs name and sleeps, with the same resident figure
 * IDLE_CONFIRM looks in a row (it is blocked reading its input, done
 * faulting). 0, or -1 when it died or never settled.
 */
static int idle(int pid, const char *name)
{
	uint64 last = ~0UL;
	int same = 0;

	for (int i = 0; i < IDLE_TRIES; i++) {
		struct procinfo p;

		if (proc_of(pid, &p) < 0 || p.state == PROCINFO_ZOMBIE)
			return -1;
		if (p.state == PROCINFO_SLEEPING && strcmp(p.name, name) == 0 &&
		    p.resident == last) {
			if (++same >= IDLE_CONFIRM)
				return 0;
		} else {
			same = 0;
		}
		last = p.resident;
		sleep(1);
	}
	return -1;
}

/* pid's text area (the image area with execute permission); 0 or -1. */
static int text_of(int pid, struct vmmap_entry *out)
{
	struct vmmap_entry map[MAX_AREAS];
	int n = vmmap(pid, map, MAX_AREAS);

	for (int i = 0; i < n && i < MAX_AREAS; i++) {
		if (map[i].kind == VMMAP_KIND_IMAGE && (map[i].prot & VMMAP_PROT_X)) {
			*out = map[i];
			return 0;
		}
	}
	return -1;
}

/* pid's private pages (resident, not shared), summed over its areas. */
/*
 * The user frames pid's pages cost: those no other process maps. In a
 * file area the pages still copy-on-write are the file's own frames (page
 * cache, not user frames); only its private copies count.
 */
static uint64 private_pages(int pid)
{
	struct vmmap_entry map[MAX_AREAS];
	int n = vmmap(pid, map, MAX_AREAS);
	uint64 sum = 0;

	for (int i = 0; i < n && i < MAX_AREAS; i++)
		sum += map[i].inum ? map[i].resident - map[i].cow : map[i].resident - map[i].shared;
	return sum;
}

static uint64 user_frames_now(void)
{
	struct memstat st;

	memstat(&st);
	return st.user_frames;
}

/* Does s contain sub? */
static int contains(const char *s, const char *sub)
{
	uint n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return 1;
	return n == 0;
}

/* -- every program runs ------------------------------------------------------- */

/* How a program of / is run here. */
enum how {
	RUN,        /* to its end: it must exit with status want */
	RUN_ANY,    /* to its end: any exit will do (a usage message, say) */
	START,      /* it never ends by itself: once it runs, kill it */
	ELSEWHERE,  /* a test suite or benchmark: run as init by its own boot case */
	NOT_RUN,    /* not a program: a file of the image (README) */
};

struct program {
	const char *name;
	enum how    how;
	int         want;          /* RUN: the exit status */
	const char *arg;           /* one argument, or 0 */
	const char *says;          /* RUN: its output must contain this, or 0 */
};

static const struct program programs[] = {
	{ "init",      START,     0, 0, 0 },   /* restarts sh, which reads our end of file */
	{ "sh",        RUN,       0, 0, 0 },
	{ "echo",      RUN,       0, "hi", "hi\n" },
	{ "cat",       RUN,       0, 0, 0 },
	{ "ls",        RUN,       0, "/", "echo" },
	{ "mkdir",     RUN_ANY,   0, 0, 0 },   /* no argument: a usage line */
	{ "rm",        RUN_ANY,   0, 0, 0 },
	{ "ln",        RUN_ANY,   0, 0, 0 },
	{ "wc",        RUN,       0, 0, "0 0 0" },
	{ "grep",      RUN_ANY,   0, "x", 0 },
	{ "kill",      RUN_ANY,   0, 0, 0 },
	{ "sleep",     RUN,       0, "1", 0 },
	{ "pwd",       RUN,       0, 0, "/" },
	{ "free",      RUN,       0, 0, 0 },
	{ "pmap",      RUN,       0, 0, "image" },
	{ "ps",        RUN,       0, 0, "ps" },
	{ "cowdemo",   RUN,       0, 0, "cowdemo: ok" },
	{ "seqtouch",  RUN,       0, "4", "4 pages" },
	{ "bigtext",   RUN,       0, "sum", 0 },
	{ "bigbss",    RUN,       0, "check", 0 },
	{ "exectests", ELSEWHERE, 0, 0, 0 },   /* this program */
	{ "README",    NOT_RUN,   0, 0, 0 },
	{ "libctest",  ELSEWHERE, 0, 0, 0 },   /* libc */
	{ "proctest",  ELSEWHERE, 0, 0, 0 },   /* testall: syscalls_smp1/4 */
	{ "fstest",    ELSEWHERE, 0, 0, 0 },
	{ "pipetest",  ELSEWHERE, 0, 0, 0 },
	{ "badptr",    ELSEWHERE, 0, 0, 0 },
	{ "errnotest", ELSEWHERE, 0, 0, 0 },   /* testall, and the case errno */
	{ "testall",   ELSEWHERE, 0, 0, 0 },
	{ "elftest",   ELSEWHERE, 0, 0, 0 },   /* elftest_smp1/4 */
	{ "fuzz",      ELSEWHERE, 0, 0, 0 },   /* fuzz_smp1/4 (docs/reliability.md) */
	{ "stress",    ELSEWHERE, 0, 0, 0 },   /* stress_smp4 */
	{ "lazytests", ELSEWHERE, 0, 0, 0 },   /* lazytests_smp1/4/... */
	{ "lazyio",    ELSEWHERE, 0, 0, 0 },
	{ "memtests",  ELSEWHERE, 0, 0, 0 },
	{ "cowtests",  ELSEWHERE, 0, 0, 0 },   /* cowtests_* */
	{ "cowrefs",   ELSEWHERE, 0, 0, 0 },
	{ "zerotests", ELSEWHERE, 0, 0, 0 },
	{ "stacktests", ELSEWHERE, 0, 0, 0 },
	{ "mmapfiles", ELSEWHERE, 0, 0, 0 },   /* mmapfiles_* */
	{ "mmapranges", ELSEWHERE, 0, 0, 0 },
	{ "mmapfork",  ELSEWHERE, 0, 0, 0 },
	{ "lazybench", ELSEWHERE, 0, 0, 0 },   /* ./lazuli bench */
	{ "cowbench",  ELSEWHERE, 0, 0, 0 },
	{ "execbench", ELSEWHERE, 0, 0, 0 },
	{ "latbench",  ELSEWHERE, 0, 0, 0 },
	{ "failtest",  ELSEWHERE, 0, 0, 0 },   /* failtest_*: under fail.frame only */
};

static const struct program *program_named(const char *name)
{
	for (uint i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		if (strcmp(programs[i].name, name) == 0)
			return &programs[i];
	return 0;
}

/* Start p, and kill it once it runs its own program. 0 or fail(). */
static int start_and_kill(const char *path, char **argv, const char *name)
{
	struct running r;
	struct procinfo pi;
	struct child c;
	int running = 0;

	if (spawn(path, argv, 0, &r) < 0)
		return fail("%s: pipe or fork failed", name);
	for (int i = 0; i < IDLE_TRIES && !running; i++) {
		if (proc_of(r.pid, &pi) < 0)
			break;
		running = strcmp(pi.name, name) == 0 || pi.state == PROCINFO_ZOMBIE;
		if (!running)
			sleep(1);
	}
	kill(r.pid);
	finish(&r, &c);
	if (c.status == EXEC_FAILED)
		return fail("exec %s failed", path);
	if (!running)
		return fail("%s never ran", name);
	return 0;
}

/* Run p as its table entry says. 0 or fail(). */
static int run_program(const struct program *p)
{
	char path[DIRSIZ + 2];
	char *argv[3] = { (char *)p->name, (char *)p->arg, 0 };
	struct child c;

	snprintf(path, sizeof(path), "/%s", p->name);
	if (p->how == START)
		return start_and_kill(path, argv, p->name);
	if (run(path, argv, &c) < 0)
		return fail("%s: pipe or fork failed", p->name);
	if (c.status == EXEC_FAILED)
		return fail("exec %s failed", path);
	if (c.status == KILLED)
		return fail("%s was killed", p->name);
	if (p->how == RUN && c.status != p->want)
		return fail("%s exited with %d, want %d", p->name, c.status, p->want);
	if (p->says && !contains(c.out, p->says))
		return fail("%s did not say \"%s\"", p->name, p->says);
	return 0;
}

/*
 * Every regular file of / is a program (the image holds nothing else):
 * each one runs, or the table names where it does.
 */
static int every_program_runs(void)
{
	struct dirent de;
	int fd = open("/", O_RDONLY), err = 0, ran = 0;

	if (fd < 0)
		return fail("cannot open /");
	while (!err && read(fd, &de, sizeof(de)) == sizeof(de)) {
		char name[DIRSIZ + 1], path[DIRSIZ + 2];
		const struct program *p;
		struct stat st;

		if (de.inum == 0)
			continue;
		memmove(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		snprintf(path, sizeof(path), "/%s", name);
		if (stat(path, &st) < 0 || st.type != T_FILE)
			continue;
		p = program_named(name);
		if (!p)
			err = fail("/%s is in no table: say how it runs", name);
		else if (p->how != ELSEWHERE && p->how != NOT_RUN) {
			err = run_program(p);
			ran++;
		}
	}
	close(fd);
	reap_all();   /* init's shells */
	if (!err && ran < 10)
		err = fail("only %d programs ran", ran);
	return err;
}

/* -- sharing and laziness ------------------------------------------------------ */

/*
 * Two idle shells. The second one's text is mapped from the same frames
 * as the first one's (the file's: every text page is shared), and its
 * start took exactly its private pages in user frames: none for text.
 * (Under copying exec, each shell's text was private user frames.)
 */
static int sh_text_shared(void)
{
	char *argv[] = { "sh", 0 };
	struct running a, b;
	struct vmmap_entry ta, tb;
	struct child c;
	uint64 u0, u1, priv;
	int err = 0;

	if (spawn("/sh", argv, 1, &a) < 0 || idle(a.pid, "sh") < 0)
		return fail("the first sh did not start");
	u0 = user_frames_now();
	if (spawn("/sh", argv, 1, &b) < 0 || idle(b.pid, "sh") < 0) {
		finish(&a, &c);
		return fail("the second sh did not start");
	}
	u1 = user_frames_now();
	priv = private_pages(b.pid);
	if (text_of(a.pid, &ta) < 0 || text_of(b.pid, &tb) < 0)
		err = fail("no text area");
	else if (tb.resident == 0 || tb.shared != tb.resident)
		err = fail("the second sh maps %lu text pages, %lu of them shared",
			   tb.resident, tb.shared);
	else if (tb.inum == 0 || tb.inum != ta.inum || tb.offset != ta.offset)
		err = fail("text from inode %lu at %lu and inode %lu at %lu",
			   ta.inum, ta.offset, tb.inum, tb.offset);
	/* Each of the second one's text pages: the first sh's and its own. */
	else if (tb.pss_x1000 > tb.resident * 1000 / 2)
		err = fail("text Pss %lu/1000 for %lu pages: not shared two ways",
			   tb.pss_x1000, tb.resident);
	else if (u1 - u0 != priv)
		err = fail("the second sh took %ld user frames, its private pages are %lu",
			   (long)(u1 - u0), priv);
	finish(&b, &c);
	if (!err && c.status != 0)
		err = fail("the second sh exited with %d", c.status);
	finish(&a, &c);
	if (!err && c.status != 0)
		err = fail("the first sh exited with %d", c.status);
	return err;
}

/* bigtext's 1 MiB of text: it runs one page of it, and only that page is mapped. */
static int untouched_text_one_frame(void)
{
	char *argv[] = { "bigtext", "wait", 0 };
	struct running r;
	struct vmmap_entry t;
	struct child c;
	uint64 u0 = user_frames_now(), priv;
	int err = 0;

	if (spawn("/bigtext", argv, 1, &r) < 0 || idle(r.pid, "bigtext") < 0)
		return fail("bigtext did not start");
	priv = private_pages(r.pid);
	if (text_of(r.pid, &t) < 0)
		err = fail("no text area");
	else if (t.end - t.start < BIGTEXT_BYTES)
		err = fail("the text area is %lu bytes, want 1 MiB or more", t.end - t.start);
	else if (t.resident != 1)
		err = fail("%lu text pages mapped, want 1", t.resident);
	else if (user_frames_now() - u0 != priv)
		err = fail("bigtext took %ld user frames, its private pages are %lu",
			   (long)(user_frames_now() - u0), priv);
	finish(&r, &c);
	if (!err && c.status != 0)
		err = fail("bigtext exited with %d", c.status);
	return err;
}

/* bigbss: 4 MiB of .bss, and starting it costs a handful of frames. */
static int bigbss_no_bss_frames(void)
{
	char *argv[] = { "bigbss", "check", 0 };
	struct vmmap_entry map[MAX_AREAS];
	struct running r;
	struct child c;
	uint64 f0 = free_now(), cost, bss_resident = ~0UL;
	int err = 0, n;

	if (spawn("/bigbss", argv, 1, &r) < 0 || idle(r.pid, "bigbss") < 0)
		return fail("bigbss did not start");
	cost = f0 - free_now();
	n = vmmap(r.pid, map, MAX_AREAS);
	for (int i = 0; i < n && i < MAX_AREAS; i++)
		if (map[i].kind == VMMAP_KIND_IMAGE && map[i].end - map[i].start >= BIGBSS_BYTES)
			bss_resident = map[i].resident;
	if (bss_resident == ~0UL)
		err = fail("no 4 MiB .bss area");
	else if (bss_resident > 1)   /* the copied boundary page, no more */
		err = fail("%lu pages of .bss resident at start", bss_resident);
	else if (cost > BIGBSS_MAX_COST)
		err = fail("starting bigbss cost %lu frames, want at most %d", cost,
			   BIGBSS_MAX_COST);
	finish(&r, &c);   /* then it reads all of .bss: zeros */
	if (!err && c.status != 0)
		err = fail("bigbss check exited with %d", c.status);
	return err;
}

/* -- the program file --------------------------------------------------------- */

/* Copy from to a new file to (n bytes at most; 0: all). 0 or -1. */
static int copy_file(const char *from, const char *to, uint64 n)
{
	static char buf[COPY_CHUNK];
	int in = open(from, O_RDONLY), out, got, err = 0;
	uint64 done = 0;

	if (in < 0)
		return -1;
	out = open(to, O_CREATE | O_WRONLY | O_TRUNC);
	if (out < 0) {
		close(in);
		return -1;
	}
	while (!err && (n == 0 || done < n) && (got = read(in, buf, sizeof(buf))) > 0) {
		if (n && done + got > n)
			got = (int)(n - done);
		err = write(out, buf, got) != got;
		done += got;
	}
	close(in);
	close(out);
	return err ? -1 : 0;
}

/* Run path with argv to its end; its exit status (EXEC_FAILED: exec returned). */
static int status_of(const char *path, char **argv)
{
	struct child c;

	if (run(path, argv, &c) < 0)
		return WAIT_FAILED;
	return c.status;
}

/*
 * ETXTBSY both ways. A program file a child runs cannot be opened for
 * writing (nor truncated); after the child exits it can. A file open for
 * writing cannot be exec'd; after close it can.
 */
static int etxtbsy(void)
{
	char *wait_argv[] = { "ex_copy", "wait", 0 };
	char *argv[] = { "ex_copy", 0 };
	struct running r;
	struct child c;
	int fd, err = 0, st;

	if (copy_file("/bigtext", COPY_PATH, 0) < 0)
		return fail("cannot copy /bigtext");
	if (spawn(COPY_PATH, wait_argv, 1, &r) < 0 || idle(r.pid, "ex_copy") < 0) {
		unlink(COPY_PATH);
		return fail("the copy did not start");
	}
	if ((fd = open(COPY_PATH, O_WRONLY)) >= 0)
		err = fail("opened a running program for writing");
	else if ((fd = open(COPY_PATH, O_RDWR)) >= 0)
		err = fail("opened a running program for reading and writing");
	else if ((fd = open(COPY_PATH, O_WRONLY | O_TRUNC)) >= 0)
		err = fail("truncated a running program");
	else if ((fd = open(COPY_PATH, O_RDONLY)) < 0)
		err = fail("cannot open a running program for reading");
	if (fd >= 0)
		close(fd);
	finish(&r, &c);
	if (!err && c.status != 0)
		err = fail("the copy exited with %d", c.status);
	if (!err && (fd = open(COPY_PATH, O_WRONLY)) < 0)
		err = fail("cannot open the program for writing after it exited");
	if (!err) {
		/* fd is open for writing: exec must refuse the file now. */
		if ((st = status_of(COPY_PATH, argv)) != EXEC_FAILED)
			err = fail("exec of a file open for writing: status %d", st);
		close(fd);
		if (!err && (st = status_of(COPY_PATH, argv)) != 0)
			err = fail("exec after close: status %d", st);
	}
	unlink(COPY_PATH);
	return err;
}

/*
 * Unlink a program while it runs: the child keeps its text (it then reads
 * all 1 MiB of it from the unlinked file's frames) and exits 0, and every
 * frame of the file is back once it has.
 */
static int unlink_while_running(void)
{
	char *argv[] = { "ex_copy", "sum", 0 };
	uint64 f0 = free_now(), now;
	struct running r;
	struct child c;
	int err = 0, fd;

	if (copy_file("/bigtext", COPY_PATH, 0) < 0)
		return fail("cannot copy /bigtext");
	if (spawn(COPY_PATH, argv, 1, &r) < 0 || idle(r.pid, "ex_copy") < 0) {
		unlink(COPY_PATH);
		return fail("the copy did not start");
	}
	if (unlink(COPY_PATH) < 0)
		err = fail("cannot unlink a running program");
	else if ((fd = open(COPY_PATH, O_RDONLY)) >= 0) {
		close(fd);
		err = fail("the unlinked file still opens");
	}
	finish(&r, &c);
	if (!err && c.status != 0)
		err = fail("the unlinked program exited with %d (1: its text changed)", c.status);
	now = free_settled(f0);
	if (!err && now != f0)
		err = fail("%ld frames missing after the unlinked program exited",
			   (long)(f0 - now));
	return err;
}

/* Write n bytes of garbage (or nothing) to BAD_PATH; 0 or -1. */
static int write_garbage(int n)
{
	int fd = open(BAD_PATH, O_CREATE | O_WRONLY | O_TRUNC), err = 0;
	char buf[64];

	if (fd < 0)
		return -1;
	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(i * 37 + 11);
	for (int done = 0; done < n && !err; done += sizeof(buf))
		err = write(fd, buf, sizeof(buf)) != sizeof(buf);
	close(fd);
	return err ? -1 : 0;
}

/*
 * Files that are no program: exec returns -1 in the child, whose own
 * image then exits with EXEC_FAILED. A truncated program passes nothing
 * past the header check (its segments lie past the end of the file).
 */
static int bad_files_fail(void)
{
	char *argv[] = { "ex_bad", 0 };
	static const struct { const char *what; int garbage; uint64 keep; } bad[] = {
		{ "garbage", 4096, 0 }, { "an empty file", 0, 0 },
		{ "64 bytes of echo", -1, 64 }, { "half of bigtext", -1, BIGTEXT_BYTES / 2 },
	};
	int st;

	for (uint i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int made = bad[i].garbage >= 0 ? write_garbage(bad[i].garbage) :
			copy_file(bad[i].keep < 1024 ? "/echo" : "/bigtext", BAD_PATH, bad[i].keep);
		if (made < 0) {
			unlink(BAD_PATH);
			return fail("cannot write %s", bad[i].what);
		}
		st = status_of(BAD_PATH, argv);
		unlink(BAD_PATH);
		if (st != EXEC_FAILED)
			return fail("exec of %s: status %d, want exec to fail", bad[i].what, st);
	}
	return 0;
}

int main(void)
{
	warm_up();
	printf("exectests: %lu frames free\n", start_free);

	run_case("every_program_runs", every_program_runs);
	run_case("sh_text_shared", sh_text_shared);
	run_case("untouched_text_one_frame", untouched_text_one_frame);
	run_case("bigbss_no_bss_frames", bigbss_no_bss_frames);
	run_case("etxtbsy", etxtbsy);
	run_case("unlink_while_running", unlink_while_running);
	run_case("bad_files_fail", bad_files_fail);

	run_case("exec_frames_balanced", balanced_since_start);
	exit(0);
}
