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
 * moves w up to e when a line is finished (or the ring is full, so that a
 * reader can make room).
 */
#include "arch/riscv/uart.h"
#include "fs/console.h"
#include "fs/device.h"
#include "fs/fs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sleeplock.h"

#define CONSOLE_BUF 128

#define CTRL(c)       ((c) - '@')
#define KEY_BACKSPACE CTRL('H')
#define KEY_DELETE    0x7f
#define KEY_KILL_LINE CTRL('U')
#define KEY_EOF       CTRL('D')

/* Bytes copied to or from user memory per trip (kernel stack). */
#define CONSOLE_BOUNCE CONSOLE_BUF

static const char erase_seq[] = "\b \b";   /* back, blank, back */

static struct {
	struct spinlock lock;
	char            buf[CONSOLE_BUF];   /* [C] */
	uint32_t        r;                  /* [C] next byte to read */
	uint32_t        w;                  /* [C] end of finished lines */
	uint32_t        e;                  /* [C] end of the line being edited */
} cons = { .lock = SPINLOCK_INIT("console") };

/* One read call at a time: held from its look at the line to the drop. */
static struct sleeplock cons_readers = SLEEPLOCK_INIT("console readers");

/* Readers wait for w to move. */
static void *readers_chan(void)
{
	return &cons.w;
}

/*
 * Apply one typed byte to the line being edited. Caller holds cons.lock.
 * Returns how many characters to erase on the screen and sets *echo to
 * the byte to show (0 for none).
 */
static unsigned edit_line(int c, char *echo)
{
	unsigned erase = 0;

	*echo = 0;
	switch (c) {
	case KEY_KILL_LINE:
		erase = cons.e - cons.w;
		cons.e = cons.w;
		return erase;
	case KEY_BACKSPACE:
	case KEY_DELETE:
		if (cons.e == cons.w)
			return 0;
		cons.e--;
		return 1;
	case KEY_EOF:
		if (cons.e != cons.w) {   /* inside a line: just hand it over */
			cons.w = cons.e;
			proc_wakeup(readers_chan());
			return 0;
		}
		break;                    /* at line start: store the marker */
	case '\r':
		c = '\n';
		break;
	}

	if (c == 0 || cons.e - cons.r >= CONSOLE_BUF)
		return 0;
	cons.buf[cons.e++ % CONSOLE_BUF] = (char)c;
	if (c != KEY_EOF)
		*echo = (char)c;
	if (c == '\n' || c == KEY_EOF || cons.e - cons.r == CONSOLE_BUF) {
		cons.w = cons.e;
		proc_wakeup(readers_chan());
	}
	return 0;
}

/*
 * Interrupt context. The echo is written after the lock is dropped, so
 * uart_write (which must not sleep) never runs under cons.lock.
 */
void console_input(int c)
{
	char echo;

	spin_lock(&cons.lock);
	unsigned erase = edit_line(c, &echo);
	spin_unlock(&cons.lock);

	while (erase-- > 0)
		uart_write(erase_seq, sizeof(erase_seq) - 1);
	if (echo)
		uart_write(&echo, 1);
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
	while (cons.r == cons.w) {
		if (proc_killed(proc_current())) {
			spin_unlock(&cons.lock);
			sleep_unlock(&cons_readers);
			return -EINTR;
		}
		proc_sleep(readers_chan(), &cons.lock);
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
