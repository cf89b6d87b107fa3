/*
 * System call dispatch: the number in a7 indexes a table of handlers,
 * built from the one list of numbers in userland/include/lazuli/syscall.h.
 * A handler's negative result (a kernel error code) reaches user space as
 * -1 in a0 with the code in a1 (the stub stores it in errno); an unknown
 * number gets -1, ENOSYS and a console line.
 */
#include "syscall/syscall.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "userland/include/lazuli/syscall.h"

static long (*const handlers[SYS_COUNT])(void) = {
	[SYS_fork] = sys_fork,       [SYS_exit] = sys_exit,
	[SYS_wait] = sys_wait,       [SYS_pipe] = sys_pipe,
	[SYS_read] = sys_read,       [SYS_kill] = sys_kill,
	[SYS_exec] = sys_exec,       [SYS_fstat] = sys_fstat,
	[SYS_chdir] = sys_chdir,     [SYS_dup] = sys_dup,
	[SYS_getpid] = sys_getpid,   [SYS_sbrk] = sys_sbrk,
	[SYS_sleep] = sys_sleep,     [SYS_uptime] = sys_uptime,
	[SYS_open] = sys_open,       [SYS_write] = sys_write,
	[SYS_mknod] = sys_mknod,     [SYS_unlink] = sys_unlink,
	[SYS_link] = sys_link,       [SYS_mkdir] = sys_mkdir,
	[SYS_close] = sys_close,     [SYS_memstat] = sys_memstat,
	[SYS_vmmap] = sys_vmmap,     [SYS_procinfo] = sys_procinfo,
	[SYS_mmap] = sys_mmap,       [SYS_munmap] = sys_munmap,
	[SYS_mprotect] = sys_mprotect, [SYS_setpgid] = sys_setpgid,
	[SYS_setfg] = sys_setfg,
};

void syscall_dispatch(void)
{
	struct proc *p = proc_current();
	uint64_t num = p->tf.a7;
	long ret;
	if (num < SYS_COUNT && handlers[num]) {
		ret = handlers[num]();
	} else {
		printf("lazuli: pid %d (%s): unknown system call %lu\n", p->pid, p->name, num);
		ret = -ENOSYS;
	}
	/*
	 * exec returns argc. A failure is -1 (the xv6 contract) and its code
	 * goes in a1, a register the C calling convention lets a call clobber.
	 */
	if (ret < 0) {
		p->tf.a0 = (uint64_t)-1;
		p->tf.a1 = (uint64_t)-ret;
	} else {
		p->tf.a0 = (uint64_t)ret;
	}
}

uint64_t syscall_arg(int n)
{
	struct trapframe *tf = &proc_current()->tf;
	switch (n) {
	case 0: return tf->a0;
	case 1: return tf->a1;
	case 2: return tf->a2;
	case 3: return tf->a3;
	case 4: return tf->a4;
	case 5: return tf->a5;
	}
	panic("syscall_arg: no argument %d", n);
}

int syscall_arg_int(int n)
{
	return (int)syscall_arg(n);
}

struct file *syscall_arg_file(int n, int *fdp)
{
	struct proc *p = proc_current();
	int fd = syscall_arg_int(n);

	if (fd < 0 || fd >= NOFILE || p->ofile[fd] == NULL)
		return NULL;
	if (fdp)
		*fdp = fd;
	return p->ofile[fd];
}

int syscall_arg_string(int n, char *buf, size_t max)
{
	long len = copy_string_from_user(buf, syscall_arg(n), max);
	return len < 0 ? (int)len : 0;
}
