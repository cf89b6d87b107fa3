/*
 * Error codes: the one table, shared by the kernel and user space.
 *
 * In the kernel, commands return 0 or one of these negated (return
 * -ENOMEM); a failed system call returns -1 to user space with the code
 * in a1, and the user stub stores it in `errno` (userland/include/errno.h,
 * docs/syscalls.md). The values are Linux's. userland/lib/errno.c has a
 * message for each (strerror).
 */
#ifndef LAZULI_ERRNO_H
#define LAZULI_ERRNO_H

#define EPERM    1   /* operation not permitted */
#define ENOENT   2   /* no such file or directory */
#define ESRCH    3   /* no such process */
#define EINTR    4   /* interrupted (the caller was killed) */
#define EIO      5   /* I/O error */
#define ENXIO    6   /* no such address: a file page past the end of the file */
#define E2BIG    7   /* argument list too long */
#define ENOEXEC  8   /* not an executable we can load */
#define EBADF    9   /* bad file descriptor */
#define ECHILD  10   /* no children to wait for */
#define EAGAIN  11   /* resource temporarily unavailable */
#define ENOMEM  12   /* out of memory */
#define EACCES  13   /* permission denied (not a regular file) */
#define EFAULT  14   /* bad user address */
#define EBUSY   16   /* resource busy */
#define EEXIST  17   /* file exists */
#define EXDEV   18   /* cross-device link */
#define ENODEV  19   /* no such device */
#define ENOTDIR 20   /* not a directory */
#define EISDIR  21   /* is a directory */
#define EINVAL  22   /* invalid argument */
#define ENFILE  23   /* open-file table full */
#define EMFILE  24   /* too many open files in this process */
#define ETXTBSY 26   /* a program file that is running cannot be written */
#define EFBIG   27   /* file too large */
#define ENOSPC  28   /* no space left */
#define ESPIPE  29   /* seek on a pipe */
#define EMLINK  31   /* too many links */
#define EPIPE   32   /* write to a pipe with no reader */
#define ENAMETOOLONG 36 /* name longer than DIRSIZ or path too long */
#define ENOTEMPTY 39 /* directory not empty */
#define ENOSYS  38   /* no such system call */

#endif
