/* wc [FILE...]: count lines, words and bytes of each file (or stdin). */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "errno.h"

#define CHUNK 4096

struct counts {
	uint64 lines, words, bytes;
};

static char buf[CHUNK];

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Count fd to its end into c; 0, or -1 on a read error. */
static int count(int fd, struct counts *c)
{
	int n, in_word = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		c->bytes += n;
		for (int i = 0; i < n; i++) {
			if (buf[i] == '\n')
				c->lines++;
			if (is_space(buf[i])) {
				in_word = 0;
			} else if (!in_word) {
				in_word = 1;
				c->words++;
			}
		}
	}
	return n < 0 ? -1 : 0;
}

static void report(const struct counts *c, const char *name)
{
	printf("%lu %lu %lu %s\n", c->lines, c->words, c->bytes, name);
}

int main(int argc, char *argv[])
{
	struct counts total = { 0 };
	int status = 0;

	if (argc < 2) {
		if (count(0, &total) < 0) {
			fprintf(2, "wc: read error\n");
			return 1;
		}
		report(&total, "");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct counts c = { 0 };
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0) {
			fprintf(2, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (count(fd, &c) < 0) {
			fprintf(2, "wc: %s: read error\n", argv[i]);
			status = 1;
		}
		close(fd);
		report(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (argc > 2)
		report(&total, "total");
	return status;
}
