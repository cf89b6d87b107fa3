/*
 * xv6 compatibility: the directory record (struct dirent, DIRSIZ) that
 * read() returns from a directory, from lazuli/dirent.h.
 *
 * xv6's fs.h also describes its on-disk layout. lazuli's file system lives
 * in memory, so the block figures below are notional: they exist so that
 * xv6 programs mentioning them compile, and lazuli files are not limited
 * to MAXFILE blocks.
 */
#ifndef LAZULI_COMPAT_FS_H
#define LAZULI_COMPAT_FS_H

#include "lazuli/dirent.h"

#define ROOTINO    1                    /* inode number of "/" */
#define BSIZE      1024                 /* notional block size */
#define NDIRECT    12
#define NINDIRECT  (BSIZE / sizeof(uint32_t))
#define MAXFILE    (NDIRECT + NINDIRECT)

#endif
