/*
 * Sleep locks: long-held locks a process may sleep on (inodes, pipes'
 * users). Acquiring may sleep, so never take one while holding a spinlock,
 * and never from an interrupt handler.
 */
#ifndef PROC_SLEEPLOCK_H
#define PROC_SLEEPLOCK_H

#include <stdbool.h>
#include "lib/spinlock.h"

struct sleeplock {
	bool            locked;  /* [L] lk */
	struct spinlock lk;      /* protects this struct */
	int             pid;     /* [L] lk: holder, for sleep_held() */
	const char     *name;    /* [I] */
};

void sleep_init(struct sleeplock *sl, const char *name);
void sleep_lock(struct sleeplock *sl);
void sleep_unlock(struct sleeplock *sl);
bool sleep_held(struct sleeplock *sl);   /* held by the current process? */

#endif
