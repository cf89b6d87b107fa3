/*
 * The process table and the life of a process: fork, exit, wait, kill.
 *
 * A slot goes UNUSED -> USED (being built) -> RUNNABLE <-> RUNNING <->
 * SLEEPING -> ZOMBIE (exited, waiting for its parent) -> UNUSED. An
 * exiting process gives back its address space and files itself; the
 * parent's wait() only collects the status and frees the slot. Kernel
 * stacks are mapped once per slot at boot (with a guard page each) and
 * reused, so creating a process allocates no kernel stack.
 */
#include "proc/proc_internal.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi.h"
#include "fs/fs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "userland/include/lazuli/memstat.h"
#include "userland/include/lazuli/procinfo.h"

struct proc procs[NPROC];
struct proc *init_proc;
struct spinlock wait_lock = SPINLOCK_INIT("wait");

static int next_pid = 1;   /* [A] */
static bool test_mode;     /* [I] power off when init exits */

void proc_set_test_mode(bool on) { test_mode = on; }

void proc_init(void)
{
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[i];
		spin_init(&p->lock, "proc");
		p->state = P_UNUSED;
		p->kstack = mm_kstack_map(i);
		if (!p->kstack)
			panic("proc_init: no memory for kernel stacks");
	}
}

struct proc *proc_alloc(void)
{
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		spin_lock(&p->lock);
		if (p->state == P_UNUSED) {
			p->state = P_USED;
			p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
			p->killed = false;
			p->resched = false;
			p->xstatus = 0;
			p->chan = NULL;
			p->mm = NULL;
			memset(&p->tf, 0, sizeof(p->tf));
			memset(&p->ctx, 0, sizeof(p->ctx));
			p->ctx.ra = (uint64_t)proc_first_run;
			p->ctx.sp = p->kstack;
			return p;
		}
		spin_unlock(&p->lock);
	}
	return NULL;
}

void proc_free_slot(struct proc *p)
{
	p->state = P_UNUSED;
	p->pid = 0;
	p->pgid = 0;
	p->parent = NULL;
	p->name[0] = 0;
	p->killed = false;
	p->chan = NULL;
}

/*
 * A new process's first switch lands here, holding p->lock taken by the
 * scheduler; release it and go to user mode.
 */
void proc_first_run(void)
{
	spin_unlock(&proc_current()->lock);
	proc_lockup_test(proc_current());
	proc_user_trap_return();
}

void proc_make_init(const char *path, char *args)
{
	char *argv[INIT_MAXARG + 2] = { (char *)path };
	int argc = 1;

	struct proc *p = proc_alloc();
	if (!p)
		panic("proc_make_init: no process slot");
	spin_unlock(&p->lock);   /* P_USED: the scheduler passes it by */

	p->cwd = fs_root();
	p->ofile[0] = fs_open_console();
	if (!p->ofile[0])
		panic("proc_make_init: cannot open the console");
	p->ofile[1] = file_dup(p->ofile[0]);
	p->ofile[2] = file_dup(p->ofile[0]);

	/* Cut "a,b,c" in place into argv[1..]; empty words are skipped. */
	for (char *s = args; s && *s && argc <= INIT_MAXARG; ) {
		char *word = s;
		while (*s && *s != ',')
			s++;
		if (*s)
			*s++ = '\0';
		if (*word)
			argv[argc++] = word;
	}
	argv[argc] = NULL;
	int err = exec_into(p, path, argv, argc);
	if (err < 0)
		panic("proc_make_init: cannot run %s (error %d)", path, err);
	init_proc = p;
	spin_lock(&p->lock);
	p->pgid = p->pid;
	spin_unlock(&p->lock);   /* still P_USED: proc_run_init lets it run */
}

void proc_run_init(void)
{
	spin_lock(&init_proc->lock);
	init_proc->state = P_RUNNABLE;
	spin_unlock(&init_proc->lock);
}

int proc_fork(void)
{
	struct proc *parent = proc_current();
	struct proc *child = proc_alloc();
	if (!child)
		return -EAGAIN;
	spin_unlock(&child->lock);   /* P_USED: the scheduler passes it by */

	/*
	 * Copying the resident pages is long: no process lock is held, only
	 * the parent's area lock (a sleeping lock, inside mm_fork).
	 */
	struct mm *mm = mm_fork(parent->mm);
	if (!mm) {
		spin_lock(&wait_lock);
		spin_lock(&child->lock);
		proc_free_slot(child);
		spin_unlock(&child->lock);
		spin_unlock(&wait_lock);
		return -ENOMEM;
	}
	spin_lock(&parent->lock);
	int pgid = parent->pgid;   /* the child starts in its parent's group */
	spin_unlock(&parent->lock);
	spin_lock(&child->lock);
	child->mm = mm;
	child->pgid = pgid;
	memcpy(child->name, parent->name, sizeof(child->name));
	spin_unlock(&child->lock);
	child->tf = parent->tf;
	child->tf.a0 = 0;   /* fork returns 0 in the child */
	for (int fd = 0; fd < NOFILE; fd++)
		child->ofile[fd] = parent->ofile[fd] ? file_dup(parent->ofile[fd]) : NULL;
	child->cwd = inode_dup(parent->cwd);
	int pid = child->pid;

	spin_lock(&wait_lock);
	child->parent = parent;
	spin_unlock(&wait_lock);

	spin_lock(&child->lock);
	child->state = P_RUNNABLE;
	spin_unlock(&child->lock);
	return pid;
}

