/*
 * System call numbers: the one table.
 *
 * The kernel's dispatch table (syscall/syscall.c) and the user-space stubs
 * (generated from this file by tools/syscalls.py into usys.S) both come from
 * these lines, so they cannot drift apart. Keep one "#define SYS_name N" per
 * line; the generator reads exactly that shape.
 *
 * ABI: number in a7, arguments in a0..a5, `ecall`, result in a0
 * (-1 on any failure, with the error code from lazuli/errno.h in a1).
 */
#ifndef LAZULI_SYSCALL_H
#define LAZULI_SYSCALL_H

#define SYS_fork     1
#define SYS_exit     2
#define SYS_wait     3
#define SYS_pipe     4
#define SYS_read     5
#define SYS_kill     6
#define SYS_exec     7
#define SYS_fstat    8
#define SYS_chdir    9
#define SYS_dup     10
#define SYS_getpid  11
#define SYS_sbrk    12
#define SYS_sleep   13
#define SYS_uptime  14
#define SYS_open    15
#define SYS_write   16
#define SYS_mknod   17
#define SYS_unlink  18
#define SYS_link    19
#define SYS_mkdir   20
#define SYS_close   21
#define SYS_memstat 22
#define SYS_vmmap   23
#define SYS_procinfo 24
#define SYS_mmap    25
#define SYS_munmap  26
#define SYS_mprotect 27
#define SYS_setpgid 28
#define SYS_setfg   29

#define SYS_COUNT   30  /* one past the highest number */

#endif
