/* Process system calls: thin wrappers that fetch arguments for proc/. */
#include "syscall/syscall.h"
#include "arch/riscv/timer.h"
#include "fs/console.h"
#include "fs/fs.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"


long sys_fork(void)   { return proc_fork(); }
long sys_exit(void)   { proc_exit(syscall_arg_int(0)); }
long sys_wait(void)   { return proc_wait(syscall_arg(0)); }
long sys_kill(void)   { return proc_kill(syscall_arg_int(0)); }
long sys_getpid(void) { return proc_current()->pid; }
long sys_sleep(void)  { return proc_sleep_ticks(syscall_arg_int(0)); }
long sys_uptime(void) { return (long)timer_ticks(); }
/* procinfo(buf, n): the process list for ps; how many processes, or -1. */
long sys_procinfo(void) { return proc_info(syscall_arg(0), syscall_arg_int(1)); }
/* setpgid(pid, pgid): move a process (the caller or a child) to a group. */
long sys_setpgid(void) { return proc_setpgid(syscall_arg_int(0), syscall_arg_int(1)); }
/* setfg(pgid): the group the console's Ctrl-C kills; 0 for none. */
long sys_setfg(void)   { return console_set_foreground(syscall_arg_int(0)); }

static void free_args(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		kfree(argv[i]);
}

/*
 * exec(path, argv): copy the path and every argument into the kernel
 * before anything of the old image is touched. Too many arguments, one
 * too long, or a bad pointer -> -1 with the caller unchanged.
 */
long sys_exec(void)
{
	char path[FS_PATH_MAX];
	int err_path = syscall_arg_string(0, path, sizeof(path));
	if (err_path < 0)
		return err_path;
	uint64_t uargv = syscall_arg(1);
	char *argv[EXEC_MAXARG + 1];
	int argc = 0;
	long err = 0;
	for (;; argc++) {
		uint64_t uarg;
		if (copy_from_user(&uarg, uargv + (uint64_t)argc * sizeof(uarg), sizeof(uarg)) < 0) {
			err = -EFAULT;
			break;
		}
		if (!uarg)
			break;
		if (argc == EXEC_MAXARG) {
			err = -E2BIG;
			break;
		}
		argv[argc] = kmalloc(EXEC_ARGLEN);
		if (!argv[argc]) {
			err = -ENOMEM;
			break;
		}
		long len = copy_string_from_user(argv[argc], uarg, EXEC_ARGLEN);
		if (len < 0) {
			argc++;
			err = len == -ENAMETOOLONG ? -E2BIG : len;
			break;
		}
	}
	if (!err) {
		argv[argc] = NULL;
		err = proc_exec(path, argv, argc);
	}
	free_args(argv, argc);
	return err;
}
