/*
 * Spinlocks.
 *
 * spin_lock() disables interrupts on this hart (nesting is counted, so the
 * state from before the first lock comes back at the last unlock) and then
 * spins. Acquiring a lock this hart already holds is a kernel bug and
 * panics with the lock's name. Never sleep while holding a spinlock.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	uint32_t    locked;  /* 0 free, 1 held; changed by atomics only */
	int         hart;    /* holder's hart id, -1 when free */
	const char *name;    /* for the recursion panic and debugging */
};

#define SPINLOCK_INIT(n) { .locked = 0, .hart = -1, .name = (n) }

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool spin_held(const struct spinlock *lk);   /* held by this hart? */

/* Interrupt-disable nesting used by the locks; usable on their own. */
void irq_push_off(void);
void irq_pop_off(void);

#endif
