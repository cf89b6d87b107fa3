/*
 * Directories: an inode of type T_DIR whose data is an array of
 * struct dirent records (userland/include/lazuli/dirent.h), exactly what
 * read() on a directory returns. A record with inum 0 is a free slot.
 * Every live directory starts with "." (itself) and ".." (its parent; the
 * root's parent is the root).
 *
 * Link counts: a directory's nlink is 1 for the entry in its parent, 1 for
 * its own ".", and 1 for the ".." of each subdirectory. The root, which no
 * parent names, counts its "." and its own "..". A removed directory has
 * nlink 0 and no records at all, so nothing can be found or created in it.
 *
 * Names passed in are NUL-terminated and at most DIRSIZ characters long.
 * Every function here is called with dp->lock held (see fs/inode.h).
 */
#ifndef FS_DIR_H
#define FS_DIR_H

#include <stdbool.h>
#include <stdint.h>
#include "userland/include/lazuli/dirent.h"

struct inode;

/*
 * Find name in dp. On success stores a new reference to the inode in *out
 * (if out) and the record's offset in *offp (if offp); returns 0 or -ENOENT,
 * or -EINTR when the process is killed during the scan (each page of a big
 * directory is a preemption point, as in dir_add and dir_is_empty).
 */
int  dir_lookup(struct inode *dp, const char *name, struct inode **out,
                uint64_t *offp);

/*
 * Add the record (name, inum) to dp, reusing a free slot. Returns 0,
 * -EEXIST (name taken), -ENOENT (dp was removed), -ENOMEM, -EINTR (killed).
 */
int  dir_add(struct inode *dp, const char *name, uint16_t inum);

/* Free the record at off (an offset dir_lookup returned). */
void dir_remove(struct inode *dp, uint64_t off);

/* Write "." and ".." into the new, empty directory dp; 0 or -ENOMEM. */
int  dir_init(struct inode *dp, uint16_t parent_inum);

/* Does dp hold no records but "." and ".."? */
bool dir_is_empty(struct inode *dp);

/*
 * Create the root directory (inode INODE_ROOT). Boot, once, before any
 * other inode; 0 or -ENOMEM. The root is never freed.
 */
int  dir_make_root(void);
/* The root directory; a borrowed pointer (inode_dup it to keep it). */
struct inode *dir_root(void);

#endif
