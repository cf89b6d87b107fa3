/*
 * The file system as the rest of the kernel sees it.
 *
 * An in-memory tree of inodes filled at boot from the image embedded in
 * the kernel (built by tools/mkfsimg.py from userland/). This header is
 * what proc/ and init/ call; syscall/sys_file.c also uses fs/file.h.
 *
 * Paths are resolved relative to the current process's cwd (or the root
 * when there is no current process, during boot). Commands return 0 or a
 * negative error from lib/errno.h. None of these may be called with a
 * spinlock held: they take inode sleeplocks. See docs/fs.md.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stddef.h>
#include <stdint.h>

struct inode;
struct file;

/* Longest path a system call accepts, counting its NUL. */
#define FS_PATH_MAX 256

/* The device number fstat reports: there is one file system. */
#define FS_DEV 1

/* Unpack the embedded image and create /console. Boot hart, once. */
void fs_init(void);

/* The root directory, with a new reference. */
struct inode *fs_root(void);

/*
 * Look a path up relative to the current process's cwd (or the root when
 * there is no current process). Returns the inode with a new reference, or
 * NULL (no such file, a component not a directory, bad name).
 */
struct inode *fs_lookup(const char *path);

/* References. */
struct inode *inode_dup(struct inode *ip);
void          inode_put(struct inode *ip);
int           inode_type(struct inode *ip);   /* T_DIR, T_FILE, T_DEVICE */

/*
 * Read up to n bytes at off into kernel memory dst; returns the number read
 * (0 at end of file) or a negative error. Takes the inode's lock inside.
 */
long inode_read(struct inode *ip, void *dst, uint64_t off, size_t n);

/* The inode's number (stat's ino). */
unsigned inode_inum(struct inode *ip);

/* The file's size in bytes now. Takes the inode's lock inside. */
uint64_t inode_size(struct inode *ip);

/*
 * Page lending, for mm (the only way mm sees a file's data): the frame
 * holding page pgno of regular file ip, with a new reference that the
 * caller gives back with frame_put. A hole gets a zeroed frame, which is
 * the file's own from then on. Bytes past the end of the file in the last
 * page are zero, unless a shared mapping stored there (those never become
 * file contents: growing the file zeroes them first). 0, -ENXIO (the page
 * lies wholly at or past the end of the file), -ENOMEM. Takes the inode's
 * lock inside: may sleep. fs never holds that lock across a user copy, so
 * a fault inside read() or write() may call this.
 */
int  inode_page_frame(struct inode *ip, uint64_t pgno, uint64_t *pa);

/*
 * An unnamed regular file of size bytes (all holes), with one reference
 * and no directory entry: it goes when the last reference does. Shared
 * anonymous memory is one, so that every process mapping it reaches the
 * same pages. 0, -ENOMEM, -ENOSPC, -EFBIG.
 */
int  fs_anon_file(uint64_t size, struct inode **out);

/*
 * exec keeps writers out of a program file while it runs from it: 0, or
 * -ETXTBSY when the file is open for writing now. Every successful deny is
 * undone by one allow. While denied, opening the file for writing fails
 * with -ETXTBSY.
 */
int  inode_deny_write(struct inode *ip);
void inode_allow_write(struct inode *ip);

/*
 * A writer that is not an open file: a shared writable mapping counts as
 * one for as long as it exists, so a program cannot be started from a
 * file someone can still write through memory. 0, or -ETXTBSY while a
 * program runs from ip. Every successful get is undone by one put.
 */
int  inode_get_write(struct inode *ip);
void inode_put_write(struct inode *ip);

/*
 * An area of some address space maps ip, from its creation to its end
 * (mm_area_get/mm_area_put). A truncation looks for the file's pages in
 * the address spaces (mm_file_truncated) only when some area maps it, so
 * truncating a file nothing maps locks no address space. Every get is
 * undone by one put.
 */
void inode_map_get(struct inode *ip);
void inode_map_put(struct inode *ip);

/* A new open file on the console device, readable and writable. */
struct file  *fs_open_console(void);
struct file  *file_dup(struct file *f);
void          file_close(struct file *f);

/* One byte typed on the console, from the UART interrupt handler. */
void console_input(int c);

/*
 * Name operations on the current process's view (the system calls).
 * Each returns 0 or a negative error; the causes are listed in docs/fs.md.
 */
/* Open path with O_* flags (userland/include/lazuli/fcntl.h). */
int fs_open(const char *path, int flags, struct file **out);
int fs_mkdir(const char *path);
int fs_mknod(const char *path, int major, int minor);
int fs_link(const char *oldpath, const char *newpath);
int fs_unlink(const char *path);
/* Make path the current process's working directory. */
int fs_chdir(const char *path);

#endif