/* Give p's children to init. Caller holds wait_lock. */
static void reparent(struct proc *p)
{
	for (struct proc *c = procs; c < &procs[NPROC]; c++) {
		if (c->parent == p) {
			c->parent = init_proc;
			proc_wakeup(init_proc);
		}
	}
}

void proc_exit(int status)
{
	struct proc *p = proc_current();
	if (p == init_proc) {
		if (test_mode) {
			printf("lazuli: init exited with status %d, powering off\n", status);
			sbi_shutdown(status != 0);
		}
		panic("init exited with status %d", status);
	}

	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd]) {
			file_close(p->ofile[fd]);
			p->ofile[fd] = NULL;
		}
	}
	inode_put(p->cwd);
	p->cwd = NULL;

	/* Give the address space back now: leave it first, then destroy it. */
	spin_lock(&p->lock);
	struct mm *mm = p->mm;
	p->mm = NULL;
	spin_unlock(&p->lock);
	mm_activate(NULL);
	mm_destroy(mm);

	spin_lock(&wait_lock);
	reparent(p);
	proc_wakeup(p->parent);
	spin_lock(&p->lock);
	p->xstatus = status;
	p->state = P_ZOMBIE;
	spin_unlock(&wait_lock);
	sched();
	panic("proc_exit: zombie %d ran again", p->pid);
}

int proc_wait(uint64_t ustatus)
{
	struct proc *p = proc_current();
	spin_lock(&wait_lock);
	for (;;) {
		bool have_kids = false;
		for (struct proc *c = procs; c < &procs[NPROC]; c++) {
			if (c->parent != p)
				continue;
			have_kids = true;
			spin_lock(&c->lock);
			if (c->state == P_ZOMBIE) {
				int pid = c->pid, status = c->xstatus;
				proc_free_slot(c);
				spin_unlock(&c->lock);
				spin_unlock(&wait_lock);
				/*
				 * Reap first, then copy the status out with no lock
				 * held, as Linux's wait4 does: on a bad pointer the
				 * child is gone all the same and the call says
				 * -EFAULT (its pid and status are lost to the caller).
				 */
				if (ustatus && copy_to_user(ustatus, &status, sizeof(status)) < 0)
					return -EFAULT;
				return pid;
			}
			spin_unlock(&c->lock);
		}
		if (!have_kids || proc_killed(p)) {
			spin_unlock(&wait_lock);
			return -ECHILD;
		}
		proc_sleep(p, &wait_lock);
	}
}

/* Has p started and not yet exited? Caller holds p->lock. */
static bool live(const struct proc *p)
{
	return p->state != P_UNUSED && p->state != P_ZOMBIE;
}

/* Mark p killed; a sleeper wakes to see it. Caller holds p->lock. */
static void kill_locked(struct proc *p)
{
	p->killed = true;
	if (p->state == P_SLEEPING)
		p->state = P_RUNNABLE;
}

int proc_kill(int pid)
{
	if (pid <= 0)
		return -ESRCH;
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		spin_lock(&p->lock);
		if (p->pid == pid && live(p)) {
			if (p == init_proc) {   /* init reaps everyone: it cannot go */
				spin_unlock(&p->lock);
				return -EPERM;
			}
			kill_locked(p);
			spin_unlock(&p->lock);
			return 0;
		}
		spin_unlock(&p->lock);
	}
	return -ESRCH;
}

int proc_setpgid(int pid, int pgid)
{
	struct proc *self = proc_current();
	if (pid < 0 || pgid < 0)
		return -EINVAL;
	if (pid == 0)
		pid = self->pid;
	if (pgid == 0)
		pgid = pid;
	/*
	 * wait_lock keeps the parent links still while we look for pid, and
	 * keeps a zombie child from being reaped meanwhile. A zombie is still
	 * the caller's child until wait() takes it (as POSIX has it), so it is
	 * found: the shell's setpgid from both sides of a fork must not fail
	 * on the parent's side when the child has already run to its exit,
	 * or whether it fails (and so writes errno) depends on the harts'
	 * timing. Its group no longer matters (Ctrl-C passes zombies by).
	 */
	spin_lock(&wait_lock);
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		if (p != self && p->parent != self)
			continue;
		spin_lock(&p->lock);
		if (p->pid == pid && p->state != P_UNUSED) {
			p->pgid = pgid;
			spin_unlock(&p->lock);
			spin_unlock(&wait_lock);
			return 0;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&wait_lock);
	return -ESRCH;
}

int proc_pgid(void)
{
	struct proc *p = proc_current();
	spin_lock(&p->lock);
	int pgid = p->pgid;
	spin_unlock(&p->lock);
	return pgid;
}

