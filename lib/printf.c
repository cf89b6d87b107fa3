/*
 * Kernel formatted output. vsnprintf is the formatter (also compiled into
 * the host unit tests); printf formats into a stack buffer and hands the
 * result to the console sink in one call, which the sink writes under its
 * lock, so lines from different harts never interleave.
 */
#include <stdbool.h>
#include <stdint.h>
#include "lib/printf.h"
#include "lib/string.h"

#define PRINTF_BUF 512

/* Output cursor: writes past the end are counted but dropped. */
struct out {
	char  *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	int  width;
	bool left;      /* '-' flag */
	bool zero;      /* '0' flag */
};

static void put_padded(struct out *o, const char *s, size_t n, struct spec sp)
{
	size_t pad = sp.width > 0 && (size_t)sp.width > n ? (size_t)sp.width - n : 0;
	if (!sp.left)
		while (pad--)
			put(o, ' ');
	while (n--)
		put(o, *s++);
	if (sp.left)
		while (pad--)
			put(o, ' ');
}

/* An integer in base 10 or 16, with sign, width and zero padding. */
static void put_number(struct out *o, uint64_t v, bool negative, int base,
		       bool upper, struct spec sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v);

	int len = n + negative;
	int pad = sp.width > len ? sp.width - len : 0;
	if (!sp.left && !sp.zero)
		while (pad-- > 0)
			put(o, ' ');
	if (negative)
		put(o, '-');
	if (!sp.left && sp.zero)
		while (pad-- > 0)
			put(o, '0');
	while (n)
		put(o, tmp[--n]);
	if (sp.left)
		while (pad-- > 0)
			put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		struct spec sp = { 0, false, false };
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else
				sp.zero = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (*fmt - '0');
		int longs = 0;
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = longs ? va_arg(ap, long) : va_arg(ap, int);
			put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			put_number(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', sp);
			break;
		}
		case 'p': {
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			put(&o, '0');
			put(&o, 'x');
			sp.zero = true;
			sp.width = 16;
			put_number(&o, v, false, 16, false, sp);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(&o, s, strlen(s), sp);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, sp);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;   /* a lone '%' at the end: stop at the NUL */
			break;
		default:      /* unknown conversion: print it as written */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void (*sink)(const char *buf, size_t n);

void printf_set_sink(void (*write)(const char *buf, size_t n))
{
	sink = write;
}

int printf(const char *fmt, ...)
{
	char buf[PRINTF_BUF];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	if (sink)
		sink(buf, len);
	return n;
}
