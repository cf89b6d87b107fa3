/*
 * Host unit test of proc/sleeplock.c's exclusive sleep lock: hand-over in
 * arrival order, one wakeup per release, and killable waits.
 *
 * Each simulated process is a host thread. The shim below stands in for
 * what sleeplock.c calls: spinlocks are real atomics, proc_sleep and
 * proc_wakeup work on a per-thread channel under one mutex (as p->lock
 * makes them race-free in the kernel), and proc_wakeup counts the sleepers
 * it wakes.
 *
 * Prints "PASS name" or "FAIL name: why" per case; exits 1 if any failed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/errno.h"
#include "lib/spinlock.h"
#include "proc/proc.h"
#include "proc/sleeplock.h"

/* ---- the shim ------------------------------------------------------------ */

#define NTHREADS 6

static pthread_mutex_t sched_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  sched_cv = PTHREAD_COND_INITIALIZER;
static struct proc     procs_[NTHREADS + 1];   /* [0]: the test's main thread */
static __thread struct proc *self;
static int woken;                              /* [sched_mu] sleepers proc_wakeup woke */

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
}

void spin_lock(struct spinlock *lk)
{
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

void spin_unlock(struct spinlock *lk)
{
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
}

bool spin_held(const struct spinlock *lk) { return lk->locked; }
void irq_push_off(void) {}
void irq_pop_off(void) {}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

struct proc *proc_current(void) { return self; }

void proc_sleep(void *chan, struct spinlock *lk)
{
	pthread_mutex_lock(&sched_mu);
	self->chan = chan;
	self->state = P_SLEEPING;
	spin_unlock(lk);
	while (self->state == P_SLEEPING)
		pthread_cond_wait(&sched_cv, &sched_mu);
	self->chan = NULL;
	pthread_mutex_unlock(&sched_mu);
	spin_lock(lk);
}

void proc_wakeup(void *chan)
{
	pthread_mutex_lock(&sched_mu);
	for (int i = 0; i <= NTHREADS; i++) {
		if (procs_[i].state == P_SLEEPING && procs_[i].chan == chan) {
			procs_[i].state = P_RUNNABLE;
			woken++;
		}
	}
	pthread_cond_broadcast(&sched_cv);
	pthread_mutex_unlock(&sched_mu);
}

bool proc_killed(struct proc *p)
{
	pthread_mutex_lock(&sched_mu);
	bool k = p->killed;
	pthread_mutex_unlock(&sched_mu);
	return k;
}

/* proc_kill: mark killed and end its sleep. */
static void kill_proc(struct proc *p)
{
	pthread_mutex_lock(&sched_mu);
	p->killed = true;
	if (p->state == P_SLEEPING)
		p->state = P_RUNNABLE;
	pthread_cond_broadcast(&sched_cv);
	pthread_mutex_unlock(&sched_mu);
}

/* ---- the cases ----------------------------------------------------------- */

static char why[256];
static struct sleeplock lock;
static int order[NTHREADS];      /* [lock] who got the lock, in turn */
static int norder;               /* [lock] */
static int results[NTHREADS];    /* what each waiter's acquire returned */
static bool killable_waiters;

static int queued(void)
{
	spin_lock(&lock.lk);
	int n = 0;
	for (struct sleep_waiter *w = lock.head; w; w = w->next)
		n++;
	spin_unlock(&lock.lk);
	return n;
}

static void *waiter(void *arg)
{
	int i = (int)(intptr_t)arg;
	self = &procs_[i + 1];
	int r = 0;
	if (killable_waiters)
		r = sleep_lock_killable(&lock);
	else
		sleep_lock(&lock);
	results[i] = r;
	if (r == 0) {
		if (!sleep_held(&lock))
			panic("waiter %d: granted but sleep_held says no", i);
		order[norder++] = i;
		sleep_unlock(&lock);
	}
	return NULL;
}

/* Start n waiters one after the other, each queued before the next starts. */
static void start_waiters(pthread_t *t, int n)
{
	for (int i = 0; i < n; i++) {
		procs_[i + 1] = (struct proc){ .pid = i + 2, .state = P_RUNNING };
		pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)i);
		while (queued() < i + 1)
			usleep(100);
	}
}

#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); return false; } while (0)

/* Held lock, NTHREADS queued in turn: they get it in that turn, one wakeup each. */
static bool test_fifo_handover(void)
{
	pthread_t t[NTHREADS];
	sleep_init(&lock, "test");
	norder = 0;
	woken = 0;
	killable_waiters = false;
	sleep_lock(&lock);
	start_waiters(t, NTHREADS);
	sleep_unlock(&lock);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	if (norder != NTHREADS)
		FAIL("%d of %d waiters got the lock", norder, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		if (order[i] != i)
			FAIL("turn %d went to waiter %d (arrival order broken)", i, order[i]);
	if (woken != NTHREADS)
		FAIL("%d wakeups for %d waiters: a release woke more than the next one",
		     woken, NTHREADS);
	if (lock.locked || lock.head || lock.tail)
		FAIL("lock not free and empty at the end");
	return true;
}

/* A killed waiter backs out with -EINTR; the others still go in order. */
static bool test_killable(void)
{
	pthread_t t[3];
	sleep_init(&lock, "test");
	norder = 0;
	killable_waiters = true;
	sleep_lock(&lock);
	start_waiters(t, 3);
	kill_proc(&procs_[2]);            /* waiter 1, in the middle of the queue */
	pthread_join(t[1], NULL);         /* returns while the lock is still held */
	if (results[1] != -EINTR)
		FAIL("killed waiter's acquire returned %d, want -EINTR", results[1]);
	if (queued() != 2)
		FAIL("%d waiters queued after the kill, want 2", queued());
	sleep_unlock(&lock);
	pthread_join(t[0], NULL);
	pthread_join(t[2], NULL);
	if (norder != 2 || order[0] != 0 || order[1] != 2)
		FAIL("after the kill the lock went to %d waiters (%d, %d)", norder,
		     order[0], order[1]);
	if (lock.locked || lock.head || lock.tail)
		FAIL("lock not free and empty at the end");
	return true;
}

/* Uncontended: a free lock is taken at once, killable or not. */
static bool test_uncontended(void)
{
	sleep_init(&lock, "test");
	procs_[0].killed = true;   /* killed, but nothing to wait for */
	if (sleep_lock_killable(&lock) != 0 || !sleep_held(&lock))
		FAIL("free lock not taken");
	sleep_unlock(&lock);
	procs_[0].killed = false;
	if (sleep_held(&lock))
		FAIL("held after unlock");
	return true;
}

int main(void)
{
	static const struct {
		const char *name;
		bool (*run)(void);
	} cases[] = {
		{ "sleeplock_uncontended",   test_uncontended },
		{ "sleeplock_fifo_handover", test_fifo_handover },
		{ "sleeplock_killable",      test_killable },
	};
	int failed = 0;

	procs_[0] = (struct proc){ .pid = 1, .state = P_RUNNING };
	self = &procs_[0];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (cases[i].run()) {
			printf("PASS %s\n", cases[i].name);
		} else {
			printf("FAIL %s: %s\n", cases[i].name, why);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
