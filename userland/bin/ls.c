/*
 * ls [PATH...]: one line per file: name, type, inode number, size.
 * A directory is listed entry by entry; type is 1 dir, 2 file, 3 device.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"
#include "errno.h"

static void print_entry(const char *name, const struct stat *st)
{
	printf("%-14s %d %d %lu\n", name, st->type, (int)st->ino, (uint64)st->size);
}

/* The last component of path ("a/b/c" -> "c"). */
static const char *basename(const char *path)
{
	const char *p = path + strlen(path);

	while (p > path && p[-1] != '/')
		p--;
	return *p != '\0' ? p : path;
}

/* List the open directory fd, whose path is dir; 0, or -1 on an error. */
static int list_dir(int fd, const char *dir)
{
	char path[MAXPATH];
	struct dirent de;
	struct stat st;
	uint dirlen = strlen(dir);
	int status = 0;

	if (dirlen + 1 + DIRSIZ + 1 > sizeof(path)) {
		fprintf(2, "ls: path too long: %s\n", dir);
		return -1;
	}
	strcpy(path, dir);
	path[dirlen] = '/';
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(path + dirlen + 1, de.name, DIRSIZ);
		path[dirlen + 1 + DIRSIZ] = '\0';
		if (stat(path, &st) < 0) {
			fprintf(2, "ls: %s: %s\n", path, strerror(errno));
			status = -1;
			continue;
		}
		print_entry(path + dirlen + 1, &st);
	}
	return status;
}

/* List one path given on the command line; 0, or -1 on an error. */
static int ls(const char *path)
{
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(2, "ls: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(2, "ls: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.type == T_DIR)
		r = list_dir(fd, path);
	else
		print_entry(basename(path), &st);
	close(fd);
	return r;
}

int main(int argc, char *argv[])
{
	int status = 0;

	if (argc < 2)
		return ls(".") < 0;
	for (int i = 1; i < argc; i++) {
		if (ls(argv[i]) < 0)
			status = 1;
	}
	return status;
}
