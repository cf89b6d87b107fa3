/*
 * Sleep locks: long-held locks a process may sleep on (inodes, pipes'
 * users, address spaces' area lists). Acquiring may sleep, so never take
 * one while holding a spinlock, and never from an interrupt handler. A
 * page fault is not an interrupt: it runs for the process that faulted,
 * on its kernel stack, and may take them (a fault inside a user copy
 * too, with interrupts back on; see arch/riscv/trap.c).
 *
 * struct sleeplock is exclusive. struct rwsleeplock has two modes: any
 * number of readers at once, or one writer alone. A writer that is waiting
 * keeps new readers out, so a stream of readers cannot starve it.
 *
 * Taking and releasing a free lock is one atomic instruction (a page
 * fault takes it for reading every time); only a holder that must wait
 * takes the spinlock and sleeps. Releasing wakes sleepers only when there
 * are some: a wakeup scans the whole process table.
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
	int             state;    /* [A] readers inside (> 0), 0 free, RWSLEEP_WRITER */
	int             writers_waiting;  /* [A] writers that want in: new readers wait */
	int             sleepers; /* [A] processes asleep on it (changed under lk) */
	int             writer;   /* [A] pid of the writer, 0 when none; for assertions */
	struct spinlock lk;       /* the slow path: sleeping and waking */
	const char     *name;     /* [I] */
};

#define RWSLEEP_WRITER (-1)

void rwsleep_init(struct rwsleeplock *rw, const char *name);
void rwsleep_read_lock(struct rwsleeplock *rw);
void rwsleep_read_unlock(struct rwsleeplock *rw);
void rwsleep_write_lock(struct rwsleeplock *rw);
void rwsleep_write_unlock(struct rwsleeplock *rw);
/* Held in write mode by the current process? (For assertions.) */
bool rwsleep_write_held(struct rwsleeplock *rw);

#endif
