/*
 * printf, fprintf, snprintf, sprintf.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with an optional length prefix
 * l, ll or z (64-bit; int is 32-bit on RV64), a '-' flag (left-justify), a '0'
 * flag (zero-pad numbers) and a decimal field width, e.g. "%-14s" or
 * "%016lx". Anything else is printed as it stands.
 *
 * Output to a file descriptor is collected in a buffer on the stack and
 * written when the call ends, so one printf of a line is one write() and
 * lines from different processes do not interleave mid-line. Only output
 * longer than the buffer takes more than one write.
 */
#include <limits.h>
#include <stdarg.h>
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "stdio.h"

#define FD_BUFSIZE 512   /* bytes collected before a write() */
#define NUM_DIGITS 24    /* enough for any 64-bit number in base 10 or 16 */
#define PTR_DIGITS 16    /* hex digits of a 64-bit pointer */

/* Where formatted characters go: a caller's string, or a buffer for an fd. */
struct sink {
	char *buf;
	int   cap;    /* bytes buf can hold */
	int   len;    /* bytes in buf now */
	int   fd;     /* -1 for a string sink */
	int   total;  /* characters produced so far (snprintf's result) */
};

/* How one conversion is laid out. */
struct field {
	int left;     /* '-': pad on the right */
	int zero;     /* '0': pad numbers with zeros */
	int width;    /* minimum characters */
	int longs;    /* number of 'l's (or 'z'): 0 means int */
};

static void flush(struct sink *s)
{
	if (s->fd >= 0 && s->len > 0)
		write(s->fd, s->buf, s->len);
	s->len = 0;
}

static void put(struct sink *s, char c)
{
	s->total++;
	if (s->fd >= 0) {
		if (s->len == s->cap)
			flush(s);
		s->buf[s->len++] = c;
	} else if (s->len + 1 < s->cap) {   /* keep room for the NUL */
		s->buf[s->len++] = c;
	}
}

static void put_repeat(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

/* Emit str (n chars) padded to the field width with spaces. */
static void put_text(struct sink *s, const struct field *f, const char *str, int n)
{
	if (!f->left)
		put_repeat(s, ' ', f->width - n);
	for (int i = 0; i < n; i++)
		put(s, str[i]);
	if (f->left)
		put_repeat(s, ' ', f->width - n);
}

/* Emit the magnitude v in base (10 or 16), with a sign and the padding. */
static void put_number(struct sink *s, const struct field *f, uint64 v,
		       int base, int negative, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[NUM_DIGITS];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	len = n + negative;

	if (f->zero && !f->left) {
		if (negative)
			put(s, '-');
		put_repeat(s, '0', f->width - len);
	} else {
		if (!f->left)
			put_repeat(s, ' ', f->width - len);
		if (negative)
			put(s, '-');
	}
	while (n > 0)
		put(s, tmp[--n]);
	if (f->left)
		put_repeat(s, ' ', f->width - len);
}

/* Parse flags, width and length after a '%'; returns the conversion char. */
static const char *parse_field(const char *fmt, struct field *f)
{
	f->left = f->zero = f->width = f->longs = 0;
	for (;; fmt++) {
		if (*fmt == '-')
			f->left = 1;
		else if (*fmt == '0')
			f->zero = 1;
		else
			break;
	}
	while (*fmt >= '0' && *fmt <= '9')
		f->width = f->width * 10 + (*fmt++ - '0');
	while (*fmt == 'l' || *fmt == 'z') {   /* z: size_t is 64-bit too */
		f->longs++;
		fmt++;
	}
	return fmt;
}

/* The formatting engine under every printf variant. */
static void format(struct sink *s, const char *fmt, va_list ap)
{
	struct field f;

	for (; *fmt != '\0'; fmt++) {
		const char *start = fmt;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		fmt = parse_field(fmt + 1, &f);
		switch (*fmt) {
		case 'd':
		case 'i': {
			long v = f.longs ? va_arg(ap, long) : va_arg(ap, int);
			uint64 mag = v < 0 ? -(uint64)v : (uint64)v;
			put_number(s, &f, mag, 10, v < 0, 0);
			break;
		}
		case 'u':
			put_number(s, &f, f.longs ? va_arg(ap, uint64) : va_arg(ap, uint),
				   10, 0, 0);
			break;
		case 'x':
		case 'X':
			put_number(s, &f, f.longs ? va_arg(ap, uint64) : va_arg(ap, uint),
				   16, 0, *fmt == 'X');
			break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			f.zero = 1;
			f.width = PTR_DIGITS;
			put_number(s, &f, (uint64)va_arg(ap, void *), 16, 0, 0);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (str == 0)
				str = "(null)";
			put_text(s, &f, str, strlen(str));
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_text(s, &f, &c, 1);
			break;
		}
		case '%':
			put(s, '%');
			break;
		case '\0':          /* a lone '%' at the end */
			fmt--;
			put(s, '%');
			break;
		default:            /* unknown: print the whole spec as it stands */
			for (; start <= fmt; start++)
				put(s, *start);
			break;
		}
	}
}

/* Each of these returns the number of characters produced, as C's do. */
int vfprintf(int fd, const char *fmt, va_list ap)
{
	char buf[FD_BUFSIZE];
	struct sink s = { .buf = buf, .cap = FD_BUFSIZE, .fd = fd };

	format(&s, fmt, ap);
	flush(&s);
	return s.total;
}

int fprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, int size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .cap = size, .fd = -1 };

	format(&s, fmt, ap);
	if (size > 0)
		buf[s.len] = '\0';
	return s.total;
}

int snprintf(char *buf, int size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* sprintf: snprintf with no limit; the caller promises buf is big enough. */
int vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, INT_MAX, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, INT_MAX, fmt, ap);
	va_end(ap);
	return n;
}
