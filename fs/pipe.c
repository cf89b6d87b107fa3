/*
 * Pipes (see pipe.h): a pipebuf ring under a spinlock, with sleep/wakeup.
 *
 * Readers sleep waiting for nwrite to move and writers for nread, so the
 * channels are the addresses of those counters. Sleeping releases p->lock
 * (proc_sleep); every wait loop re-checks its condition and whether the
 * process was killed after waking.
 *
 * A read looks at the bytes, copies them to the user with no spinlock
 * held, and only then drops them from the ring, so a faulting copy loses
 * nothing; the pipe's reader sleep lock (killable) makes that one step
 * for other readers. Each chunk of a long read or write is a preemption
 * point (proc_preempt_point).
 */
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/pipebuf.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sleeplock.h"

/* Bytes moved per trip between user memory and the ring (kernel stack). */
#define PIPE_BOUNCE 512

struct pipe {
	struct spinlock lock;
	struct pipebuf  buf;        /* [P] */
	bool            readopen;   /* [P] the read end is still open */
	bool            writeopen;  /* [P] the write end is still open */
	struct sleeplock reader;    /* one read call at a time: held from its
				       first look at the bytes to their drop */
};

static void *readers_chan(struct pipe *p)
{
	return &p->buf.nwrite;
}

static void *writers_chan(struct pipe *p)
{
	return &p->buf.nread;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

int pipe_alloc(struct file **rf, struct file **wf)
{
	int err = -ENOMEM;
	struct pipe *p = kmalloc(sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->buf.data = page_alloc();
	if (p->buf.data == NULL)
		goto out_free_pipe;
	spin_init(&p->lock, "pipe");
	sleep_init(&p->reader, "pipe reader");
	p->readopen = true;
	p->writeopen = true;

	err = file_alloc(FILE_PIPE, true, false, rf);
	if (err)
		goto out_free_data;
	(*rf)->pipe = p;

	err = file_alloc(FILE_PIPE, false, true, wf);
	if (err)
		goto out_close_read;
	(*wf)->pipe = p;
	return 0;

out_close_read:
	/* No write end was made: closing the read end frees the pipe. */
	p->writeopen = false;
	file_close(*rf);
	return err;
out_free_data:
	page_free(p->buf.data);
out_free_pipe:
	kfree(p);
	return err;
}

void pipe_close(struct pipe *p, bool writer)
{
	spin_lock(&p->lock);
	if (writer) {
		p->writeopen = false;
		proc_wakeup(readers_chan(p));   /* they see end of file */
	} else {
		p->readopen = false;
		proc_wakeup(writers_chan(p));   /* they see -EPIPE */
	}
	bool unused = !p->readopen && !p->writeopen;
	spin_unlock(&p->lock);

	if (unused) {
		page_free(p->buf.data);
		kfree(p);
	}
}

/*
 * Put n bytes from the kernel buffer src into the pipe, sleeping while it
 * is full. Caller holds p->lock. Returns the bytes put; fewer than n only
 * when *err was set: -EPIPE (no reader left) or -EINTR (killed).
 */
static size_t put_bytes(struct pipe *p, const uint8_t *src, size_t n, int *err)
{
	size_t put = 0;

	while (put < n) {
		if (!p->readopen) {
			*err = -EPIPE;
			break;
		}
		if (proc_killed(proc_current())) {
			*err = -EINTR;
			break;
		}
		size_t k = pipebuf_put(&p->buf, src + put, n - put);
		if (k == 0) {
			proc_wakeup(readers_chan(p));
			proc_sleep(writers_chan(p), &p->lock);
		}
		put += k;
	}
	proc_wakeup(readers_chan(p));
	return put;
}

long pipe_write(struct pipe *p, uint64_t usrc, size_t n)
{
	uint8_t bounce[PIPE_BOUNCE];
	size_t done = 0;

	while (done < n) {
		size_t chunk = min_size(n - done, sizeof(bounce));
		int err = proc_preempt_point();
		if (err)
			return done ? (long)done : err;
		if (copy_from_user(bounce, usrc + done, chunk) < 0)
			return done ? (long)done : -EFAULT;

		spin_lock(&p->lock);
		done += put_bytes(p, bounce, chunk, &err);
		spin_unlock(&p->lock);
		if (err)
			return done ? (long)done : err;
	}
	return (long)done;
}

/*
 * Wait until the pipe holds data or has no writer. Caller holds p->lock.
 * 0, or -EINTR when killed.
 */
static int wait_readable(struct pipe *p)
{
	while (pipebuf_used(&p->buf) == 0 && p->writeopen) {
		if (proc_killed(proc_current()))
			return -EINTR;
		proc_sleep(readers_chan(p), &p->lock);
	}
	return 0;
}

/* Bytes for one trip to udst: a bounce's worth, not crossing a user page. */
static size_t trip_size(uint64_t udst, size_t left)
{
	return min_size(min_size(left, PIPE_BOUNCE), PAGE_SIZE - udst % PAGE_SIZE);
}

/*
 * Take whatever the pipe holds, up to n bytes, blocking only while it is
 * empty. Bytes leave the pipe only once they reached the user: each trip
 * stays inside one user page, so a trip's copy succeeds or stores nothing,
 * and a fault returns the bytes of the trips before it (or -EFAULT) with
 * the rest still in the pipe for the next read. p->reader keeps other
 * readers off the bytes between the look and the drop.
 */
long pipe_read(struct pipe *p, uint64_t udst, size_t n)
{
	uint8_t bounce[PIPE_BOUNCE];
	size_t done = 0;

	if (n == 0)
		return 0;
	int err = sleep_lock_killable(&p->reader);
	if (err)
		return err;
	spin_lock(&p->lock);
	err = wait_readable(p);
	spin_unlock(&p->lock);
	while (err == 0 && done < n) {
		if (done && (err = proc_preempt_point()) != 0)
			break;
		spin_lock(&p->lock);
		size_t got = pipebuf_peek(&p->buf, bounce, trip_size(udst + done, n - done));
		spin_unlock(&p->lock);
		if (got == 0)
			break;
		if (copy_to_user(udst + done, bounce, got) < 0) {
			err = -EFAULT;
			break;
		}
		spin_lock(&p->lock);
		pipebuf_drop(&p->buf, got);
		proc_wakeup(writers_chan(p));
		spin_unlock(&p->lock);
		done += got;
	}
	sleep_unlock(&p->reader);
	return done ? (long)done : err;
}
