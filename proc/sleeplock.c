/*
 * Sleep locks: a flag and a queue of waiters guarded by a spinlock,
 * waiting with proc_sleep.
 *
 * A waiter that finds the lock taken queues a struct sleep_waiter (on its
 * own stack) at the tail and sleeps on it. sleep_unlock does not free a
 * lock that has waiters: it unlinks the head, marks it granted, makes its
 * pid the holder and wakes that process alone. So the lock goes in
 * arrival order, a newcomer cannot overtake a woken waiter, and a release
 * wakes one process, not all of them. A killable waiter that is killed
 * before it is granted unlinks itself and returns -EINTR; one granted
 * first owns the lock, and takes it.
 */
#include "proc/sleeplock.h"
#include "proc/proc.h"
#include "lib/errno.h"
#include "lib/printf.h"

static int current_pid(void)
{
	struct proc *p = proc_current();
	return p ? p->pid : -1;   /* -1: boot code, before any process runs */
}

void sleep_init(struct sleeplock *sl, const char *name)
{
	spin_init(&sl->lk, "sleeplock");
	sl->name = name;
	sl->locked = false;
	sl->pid = 0;
	sl->head = NULL;
	sl->tail = NULL;
}

/* Take w out of sl's queue. Caller holds sl->lk; w is queued. */
static void unqueue(struct sleeplock *sl, struct sleep_waiter *w)
{
	struct sleep_waiter **pp = &sl->head, *prev = NULL;
	while (*pp != w) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = w->next;
	if (sl->tail == w)
		sl->tail = prev;
}

/*
 * Take sl, waiting in line if it is held. With killable, give up when the
 * process is killed before its turn. 0 (held) or -EINTR.
 */
static int acquire(struct sleeplock *sl, bool killable)
{
	struct proc *p = proc_current();
	spin_lock(&sl->lk);
	if (!sl->locked) {
		sl->locked = true;
		sl->pid = current_pid();
		spin_unlock(&sl->lk);
		return 0;
	}
	struct sleep_waiter w = { .next = NULL, .pid = current_pid(), .granted = false };
	if (sl->tail)
		sl->tail->next = &w;
	else
		sl->head = &w;
	sl->tail = &w;
	while (!w.granted) {
		if (killable && proc_killed(p)) {
			unqueue(sl, &w);
			spin_unlock(&sl->lk);
			return -EINTR;
		}
		proc_sleep(&w, &sl->lk);
	}
	/* sleep_unlock made us the holder (locked stayed true, pid is ours). */
	spin_unlock(&sl->lk);
	return 0;
}

void sleep_lock(struct sleeplock *sl)
{
	acquire(sl, false);
}

int sleep_lock_killable(struct sleeplock *sl)
{
	return acquire(sl, true);
}

void sleep_unlock(struct sleeplock *sl)
{
	spin_lock(&sl->lk);
	if (!sl->locked)
		panic("sleep_unlock: %s not held", sl->name);
	struct sleep_waiter *w = sl->head;
	if (w == NULL) {
		sl->locked = false;
		sl->pid = 0;
		spin_unlock(&sl->lk);
		return;
	}
	sl->head = w->next;
	if (sl->head == NULL)
		sl->tail = NULL;
	w->granted = true;
	sl->pid = w->pid;
	/* Under sl->lk: w cannot leave the stack it lives on before this. */
	proc_wakeup(w);
	spin_unlock(&sl->lk);
}

bool sleep_held(struct sleeplock *sl)
{
	spin_lock(&sl->lk);
	bool held = sl->locked && sl->pid == current_pid();
	spin_unlock(&sl->lk);
	return held;
}

/*
 * Reader/writer sleep locks. The fast paths are one compare-and-swap on
 * state. A process that must wait does so under lk: it counts itself in
 * sleepers, tries once more, and sleeps. A releaser changes state first
 * and reads sleepers after, both sequentially consistent, so of any
 * sleeper and releaser at least one sees the other: either the sleeper's
 * last try succeeds, or the releaser sees it counted and wakes it (taking
 * lk, which the sleeper holds until it is really asleep).
 */
void rwsleep_init(struct rwsleeplock *rw, const char *name)
{
	spin_init(&rw->lk, "rwsleeplock");
	rw->state = 0;
	rw->writers_waiting = 0;
	rw->sleepers = 0;
	rw->name = name;
}

static bool try_read(struct rwsleeplock *rw)
{
	int s = __atomic_load_n(&rw->state, __ATOMIC_SEQ_CST);
	while (s >= 0 && !__atomic_load_n(&rw->writers_waiting, __ATOMIC_SEQ_CST))
		if (__atomic_compare_exchange_n(&rw->state, &s, s + 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return true;
	return false;
}

static bool try_write(struct rwsleeplock *rw)
{
	int free = 0;
	return __atomic_compare_exchange_n(&rw->state, &free, RWSLEEP_WRITER, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Wait under lk until try() succeeds. Caller holds lk. */
static void wait_for(struct rwsleeplock *rw, bool (*try)(struct rwsleeplock *))
{
	for (;;) {
		__atomic_add_fetch(&rw->sleepers, 1, __ATOMIC_SEQ_CST);
		bool got = try(rw);
		if (!got)
			proc_sleep(rw, &rw->lk);
		__atomic_sub_fetch(&rw->sleepers, 1, __ATOMIC_SEQ_CST);
		if (got)
			return;
	}
}

/* The lock was released: wake whoever sleeps on it, if anyone does. */
static void wake_sleepers(struct rwsleeplock *rw)
{
	if (!__atomic_load_n(&rw->sleepers, __ATOMIC_SEQ_CST))
		return;
	spin_lock(&rw->lk);
	proc_wakeup(rw);
	spin_unlock(&rw->lk);
}

void rwsleep_read_lock(struct rwsleeplock *rw)
{
	if (try_read(rw))
		return;
	spin_lock(&rw->lk);
	wait_for(rw, try_read);
	spin_unlock(&rw->lk);
}

void rwsleep_read_unlock(struct rwsleeplock *rw)
{
	int old = __atomic_fetch_sub(&rw->state, 1, __ATOMIC_SEQ_CST);
	if (old <= 0)
		panic("rwsleep_read_unlock: %s not held for reading", rw->name);
	if (old == 1)
		wake_sleepers(rw);
}

void rwsleep_write_lock(struct rwsleeplock *rw)
{
	if (!try_write(rw)) {
		spin_lock(&rw->lk);
		__atomic_add_fetch(&rw->writers_waiting, 1, __ATOMIC_SEQ_CST);
		wait_for(rw, try_write);
		__atomic_sub_fetch(&rw->writers_waiting, 1, __ATOMIC_SEQ_CST);
		spin_unlock(&rw->lk);
	}
}

void rwsleep_write_unlock(struct rwsleeplock *rw)
{
	if (__atomic_load_n(&rw->state, __ATOMIC_RELAXED) != RWSLEEP_WRITER)
		panic("rwsleep_write_unlock: %s not held for writing", rw->name);
	__atomic_store_n(&rw->state, 0, __ATOMIC_SEQ_CST);
	wake_sleepers(rw);
}
