/* Sleep locks: a flag guarded by a spinlock, waiting with proc_sleep. */
#include "proc/sleeplock.h"
#include "proc/proc.h"
#include "lib/printf.h"

void sleep_init(struct sleeplock *sl, const char *name)
{
	spin_init(&sl->lk, "sleeplock");
	sl->name = name;
	sl->locked = false;
	sl->pid = 0;
	sl->waiters = 0;
}

void sleep_lock(struct sleeplock *sl)
{
	spin_lock(&sl->lk);
	while (sl->locked) {
		sl->waiters++;
		proc_sleep(sl, &sl->lk);
		sl->waiters--;
	}
	sl->locked = true;
	struct proc *p = proc_current();
	sl->pid = p ? p->pid : 0;
	spin_unlock(&sl->lk);
}

void sleep_unlock(struct sleeplock *sl)
{
	spin_lock(&sl->lk);
	sl->locked = false;
	sl->pid = 0;
	if (sl->waiters)
		proc_wakeup(sl);
	spin_unlock(&sl->lk);
}

bool sleep_held(struct sleeplock *sl)
{
	spin_lock(&sl->lk);
	struct proc *p = proc_current();
	bool held = sl->locked && sl->pid == (p ? p->pid : 0);
	spin_unlock(&sl->lk);
	return held;
}

/*
 * Reader/writer sleep locks. Readers and writers wait on the lock itself;
 * a release that could let someone in wakes them all if any sleep, and
 * each re-checks its own condition (a handful of waiters at most).
 */
void rwsleep_init(struct rwsleeplock *rw, const char *name)
{
	spin_init(&rw->lk, "rwsleeplock");
	rw->readers = 0;
	rw->writers_waiting = 0;
	rw->sleepers = 0;
	rw->writer = 0;
	rw->name = name;
}

static int current_pid(void)
{
	struct proc *p = proc_current();
	return p ? p->pid : -1;   /* -1: boot code, before any process runs */
}

void rwsleep_read_lock(struct rwsleeplock *rw)
{
	spin_lock(&rw->lk);
	while (rw->writer || rw->writers_waiting) {
		rw->sleepers++;
		proc_sleep(rw, &rw->lk);
		rw->sleepers--;
	}
	rw->readers++;
	spin_unlock(&rw->lk);
}

void rwsleep_read_unlock(struct rwsleeplock *rw)
{
	spin_lock(&rw->lk);
	if (rw->readers <= 0)
		panic("rwsleep_read_unlock: %s not held for reading", rw->name);
	if (--rw->readers == 0 && rw->sleepers)
		proc_wakeup(rw);
	spin_unlock(&rw->lk);
}

void rwsleep_write_lock(struct rwsleeplock *rw)
{
	spin_lock(&rw->lk);
	rw->writers_waiting++;
	while (rw->writer || rw->readers) {
		rw->sleepers++;
		proc_sleep(rw, &rw->lk);
		rw->sleepers--;
	}
	rw->writers_waiting--;
	rw->writer = current_pid();
	spin_unlock(&rw->lk);
}

void rwsleep_write_unlock(struct rwsleeplock *rw)
{
	spin_lock(&rw->lk);
	if (!rw->writer)
		panic("rwsleep_write_unlock: %s not held for writing", rw->name);
	rw->writer = 0;
	if (rw->sleepers)
		proc_wakeup(rw);
	spin_unlock(&rw->lk);
}

bool rwsleep_write_held(struct rwsleeplock *rw)
{
	spin_lock(&rw->lk);
	bool held = rw->writer != 0 && rw->writer == current_pid();
	spin_unlock(&rw->lk);
	return held;
}
