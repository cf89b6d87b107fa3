/* open() flags: the xv6 values, shared with the kernel. */
#ifndef LAZULI_FCNTL_H
#define LAZULI_FCNTL_H

#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR   0x002
#define O_APPEND 0x008   /* every write goes at the end of the file */
#define O_CREATE 0x200
#define O_TRUNC  0x400

#endif
