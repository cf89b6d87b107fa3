/*
 * Host shim for the fs unit test (tests/unit/test_fs.c).
 *
 * shim_fs.c stands in for the kernel services the real fs/ sources call:
 * sleeplocks (single-threaded: taking a held lock is a bug and aborts),
 * kmalloc, page_alloc and file data frames (malloc, counted, with an
 * optional failure budget), the user-copy routines (user addresses are host pointers; page
 * 0 and one configurable range fault), the current process and
 * sleep/wakeup (sleeping calls a hook the test installs) and uart_write
 * (captured). Spinlocks and panic (which aborts) come from shim_kernel.c,
 * shared with the mm test.
 */
#ifndef SHIM_FS_H
#define SHIM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proc;

/* Pages from page_alloc and objects from kmalloc not yet freed. */
extern long shim_fs_pages;

extern long shim_fs_objects;
/* Of shim_fs_pages, the file data pages (frame_alloc_zeroed(FRAME_FILE)). */
extern long shim_fs_file_pages;

/*
 * Page lending: frame_get calls counted (frame_put gives such a reference
 * back; a data page is freed at its last); mm_file_truncated's last notice.
 */
extern int shim_fs_frame_gets;
struct inode;
extern struct inode *shim_fs_truncated_ip;
extern uint64_t shim_fs_truncated_size;

/*
 * Called at the start of every copy_to_user / copy_from_user, where a real
 * copy may fault: a test can run what the fault path would (mm calling
 * inode_page_frame) there, and the shim's sleeplocks abort if that lock is
 * already held.
 */
extern void (*shim_fs_copy_hook)(void);

/* Allocations (pages and objects alike) that may still succeed; -1: no limit. */
extern long shim_fs_alloc_budget;

/* User addresses in [start, end) fault, as does page 0. */
void shim_fs_set_bad_user(uintptr_t start, uintptr_t end);

/* The process proc_current() returns (NULL: none, as during boot). */
extern struct proc *shim_fs_current;
/* The one process the test runs as; its killed flag is honoured. */
extern struct proc shim_fs_proc;
/* proc_group_alive: the caller's group, and this one (0: none), are alive. */
extern int shim_fs_live_pgid;

/*
 * Called by proc_sleep(chan, lk) with lk released; it must change
 * something the sleeper waits for (or kill it). With no hook, a sleep
 * would never end: the test aborts.
 */
extern void (*shim_fs_sleep_hook)(void *chan);
/*
 * Called by sleep_unlock just after the lock is free: where, in a real
 * kernel, another process (or hart) could take it and act. A test runs
 * that other process's steps here, and clears the hook first.
 */
struct sleeplock;
extern void (*shim_fs_unlock_hook)(struct sleeplock *sl);

/*
 * proc_preempt_point calls so far; the hook (if set) runs at each one, as
 * the tick or a kill would. The point returns -EINTR when the current
 * process is killed.
 */
extern long shim_fs_preempt_points;
extern void (*shim_fs_preempt_hook)(void);

/* How many times proc_sleep / proc_wakeup were called. */
extern long shim_fs_sleeps;
extern long shim_fs_wakeups;

/* Everything uart_write was given, NUL-terminated (truncated if long). */
extern char   shim_fs_uart[4096];
extern size_t shim_fs_uart_len;

#endif
