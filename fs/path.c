/*
 * Path resolution (see path.h).
 */
#include "fs/dir.h"
#include "fs/inode.h"
#include "fs/path.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "userland/include/lazuli/stat.h"

int path_next(const char **pathp, char name[DIRSIZ + 1])
{
	const char *p = *pathp;

	while (*p == '/')
		p++;
	if (*p == '\0') {
		*pathp = p;
		return 0;
	}

	const char *start = p;
	while (*p != '/' && *p != '\0')
		p++;
	size_t len = (size_t)(p - start);
	if (len > DIRSIZ)
		return -ENAMETOOLONG;
	memcpy(name, start, len);
	name[len] = '\0';
	*pathp = p;
	return 1;
}

bool path_trailing_slash(const char *path)
{
	size_t len = strlen(path);
	return len > 0 && path[len - 1] == '/';
}

/* Is there no name left in path (only slashes, or nothing)? */
static bool at_last(const char *path)
{
	while (*path == '/')
		path++;
	return *path == '\0';
}

/*
 * Walk path from dir. With want_parent, stop before the last name, leave
 * it in name and return its directory. Returns 0 with a referenced inode
 * in *out, or an error (see path_lookup and path_parent).
 */
static int walk(struct inode *dir, const char *path, bool want_parent,
                char name[DIRSIZ + 1], struct inode **out)
{
	struct inode *ip, *next;
	int r;

	if (*path == '\0')
		return -ENOENT;
	ip = inode_dup(*path == '/' || dir == NULL ? dir_root() : dir);

	while ((r = path_next(&path, name)) > 0) {
		if (ip->type != T_DIR) {
			r = -ENOTDIR;
			break;
		}
		if (want_parent && at_last(path)) {
			*out = ip;
			return 0;
		}
		inode_lock(ip);
		/* A removed directory has no records, so this finds nothing. */
		r = dir_lookup(ip, name, &next, NULL);
		inode_unlock(ip);
		if (r < 0)
			break;
		inode_put(ip);
		ip = next;
	}

	if (r == 0 && want_parent)
		r = -EINVAL;          /* "/" has no last name */
	if (r < 0) {
		inode_put(ip);
		return r;
	}
	*out = ip;
	return 0;
}

int path_lookup(struct inode *dir, const char *path, struct inode **out)
{
	char name[DIRSIZ + 1];
	struct inode *ip;

	int r = walk(dir, path, false, name, &ip);
	if (r < 0)
		return r;
	if (path_trailing_slash(path) && ip->type != T_DIR) {
		inode_put(ip);
		return -ENOTDIR;
	}
	*out = ip;
	return 0;
}

int path_parent(struct inode *dir, const char *path, struct inode **dirp,
                char name[DIRSIZ + 1])
{
	return walk(dir, path, true, name, dirp);
}
