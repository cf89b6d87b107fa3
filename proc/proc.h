/*
 * Processes.
 *
 * Lock legend:
 *   [P] p->lock          [W] wait_lock (parent links, exit/wait)
 *   [A] atomics only (set by the tick on the hart running the process)
 *   [C] only the process itself (running on its own kernel stack)
 *   [I] immutable while the slot is in use
 *
 * Lock order: wait_lock before any p->lock; never two p->locks at once.
 * p->lock before mm->lock (proc_vmmap); no spinlock across a user copy.
 */
#ifndef PROC_PROC_H
#define PROC_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/spinlock.h"
#include "arch/riscv/context.h"

#define NPROC     128   /* process slots */
#define NOFILE    16    /* open files per process */
#define PROC_NAME 16    /* name shown in kill messages, pmap, ps */
#define EXEC_MAXARG   32          /* arguments exec takes (xv6's MAXARG) */
#define EXEC_ARGLEN   4096        /* one argument, with its NUL */
#define EXEC_ARGBYTES (64 * 1024) /* all strings and pointers on the new stack */

struct file;
struct inode;
struct mm;

enum proc_state { P_UNUSED, P_USED, P_SLEEPING, P_RUNNABLE, P_RUNNING, P_ZOMBIE };

struct proc {
	struct spinlock lock;

	enum proc_state state;       /* [P] */
	void           *chan;        /* [P] sleeping on this, if non-NULL */
	bool            killed;      /* [P] exit at the next chance */
	bool            resched;     /* [A] a tick came while it ran in the kernel:
					 yield at the next proc_preempt_point */
	int             xstatus;     /* [P] exit status for the parent */
	int             pid;         /* [P] */
	int             pgid;        /* [P] process group: the console's Ctrl-C kills
					 a whole group (set by fork, setpgid) */

	struct proc    *parent;      /* [W] written by fork, reparent, proc_free_slot */

	uint64_t        kstack;      /* [I] top of the kernel stack (guarded) */
	struct mm      *mm;          /* [P] written by the process itself (exec, exit) or fork
						 before it runs; the address space, or NULL */
	struct trapframe tf;         /* [C] user registers while in the kernel */
	struct context  ctx;         /* [C] saved by swtch() */
	struct file    *ofile[NOFILE]; /* [C] open files */
	struct inode   *cwd;         /* [C] current directory */
	char            name[PROC_NAME]; /* [P] written by exec, and by fork before the child
						 runs; the process itself reads it unlocked */
};

/* The process running on this hart, or NULL in the scheduler. */
struct proc *proc_current(void);

/*
 * Sleep on chan, releasing lk while asleep and re-taking it before return.
 * Caller holds lk. Returns early if nothing ever calls wakeup only when the
 * process is killed; callers re-check their condition and proc_killed().
 */
void proc_sleep(void *chan, struct spinlock *lk);
/* Wake every process sleeping on chan. Caller holds no p->lock. */
void proc_wakeup(void *chan);
/* Has p been killed? (p->lock is taken inside.) */
bool proc_killed(struct proc *p);
void proc_set_killed(struct proc *p);

/* System-call level operations, on the current process. */
int  proc_fork(void);
void proc_exit(int status) __attribute__((noreturn));
int  proc_wait(uint64_t ustatus);
int  proc_kill(int pid);
/*
 * setpgid(pid, pgid): put process pid (0: the caller), which must be the
 * caller or a child of it not yet waited for (a zombie too: it is still a
 * child), in group pgid (0: its own pid). Returns 0,
 * -EINVAL (pgid < 0 or pid < 0) or -ESRCH. Takes wait_lock, then p->lock.
 */
int  proc_setpgid(int pid, int pgid);
/* The calling process's group. */
int  proc_pgid(void);
/* Has group pgid a process that has not exited? Only spinlocks (p->lock each). */
bool proc_group_alive(int pgid);
/*
 * Kill every live process of group pgid except init, as kill() does;
 * returns how many. Only spinlocks: callable from an interrupt (Ctrl-C).
 */
int  proc_kill_group(int pgid);
/* Print pid, state and name of every process on the console (Ctrl-P). Interrupt-safe. */
void proc_dump(void);
int  proc_exec(const char *path, char *const argv[], int argc);
void proc_yield(void);
/*
 * A preemption point for kernel loops over user data or big structures
 * (a page of a read or write, a chunk of a pipe or console transfer, a
 * directory page, an exec segment). The kernel is not preempted, so a tick
 * that interrupts it only sets p->resched; here the process yields if it
 * was set. Returns -EINTR if the process has been killed (the caller stops
 * and returns what it did so far, or -EINTR), else 0; 0 with no process
 * (boot). Caller holds no spinlock; sleep locks may be held.
 */
int  proc_preempt_point(void);
int  proc_sleep_ticks(int ticks);
/* Copy pid's memory map for vmmap(); pid 0 is the caller. */
int  proc_vmmap(int pid, uint64_t ubuf, int n);
/*
 * Describe every process for procinfo(): fill up to n struct procinfo at
 * ubuf, return how many processes there are; -EINVAL if n < 0, -EFAULT on
 * a bad buffer. Takes each p->lock in turn; may sleep (none held then).
 */
int  proc_info(uint64_t ubuf, int n);

/*
 * Called by the trap layer. proc_page_fault resolves a fault at va
 * (access: enum fault_access) in the current process's mm and returns
 * true if the instruction may run again; from user mode, a fault it cannot
 * resolve kills the process with a one-line message. proc_user_exception
 * kills the current process for any other exception from user mode.
 */
bool proc_page_fault(uint64_t va, int access, uint64_t pc, bool from_user);
void proc_user_exception(const char *cause, uint64_t pc, uint64_t tval);
void proc_user_trap_return(void) __attribute__((noreturn));
/*
 * A timer tick on this hart; `advanced`: the global tick count moved.
 * From user mode it yields; from the kernel it asks for a yield at the
 * next proc_preempt_point.
 */
void proc_tick(bool advanced, bool from_user);
/*
 * A tick that interrupted kernel code at pc, with return address ra and
 * frame pointer fp (for the backtrace, arch/riscv/unwind.h): warn
 * (once per episode) when this hart has run a process in the kernel for
 * the lockup time without passing through its scheduler (proc/lockup.c).
 * Interrupt context; prints, never sleeps.
 */
void proc_lockup_check(uint64_t pc, uint64_t ra, uint64_t fp);

/* Boot. */
void proc_init(void);
/*
 * Build the first process: path with argv { path, args... }, where args
 * is a comma-separated list (init.args=; may be empty). Panics on
 * failure. It runs only once proc_run_init says so: boot arms fault
 * injection in between, so that init's creation never fails and no
 * other hart runs init before the injection is on.
 */
#define INIT_MAXARG 8
void proc_make_init(const char *path, char *args);
void proc_run_init(void);
void proc_scheduler(void) __attribute__((noreturn));
void proc_set_test_mode(bool on);         /* power off when init exits */
void proc_set_trace(bool on);             /* mm.trace=1 */
#define PROC_LOCKUP_DEFAULT_SECS 10
void proc_set_lockup_secs(unsigned secs); /* lockup=N; 0 = no detector */
void proc_set_test_lockup(uint64_t ms);   /* test.lockup=1: init spins first */

#endif
