/*
 * Inodes: the in-memory objects behind every file, directory and device.
 *
 * Every inode lives in memory for as long as a directory entry names it
 * (nlink > 0) or someone holds a reference (ref > 0): an open file, a
 * process's cwd, a path walk in progress. When both reach zero the inode,
 * its data pages and its inode number are freed.
 *
 * Inode numbers are 1 .. INODE_MAX (they must fit dirent.inum); 0 marks a
 * free directory slot and 1 is the root.
 *
 * Lock legend:
 *   [T] itable_lock (a spinlock inside inode.c)
 *   [L] ip->lock (the inode's sleeplock)
 *   [O] ip->io (a sleeplock serializing I/O through open files; see below)
 *   [I] immutable after inode_alloc
 *
 * Lock order: ip->io before ip->lock (and before whatever a page fault in
 * a user copy takes: mm's locks, then some inode's ip->lock); a
 * directory's lock before the lock of an inode it names (parent before
 * child); itable_lock last (it is a spinlock). No user copy runs with an
 * ip->lock held: a fault on a mapping of the file takes it
 * (inode_page_frame).
 */
#ifndef FS_INODE_H
#define FS_INODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/fs.h"          /* inode_dup, inode_put, inode_read */
#include "fs/pagemap.h"
#include "proc/sleeplock.h"

struct stat;

#define INODE_MAX      UINT16_MAX   /* dirent.inum is 16 bits */
#define INODE_ROOT     1            /* the root directory's number */
#define INODE_MAX_LINK INT16_MAX    /* struct stat.nlink is a short */
#define INODE_MAX_SIZE ((uint64_t)PAGEMAP_MAX_PAGES * PAGE_SIZE)

struct inode {
	uint16_t         inum;     /* [I] */
	short            type;     /* [I] T_DIR, T_FILE or T_DEVICE */
	short            major;    /* [I] device number, T_DEVICE only */
	short            minor;    /* [I] */
	int              ref;      /* [T] references held in memory */
	struct sleeplock lock;     /* never held across a user copy */
	struct sleeplock io;       /* whole read/write/truncate calls through open files */
	short            nlink;    /* [L] directory entries naming this inode */
	uint64_t         size;     /* [L] bytes; growing zeroes what lay past it (zero_gap) */
	int              writers;  /* [L] open files that may write it (T_FILE) */
	int              text;     /* [L] running programs mapped from it (inode_deny_write) */
	int              mapped;   /* [L] areas of address spaces that map it (inode_map_get) */
	struct pagemap   pages;    /* [L] the data */
};

/*
 * A new inode of the given type with nlink 0 and one reference. Until it
 * is linked into a directory, putting that reference frees it.
 * Returns 0, -ENOMEM, or -ENOSPC when every inode number is taken.
 */
int  inode_alloc(short type, short major, short minor, struct inode **out);

/* The inode numbered inum, with a new reference. It must exist. */
struct inode *inode_get(uint16_t inum);

void inode_lock(struct inode *ip);
void inode_unlock(struct inode *ip);

/*
 * ip->io: held across one whole read, write or truncation through an open
 * file, user copies included; taken before ip->lock, never under it.
 * Waiters get it in arrival order; the killable form returns -EINTR
 * (not held) when the process is killed while it waits, else 0.
 */
void inode_io_lock(struct inode *ip);
int  inode_io_lock_killable(struct inode *ip);
void inode_io_unlock(struct inode *ip);

/*
 * Copy up to n bytes of the file at off into kernel memory dst. Caller
 * holds ip->lock. Returns the bytes copied (0 at or past end of file).
 */
long inode_readi(struct inode *ip, void *dst, uint64_t off, size_t n);

/*
 * Copy n bytes from kernel memory src into the file at off, growing it (a
 * gap reads as zeros). Caller holds ip->lock. Returns the bytes written,
 * short only when memory ran out after some progress; -EFBIG at or past
 * INODE_MAX_SIZE, -ENOMEM.
 */
long inode_writei(struct inode *ip, const void *src, uint64_t off, size_t n);

/*
 * The same with user memory at udst / usrc, a page at a time through a
 * kernel bounce page: ip->lock is taken per page and is never held during
 * the user copy (the buffer may map this very file; see docs/fs.md).
 * Caller holds ip->io and not ip->lock. Each page is a preemption point
 * (proc_preempt_point): the process may yield there, and a killed process
 * stops. Returns the bytes moved, or when none could be: -EFAULT (the user
 * copy faulted), -EINTR (killed), -ENOMEM (no bounce page, or for a write
 * no data page), -EFBIG (write only). A fault or a kill after some
 * progress returns the count so far.
 */
long inode_read_user(struct inode *ip, uint64_t udst, uint64_t off, size_t n);
long inode_write_user(struct inode *ip, uint64_t usrc, uint64_t off, size_t n);

/* Drop all data: size 0, every page freed. Caller holds ip->lock. */
void inode_truncate(struct inode *ip);

/* Fill st. Caller holds ip->lock. */
void inode_stat(struct inode *ip, struct stat *st);

/* How many inodes exist now (for tests and statistics). */
unsigned inode_count(void);

#endif
