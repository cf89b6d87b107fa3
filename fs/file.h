/*
 * Open files: what a file descriptor points at.
 *
 * A struct file is one open() (or one end of a pipe). fork and dup share
 * it, so its offset is shared too, as in Unix; it goes away when the last
 * descriptor naming it is closed. A process's descriptors are the slots of
 * p->ofile (proc/proc.h), managed by syscall/sys_file.c.
 *
 * Lock legend:
 *   [F] file_lock (a spinlock inside file.c)
 *   [I] immutable after the file is opened
 *   [O] f->ip->io (the inode's I/O sleeplock), for FILE_INODE
 *
 * Lock order: file_lock is a leaf: nothing else is taken under it.
 *
 * Concurrent read/write calls through one struct file (shared by fork or
 * dup) are serialized by the inode's io lock for their whole length, user
 * copies included: each call reads or writes a contiguous range starting
 * at the offset the previous call left, and the offset ends advanced by
 * exactly the bytes moved. Calls through different open files of one
 * inode are serialized the same way, so a read sees all or none of any
 * one write(). Only the inode's own lock is dropped between pages.
 */
#ifndef FS_FILE_H
#define FS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/fs.h"

struct inode;
struct pipe;
struct stat;

/* Most open files the whole system may have at once. */
#define FILE_MAX 1024

enum file_kind {
	FILE_INODE,    /* a regular file or a directory */
	FILE_DEVICE,   /* a T_DEVICE inode: I/O goes to its driver */
	FILE_PIPE,     /* one end of a pipe */
};

struct file {
	enum file_kind kind;     /* [I] */
	int            ref;      /* [F] descriptors (in any process) naming it */
	bool           readable; /* [I] */
	bool           writable; /* [I] */
	bool           append;   /* [I] O_APPEND: each write starts at the end */
	struct inode  *ip;       /* [I] FILE_INODE, FILE_DEVICE */
	struct pipe   *pipe;     /* [I] FILE_PIPE */
	uint64_t       off;      /* [O] FILE_INODE: where the next I/O goes */
};

/*
 * A new file with one reference and no inode or pipe yet.
 * Returns 0, -ENFILE (FILE_MAX reached) or -ENOMEM.
 */
int  file_alloc(enum file_kind kind, bool readable, bool writable,
                struct file **out);

/*
 * Open path (relative to dir; NULL is the root) with O_* flags. Returns 0
 * and a new file in *out, or: the lookup's errors, -EINVAL (bad access
 * mode), -EISDIR (a directory opened for writing, or O_CREATE of one),
 * -ENODEV (a device with no driver), -ENFILE, -ENOMEM. O_TRUNC empties a
 * regular file; O_APPEND makes every write go at its end.
 */
int  file_open_at(struct inode *dir, const char *path, int flags,
                  struct file **out);

/*
 * Read up to n bytes into user memory at udst (write: from usrc). Returns
 * the bytes moved (0 at end of file), or -EBADF (wrong direction),
 * -EFAULT, -EPIPE, -EINTR (killed while waiting), -ENODEV, -EFBIG, -ENOMEM.
 * Regular files advance the shared offset. No lock may be held.
 */
long file_read(struct file *f, uint64_t udst, size_t n);
long file_write(struct file *f, uint64_t usrc, size_t n);

/* Fill st for f; -EINVAL for a pipe, which has no inode. */
int  file_stat(struct file *f, struct stat *st);

/*
 * For mmap: the regular file f names, with a new reference for the
 * caller (inode_put), and whether f was opened for reading and writing.
 * -ENODEV when f is not a regular file (a directory, device or pipe).
 */
int  file_mmap_inode(struct file *f, struct inode **ipp, bool *readable,
                     bool *writable);

#endif
