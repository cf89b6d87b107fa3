/*
 * Host shim for the mm and printf unit tests: the kernel services that
 * mm/frame.c, mm/pt.c, mm/vma.c and mm/kmalloc.c call, for one host
 * thread. Locks only check their own balance; panic aborts the test so a
 * broken invariant is a failure, never silence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "lib/spinlock.h"

uintptr_t physmap_offset;   /* set by each test to its simulated RAM */

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->hart = -1;
	lk->name = name;
}

void spin_lock(struct spinlock *lk)
{
	if (lk->locked) {
		fprintf(stderr, "shim: recursive acquisition of %s\n", lk->name);
		abort();
	}
	lk->locked = 1;
}

void spin_unlock(struct spinlock *lk)
{
	if (!lk->locked) {
		fprintf(stderr, "shim: unlock of free lock %s\n", lk->name);
		abort();
	}
	lk->locked = 0;
}

bool spin_held(const struct spinlock *lk) { return lk->locked; }
void irq_push_off(void) {}
void irq_pop_off(void) {}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}
