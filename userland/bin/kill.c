/* kill PID...: kill each process; says why one could not be killed. */
#include "kernel/types.h"
#include "user/user.h"
#include "errno.h"

/* A decimal process id, or -1 when s is not one. */
static int parse_pid(const char *s)
{
	int n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > 100000000)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

int main(int argc, char *argv[])
{
	int status = 0;

	if (argc < 2) {
		fprintf(2, "usage: kill PID...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		int pid = parse_pid(argv[i]);

		if (pid < 0) {
			fprintf(2, "kill: %s: not a number\n", argv[i]);
			status = 1;
		} else if (kill(pid) < 0) {
			fprintf(2, "kill: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
