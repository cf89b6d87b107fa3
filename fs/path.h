/*
 * Path resolution.
 *
 * A path is a sequence of names separated by one or more slashes. It starts
 * at the root if it begins with '/', else at the directory given (a
 * process's cwd). "." and ".." are ordinary records of every directory, so
 * they need no special case here, and ".." of the root is the root.
 * A name longer than DIRSIZ is an error (-ENAMETOOLONG), never truncated.
 *
 * A walk holds one directory lock at a time: it finds the next name under
 * the directory's lock, takes a reference to what it found, and lets the
 * directory go before looking further. No lock is held on return.
 */
#ifndef FS_PATH_H
#define FS_PATH_H

#include <stdbool.h>
#include "userland/include/lazuli/dirent.h"

struct inode;

/*
 * Copy the next name of *pathp into name (NUL-terminated) and advance
 * *pathp past it. Returns 1 with a name, 0 when only slashes (or nothing)
 * remain, -ENAMETOOLONG.
 */
int  path_next(const char **pathp, char name[DIRSIZ + 1]);

/* Does path end in a slash (so must name a directory)? */
bool path_trailing_slash(const char *path);

/*
 * The inode path names, with a new reference in *out, starting at dir
 * (NULL: the root). Returns 0, -ENOENT, -ENOTDIR (a component, or a path
 * with a trailing slash, is not a directory), -ENAMETOOLONG.
 */
int  path_lookup(struct inode *dir, const char *path, struct inode **out);

/*
 * The directory that would hold path's last name, with a new reference in
 * *dirp, and that last name in name. The last name itself need not exist.
 * Returns 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, or -EINVAL when the path
 * has no last name ("/").
 */
int  path_parent(struct inode *dir, const char *path, struct inode **dirp,
                 char name[DIRSIZ + 1]);

#endif
