/*
 * Pipes: a bounded byte channel between a read end and a write end, each
 * an open file (fs/file.h).
 *
 * read blocks while the pipe is empty and a writer remains; with no writer
 * left it returns 0 (end of file). write blocks while the pipe is full;
 * with no reader left it fails with -EPIPE. A process killed while blocked
 * returns -EINTR at once.
 *
 * Lock legend: [P] p->lock (a spinlock). User memory is never touched with
 * it held: bytes pass through a small bounce buffer on the kernel stack.
 */
#ifndef FS_PIPE_H
#define FS_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct pipe;

/*
 * A new pipe as two files: *rf reads, *wf writes. Returns 0, -ENOMEM or
 * -ENFILE; nothing is left allocated on failure.
 */
int  pipe_alloc(struct file **rf, struct file **wf);

/* Called by file_read / file_write; see file.h for the results. */
long pipe_read(struct pipe *p, uint64_t udst, size_t n);
long pipe_write(struct pipe *p, uint64_t usrc, size_t n);

/* One end is closed for good (the last file on it). */
void pipe_close(struct pipe *p, bool writer);

#endif
