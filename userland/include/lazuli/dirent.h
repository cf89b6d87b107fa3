/* Directory records, as read() returns them from a directory. */
#ifndef LAZULI_DIRENT_H
#define LAZULI_DIRENT_H

#include <stdint.h>

#define DIRSIZ 14    /* longest name; shorter names are NUL-padded */

struct dirent {
	uint16_t inum;           /* 0 marks a free slot */
	char     name[DIRSIZ];   /* not NUL-terminated when DIRSIZ long */
};

#endif
