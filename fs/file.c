/*
 * Open files: opening, sharing, reading, writing, closing (see file.h).
 */
#include "fs/device.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/namespace.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "userland/include/lazuli/fcntl.h"
#include "userland/include/lazuli/stat.h"

/* The access-mode bits of open()'s flags; 3 is not a valid mode. */
#define ACCESS_MODE_MASK 0x3

static struct spinlock file_lock = SPINLOCK_INIT("file");
static unsigned file_count;   /* [F] open files in the system */

int file_alloc(enum file_kind kind, bool readable, bool writable,
               struct file **out)
{
	spin_lock(&file_lock);
	bool full = file_count >= FILE_MAX;
	if (!full)
		file_count++;
	spin_unlock(&file_lock);
	if (full)
		return -ENFILE;

	struct file *f = kmalloc(sizeof(*f));
	if (f == NULL) {
		spin_lock(&file_lock);
		file_count--;
		spin_unlock(&file_lock);
		return -ENOMEM;
	}
	f->kind = kind;
	f->ref = 1;
	f->readable = readable;
	f->writable = writable;
	f->append = false;
	*out = f;
	return 0;
}

struct file *file_dup(struct file *f)
{
	spin_lock(&file_lock);
	if (f->ref < 1)
		panic("file_dup: file with ref %d", f->ref);
	f->ref++;
	spin_unlock(&file_lock);
	return f;
}

/*
 * Drop a reference; the last one releases the inode or the pipe end.
 * May sleep (inode_put); no spinlock held.
 */
void file_close(struct file *f)
{
	spin_lock(&file_lock);
	if (f->ref < 1)
		panic("file_close: file with ref %d", f->ref);
	if (--f->ref > 0) {
		spin_unlock(&file_lock);
		return;
	}
	file_count--;
	spin_unlock(&file_lock);

	if (f->kind == FILE_PIPE) {
		pipe_close(f->pipe, f->writable);
	} else {
		if (f->writable && f->ip->type == T_FILE) {
			inode_lock(f->ip);
			f->ip->writers--;
			inode_unlock(f->ip);
		}
		inode_put(f->ip);
	}
	kfree(f);
}

/* Find or create (O_CREATE) the inode to open; 0 with a reference, or an error. */
static int open_inode(struct inode *dir, const char *path, int flags,
                      struct inode **out)
{
	if (!(flags & O_CREATE))
		return path_lookup(dir, path, out);

	int err = fs_create_at(dir, path, T_FILE, 0, 0, true, out);
	if (err == 0 && (*out)->type == T_DIR) {
		inode_put(*out);
		return -EISDIR;
	}
	return err;
}

int file_open_at(struct inode *dir, const char *path, int flags,
                 struct file **out)
{
	int mode = flags & ACCESS_MODE_MASK;
	if (mode != O_RDONLY && mode != O_WRONLY && mode != O_RDWR)
		return -EINVAL;
	bool readable = mode != O_WRONLY;
	bool writable = mode != O_RDONLY;

	struct inode *ip;
	int err = open_inode(dir, path, flags, &ip);
	if (err)
		return err;

	if (ip->type == T_DIR && writable) {
		err = -EISDIR;
		goto out_put;
	}
	if (ip->type == T_DEVICE && device_lookup(ip->major) == NULL) {
		err = -ENODEV;
		goto out_put;
	}

	struct file *f;
	err = file_alloc(ip->type == T_DEVICE ? FILE_DEVICE : FILE_INODE,
	                 readable, writable, &f);
	if (err)
		goto out_put;
	f->ip = ip;   /* the file keeps our reference */
	f->append = (flags & O_APPEND) != 0;

	/*
	 * A file some process runs a program from takes no writer, and is not
	 * truncated (ETXTBSY); the check and the change are one step.
	 */
	bool truncating = (flags & O_TRUNC) && ip->type == T_FILE;
	if (ip->type == T_FILE && (writable || truncating)) {
		/* A truncation is one step for reads and writes through files. */
		if (truncating)
			inode_io_lock(ip);
		inode_lock(ip);
		err = ip->text ? -ETXTBSY : 0;
		if (!err && writable)
			ip->writers++;
		/*
		 * Under the same lock as the truncation: an area made later
		 * finds the file empty, and one that made its PTEs before
		 * (through inode_page_frame, which takes this lock) is counted.
		 */
		bool mapped = false;
		if (!err && truncating) {
			inode_truncate(ip);
			mapped = ip->mapped > 0;
		}
		inode_unlock(ip);
		if (mapped)
			mm_file_truncated(ip, 0);   /* no mapping keeps a page past the end */
		if (truncating)
			inode_io_unlock(ip);
		if (err) {
			f->writable = false;   /* it was never counted as a writer */
			file_close(f);         /* drops our inode reference too */
			return err;
		}
	}
	*out = f;
	return 0;

out_put:
	inode_put(ip);
	return err;
}

long file_read(struct file *f, uint64_t udst, size_t n)
{
	if (!f->readable)
		return -EBADF;

	switch (f->kind) {
	case FILE_PIPE:
		return pipe_read(f->pipe, udst, n);
	case FILE_DEVICE: {
		const struct device_ops *ops = device_lookup(f->ip->major);
		if (ops == NULL || ops->read == NULL)
			return -ENODEV;
		return ops->read(f->ip->minor, udst, n);
	}
	case FILE_INODE:
		break;
	}

	/*
	 * io, not the inode's lock: the copy may fault on a mapping of this
	 * file. Nothing is done yet, so a process killed while it waits backs out.
	 */
	if (inode_io_lock_killable(f->ip))
		return -EINTR;
	long r = inode_read_user(f->ip, udst, f->off, n);
	if (r > 0)
		f->off += (uint64_t)r;
	inode_io_unlock(f->ip);
	return r;
}

long file_write(struct file *f, uint64_t usrc, size_t n)
{
	if (!f->writable)
		return -EBADF;

	switch (f->kind) {
	case FILE_PIPE:
		return pipe_write(f->pipe, usrc, n);
	case FILE_DEVICE: {
		const struct device_ops *ops = device_lookup(f->ip->major);
		if (ops == NULL || ops->write == NULL)
			return -ENODEV;
		return ops->write(f->ip->minor, usrc, n);
	}
	case FILE_INODE:
		break;
	}

	if (inode_io_lock_killable(f->ip))
		return -EINTR;
	/* The io lock keeps other writes and truncations out: the end stays put. */
	if (f->append)
		f->off = inode_size(f->ip);
	long r = inode_write_user(f->ip, usrc, f->off, n);
	if (r > 0)
		f->off += (uint64_t)r;
	inode_io_unlock(f->ip);
	return r;
}

int file_stat(struct file *f, struct stat *st)
{
	if (f->kind == FILE_PIPE)
		return -EINVAL;
	inode_lock(f->ip);
	inode_stat(f->ip, st);
	inode_unlock(f->ip);
	return 0;
}

int file_mmap_inode(struct file *f, struct inode **ipp, bool *readable,
                    bool *writable)
{
	if (f->kind != FILE_INODE || f->ip->type != T_FILE)
		return -ENODEV;
	*ipp = inode_dup(f->ip);
	*readable = f->readable;
	*writable = f->writable;
	return 0;
}