bool proc_group_alive(int pgid)
{
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		spin_lock(&p->lock);
		bool member = p->pgid == pgid && live(p);
		spin_unlock(&p->lock);
		if (member)
			return true;
	}
	return false;
}

int proc_kill_group(int pgid)
{
	int killed = 0;
	if (pgid <= 0)
		return 0;
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		spin_lock(&p->lock);
		if (p->pgid == pgid && p != init_proc && live(p)) {
			kill_locked(p);
			killed++;
		}
		spin_unlock(&p->lock);
	}
	return killed;
}

void proc_dump(void)
{
	static const char *const names[] = {
		[P_USED] = "new", [P_SLEEPING] = "sleep", [P_RUNNABLE] = "ready",
		[P_RUNNING] = "run", [P_ZOMBIE] = "zombie",
	};
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		/* A snapshot under the lock; the console is written without it. */
		spin_lock(&p->lock);
		enum proc_state state = p->state;
		int pid = p->pid;
		char name[PROC_NAME];
		memcpy(name, p->name, sizeof(name));
		spin_unlock(&p->lock);
		name[PROC_NAME - 1] = 0;
		if (state != P_UNUSED)
			printf("%5d %-6s %s\n", pid, names[state], name);
	}
}

#define VMMAP_MAX 40   /* areas copied out per call (one page of kernel buffer) */
_Static_assert(VMMAP_MAX * sizeof(struct vmmap_entry) <= PAGE_SIZE, "one kmalloc");

int proc_vmmap(int pid, uint64_t ubuf, int n)
{
	if (n < 0)
		return -EINVAL;
	struct proc *self = proc_current();
	if (pid == 0)
		pid = self->pid;
	struct vmmap_entry *buf = kmalloc(VMMAP_MAX * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	/* Hold the mm, not p->lock, while describing it: that may sleep. */
	struct mm *mm = NULL;
	for (struct proc *p = procs; p < &procs[NPROC] && !mm; p++) {
		spin_lock(&p->lock);
		if (p->pid == pid && p->state != P_UNUSED && p->mm) {
			mm = p->mm;
			mm_hold(mm);
		}
		spin_unlock(&p->lock);
	}
	int count = -ESRCH;
	/* A buffer's worth at a time: as many areas as the caller asked for. */
	for (int done = 0; mm && done <= n; done += VMMAP_MAX) {
		int want = n - done < VMMAP_MAX ? n - done : VMMAP_MAX;
		count = mm_describe(mm, done, buf, want);
		int copy = count - done < want ? count - done : want;
		if (copy <= 0)
			break;
		if (copy_to_user(ubuf + (uint64_t)done * sizeof(*buf), buf,
				 (size_t)copy * sizeof(*buf)) < 0) {
			count = -EFAULT;
			break;
		}
	}
	if (mm)
		mm_release(mm);
	kfree(buf);
	return count;
}

_Static_assert(PROC_NAME == PROCINFO_NAME, "procinfo.name holds a whole name");

/* The user-visible state of a slot in use (procinfo.h's PROCINFO_*). */
static uint32_t procinfo_state(enum proc_state s)
{
	switch (s) {
	case P_USED:     return PROCINFO_NEW;
	case P_SLEEPING: return PROCINFO_SLEEPING;
	case P_RUNNABLE: return PROCINFO_RUNNABLE;
	case P_RUNNING:  return PROCINFO_RUNNING;
	case P_ZOMBIE:   return PROCINFO_ZOMBIE;
	case P_UNUSED:   break;
	}
	panic("procinfo_state: slot state %d", (int)s);
}

/*
 * Snapshot slot p into *info and return true, or false if it is unused.
 * The mm is only held under p->lock (an atomic count, never mm->lock);
 * it is measured after the lock is dropped, since mm_usage may sleep.
 */
static bool describe_proc(struct proc *p, struct procinfo *info)
{
	spin_lock(&p->lock);
	if (p->state == P_UNUSED) {
		spin_unlock(&p->lock);
		return false;
	}
	*info = (struct procinfo){ .pid = p->pid, .state = procinfo_state(p->state) };
	memcpy(info->name, p->name, sizeof(info->name));
	info->name[PROCINFO_NAME - 1] = 0;
	struct mm *mm = p->mm;
	if (mm)
		mm_hold(mm);
	spin_unlock(&p->lock);

	if (mm) {
		struct mm_usage u;
		mm_usage(mm, &u);
		mm_release(mm);
		info->reserved = u.reserved;
		info->resident = u.resident;
		info->shared = u.shared;
		info->zero = u.zero;
		info->pss_x1000 = u.pss_x1000;
	}
	return true;
}

int proc_info(uint64_t ubuf, int n)
{
	if (n < 0)
		return -EINVAL;
	int count = 0;
	for (struct proc *p = procs; p < &procs[NPROC]; p++) {
		struct procinfo info;
		if (!describe_proc(p, &info))
			continue;
		/* No lock is held here: the copy may fault the buffer in. */
		if (count < n && copy_to_user(ubuf + (uint64_t)count * sizeof(info),
					      &info, sizeof(info)) < 0)
			return -EFAULT;
		count++;
	}
	return count;
}
