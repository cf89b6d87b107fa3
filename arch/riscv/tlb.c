/*
 * The TLB layer: satp switches, local flushes, remote flushes through SBI.
 *
 * Each hart remembers which space it has in satp and the space's gen when
 * it last flushed for it:
 *
 *   tlb_switch(s), hart on another space    satp := s->root, flush all,
 *                                           remember s and s->gen
 *   tlb_switch(s), hart already on s        flush all only if s->gen moved
 *   tlb_removed(s)                          s->gen++; flush here if s is here
 *
 * A hart that kept s in satp while s lost a mapping elsewhere still holds
 * the old translation in its TLB, but it runs no code of s until its next
 * tlb_switch(s), which sees the new gen and flushes first. That is THE
 * RULE of tlb.h: it holds while an address space runs on one hart at a
 * time and only its owner edits it.
 *
 * QEMU drops its whole software TLB on every satp write and every
 * sfence.vma, so both are counted and spent only where needed.
 */
#include "arch/riscv/tlb.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "mm/page.h"

_Static_assert(MAX_HARTS <= 64, "hart masks are one 64-bit word");

/* What one hart has in satp. Touched only by that hart, interrupts off. */
struct tlb_hart {
	struct tlb_space *space;       /* NULL until this hart's first tlb_switch */
	uint64_t          gen;         /* space->gen when this hart last flushed for it */
	uint64_t          satp_writes; /* how often tlb_switch wrote satp (self-test) */
};

static struct tlb_hart tlb_harts[MAX_HARTS];
static struct tlb_space kernel_space;   /* what tlb_switch(NULL) loads */
static bool rfence_present;             /* [I] after tlb_init */

void tlb_init(uint64_t kernel_root)
{
	if (kernel_space.root)
		panic("tlb_init: called twice");
	tlb_space_init(&kernel_space, kernel_root);
	rfence_present = sbi_probe_extension(SBI_EXT_RFENCE);
}

bool tlb_remote_present(void)
{
	return rfence_present;
}

void tlb_space_init(struct tlb_space *s, uint64_t root)
{
	s->root = root;
	s->gen = 0;
	s->loaded = 0;
}

void tlb_flush_page(uint64_t va)
{
	sfence_vma_addr(va);
}

unsigned tlb_hart(void)
{
	return (unsigned)this_hart_id();
}

void tlb_flush_all(void)
{
	sfence_vma_all();
}

/* Load root into satp. No ASIDs: every old translation must go too. */
static void load_root(struct tlb_hart *h, uint64_t root)
{
	csr_write(satp, SATP_MODE_SV39 | (root >> PAGE_SHIFT));
	sfence_vma_all();
	h->satp_writes++;
}

void tlb_switch(struct tlb_space *s)
{
	struct tlb_space *next = s ? s : &kernel_space;
	irq_push_off();
	int id = this_hart_id();
	struct tlb_hart *h = &tlb_harts[id];
	if (h->space == next) {
		/* Same table: flush only if mappings went away meanwhile. */
		uint64_t gen = __atomic_load_n(&next->gen, __ATOMIC_ACQUIRE);
		if (h->gen != gen) {
			h->gen = gen;
			sfence_vma_all();
		}
		irq_pop_off();
		return;
	}
	uint64_t bit = 1UL << id;
	struct tlb_space *old = h->space;
	__atomic_or_fetch(&next->loaded, bit, __ATOMIC_ACQ_REL);
	/* Read gen before the flush: a removal racing with us costs at most
	 * one extra flush later, never a missed one. */
	h->gen = __atomic_load_n(&next->gen, __ATOMIC_ACQUIRE);
	load_root(h, next->root);
	h->space = next;
	/* Only now, with satp off the old tables, may their owner free them. */
	if (old)
		__atomic_and_fetch(&old->loaded, ~bit, __ATOMIC_ACQ_REL);
	irq_pop_off();
}

/*
 * A mapping of s went away: move its generation and, if this hart has s
 * loaded, flush here. `one_page` with va: only that leaf changed, so a
 * hart that was up to date but for this removal forgets just that page.
 */
