/*
 * pwd: print the current directory's path.
 *
 * There is no getcwd call: as in early Unix, pwd climbs. The current
 * directory's inode number is looked up by name in "..", then that of ".."
 * in "../..", and so on until a directory is its own parent (the root).
 * One file system, so an inode number names one directory.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"
#include "errno.h"

#define PWD_MAX 512   /* the longest path printed */

/* Copy the name of inode inum in directory dir to name; -1 if absent. */
static int find_name(const char *dir, uint inum, char name[DIRSIZ + 1])
{
	struct dirent de;
	int fd = open(dir, O_RDONLY);

	if (fd < 0)
		return -1;
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum != inum || strcmp(de.name, ".") == 0 || strcmp(de.name, "..") == 0)
			continue;
		memmove(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		close(fd);
		return 0;
	}
	close(fd);
	errno = ENOENT;
	return -1;
}

int main(void)
{
	char up[MAXPATH] = ".";     /* ".", "./..", "./../..", ... */
	char path[PWD_MAX + 1];
	char *start = path + PWD_MAX;   /* the path grows leftwards */
	struct stat here, parent;

	*start = '\0';
	if (stat(up, &here) < 0)
		goto fail;
	for (;;) {
		char name[DIRSIZ + 1];
		uint len = strlen(up);

		if (len + 4 > sizeof(up)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		strcpy(up + len, "/..");
		if (stat(up, &parent) < 0)
			goto fail;
		if (parent.ino == here.ino)
			break;              /* the root is its own parent */
		if (find_name(up, here.ino, name) < 0)
			goto fail;
		len = strlen(name);
		if ((uint)(start - path) < len + 1) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		start -= len;
		memmove(start, name, len);
		*--start = '/';
		here = parent;
	}
	printf("%s\n", *start ? start : "/");
	return 0;
fail:
	perror("pwd");
	return 1;
}
