/* What the files of proc/ share; nothing outside proc/ includes this. */
#ifndef PROC_PROC_INTERNAL_H
#define PROC_PROC_INTERNAL_H

#include "proc/proc.h"

extern struct proc procs[NPROC];
extern struct spinlock wait_lock;
extern struct proc *init_proc;

/* Give up the CPU. Caller holds p->lock (and no other lock), state set. */
void sched(void);

/* A free slot, locked, state P_USED, with a pid; NULL if the table is full. */
struct proc *proc_alloc(void);
/*
 * Return a slot to P_UNUSED and clear its parent link. Caller holds
 * wait_lock and p->lock (in that order); p has no mm or files.
 */
void proc_free_slot(struct proc *p);

/* Build p's new image from path with kernel argv; commit only on success. */
int exec_into(struct proc *p, const char *path, char *const argv[], int argc);

/* Where a new process starts its first run (kernel side). */
void proc_first_run(void);

/* The lockup detector (proc/lockup.c): the scheduler's stamp on each pass. */
void proc_lockup_stamp(void);
/* test.lockup=1: init's first run spins in the kernel; else nothing. */
void proc_lockup_test(struct proc *p);

#endif
