/*
 * xv6 compatibility: system limits.
 *
 * The first group are lazuli's real limits (the kernel's proc/proc.h and
 * the exec and path code use the same values). The second group exist only
 * so that xv6 programs that mention them compile: lazuli's file system lives
 * in memory and has no disk, buffer cache or log.
 */
#ifndef LAZULI_COMPAT_PARAM_H
#define LAZULI_COMPAT_PARAM_H

#define NPROC        128   /* process slots */
#define NOFILE        16   /* open files per process */
#define MAXARG        32   /* exec() arguments */
#define MAXPATH      128   /* longest path name, including the NUL */
#define NCPU           8   /* harts the kernel will start */

/* Notional, for source compatibility only. */
#define NFILE        100   /* open files per system */
#define NINODE        50   /* active inodes */
#define NDEV          10   /* device numbers */
#define ROOTDEV        1   /* device of the file system root */
#define MAXOPBLOCKS   10
#define LOGSIZE       (MAXOPBLOCKS * 3)
#define NBUF          (MAXOPBLOCKS * 3)
#define FSSIZE      2000

#endif
