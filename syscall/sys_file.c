/*
 * File system calls: descriptors, I/O and names.
 *
 * Every argument comes from the user and is checked here: a descriptor
 * must name an open file of this process, a length must not be negative,
 * a buffer must lie wholly in user space, a path must be a readable
 * string shorter than FS_PATH_MAX. A bad argument gives -1, never a panic.
 * Buffers that are reserved but never touched are fine: the copy routines
 * fault their pages in.
 *
 * The descriptor table p->ofile is [C] in struct proc: only the process
 * itself changes it, so no lock is needed here.
 */
#include <stdbool.h>
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/pipe.h"
#include "lib/errno.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "syscall/syscall.h"
#include "userland/include/lazuli/stat.h"

/* Read end and write end in the int[2] that pipe() fills. */
#define PIPE_READ_FD  0
#define PIPE_WRITE_FD 1

/* The lowest free descriptor of the current process, or -EMFILE. */
static int fd_free_slot(void)
{
	struct proc *p = proc_current();

	for (int fd = 0; fd < NOFILE; fd++)
		if (p->ofile[fd] == NULL)
			return fd;
	return -EMFILE;
}

/* Put f in the lowest free descriptor; the descriptor, or -EMFILE. */
static int fd_install(struct file *f)
{
	int fd = fd_free_slot();

	if (fd >= 0)
		proc_current()->ofile[fd] = f;
	return fd;
}

/*
 * Fetch the buffer and length arguments of read/write; 0 or an error.
 * The range is checked up front so that a bad buffer fails before a pipe
 * or the console gives up bytes that could then not be delivered.
 */
static int arg_buffer(int buf_arg, int len_arg, uint64_t *addr, size_t *n)
{
	int len = syscall_arg_int(len_arg);

	if (len < 0)
		return -EINVAL;
	*addr = syscall_arg(buf_arg);
	*n = (size_t)len;
	return user_range_ok(*addr, *n) ? 0 : -EFAULT;
}

/* (fd, buf, n) checked, then handed to file_read or file_write. */
static long transfer(long (*op)(struct file *f, uint64_t ubuf, size_t n))
{
	struct file *f = syscall_arg_file(0, NULL);
	uint64_t buf;
	size_t n;

	if (f == NULL)
		return -EBADF;
	int err = arg_buffer(1, 2, &buf, &n);
	if (err)
		return err;
	return op(f, buf, n);
}

/* read(fd, buf, n): bytes read, 0 at end of file. */
long sys_read(void)  { return transfer(file_read); }

/* write(fd, buf, n): bytes written. */
long sys_write(void) { return transfer(file_write); }

/* close(fd) */
long sys_close(void)
{
	int fd;
	struct file *f = syscall_arg_file(0, &fd);

	if (f == NULL)
		return -EBADF;
	proc_current()->ofile[fd] = NULL;
	file_close(f);
	return 0;
}

/* dup(fd): a second descriptor (the lowest free) sharing fd's file. */
long sys_dup(void)
{
	struct file *f = syscall_arg_file(0, NULL);

	if (f == NULL)
		return -EBADF;
	int fd = fd_install(f);
	if (fd >= 0)
		file_dup(f);
	return fd;
}

/* pipe(int fds[2]): fds[0] reads, fds[1] writes. */
long sys_pipe(void)
{
	struct proc *p = proc_current();
	uint64_t ufds = syscall_arg(0);
	struct file *rf, *wf;
	int fds[2];

	if (!user_range_ok(ufds, sizeof(fds)))
		return -EFAULT;
	int err = pipe_alloc(&rf, &wf);
	if (err)
		return err;

	fds[PIPE_READ_FD] = fd_install(rf);
	if (fds[PIPE_READ_FD] < 0) {
		err = -EMFILE;
		goto out_close_files;
	}
	fds[PIPE_WRITE_FD] = fd_install(wf);
	if (fds[PIPE_WRITE_FD] < 0) {
		err = -EMFILE;
		goto out_free_read_fd;
	}
	err = copy_to_user(ufds, fds, sizeof(fds));
	if (err)
		goto out_free_write_fd;
	return 0;

out_free_write_fd:
	p->ofile[fds[PIPE_WRITE_FD]] = NULL;
out_free_read_fd:
	p->ofile[fds[PIPE_READ_FD]] = NULL;
out_close_files:
	file_close(rf);
	file_close(wf);
	return err;
}

/* fstat(fd, struct stat *st) */
long sys_fstat(void)
{
	struct file *f = syscall_arg_file(0, NULL);
	uint64_t ust = syscall_arg(1);
	struct stat st;

	if (f == NULL)
		return -EBADF;
	if (!user_range_ok(ust, sizeof(st)))
		return -EFAULT;
	int err = file_stat(f, &st);
	if (err)
		return err;
	return copy_to_user(ust, &st, sizeof(st));
}

/* open(path, flags): a new descriptor. */
long sys_open(void)
{
	char path[FS_PATH_MAX];
	int flags = syscall_arg_int(1);
	struct file *f;

	int err = syscall_arg_string(0, path, sizeof(path));
	if (err)
		return err;
	/* Fail before O_CREATE or O_TRUNC has done anything. */
	if (fd_free_slot() < 0)
		return -EMFILE;
	err = fs_open(path, flags, &f);
	if (err)
		return err;
	int fd = fd_install(f);
	if (fd < 0)
		file_close(f);
	return fd;
}

/* mknod(path, major, minor): a device node. */
long sys_mknod(void)
{
	char path[FS_PATH_MAX];

	int err = syscall_arg_string(0, path, sizeof(path));
	if (err)
		return err;
	return fs_mknod(path, syscall_arg_int(1), syscall_arg_int(2));
}

/* unlink(path) */
long sys_unlink(void)
{
	char path[FS_PATH_MAX];

	int err = syscall_arg_string(0, path, sizeof(path));
	if (err)
		return err;
	return fs_unlink(path);
}

/* link(old, new) */
long sys_link(void)
{
	char oldpath[FS_PATH_MAX], newpath[FS_PATH_MAX];

	int err = syscall_arg_string(0, oldpath, sizeof(oldpath));
	if (err == 0)
		err = syscall_arg_string(1, newpath, sizeof(newpath));
	if (err)
		return err;
	return fs_link(oldpath, newpath);
}

/* mkdir(path) */
long sys_mkdir(void)
{
	char path[FS_PATH_MAX];

	int err = syscall_arg_string(0, path, sizeof(path));
	if (err)
		return err;
	return fs_mkdir(path);
}

/* chdir(path) */
long sys_chdir(void)
{
	char path[FS_PATH_MAX];

	int err = syscall_arg_string(0, path, sizeof(path));
	if (err)
		return err;
	return fs_chdir(path);
}
