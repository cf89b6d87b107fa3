/* Memory system calls: sbrk and the figures behind free and pmap. */
#include "syscall/syscall.h"
#include "lib/errno.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "userland/include/lazuli/memstat.h"

/* sbrk(n): move the break by n bytes; the old break, or -1. */
long sys_sbrk(void)
{
	return mm_brk(proc_current()->mm, (long)syscall_arg_int(0));
}

long sys_memstat(void)
{
	struct memstat st;
	mm_stat(&st);
	return copy_to_user(syscall_arg(0), &st, sizeof(st));
}

long sys_vmmap(void)
{
	return proc_vmmap(syscall_arg_int(0), syscall_arg(1), syscall_arg_int(2));
}
