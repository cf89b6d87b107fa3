/*
 * Spinlocks with interrupt disabling.
 *
 * Interrupts must be off while a lock is held: an interrupt handler that
 * wanted the same lock on this hart would spin forever. irq_push_off /
 * irq_pop_off count the nesting per hart and restore the state from before
 * the outermost lock.
 */
#include "lib/spinlock.h"
#include "lib/printf.h"
#include "arch/riscv/hart.h"

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->hart = -1;
	lk->name = name;
}

void irq_push_off(void)
{
	bool was_on = irq_enabled();
	irq_disable();
	struct hart *h = this_hart();
	if (h->irq_depth++ == 0)
		h->irq_was_on = was_on;
}

void irq_pop_off(void)
{
	struct hart *h = this_hart();
	if (irq_enabled())
		panic("irq_pop_off: interrupts enabled");
	if (h->irq_depth < 1)
		panic("irq_pop_off: unbalanced");
	if (--h->irq_depth == 0 && h->irq_was_on)
		irq_enable();
}

bool spin_held(const struct spinlock *lk)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	       lk->hart == this_hart_id();
}

void spin_lock(struct spinlock *lk)
{
	irq_push_off();
	if (spin_held(lk))
		panic("spin_lock: recursive acquisition of %s", lk->name);
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED))
			;
	lk->hart = this_hart_id();
}

void spin_unlock(struct spinlock *lk)
{
	if (!spin_held(lk))
		panic("spin_unlock: %s not held by this hart", lk->name);
	lk->hart = -1;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	irq_pop_off();
}
