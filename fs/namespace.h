/*
 * Operations on names, relative to an explicit directory (a process's cwd,
 * or NULL for the root). fs/fs.c wraps them for the current process; the
 * unit tests call them directly.
 *
 * Each takes the parent directory's lock, then (when it needs one) the
 * lock of the inode the name leads to: parent before child.
 */
#ifndef FS_NAMESPACE_H
#define FS_NAMESPACE_H

#include <stdbool.h>

struct inode;

/*
 * Create path as a new inode of type (T_FILE, T_DIR or T_DEVICE with
 * major/minor). If the name exists: with may_exist, return it instead
 * (whatever its type); otherwise -EEXIST. On success *out holds a new
 * reference (out may be NULL). Errors: -ENOENT (a missing or removed
 * directory on the way), -ENOTDIR, -ENAMETOOLONG, -EEXIST, -EISDIR (a
 * trailing slash on a name that is not to be a directory), -EMLINK,
 * -ENOTDIR (a trailing slash on an existing non-directory), -ENOMEM,
 * -ENOSPC, -EINVAL ("/").
 */
int fs_create_at(struct inode *dir, const char *path, short type,
                 short major, short minor, bool may_exist,
                 struct inode **out);

/*
 * Give the inode oldpath names a second name, newpath. Errors: those of
 * the lookups, -EPERM (oldpath is a directory), -EEXIST, -EMLINK, -ENOMEM.
 */
int fs_link_at(struct inode *dir, const char *oldpath, const char *newpath);

/*
 * Remove the name path. A directory must be empty; its "." and ".." go
 * with it. The inode is freed once no name and no reference is left.
 * Errors: those of the lookup, -EINVAL ("." or ".." as the last name, or
 * "/"), -ENOTEMPTY, -ENOTDIR (trailing slash on a non-directory).
 */
int fs_unlink_at(struct inode *dir, const char *path);

#endif
