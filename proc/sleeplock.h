/*
 * Sleep locks: long-held locks a process may sleep on (inodes, pipes'
 * users, address spaces' area lists). Acquiring may sleep, so never take
 * one while holding a spinlock, and never from an interrupt handler.
 *
 * struct sleeplock is exclusive. struct rwsleeplock has two modes: any
 * number of readers at once, or one writer alone. A writer that is waiting
 * keeps new readers out, so a stream of readers cannot starve it.
 *
 * Releasing wakes sleepers only when there are some: a wakeup scans the
 * whole process table, and most releases (every page fault's) find no
 * one waiting.
 */
#ifndef PROC_SLEEPLOCK_H
#define PROC_SLEEPLOCK_H

#include <stdbool.h>
#include "lib/spinlock.h"

struct sleeplock {
	bool            locked;  /* [L] lk */
	struct spinlock lk;      /* protects this struct */
	int             pid;     /* [L] lk: holder, for sleep_held() */
	int             waiters; /* [L] lk: processes asleep on it */
	const char     *name;    /* [I] */
};

#define SLEEPLOCK_INIT(n) { .locked = false, .lk = SPINLOCK_INIT("sleeplock"), \
			    .pid = 0, .waiters = 0, .name = (n) }

void sleep_init(struct sleeplock *sl, const char *name);
void sleep_lock(struct sleeplock *sl);
void sleep_unlock(struct sleeplock *sl);
bool sleep_held(struct sleeplock *sl);   /* held by the current process? */

struct rwsleeplock {
	struct spinlock lk;       /* protects this struct */
	int             readers;  /* [L] lk: holders in read mode */
	int             writers_waiting;  /* [L] lk */
	int             sleepers; /* [L] lk: readers and writers asleep on it */
	int             writer;   /* [L] lk: pid of the writer, 0 when none */
	const char     *name;     /* [I] */
};

void rwsleep_init(struct rwsleeplock *rw, const char *name);
void rwsleep_read_lock(struct rwsleeplock *rw);
void rwsleep_read_unlock(struct rwsleeplock *rw);
void rwsleep_write_lock(struct rwsleeplock *rw);
void rwsleep_write_unlock(struct rwsleeplock *rw);
/* Held in write mode by the current process? (For assertions.) */
bool rwsleep_write_held(struct rwsleeplock *rw);

#endif
