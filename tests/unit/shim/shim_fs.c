/*
 * Host shim for the fs unit test (see shim_fs.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_fs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sleeplock.h"
#include "arch/riscv/uart.h"

long shim_fs_pages;
long shim_fs_objects;
long shim_fs_alloc_budget = -1;
struct proc shim_fs_proc = { .pid = 1, .name = "test" };
struct proc *shim_fs_current = &shim_fs_proc;
void (*shim_fs_sleep_hook)(void *chan);
void (*shim_fs_unlock_hook)(struct sleeplock *sl);
long shim_fs_preempt_points;
void (*shim_fs_preempt_hook)(void);
long shim_fs_sleeps;
long shim_fs_wakeups;
char shim_fs_uart[4096];
size_t shim_fs_uart_len;

static uintptr_t bad_start, bad_end;

/* An empty embedded image, so fs/image.c links. */
__asm__(".section .rodata\n"
        ".globl fsimg_start\n.globl fsimg_end\n"
        "fsimg_start:\nfsimg_end:\n"
        ".text\n");

static bool take_budget(void)
{
	if (shim_fs_alloc_budget == 0)
		return false;
	if (shim_fs_alloc_budget > 0)
		shim_fs_alloc_budget--;
	return true;
}

void *kmalloc(size_t size)
{
	if (size > PAGE_SIZE || !take_budget())
		return NULL;
	void *p = calloc(1, size);
	if (p)
		shim_fs_objects++;
	return p;
}

void kfree(void *ptr)
{
	if (ptr) {
		shim_fs_objects--;
		free(ptr);
	}
}

void *page_alloc(void)
{
	if (!take_budget())
		return NULL;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (p) {
		memset(p, 0, PAGE_SIZE);
		shim_fs_pages++;
	}
	return p;
}

void page_free(void *kva)
{
	if (kva == NULL || (uintptr_t)kva % PAGE_SIZE != 0)
		panic("page_free: bad page %p", kva);
	shim_fs_pages--;
	free(kva);
}

void sleep_init(struct sleeplock *sl, const char *name)
{
	sl->locked = false;
	sl->pid = 0;
	sl->name = name;
	spin_init(&sl->lk, "sleeplock");
}

void sleep_lock(struct sleeplock *sl)
{
	if (sl->locked)
		panic("sleep_lock: %s already held (would deadlock)", sl->name);
	sl->locked = true;
}

int sleep_lock_killable(struct sleeplock *sl)
{
	sleep_lock(sl);
	return 0;
}

void sleep_unlock(struct sleeplock *sl)
{
	if (!sl->locked)
		panic("sleep_unlock: %s not held", sl->name);
	sl->locked = false;
	if (shim_fs_unlock_hook)
		shim_fs_unlock_hook(sl);
}

bool sleep_held(struct sleeplock *sl)
{
	return sl->locked;
}

void shim_fs_set_bad_user(uintptr_t start, uintptr_t end)
{
	bad_start = start;
	bad_end = end;
}

/*
 * How many bytes of [addr, addr + n) can be touched before a fault: all of
 * them, or those before page 0 / the bad range, like a real copy that
 * faults part way.
 */
static size_t user_good_prefix(uint64_t addr, size_t n)
{
	if (addr + n < addr || addr < PAGE_SIZE)
		return 0;
	if (addr + n <= bad_start || addr >= bad_end)
		return n;
	return addr < bad_start ? bad_start - addr : 0;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (shim_fs_copy_hook)
		shim_fs_copy_hook();
	size_t good = user_good_prefix(udst, n);

	if (good)
		memcpy((void *)(uintptr_t)udst, src, good);
	return good == n ? 0 : -EFAULT;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (shim_fs_copy_hook)
		shim_fs_copy_hook();
	size_t good = user_good_prefix(usrc, n);

	if (good)
		memcpy(dst, (const void *)(uintptr_t)usrc, good);
	return good == n ? 0 : -EFAULT;
}

struct proc *proc_current(void)
{
	return shim_fs_current;
}

void proc_sleep(void *chan, struct spinlock *lk)
{
	shim_fs_sleeps++;
	if (shim_fs_sleep_hook == NULL)
		panic("proc_sleep: would sleep forever on %p", chan);
	spin_unlock(lk);
	shim_fs_sleep_hook(chan);
	spin_lock(lk);
}

void proc_wakeup(void *chan)
{
	(void)chan;
	shim_fs_wakeups++;
}

bool proc_killed(struct proc *p)
{
	return p->killed;
}

int shim_fs_live_pgid;

int proc_pgid(void)
{
	return shim_fs_current ? shim_fs_current->pgid : 0;
}

bool proc_group_alive(int pgid)
{
	return pgid == shim_fs_live_pgid || pgid == proc_pgid();
}

/* The console's ^C and ^P: no process table here. */
int proc_kill_group(int pgid)
{
	(void)pgid;
	return 0;
}

void proc_dump(void)
{
}

int proc_preempt_point(void)
{
	shim_fs_preempt_points++;
	if (shim_fs_preempt_hook)
		shim_fs_preempt_hook();
	return shim_fs_current && shim_fs_current->killed ? -EINTR : 0;
}

void uart_write(const char *buf, size_t n)
{
	size_t room = sizeof(shim_fs_uart) - 1 - shim_fs_uart_len;
	if (n > room)
		n = room;
	memcpy(shim_fs_uart + shim_fs_uart_len, buf, n);
	shim_fs_uart_len += n;
	shim_fs_uart[shim_fs_uart_len] = '\0';
}

/*
 * File data frames (fs/pagemap.c allocates them as FRAME_FILE), page
 * lending and truncation hooks (fs/inode.c, fs/file.c call into mm). The
 * shim's "physical" addresses are host pointers (physmap_offset is 0).
 * Lent frames keep a count of their extra references, so frame_put frees
 * a data page only at its last one, as the real allocator does.
 */
long shim_fs_file_pages;
int shim_fs_frame_gets;
struct inode *shim_fs_truncated_ip;
uint64_t shim_fs_truncated_size = UINT64_MAX;
void (*shim_fs_copy_hook)(void);

#define LENT_MAX 64
static struct { uint64_t pa; int extra; } lent[LENT_MAX];

uint64_t frame_alloc_zeroed(enum frame_use use)
{
	if (use != FRAME_FILE)
		panic("frame_alloc_zeroed: fs asked for use %d", use);
	void *p = page_alloc();
	if (p)
		shim_fs_file_pages++;
	return (uint64_t)(uintptr_t)p;
}

void frame_get(uint64_t pa)
{
	int free_slot = -1;

	shim_fs_frame_gets++;
	for (int i = 0; i < LENT_MAX; i++) {
		if (lent[i].extra > 0 && lent[i].pa == pa) {
			lent[i].extra++;
			return;
		}
		if (lent[i].extra == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		lent[free_slot].pa = pa;
		lent[free_slot].extra = 1;
		return;
	}
	panic("frame_get: more than %d frames lent at once", LENT_MAX);
}

void frame_put(uint64_t pa)
{
	for (int i = 0; i < LENT_MAX; i++) {
		if (lent[i].pa == pa && lent[i].extra > 0) {
			lent[i].extra--;
			return;
		}
	}
	shim_fs_file_pages--;
	page_free((void *)(uintptr_t)pa);
}

void mm_file_truncated(struct inode *ip, uint64_t size)
{
	shim_fs_truncated_ip = ip;
	shim_fs_truncated_size = size;
}
