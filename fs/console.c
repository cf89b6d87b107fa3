/*
 * The console device (see console.h).
 *
 * The input buffer is a ring of CONSOLE_BUF bytes with three free-running
 * indexes, r <= w <= e:
 *
 *      r            w             e
 *   ...| finished lines | line being edited |...
 *
 * Readers take bytes from r up to w; the interrupt handler appends at e and
 * moves w up to e when a line is finished. A line holds CONSOLE_LINE
 * characters and the ring twice that, so a whole line always fits once
 * earlier lines are read; a key that does not fit rings the bell.
 *
 * Two keys act on processes, not on the line: ^C kills the foreground
 * process group (setfg; the shell names each job it waits for) and ^P
 * prints the process list, as xv6's procdump does.
 *
 * Only the group in front may read (POSIX's terminal foreground group):
 * the job the shell waits for, or the shell itself at its prompt. A read
 * from any other group gets -EIO, what POSIX gives a background reader
 * that ignores SIGTTIN (lazuli has no signals to stop it with), so a
 * background job cannot take the keys typed at the shell. Until someone
 * calls setfg anyone may read (a program booted as init). When the group
 * in front has no live process left (a job ended and the shell has not
 * taken the front back yet), the group that put it there reads, and once
 * that one is gone too, anyone (a shell that died).
 */
#include "arch/riscv/uart.h"
#include "fs/console.h"
#include "fs/device.h"
#include "fs/fs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sleeplock.h"

#define CONSOLE_BUF  2048   /* the ring: unread lines and the line being edited */
#define CONSOLE_LINE 1024   /* characters a line holds before its newline */
_Static_assert(CONSOLE_BUF > CONSOLE_LINE + 1, "an empty ring takes a whole line");

#define CTRL(c)       ((c) - '@')
#define KEY_INTR      CTRL('C')
#define KEY_EOF       CTRL('D')
#define KEY_BACKSPACE CTRL('H')
#define KEY_PROCS     CTRL('P')
#define KEY_KILL_LINE CTRL('U')
#define KEY_DELETE    0x7f

/* Bytes copied to or from user memory per trip (kernel stack). */
#define CONSOLE_BOUNCE 256

static const char erase_seq[] = "\b \b";   /* back, blank, back */

static struct {
	struct spinlock lock;
	char            buf[CONSOLE_BUF];   /* [C] */
	uint32_t        r;                  /* [C] next byte to read */
	uint32_t        w;                  /* [C] end of finished lines */
	uint32_t        e;                  /* [C] end of the line being edited */
	int             intr_pgid;          /* [C] the group ^C kills; 0: none */
	int             front_pgid;         /* [C] the group that may read; 0: any */
	int             owner_pgid;         /* [C] the group that put another in front */
} cons = { .lock = SPINLOCK_INIT("console") };

/* One read call at a time: held from its look at the line to the drop. */
static struct sleeplock cons_readers = SLEEPLOCK_INIT("console readers");

/* What the screen needs after a key: erase characters, then show text. */
struct echo {
	unsigned erase;
	const char *text;   /* NUL-terminated, or NULL */
	char one[2];        /* a typed character, as text */
};

/* Readers wait for w to move. */
static void *readers_chan(void)
{
	return &cons.w;
}

/* Finish the line: readers may take everything up to e. Caller holds cons.lock. */
static void finish_line(void)
{
	cons.w = cons.e;
	proc_wakeup(readers_chan());
}

/*
 * Store c at the end of the line being edited. A character that would
 * make the line longer than CONSOLE_LINE, or find the ring full of unread
 * lines, is refused with the bell: a pasted line is never cut silently.
 * Caller holds cons.lock.
 */
static void store(int c, struct echo *out)
{
	bool ends_line = c == '\n' || c == KEY_EOF;

	if (cons.e - cons.r >= CONSOLE_BUF ||
	    (!ends_line && cons.e - cons.w >= CONSOLE_LINE)) {
		out->text = "\a";
		return;
	}
	cons.buf[cons.e++ % CONSOLE_BUF] = (char)c;
	if (c != KEY_EOF) {
		out->one[0] = (char)c;
		out->text = out->one;
	}
	if (ends_line)
		finish_line();
}

/*
 * ^C: drop the line being edited, and either name the foreground group
 * for the caller to kill, or (none in front: the shell is at its prompt)
 * hand readers an empty line so the shell prompts again. Returns the
 * group, or 0. Caller holds cons.lock.
 */
static int interrupt(struct echo *out)
{
	cons.e = cons.w;
	out->text = "^C\n";
	if (cons.intr_pgid != 0)
		return cons.intr_pgid;
	if (cons.e - cons.r < CONSOLE_BUF) {
		cons.buf[cons.e++ % CONSOLE_BUF] = '\n';
		finish_line();
	}
	return 0;
}

/*
 * Apply one typed byte to the line being edited. Caller holds cons.lock.
 * Fills *out with what to show.
 */
static void edit_line(int c, struct echo *out)
{
	switch (c) {
	case KEY_KILL_LINE:
		out->erase = cons.e - cons.w;
		cons.e = cons.w;
		return;
	case KEY_BACKSPACE:
	case KEY_DELETE:
		if (cons.e == cons.w)
			return;
		cons.e--;
		out->erase = 1;
		return;
	case KEY_EOF:
		if (cons.e != cons.w) {   /* inside a line: just hand it over */
			finish_line();
			return;
		}
		break;                    /* at line start: store the marker */
	case '\r':
		c = '\n';
		break;
	case 0:
		return;
	}
	store(c, out);
}

