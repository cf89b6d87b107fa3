/*
 * xv6 compatibility: system limits.
 *
 * The first group are the limits user space should assume: NPROC and NOFILE
 * are the kernel's (proc/proc.h), MAXARG is what exec takes, and a MAXPATH
 * buffer always holds a path the kernel accepts (it takes longer ones too).
 * The second group exist only so that xv6 programs mentioning them
 * compile: lazuli's file system lives in memory and has no disk, buffer
 * cache or log.
 */
#ifndef LAZULI_COMPAT_PARAM_H
#define LAZULI_COMPAT_PARAM_H

#define NPROC        128   /* process slots */
#define NOFILE        16   /* open files per process */
#define MAXARG        32   /* exec() arguments */
#define MAXPATH      128   /* longest path name, including the NUL */

/* Notional, for source compatibility only. */
#define NCPU           8   /* most harts */
#define NFILE        100   /* open files per system */
#define NINODE        50   /* active inodes */
#define NDEV          10   /* device numbers */
#define ROOTDEV        1   /* device of the file system root */
#define MAXOPBLOCKS   10
#define LOGSIZE       (MAXOPBLOCKS * 3)
#define NBUF          (MAXOPBLOCKS * 3)
#define FSSIZE      2000

#endif
