/*
 * The file system's face to the rest of the kernel: boot, and the name
 * operations on behalf of the current process (relative to its cwd).
 */
#include "fs/console.h"
#include "fs/device.h"
#include "fs/dir.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/image.h"
#include "fs/inode.h"
#include "fs/namespace.h"
#include "fs/path.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "proc/proc.h"
#include "userland/include/lazuli/stat.h"

#define CONSOLE_PATH  "/console"
#define DEVICE_NUM_MAX INT16_MAX   /* majors and minors are shorts */

static struct inode *console_ip;   /* [I] after fs_init */

/* Where relative paths start: the cwd, or the root (NULL) during boot. */
static struct inode *cwd(void)
{
	struct proc *p = proc_current();
	return p ? p->cwd : NULL;
}

void fs_init(void)
{
	int err = dir_make_root();
	if (err)
		panic("fs: cannot create the root directory (%d)", err);

	err = image_unpack_embedded(dir_root());
	if (err)
		panic("fs: cannot unpack the embedded image (%d)", err);
	unsigned unpacked = inode_count() - 1;   /* all but the root */

	err = fs_create_at(NULL, CONSOLE_PATH, T_DEVICE, CONSOLE_MAJOR, 0,
	                   true, &console_ip);
	if (err || console_ip->type != T_DEVICE)
		panic("fs: cannot create %s (%d)", CONSOLE_PATH, err);
	console_init();

	printf("fs: %u files and directories from the embedded image\n",
	       unpacked);
}

struct inode *fs_root(void)
{
	return inode_dup(dir_root());
}

struct inode *fs_lookup(const char *path)
{
	struct inode *ip;
	return path_lookup(cwd(), path, &ip) == 0 ? ip : NULL;
}

struct file *fs_open_console(void)
{
	struct file *f;

	if (file_alloc(FILE_DEVICE, true, true, &f) < 0)
		return NULL;
	f->ip = inode_dup(console_ip);
	return f;
}

int fs_open(const char *path, int flags, struct file **out)
{
	return file_open_at(cwd(), path, flags, out);
}

int fs_mkdir(const char *path)
{
	return fs_create_at(cwd(), path, T_DIR, 0, 0, false, NULL);
}

int fs_mknod(const char *path, int major, int minor)
{
	if (major < 0 || major > DEVICE_NUM_MAX ||
	    minor < 0 || minor > DEVICE_NUM_MAX)
		return -EINVAL;
	return fs_create_at(cwd(), path, T_DEVICE, (short)major, (short)minor,
	                    false, NULL);
}

int fs_link(const char *oldpath, const char *newpath)
{
	return fs_link_at(cwd(), oldpath, newpath);
}

int fs_unlink(const char *path)
{
	return fs_unlink_at(cwd(), path);
}

/* The cwd is [C] in struct proc: only the process itself changes it. */
int fs_chdir(const char *path)
{
	struct proc *p = proc_current();
	struct inode *ip;

	if (p == NULL)
		return -ESRCH;
	int err = path_lookup(p->cwd, path, &ip);
	if (err)
		return err;
	if (ip->type != T_DIR) {
		inode_put(ip);
		return -ENOTDIR;
	}
	struct inode *old = p->cwd;
	p->cwd = ip;
	if (old)
		inode_put(old);
	return 0;
}
