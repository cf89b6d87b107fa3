/*
 * System call dispatch and argument fetching.
 *
 * Handlers take no parameters: they fetch their arguments from the current
 * process's saved registers with the helpers below and return a long, which
 * becomes a0. Any negative return reaches user space as -1.
 */
#ifndef SYSCALL_SYSCALL_H
#define SYSCALL_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

struct file;

/* Dispatch the call in the current process's trapframe. */
void syscall_dispatch(void);

/* Argument n (0..5) as raw bits, as an int, as a user address. */
uint64_t syscall_arg(int n);
int      syscall_arg_int(int n);
/* The open file descriptor argument n names in the current process (its number in *fdp), or NULL. */
struct file *syscall_arg_file(int n, int *fdp);
/* Copy argument n, a user string, into buf; 0 or -EFAULT / -ENAMETOOLONG. */
int      syscall_arg_string(int n, char *buf, size_t max);

/* Handlers, grouped by area. */
/* syscall/sys_proc.c */
long sys_fork(void);
long sys_exit(void);
long sys_wait(void);
long sys_kill(void);
long sys_exec(void);
long sys_getpid(void);
long sys_sleep(void);
long sys_uptime(void);
long sys_procinfo(void);
long sys_setpgid(void);
long sys_setfg(void);
/* syscall/sys_mm.c */
long sys_sbrk(void);
long sys_memstat(void);
long sys_vmmap(void);
long sys_mmap(void);
long sys_munmap(void);
long sys_mprotect(void);
/* syscall/sys_file.c */
long sys_pipe(void);
long sys_read(void);
long sys_write(void);
long sys_close(void);
long sys_dup(void);
long sys_fstat(void);
long sys_open(void);
long sys_mknod(void);
long sys_unlink(void);
long sys_link(void);
long sys_mkdir(void);
long sys_chdir(void);

#endif