/*
 * Interrupt context. The echo is written, the foreground group killed and
 * the process list printed after the lock is dropped, so uart_write (which
 * must not sleep) and the process locks are never taken under cons.lock.
 */
void console_input(int c)
{
	struct echo out = { 0 };
	int victims = 0;

	spin_lock(&cons.lock);
	if (c == KEY_INTR)
		victims = interrupt(&out);
	else if (c == KEY_PROCS)
		out.text = "^P\n";
	else
		edit_line(c, &out);
	spin_unlock(&cons.lock);

	while (out.erase-- > 0)
		uart_write(erase_seq, sizeof(erase_seq) - 1);
	if (out.text)
		uart_write(out.text, strlen(out.text));
	if (victims)
		proc_kill_group(victims);
	if (c == KEY_PROCS)
		proc_dump();
}

int console_set_foreground(int pgid)
{
	if (pgid < 0)
		return -EINVAL;
	int caller = proc_pgid();
	int front = pgid ? pgid : caller;
	spin_lock(&cons.lock);
	cons.intr_pgid = pgid;
	cons.front_pgid = front;
	if (caller != pgid)
		cons.owner_pgid = caller;   /* a job's own setfg keeps the shell as owner */
	/* A reader waiting for a line may be in the background now: let it look. */
	proc_wakeup(readers_chan());
	spin_unlock(&cons.lock);
	return 0;
}

/* May the calling process read? Caller holds cons.lock (then p->lock: the order is fixed). */
static bool reader_in_front(void)
{
	int front = cons.front_pgid, mine = proc_pgid();
	if (front == 0 || front == mine)
		return true;
	if (proc_group_alive(front))
		return false;
	int owner = cons.owner_pgid;
	return owner == 0 || owner == mine || !proc_group_alive(owner);
}

/*
 * Look at up to n bytes of finished input, stopping after a newline: one
 * line per read. Nothing is taken (console_read drops what reached the
 * user). Returns the bytes copied to dst; *eof is set when the input
 * starts with an end-of-file marker (the read returns 0 and takes it).
 * After some bytes a marker is left for the next read. Caller holds
 * cons.lock and has waited for r != w.
 */
static size_t peek_line(char *dst, size_t n, bool *eof)
{
	size_t got = 0;

	*eof = cons.buf[cons.r % CONSOLE_BUF] == KEY_EOF;
	if (*eof)
		return 0;
	for (uint32_t i = cons.r; got < n && i != cons.w; i++) {
		char c = cons.buf[i % CONSOLE_BUF];
		if (c == KEY_EOF)
			break;
		dst[got++] = c;
		if (c == '\n')
			break;
	}
	return got;
}

/* Copy n bytes to udst a user page at a time; returns how many arrived before a fault. */
static size_t copy_out(uint64_t udst, const char *src, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t trip = PAGE_SIZE - (udst + done) % PAGE_SIZE;
		if (trip > n - done)
			trip = n - done;
		if (copy_to_user(udst + done, src + done, trip) < 0)
			break;
		done += trip;
	}
	return done;
}

/*
 * One line of input, at most n bytes. Only the bytes that reached the user
 * leave the ring: a faulting copy returns those (or -EFAULT) and leaves the
 * rest for the next read. cons_readers keeps other readers off the line
 * between the look and the drop (the interrupt handler only appends past
 * w, so the bytes looked at stay put).
 */
static long console_read(int minor, uint64_t udst, size_t n)
{
	char bounce[CONSOLE_BOUNCE];
	bool eof;

	(void)minor;
	if (n == 0)
		return 0;
	if (n > sizeof(bounce))
		n = sizeof(bounce);

	int err = sleep_lock_killable(&cons_readers);
	if (err)
		return err;
	spin_lock(&cons.lock);
	for (;;) {   /* err is 0 here */
		if (!reader_in_front()) {
			err = -EIO;
			break;
		}
		if (cons.r != cons.w)
			break;
		if (proc_killed(proc_current())) {
			err = -EINTR;
			break;
		}
		proc_sleep(readers_chan(), &cons.lock);
	}
	if (err) {
		spin_unlock(&cons.lock);
		sleep_unlock(&cons_readers);
		return err;
	}
	size_t got = peek_line(bounce, n, &eof);
	spin_unlock(&cons.lock);

	size_t copied = copy_out(udst, bounce, got);
	spin_lock(&cons.lock);
	cons.r += (uint32_t)copied + (eof ? 1 : 0);
	spin_unlock(&cons.lock);
	sleep_unlock(&cons_readers);
	if (copied < got && copied == 0)
		return -EFAULT;
	return (long)copied;
}

static long console_write(int minor, uint64_t usrc, size_t n)
{
	char bounce[CONSOLE_BOUNCE];
	size_t done = 0;

	(void)minor;
	while (done < n) {
		size_t chunk = n - done < sizeof(bounce) ? n - done : sizeof(bounce);
		int err = proc_preempt_point();   /* the UART is slow: let the tick in */
		if (err)
			return done ? (long)done : err;
		if (copy_from_user(bounce, usrc + done, chunk) < 0)
			return done ? (long)done : -EFAULT;
		uart_write(bounce, chunk);
		done += chunk;
	}
	return (long)done;
}

static const struct device_ops console_ops = {
	.read = console_read,
	.write = console_write,
};

void console_init(void)
{
	device_register(CONSOLE_MAJOR, &console_ops);
}