static void removed(struct tlb_space *s, bool one_page, uint64_t va)
{
	uint64_t gen = __atomic_add_fetch(&s->gen, 1, __ATOMIC_ACQ_REL);
	irq_push_off();
	struct tlb_hart *h = &tlb_harts[this_hart_id()];
	if (h->space == s) {
		if (one_page && h->gen + 1 == gen)
			sfence_vma_addr(va);
		else
			sfence_vma_all();
		h->gen = gen;
	}
	irq_pop_off();
}

void tlb_removed(struct tlb_space *s)
{
	removed(s, false, 0);
}

void tlb_removed_page(struct tlb_space *s, uint64_t va)
{
	removed(s, true, va);
}

bool tlb_loaded_here(const struct tlb_space *s)
{
	const struct tlb_space *want = s ? s : &kernel_space;
	irq_push_off();
	bool here = tlb_harts[this_hart_id()].space == want;
	irq_pop_off();
	return here;
}

void tlb_wait_unloaded(struct tlb_space *s)
{
	if (tlb_loaded_here(s))
		panic("tlb_wait_unloaded: this hart has the space in satp");
	while (__atomic_load_n(&s->loaded, __ATOMIC_ACQUIRE))
		;
}

/* A negative errno for an SBI error code. */
static int sbi_errno(long err)
{
	switch (err) {
	case SBI_SUCCESS:             return 0;
	case SBI_ERR_NOT_SUPPORTED:   return -ENOSYS;
	case SBI_ERR_INVALID_PARAM:   return -EINVAL;
	case SBI_ERR_INVALID_ADDRESS: return -EFAULT;
	case SBI_ERR_DENIED:          return -EPERM;
	default:                      return -EIO;
	}
}

/*
 * Without RFENCE there is no fallback: the legacy remote-sfence call
 * (EID 0x06) belongs to the SBI v0.1 interface that RFENCE replaced, and
 * an SBI that starts harts through HSM, as hart.c requires, is v0.2 or
 * later. Sending IPIs and flushing in the handler would be the other way.
 */
int tlb_flush_harts(uint64_t hart_mask, uint64_t va, uint64_t len)
{
	uint64_t targets = 0;
	irq_push_off();   /* stay on this hart while we drop its bit */
	int self = this_hart_id();
	irq_pop_off();
	for (int i = 0; i < MAX_HARTS; i++)
		if (i != self && (hart_mask & (1UL << i)) && harts[i].started)
			targets |= 1UL << i;
	if (!targets)
		return 0;
	if (!rfence_present)
		return -ENOSYS;
	/* Hart index i is hart id i, so the SBI mask is ours with base 0. */
	return sbi_errno(sbi_remote_sfence_vma(targets, 0, len ? va : 0,
					       len ? len : SBI_RFENCE_SIZE_ALL));
}

/* ---- self-test (selftest=1) ---- */

static int tlb_failed;

static void check(bool ok, const char *what)
{
	printf("%s tlb.%s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		tlb_failed++;
}

/*
 * On the kernel's own table (what this hart runs during self-tests):
 * switching to the space it has loaded writes no satp; a removal flushes
 * here and the next switch sees nothing new; other harts flush remotely.
 */
int tlb_selftest(void)
{
	tlb_failed = 0;
	struct tlb_space s;
	tlb_space_init(&s, kernel_space.root);

	irq_push_off();   /* the counters below are this hart's */
	struct tlb_hart *h = &tlb_harts[this_hart_id()];
	tlb_switch(&s);
	uint64_t writes = h->satp_writes;
	check(tlb_loaded_here(&s) && (s.loaded & (1UL << this_hart_id())), "switch_loads");
	tlb_switch(&s);
	check(h->satp_writes == writes, "same_space_no_satp_write");
	tlb_removed(&s);
	check(h->gen == s.gen && s.gen == 1, "removed_flushes_here");
	tlb_switch(NULL);
	check(h->satp_writes == writes + 1 && s.loaded == 0 && tlb_loaded_here(NULL),
	      "switch_back_unloads");
	irq_pop_off();
	tlb_wait_unloaded(&s);

	printf("selftest: SBI RFENCE extension %s\n", rfence_present ? "present" : "absent");
	uint64_t all = (1UL << MAX_HARTS) - 1;
	int err = tlb_flush_harts(all, 0, 0);
	check(err == 0, "remote_flush");
	err = tlb_flush_harts(all, DIRECT_MAP_BASE, PAGE_SIZE);
	check(err == 0, "remote_flush_page");
	return tlb_failed;
}
