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
 * rwsleeplock: taking and releasing a free lock is one atomic instruction
 * (a page fault takes it for reading every time); only a holder that must
 * wait takes the spinlock and sleeps. Releasing wakes sleepers only when
 * there are some: a wakeup scans the whole process table.
 *
 * sleeplock: always under its spinlock, which guards a queue of waiters;
 * release hands the lock to the oldest waiter and wakes that one only.
 * sleep_lock_killable lets a waiter whose operation can back out return
 * -EINTR when it is killed (see docs/proc.md, "Sleep locks").
 */
#ifndef PROC_SLEEPLOCK_H
#define PROC_SLEEPLOCK_H

#include <stdbool.h>
#include "lib/spinlock.h"

/*
 * A waiter's place in a sleeplock's queue; it lives on the waiter's
 * kernel stack for as long as the waiter sleeps.
 */
struct sleep_waiter {
	struct sleep_waiter *next;     /* [L] lk */
	int                  pid;      /* [I] the waiting process */
	bool                 granted;  /* [L] lk: the releaser handed us the lock */
};

/*
 * Exclusive sleep lock with hand-over in arrival order: a releaser with
 * waiters passes the lock straight to the oldest one (it stays locked)
 * and wakes only that one, so no waiter is overtaken and no herd wakes.
 */
struct sleeplock {
	bool                 locked;  /* [L] lk */
	struct spinlock      lk;      /* protects this struct */
	int                  pid;     /* [L] lk: holder, for sleep_held() */
	struct sleep_waiter *head;    /* [L] lk: oldest waiter, next to get it */
	struct sleep_waiter *tail;    /* [L] lk: newest waiter */
	const char          *name;    /* [I] */
};

#define SLEEPLOCK_INIT(n) { .locked = false, .lk = SPINLOCK_INIT("sleeplock"), \
			    .pid = 0, .head = NULL, .tail = NULL, .name = (n) }

void sleep_init(struct sleeplock *sl, const char *name);
/* Take sl, sleeping in line behind earlier waiters. Never fails. */
void sleep_lock(struct sleeplock *sl);
/*
 * The same for callers that can back out: 0 with sl held, or -EINTR
 * (sl not held) when the process is killed before its turn comes. A
 * killed process whose turn came first gets the lock (0).
 */
int  sleep_lock_killable(struct sleeplock *sl);
/* Release sl, handing it to the oldest waiter if there is one. */
void sleep_unlock(struct sleeplock *sl);
bool sleep_held(struct sleeplock *sl);   /* held by the current process? */

struct rwsleeplock {
	int             state;    /* [A] readers inside (> 0), 0 free, RWSLEEP_WRITER */
	int             writers_waiting;  /* [A] writers that want in: new readers wait */
	int             sleepers; /* [A] processes asleep on it (changed under lk) */
	struct spinlock lk;       /* the slow path: sleeping and waking */
	const char     *name;     /* [I] */
};

#define RWSLEEP_WRITER (-1)

void rwsleep_init(struct rwsleeplock *rw, const char *name);
void rwsleep_read_lock(struct rwsleeplock *rw);
void rwsleep_read_unlock(struct rwsleeplock *rw);
void rwsleep_write_lock(struct rwsleeplock *rw);
void rwsleep_write_unlock(struct rwsleeplock *rw);

#endif
