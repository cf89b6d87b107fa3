/* Sleep locks: a flag guarded by a spinlock, waiting with proc_sleep. */
#include "proc/sleeplock.h"
#include "proc/proc.h"

void sleep_init(struct sleeplock *sl, const char *name)
{
	spin_init(&sl->lk, "sleeplock");
	sl->name = name;
	sl->locked = false;
	sl->pid = 0;
}

void sleep_lock(struct sleeplock *sl)
{
	spin_lock(&sl->lk);
	while (sl->locked)
		proc_sleep(sl, &sl->lk);
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
