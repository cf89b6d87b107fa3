/*
 * Host shim for the process services proc/sleeplock.c needs, so the real
 * sleep locks run under the mm host tests. There is one thread and no
 * scheduler: a lock that would have to sleep can never be released, so
 * sleeping is reported and aborts the test.
 */
#include <stdio.h>
#include <stdlib.h>
#include "proc/proc.h"

struct proc *proc_current(void) { return NULL; }

void proc_sleep(void *chan, struct spinlock *lk)
{
	(void)lk;
	fprintf(stderr, "shim: proc_sleep(%p) with one thread: a lock is held twice\n", chan);
	abort();
}

void proc_wakeup(void *chan) { (void)chan; }
bool proc_killed(struct proc *p) { (void)p; return false; }
