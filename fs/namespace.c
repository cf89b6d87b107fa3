/*
 * Creating, linking and removing names (see namespace.h).
 */
#include "fs/dir.h"
#include "fs/inode.h"
#include "fs/namespace.h"
#include "fs/path.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "userland/include/lazuli/stat.h"

/*
 * Make ip, new and locked, a valid inode to be named name in dp: "." and
 * ".." for a directory, and the link counts. Caller holds dp->lock and
 * ip->lock. 0, -EMLINK, -ENOMEM, -EEXIST, -ENOENT; nothing changes on error.
 */
static int attach(struct inode *dp, const char *name, struct inode *ip)
{
	int err;

	if (ip->type == T_DIR) {
		if (dp->nlink >= INODE_MAX_LINK)
			return -EMLINK;
		err = dir_init(ip, dp->inum);
		if (err)
			return err;
	}
	err = dir_add(dp, name, ip->inum);
	if (err)
		return err;
	if (ip->type == T_DIR) {
		ip->nlink = 2;   /* dp's record and its own "." */
		dp->nlink++;     /* its ".." */
	} else {
		ip->nlink = 1;
	}
	return 0;
}

int fs_create_at(struct inode *dir, const char *path, short type,
                 short major, short minor, bool may_exist,
                 struct inode **out)
{
	char name[DIRSIZ + 1];
	struct inode *dp, *ip;

	int err = path_parent(dir, path, &dp, name);
	if (err)
		return err;

	inode_lock(dp);
	err = dir_lookup(dp, name, &ip, NULL);
	if (err == 0) {
		inode_unlock(dp);
		inode_put(dp);
		if (!may_exist)
			err = -EEXIST;
		else if (ip->type != T_DIR && path_trailing_slash(path))
			err = -ENOTDIR;
		if (err) {
			inode_put(ip);
			return err;
		}
		goto out_found;
	}
	if (err != -ENOENT)
		goto out_unlock_dir;   /* -EINTR: killed during the scan */
	if (type != T_DIR && path_trailing_slash(path)) {
		err = -EISDIR;
		goto out_unlock_dir;
	}

	err = inode_alloc(type, major, minor, &ip);
	if (err)
		goto out_unlock_dir;
	inode_lock(ip);   /* new: nobody else can know it yet */
	err = attach(dp, name, ip);
	inode_unlock(ip);
	inode_unlock(dp);
	inode_put(dp);
	if (err) {
		inode_put(ip);   /* nlink 0: frees it */
		return err;
	}

out_found:
	if (out)
		*out = ip;
	else
		inode_put(ip);
	return 0;

out_unlock_dir:
	inode_unlock(dp);
	inode_put(dp);
	return err;
}

int fs_link_at(struct inode *dir, const char *oldpath, const char *newpath)
{
	char name[DIRSIZ + 1];
	struct inode *ip, *dp;

	int err = path_lookup(dir, oldpath, &ip);
	if (err)
		return err;
	if (ip->type == T_DIR) {
		err = -EPERM;
		goto out_put;
	}

	err = path_parent(dir, newpath, &dp, name);
	if (err)
		goto out_put;
	if (path_trailing_slash(newpath)) {
		err = -ENOENT;   /* the new name would have to be a directory */
		goto out_put_dir;
	}

	/*
	 * Count the new name before it is visible, so the inode never has
	 * more names than its nlink says. nlink 0 means it was unlinked
	 * meanwhile and must stay dead (see inode_put).
	 */
	inode_lock(ip);
	if (ip->nlink == 0)
		err = -ENOENT;
	else if (ip->nlink >= INODE_MAX_LINK)
		err = -EMLINK;
	else
		ip->nlink++;
	inode_unlock(ip);
	if (err)
		goto out_put_dir;

	inode_lock(dp);
	err = dir_add(dp, name, ip->inum);
	inode_unlock(dp);
	if (err) {
		inode_lock(ip);
		ip->nlink--;
		inode_unlock(ip);
	}

out_put_dir:
	inode_put(dp);
out_put:
	inode_put(ip);
	return err;
}

int fs_unlink_at(struct inode *dir, const char *path)
{
	char name[DIRSIZ + 1];
	struct inode *dp, *ip;
	uint64_t off;

	int err = path_parent(dir, path, &dp, name);
	if (err)
		return err;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		err = -EINVAL;
		goto out_put_dir;
	}

	inode_lock(dp);
	err = dir_lookup(dp, name, &ip, &off);
	if (err)
		goto out_unlock_dir;
	inode_lock(ip);   /* a child of dp: parent before child */

	if (ip->type != T_DIR && path_trailing_slash(path)) {
		err = -ENOTDIR;
	} else if (ip->type == T_DIR && !dir_is_empty(ip)) {
		err = -ENOTEMPTY;
	} else {
		dir_remove(dp, off);
		if (ip->type == T_DIR) {
			/* Its "." and dp's record go; so does its ".." in dp. */
			ip->nlink = 0;
			inode_truncate(ip);
			dp->nlink--;
		} else {
			ip->nlink--;
		}
	}

	inode_unlock(ip);
	inode_put(ip);   /* frees it if that was the last name and reference */
out_unlock_dir:
	inode_unlock(dp);
out_put_dir:
	inode_put(dp);
	return err;
}
