/* sleep TICKS: wait that many timer ticks (10 ms each), as xv6's sleep. */
#include "kernel/types.h"
#include "user/user.h"
#include "errno.h"

int main(int argc, char *argv[])
{
	if (argc != 2 || argv[1][0] < '0' || argv[1][0] > '9') {
		fprintf(2, "usage: sleep TICKS\n");
		return 1;
	}
	if (sleep(atoi(argv[1])) < 0) {
		perror("sleep");
		return 1;
	}
	return 0;
}
