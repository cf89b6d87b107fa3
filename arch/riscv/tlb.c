/* PLACEHOLDER until the tlb branch lands. */
#include "arch/riscv/tlb.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"

static uint64_t kernel_root;
static struct { struct tlb_space *s; uint64_t gen; } active[MAX_HARTS];

static int idx(void) { return this_hart_id(); }

static void load(uint64_t root)
{
	csr_write(satp, SATP_MODE_SV39 | (root >> 12));
	sfence_vma_all();
}

void tlb_init(uint64_t root) { kernel_root = root; }
void tlb_init_hart(void) { load(kernel_root); }

void tlb_space_init(struct tlb_space *s, uint64_t root)
{
	s->root = root;
	s->gen = 0;
	s->loaded = 0;
}

void tlb_switch(struct tlb_space *s)
{
	int h = idx();
	irq_push_off();
	if (active[h].s == s) {
		if (s && active[h].gen != __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE)) {
			active[h].gen = s->gen;
			sfence_vma_all();
		}
		irq_pop_off();
		return;
	}
	struct tlb_space *old = active[h].s;
	if (s) {
		__atomic_or_fetch(&s->loaded, 1UL << h, __ATOMIC_ACQ_REL);
		active[h].gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
	}
	load(s ? s->root : kernel_root);
	active[h].s = s;
	if (old)
		__atomic_and_fetch(&old->loaded, ~(1UL << h), __ATOMIC_ACQ_REL);
	irq_pop_off();
}

void tlb_removed(struct tlb_space *s)
{
	__atomic_add_fetch(&s->gen, 1, __ATOMIC_ACQ_REL);
	irq_push_off();
	int h = idx();
	if (active[h].s == s) {
		active[h].gen = s->gen;
		sfence_vma_all();
	}
	irq_pop_off();
}

bool tlb_loaded_here(const struct tlb_space *s)
{
	irq_push_off();
	bool here = active[idx()].s == s;
	irq_pop_off();
	return here;
}

void tlb_wait_unloaded(struct tlb_space *s)
{
	if (tlb_loaded_here(s))
		panic("tlb_wait_unloaded: loaded on this hart");
	while (__atomic_load_n(&s->loaded, __ATOMIC_ACQUIRE))
		;
}

void tlb_flush_page(uint64_t va) { sfence_vma_addr(va); }
void tlb_flush_all(void) { sfence_vma_all(); }
int tlb_flush_harts(uint64_t mask, uint64_t va, uint64_t len)
{
	(void)mask; (void)va; (void)len;
	return -ENOSYS;
}
