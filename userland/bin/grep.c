/*
 * grep PATTERN [FILE...]: print the lines that match PATTERN.
 *
 * PATTERN is a small regular expression:
 *   c    the character c         .    any one character
 *   x*   zero or more of x (x a character or '.')
 *   ^    (first) the match must start at the beginning of the line
 *   $    (last)  the match must end at the end of the line
 * A '*' with nothing before it stands for itself.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "errno.h"

#define MAX_ATOMS 128    /* pattern elements */
#define LINE_MAX  4096   /* longer lines are matched in pieces */

struct atom {
	char c;         /* the character to match, unless any */
	char any;       /* '.': matches every character */
	char star;      /* followed by '*': zero or more times */
};

struct pattern {
	struct atom atoms[MAX_ATOMS];
	int n;
	int anchor_start;   /* '^' */
	int anchor_end;     /* '$' */
};

static char buf[LINE_MAX + 1];

/* Turn the pattern text into atoms; -1 if it is too long. */
static int compile(const char *re, struct pattern *p)
{
	uint len = strlen(re);

	p->n = 0;
	p->anchor_start = re[0] == '^';
	if (p->anchor_start) {
		re++;
		len--;
	}
	p->anchor_end = len > 0 && re[len - 1] == '$';
	if (p->anchor_end)
		len--;
	for (uint i = 0; i < len; i++) {
		if (re[i] == '*' && p->n > 0 && !p->atoms[p->n - 1].star) {
			p->atoms[p->n - 1].star = 1;
			continue;
		}
		if (p->n == MAX_ATOMS)
			return -1;
		p->atoms[p->n].c = re[i];
		p->atoms[p->n].any = re[i] == '.';
		p->atoms[p->n].star = 0;
		p->n++;
	}
	return 0;
}

static int atom_matches(const struct atom *a, char c)
{
	return a->any || a->c == c;
}

/*
 * Does the pattern from atom i on match text s (up to its NUL)? A starred
 * atom first takes as many characters as it can and gives them back one at
 * a time until the rest of the pattern matches.
 */
static int match_from(const struct pattern *p, int i, const char *s)
{
	for (; i < p->n; i++) {
		const struct atom *a = &p->atoms[i];

		if (a->star) {
			const char *t = s;

			while (*t != '\0' && atom_matches(a, *t))
				t++;
			for (; t >= s; t--) {
				if (match_from(p, i + 1, t))
					return 1;
			}
			return 0;
		}
		if (*s == '\0' || !atom_matches(a, *s))
			return 0;
		s++;
	}
	return !p->anchor_end || *s == '\0';
}

/* Does the pattern match anywhere in line? */
static int match_line(const struct pattern *p, const char *line)
{
	if (p->anchor_start)
		return match_from(p, 0, line);
	do {
		if (match_from(p, 0, line))
			return 1;
	} while (*line++ != '\0');
	return 0;
}

/* Print the lines of fd that match; 0, or -1 on a read error. */
static int grep(const struct pattern *p, int fd)
{
	int len = 0, n;

	while ((n = read(fd, buf + len, LINE_MAX - len)) > 0) {
		char *line = buf, *nl;

		len += n;
		buf[len] = '\0';
		while ((nl = strchr(line, '\n')) != 0) {
			*nl = '\0';
			if (match_line(p, line)) {
				*nl = '\n';
				write(1, line, nl + 1 - line);
			}
			line = nl + 1;
		}
		len -= line - buf;
		if (len == LINE_MAX) {   /* one line fills the buffer: take it */
			if (match_line(p, buf))
				printf("%s\n", buf);
			len = 0;
		}
		memmove(buf, line, len);
	}
	if (len > 0) {                   /* a last line without a newline */
		buf[len] = '\0';
		if (match_line(p, buf))
			printf("%s\n", buf);
	}
	return n < 0 ? -1 : 0;
}

int main(int argc, char *argv[])
{
	struct pattern p;
	int status = 0;

	if (argc < 2) {
		fprintf(2, "usage: grep PATTERN [FILE...]\n");
		return 2;
	}
	if (compile(argv[1], &p) < 0) {
		fprintf(2, "grep: pattern too long\n");
		return 2;
	}
	if (argc == 2)
		return grep(&p, 0) < 0 ? 2 : 0;
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0) {
			fprintf(2, "grep: %s: %s\n", argv[i], strerror(errno));
			status = 2;
			continue;
		}
		if (grep(&p, fd) < 0)
			status = 2;
		close(fd);
	}
	return status;
}
