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
 *   [I] immutable after inode_alloc
 *
 * Lock order: a directory's lock before the lock of an inode it names
 * (parent before child); itable_lock last (it is a spinlock).
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
	struct sleeplock lock;
	short            nlink;    /* [L] directory entries naming this inode */
	uint64_t         size;     /* [L] bytes; bytes past it are zero */
	int              writers;  /* [L] open files that may write it (T_FILE) */
	int              text;     /* [L] running programs mapped from it (inode_deny_write) */
	struct pagemap   pages;    /* [L] the data */
};

/* Where the other side of an inode copy lives. */
enum io_space { IO_KERNEL, IO_USER };

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
 * Copy up to n bytes of the file at off to dst (a kernel pointer or a user
 * address, per space). Caller holds ip->lock. Returns the bytes copied
 * (0 at or past end of file), or -EFAULT when nothing could be copied.
 */
long inode_readi(struct inode *ip, enum io_space space, uint64_t dst,
                 uint64_t off, size_t n);

/*
 * Copy n bytes from src into the file at off, growing it (a gap reads as
 * zeros). Caller holds ip->lock. Returns the bytes written, which is short
 * only on an error after some progress; -EFBIG past INODE_MAX_SIZE,
 * -ENOMEM, -EFAULT when nothing could be written.
 */
long inode_writei(struct inode *ip, enum io_space space, uint64_t src,
                  uint64_t off, size_t n);

/* Drop all data: size 0, every page freed. Caller holds ip->lock. */
void inode_truncate(struct inode *ip);

/* Fill st. Caller holds ip->lock. */
void inode_stat(struct inode *ip, struct stat *st);

/* How many inodes exist now (for tests and statistics). */
unsigned inode_count(void);

#endif
