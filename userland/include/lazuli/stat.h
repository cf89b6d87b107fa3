/* struct stat as returned by fstat(): the xv6 layout, shared with the kernel. */
#ifndef LAZULI_STAT_H
#define LAZULI_STAT_H

#include <stdint.h>

#define T_DIR    1   /* directory */
#define T_FILE   2   /* regular file */
#define T_DEVICE 3   /* device node */

struct stat {
	int      dev;    /* file system's disk device (always 1) */
	uint32_t ino;    /* inode number */
	short    type;   /* T_DIR, T_FILE or T_DEVICE */
	short    nlink;  /* number of directory entries naming the inode */
	uint64_t size;   /* size of the file in bytes */
};

#endif
