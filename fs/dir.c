/*
 * Directory records: lookup, add, remove, and the root directory.
 */
#include "fs/dir.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "proc/proc.h"
#include "userland/include/lazuli/stat.h"

static struct inode *root;   /* [I] after dir_make_root */

#define DIRENT_SIZE sizeof(struct dirent)

/*
 * Read the record at off. Records never cross a page and off is below the
 * size, so a short read means the inode is corrupt.
 */
static void read_entry(struct inode *dp, uint64_t off, struct dirent *de)
{
	long r = inode_readi(dp, de, off, DIRENT_SIZE);
	if (r != (long)DIRENT_SIZE)
		panic("dir: short read of inode %u at %lu", dp->inum,
		      (unsigned long)off);
}

/* Write the record (name, inum) at off; 0 or -ENOMEM (growing failed). */
static int write_entry(struct inode *dp, uint64_t off, const char *name,
                       uint16_t inum)
{
	struct dirent de;

	memset(&de, 0, sizeof(de));
	de.inum = inum;
	memcpy(de.name, name, strnlen(name, DIRSIZ));
	long r = inode_writei(dp, &de, off, DIRENT_SIZE);
	return r == (long)DIRENT_SIZE ? 0 : -ENOMEM;
}

/*
 * Before the record at off: at each new page of a big directory, a
 * preemption point (a scan holds dp->lock, a sleep lock, so yielding is
 * fine). -EINTR when the process was killed, else 0.
 */
static int scan_point(uint64_t off)
{
	if (off == 0 || off % PAGE_SIZE != 0)
		return 0;
	return proc_preempt_point();
}

/* Does the record name (not NUL-terminated at DIRSIZ) equal name? */
static bool name_is(const struct dirent *de, const char *name)
{
	return strncmp(de->name, name, DIRSIZ) == 0;
}

int dir_lookup(struct inode *dp, const char *name, struct inode **out,
               uint64_t *offp)
{
	struct dirent de;

	for (uint64_t off = 0; off < dp->size; off += DIRENT_SIZE) {
		int err = scan_point(off);
		if (err)
			return err;
		read_entry(dp, off, &de);
		if (de.inum == 0 || !name_is(&de, name))
			continue;
		if (offp)
			*offp = off;
		if (out)
			*out = inode_get(de.inum);
		return 0;
	}
	return -ENOENT;
}

int dir_add(struct inode *dp, const char *name, uint16_t inum)
{
	struct dirent de;
	uint64_t off;

	if (dp->nlink == 0)
		return -ENOENT;
	int err = dir_lookup(dp, name, NULL, NULL);
	if (err != -ENOENT)
		return err ? err : -EEXIST;

	for (off = 0; off < dp->size; off += DIRENT_SIZE) {
		if ((err = scan_point(off)) != 0)
			return err;
		read_entry(dp, off, &de);
		if (de.inum == 0)
			break;
	}
	return write_entry(dp, off, name, inum);
}

void dir_remove(struct inode *dp, uint64_t off)
{
	struct dirent de;

	memset(&de, 0, sizeof(de));
	/* Overwriting a record inside the size allocates nothing. */
	if (inode_writei(dp, &de, off, DIRENT_SIZE) != (long)DIRENT_SIZE)
		panic("dir: cannot clear record at %lu", (unsigned long)off);
}

int dir_init(struct inode *dp, uint16_t parent_inum)
{
	int err = write_entry(dp, 0, ".", dp->inum);
	if (err == 0)
		err = write_entry(dp, DIRENT_SIZE, "..", parent_inum);
	return err;
}

bool dir_is_empty(struct inode *dp)
{
	struct dirent de;

	for (uint64_t off = 0; off < dp->size; off += DIRENT_SIZE) {
		(void)scan_point(off);   /* a yield only: the answer is a bool */
		read_entry(dp, off, &de);
		if (de.inum != 0 && !name_is(&de, ".") && !name_is(&de, ".."))
			return false;
	}
	return true;
}

int dir_make_root(void)
{
	struct inode *ip;

	if (root)
		panic("dir_make_root: twice");
	int err = inode_alloc(T_DIR, 0, 0, &ip);
	if (err)
		return err;
	if (ip->inum != INODE_ROOT)
		panic("dir_make_root: root got inode %u", ip->inum);

	inode_lock(ip);
	err = dir_init(ip, ip->inum);
	if (err == 0)
		ip->nlink = 2;   /* its "." and its ".." */
	inode_unlock(ip);
	if (err) {
		inode_put(ip);   /* nlink 0: frees it */
		return err;
	}
	root = ip;       /* keeps the reference inode_alloc gave */
	return 0;
}

struct inode *dir_root(void)
{
	return root;
}
