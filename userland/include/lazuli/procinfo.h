/*
 * The process list for user space: procinfo().
 *
 * procinfo(struct procinfo *buf, n) fills up to n entries, one per process
 * slot in use, in process-table order, and returns how many processes there
 * are (which may exceed n; call again with a bigger buffer). -1 if n < 0 or
 * buf is not writable user memory. The figures are a snapshot taken one
 * process at a time: processes may come and go during the call.
 */
#ifndef LAZULI_PROCINFO_H
#define LAZULI_PROCINFO_H

#include <stdint.h>

#define PROCINFO_NAME 16   /* bytes of name, NUL included (the kernel's PROC_NAME) */

/* procinfo.state */
#define PROCINFO_NEW      1   /* being created by fork or at boot */
#define PROCINFO_SLEEPING 2   /* waiting: for a child, input, a tick, ... */
#define PROCINFO_RUNNABLE 3   /* ready, waiting for a hart */
#define PROCINFO_RUNNING  4   /* on a hart now */
#define PROCINFO_ZOMBIE   5   /* exited; its parent has not waited yet */

struct procinfo {
	int32_t  pid;
	uint32_t state;                 /* PROCINFO_* */
	char     name[PROCINFO_NAME];   /* the program's name, NUL-terminated */
	uint64_t reserved;              /* bytes of all its areas (0: no address space) */
	uint64_t resident;              /* pages with a frame (own or shared) */
	uint64_t shared;                /* of those, frames mapped more than once */
	uint64_t zero;                  /* pages mapping the shared zero page (not resident) */
	uint64_t pss_x1000;             /* proportional pages x 1000: a frame shared n ways counts 1/n */
};

#endif
