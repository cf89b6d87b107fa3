/*
 * Host tests of the real VM core: mm/mm.c, mm/fault.c, mm/vma.c, mm/pt.c,
 * mm/frame.c, mm/kmalloc.c and proc/sleeplock.c, over simulated RAM, with
 * the TLB layer and the process services stubbed (shim/shim_tlb.c,
 * shim/shim_proc.c). They cover the fault decision row by row, every
 * protection, stale and permission faults, fault-around, brk in both
 * modes, and fork and brk running out of memory at every allocation;
 * after each, destroying the address space must leave every frame free.
 */
#include <stdlib.h>
#include <string.h>
#include "mm/mm_internal.h"
#include "mm/frame.h"
#include "mm/physmap.h"
#include "arch/riscv/sv39.h"
#include "lib/errno.h"
#include "tests/unit/shim/shim_tlb.h"
#include "tests/unit/shim/shim_file.h"
#include "userland/include/lazuli/memstat.h"
#include "check.h"

#define SIM_BASE   0x80000000UL
#define SIM_FRAMES 1024UL
#define SIM_SIZE   (SIM_FRAMES * PAGE_SIZE)

static void *ram, *meta;
static uint64_t baseline;   /* free frames right after sim_reset */

static uint64_t free_frames(void)
{
	struct frame_stats st;
	frame_stats(&st);
	return st.free;
}

/* Fresh RAM of `frames` usable frames, a kernel root, default switches. */
static void sim_reset_frames(uint64_t frames)
{
	free(ram);
	free(meta);
	ram = aligned_alloc(PAGE_SIZE, SIM_SIZE);
	memset(ram, 0xa5, SIM_SIZE);
	physmap_offset = (uintptr_t)ram - SIM_BASE;
	meta = malloc(frame_meta_size(SIM_BASE, SIM_BASE + SIM_SIZE));
	frame_init_meta(SIM_BASE, SIM_BASE + SIM_SIZE, meta);
	frame_release_range(SIM_BASE + (SIM_FRAMES - frames) * PAGE_SIZE, SIM_BASE + SIM_SIZE);
	kernel_root = frame_alloc_zeroed(FRAME_PT);
	mm_zero_page_init();
	mm_zero_mappings = 0;
	mm_set_eager(false);
	mm_set_cow(true);
	mm_set_zeropage(true);
	mm_set_faultaround(32);
	shim_tlb_reset();
	baseline = free_frames();
}

static void sim_reset(void) { sim_reset_frames(SIM_FRAMES); }

static pte_t pte_at(struct mm *mm, uint64_t va) { return pt_lookup(mm->tlb.root, va); }

static enum fault_result fault(struct mm *mm, uint64_t va, enum fault_access acc)
{
	struct fault_report rep;
	return mm_fault(mm, va, acc, 0x1000, &rep);
}

#define AREA 0x100000UL   /* where the tests put an area */

/* An mm with one 16-page private anonymous area of protection prot. */
static struct mm *mm_with_area(int prot)
{
	struct mm *mm = mm_create();
	if (!mm || mm_map(mm, AREA, 16 * PAGE_SIZE, prot, VM_PRIVATE, NULL)) {
		CHECK(!"mm_with_area");
		exit(1);
	}
	return mm;
}

static void destroy_all_back(struct mm *mm)
{
	mm_destroy(mm);
	CHECK(free_frames() == baseline);
}

/* ---- the decision table, row by row ---- */

static void decide_rows(void)
{
	struct vm_area rw = { .start = AREA, .end = AREA + PAGE_SIZE, .prot = PROT_READ | PROT_WRITE };
	struct vm_area rx = { .start = AREA, .end = AREA + PAGE_SIZE, .prot = PROT_READ | PROT_EXEC };
	pte_t valid_rw = PTE_V | PTE_U | PTE_R | PTE_W | PTE_A | PTE_D;
	pte_t valid_ro = PTE_V | PTE_U | PTE_R | PTE_A;

	/* no area -> kill */
	CHECK(fault_decide(NULL, 0, FAULT_READ) == DECIDE_NO_AREA);
	CHECK(fault_decide(NULL, valid_rw, FAULT_WRITE) == DECIDE_NO_AREA);
	/* the area forbids the access -> kill, whatever the PTE says */
	CHECK(fault_decide(&rx, 0, FAULT_WRITE) == DECIDE_FORBIDDEN);
	CHECK(fault_decide(&rw, valid_rw, FAULT_EXEC) == DECIDE_FORBIDDEN);
	/* no PTE -> fill from the backing */
	CHECK(fault_decide(&rw, 0, FAULT_WRITE) == DECIDE_FILL);
	CHECK(fault_decide(&rx, 0, FAULT_EXEC) == DECIDE_FILL);
	/* the PTE permits the access -> stale */
	CHECK(fault_decide(&rw, valid_rw, FAULT_READ) == DECIDE_STALE);
	CHECK(fault_decide(&rw, valid_rw, FAULT_WRITE) == DECIDE_STALE);
	/* the PTE forbids what the area allows -> the area's rule */
	CHECK(fault_decide(&rw, valid_ro, FAULT_WRITE) == DECIDE_AREA_RULE);
	CHECK(fault_decide(&rw, valid_rw & ~PTE_U, FAULT_READ) == DECIDE_AREA_RULE);
}

/* ---- every protection, for faults and for mm_write ---- */

static void protections_fault_and_write(void)
{
	static const struct { int prot; uint64_t pte_rwx; } cases[] = {
		{ PROT_READ,              PTE_R },
		{ PROT_WRITE,             PTE_R | PTE_W },   /* W implies R */
		{ PROT_EXEC,              PTE_X },
		{ PROT_READ | PROT_WRITE, PTE_R | PTE_W },
		{ PROT_READ | PROT_EXEC,  PTE_R | PTE_X },
		{ PROT_NONE,              0 },
	};
	static const enum fault_access accesses[] = { FAULT_READ, FAULT_WRITE, FAULT_EXEC };
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		sim_reset();
		mm_set_zeropage(false);   /* the zero page has its own tests below */
		struct mm *mm = mm_with_area(cases[c].prot);
		for (unsigned i = 0; i < 3; i++) {
			uint64_t va = AREA + i * PAGE_SIZE;
			bool allowed = (cases[c].pte_rwx & PTE_R && accesses[i] == FAULT_READ) ||
				       (cases[c].pte_rwx & PTE_W && accesses[i] == FAULT_WRITE) ||
				       (cases[c].pte_rwx & PTE_X && accesses[i] == FAULT_EXEC);
			enum fault_result r = fault(mm, va, accesses[i]);
			CHECK(r == (allowed ? FAULT_OK : FAULT_SEGV));
			pte_t e = pte_at(mm, va);
			if (allowed)
				CHECK((e & PTE_RWX) == cases[c].pte_rwx && (e & PTE_U));
			else
				CHECK(e == 0);   /* a refused access maps nothing */
		}
		/* mm_write ignores R/W/X but refuses an area with no access. */
		char buf[100] = "hello";
		int w = mm_write(mm, AREA + 5 * PAGE_SIZE - 50, buf, sizeof(buf));
		if (cases[c].prot == PROT_NONE) {
			CHECK(w == -EFAULT);
			CHECK(pt_count_range(mm->tlb.root, AREA, AREA + 16 * PAGE_SIZE) == 0);
		} else {
			CHECK(w == 0);
			pte_t e = pte_at(mm, AREA + 5 * PAGE_SIZE - 50);
			CHECK(!memcmp((char *)pa_to_kva(pte_to_pa(e)) + PAGE_SIZE - 50, "hello", 6));
		}
		destroy_all_back(mm);
	}
}

/* W+X, bad flags and overlaps are refused; PROT_WRITE reads back as RW. */
static void map_rejects(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	CHECK(mm_map(mm, AREA, PAGE_SIZE, PROT_WRITE | PROT_EXEC, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, AREA, PAGE_SIZE, PROT_READ, 0, NULL) == -EINVAL);
	CHECK(mm_map(mm, AREA, PAGE_SIZE, PROT_READ, VM_PRIVATE | VM_SHARED, NULL) == -EINVAL);
	CHECK(mm_map(mm, AREA, PAGE_SIZE, 0x40, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, AREA, 0, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, AREA + 1, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, 0, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, USER_TOP - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, -PAGE_SIZE, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map(mm, USER_TOP - PAGE_SIZE, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == 0);
	CHECK(mm_map(mm, AREA, 2 * PAGE_SIZE, PROT_WRITE, VM_PRIVATE, NULL) == 0);
	CHECK(mm_map(mm, AREA + PAGE_SIZE, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map_heap(mm, AREA + 2 * PAGE_SIZE) == 0);
	CHECK(mm_map_heap(mm, AREA + 8 * PAGE_SIZE) == -EINVAL);   /* one heap only */
	struct vmmap_entry e[4];
	CHECK(mm_describe(mm, 0, e, 4) == 3);
	CHECK(e[0].prot == (VMMAP_PROT_R | VMMAP_PROT_W) && e[1].kind == VMMAP_KIND_HEAP);
	destroy_all_back(mm);
}

/* ---- stale and permission faults ---- */

static void stale_then_repeat_is_a_bug(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	struct fault_report rep;
	unsigned flushes = shim_tlb_flushes_all;
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x2000, &rep) == FAULT_OK);
	CHECK(shim_tlb_flushes_all == flushes);   /* invalid -> valid: no fence */
	/* The PTE allows it now: a fault there is a stale TLB entry, fenced. */
	CHECK(mm_fault(mm, AREA + 8, FAULT_READ, 0x2000, &rep) == FAULT_STALE);
	CHECK(shim_tlb_flushes_all == flushes + 1);
	/* Again at the same page and pc: the fence did not help. */
	CHECK(mm_fault(mm, AREA + 16, FAULT_READ, 0x2000, &rep) == FAULT_BUG);
	CHECK(strstr(rep.rule, "kernel bug") != NULL);
	/* A different pc, or anything in between, starts afresh. */
	CHECK(mm_fault(mm, AREA, FAULT_READ, 0x2000, &rep) == FAULT_STALE);
	CHECK(mm_fault(mm, AREA, FAULT_READ, 0x2004, &rep) == FAULT_STALE);
	CHECK(mm_fault(mm, AREA + PAGE_SIZE, FAULT_WRITE, 0x2004, &rep) == FAULT_OK);
	CHECK(mm_fault(mm, AREA, FAULT_READ, 0x2004, &rep) == FAULT_STALE);
	destroy_all_back(mm);
}

/* A record of a stale fault dies with the mapping it was about. */
static void stale_record_forgotten_on_remap(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	struct fault_report rep;
	CHECK(mm_map_heap(mm, AREA) == 0 && mm_brk(mm, 4 * PAGE_SIZE) == (long)AREA);
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x2000, &rep) == FAULT_OK);
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x2000, &rep) == FAULT_STALE);
	CHECK(mm_brk(mm, -4 * PAGE_SIZE) == (long)(AREA + 4 * PAGE_SIZE));
	mm_set_eager(true);   /* the page comes back with no fault at all */
	CHECK(mm_brk(mm, 4 * PAGE_SIZE) == (long)AREA);
	/* The hart may have cached the invalid entry meanwhile: one stale fault. */
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x2000, &rep) == FAULT_STALE);
	destroy_all_back(mm);
}

/*
 * mprotect changes PTEs, so it too forgets the record: a loop that
 * drops write and gives it back hits the same store at the same pc on a
 * hart that faults from the cached read-only entry each time, and each
 * of those faults is a fresh stale one, not a kernel bug.
 */
static void stale_record_forgotten_on_protect(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	struct fault_report rep;
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x2000, &rep) == FAULT_OK);
	for (int round = 0; round < 3; round++) {
		CHECK(mm_protect(mm, AREA, PAGE_SIZE, PROT_READ) == 0);
		CHECK(mm_protect(mm, AREA, PAGE_SIZE, PROT_READ | PROT_WRITE) == 0);
		CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x2000, &rep) == FAULT_STALE);
	}
	destroy_all_back(mm);
}

static void pte_forbids_what_area_allows(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	struct fault_report rep;
	CHECK(fault(mm, AREA, FAULT_WRITE) == FAULT_OK);
	pte_t *e = pt_walk(mm->tlb.root, AREA, false);
	*e &= ~PTE_W;   /* a copy-on-write page without its mark: a broken PTE */
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x3000, &rep) == FAULT_BUG);
	CHECK(strstr(rep.rule, "forbids") != NULL);
	CHECK(fault(mm, AREA, FAULT_READ) == FAULT_STALE);   /* reading is still fine */
	destroy_all_back(mm);
}

/*
 * A parked entry (V clear, a frame kept) in an area that allows access is
 * broken: PTE_PARKED is the bit PTE_COW uses, so a write must not read it
 * as copy-on-write and retry for ever. A kernel write refuses it too.
 */
static void parked_where_allowed_is_a_bug(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	struct fault_report rep;
	CHECK(fault(mm, AREA, FAULT_WRITE) == FAULT_OK);
	pte_t *e = pt_walk(mm->tlb.root, AREA, false);
	*e = pa_to_pte(pte_to_pa(*e)) | PTE_PARKED;
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0x3000, &rep) == FAULT_BUG);
	CHECK(mm_fault(mm, AREA, FAULT_READ, 0x3000, &rep) == FAULT_BUG);
	CHECK(mm_write(mm, AREA, "x", 1) == -EFAULT);
	destroy_all_back(mm);
}

/* ---- fault-around ---- */

static void faultaround_stops_at_area_end(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);   /* 16 pages */
	struct fault_report rep;
	for (int i = 0; i < 4; i++) {
		CHECK(mm_fault(mm, AREA + (uint64_t)i * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK);
		CHECK(rep.ahead == 0);
	}
	CHECK(mm_fault(mm, AREA + 4 * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(rep.ahead == 11);   /* pages 5..15: the area ends there */
	CHECK(pt_count_range(mm->tlb.root, AREA, AREA + 64 * PAGE_SIZE) == 16);
	struct vmmap_entry d;
	CHECK(mm_describe(mm, 0, &d, 1) == 1 && d.resident == 16);
	destroy_all_back(mm);
}

static void faultaround_stops_at_mapped_page(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	struct fault_report rep;
	CHECK(mm_map(mm, AREA, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL) == 0);
	CHECK(fault(mm, AREA + 10 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);   /* in the way */
	for (int i = 0; i < 5; i++)
		CHECK(mm_fault(mm, AREA + (uint64_t)i * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(rep.ahead == 5);    /* pages 5..9, then page 10 is mapped */
	CHECK(pt_count_range(mm->tlb.root, AREA, AREA + 64 * PAGE_SIZE) == 11);
	destroy_all_back(mm);
}

static void faultaround_off_one_fault_per_page(void)
{
	sim_reset();
	mm_set_faultaround(0);
	struct mm *mm = mm_create();
	struct fault_report rep;
	CHECK(mm_map(mm, AREA, 256 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL) == 0);
	unsigned ok = 0, ahead = 0;
	for (int i = 0; i < 256; i++) {
		ok += mm_fault(mm, AREA + (uint64_t)i * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK;
		ahead += rep.ahead;
	}
	CHECK(ok == 256 && ahead == 0);
	CHECK(pt_count_range(mm->tlb.root, AREA, AREA + 256 * PAGE_SIZE) == 256);
	destroy_all_back(mm);
}

/* Below the free-memory reserve, a run maps nothing ahead. */
static void faultaround_respects_reserve(void)
{
	sim_reset_frames(SIM_FRAMES);
	struct mm *mm = mm_create();
	struct fault_report rep;
	CHECK(mm_map(mm, AREA, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL) == 0);
	uint64_t hog[SIM_FRAMES];
	unsigned n = 0;
	while (free_frames() > mm_faultaround_reserve() / 2)
		hog[n++] = frame_alloc(FRAME_KERNEL);
	for (int i = 0; i < 6; i++)
		CHECK(mm_fault(mm, AREA + (uint64_t)i * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(rep.ahead == 0);
	while (n)
		frame_put(hog[--n]);
	destroy_all_back(mm);
}

/* ---- brk ---- */

static void brk_lazy_grow_shrink_flushes(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	CHECK(mm_map_heap(mm, AREA) == 0);
	uint64_t mapped = free_frames();
	CHECK(mm_brk(mm, 8 * PAGE_SIZE) == (long)AREA);
	CHECK(free_frames() == mapped);   /* nothing allocated */
	CHECK(fault(mm, AREA + 7 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	CHECK(fault(mm, AREA + 8 * PAGE_SIZE, FAULT_WRITE) == FAULT_SEGV);   /* above the break */
	uint64_t gen = mm->tlb.gen;
	mm_activate(mm);
	unsigned flushes = shim_tlb_flushes_all;
	CHECK(mm_brk(mm, -4 * PAGE_SIZE) == (long)(AREA + 8 * PAGE_SIZE));
	/* A removal is flushed here at once, and on other harts by generation. */
	CHECK(shim_tlb_flushes_all == flushes + 1 && mm->tlb.gen == gen + 1);
	mm_activate(NULL);
	CHECK(pte_at(mm, AREA + 7 * PAGE_SIZE) == 0);
	CHECK(mm_brk(mm, -5 * PAGE_SIZE) == -EINVAL);   /* below the heap's start */
	CHECK(mm_brk(mm, 0) == (long)(AREA + 4 * PAGE_SIZE));
	destroy_all_back(mm);
}

static void brk_eager_rolls_back_when_memory_runs_out(void)
{
	sim_reset_frames(64);
	mm_set_eager(true);
	struct mm *mm = mm_create();
	CHECK(mm_map_heap(mm, AREA) == 0);
	CHECK(mm_brk(mm, 16 * PAGE_SIZE) == (long)AREA);
	CHECK(pt_count_range(mm->tlb.root, AREA, AREA + 16 * PAGE_SIZE) == 16);
	uint64_t before = free_frames();
	CHECK(mm_brk(mm, 100 * PAGE_SIZE) == -ENOMEM);   /* more than is left */
	CHECK(free_frames() == before);                   /* all rolled back */
	CHECK(mm_brk(mm, 0) == (long)(AREA + 16 * PAGE_SIZE));
	CHECK(fault(mm, AREA + 16 * PAGE_SIZE, FAULT_READ) == FAULT_SEGV);
	/* Failing at each single allocation rolls back too. */
	for (uint64_t nth = 1; nth <= 3; nth++) {
		frame_fail_nth(nth);
		CHECK(mm_brk(mm, 4 * PAGE_SIZE) == -ENOMEM);
		CHECK(free_frames() == before);
		frame_fail_nth(0);
	}
	CHECK(mm_brk(mm, -16 * PAGE_SIZE) == (long)(AREA + 16 * PAGE_SIZE));
	destroy_all_back(mm);
}

/* ---- fork ---- */

/* A parent with private pages (some resident), a shared area and a heap. */
static struct mm *fork_parent(void)
{
	struct mm *mm = mm_create();
	CHECK(mm_map(mm, AREA, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL) == 0);
	CHECK(mm_map(mm, AREA + 32 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     VM_SHARED, NULL) == 0);
	CHECK(mm_map_heap(mm, AREA + 64 * PAGE_SIZE) == 0);
	CHECK(mm_brk(mm, 1 << 20) > 0);
	mm_set_faultaround(0);
	for (int i = 0; i < 16; i += 3)
		CHECK(mm_write(mm, AREA + (uint64_t)i * PAGE_SIZE, "p", 2) == 0);
	CHECK(mm_write(mm, AREA + 32 * PAGE_SIZE, "shared", 7) == 0);
	CHECK(fault(mm, AREA + 64 * PAGE_SIZE + 200 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	return mm;
}

static void fork_copies_with_cow_off(void)
{
	sim_reset();
	mm_set_cow(false);
	struct mm *parent = fork_parent();
	struct mm *child = mm_fork(parent);
	CHECK(child != NULL);
	uint64_t p0 = pte_to_pa(pte_at(parent, AREA)), c0 = pte_to_pa(pte_at(child, AREA));
	CHECK(p0 && c0 && p0 != c0 && !strcmp(pa_to_kva(c0), "p"));
	CHECK((pte_at(parent, AREA) & PTE_W) && !(pte_at(parent, AREA) & PTE_COW));
	CHECK(pte_at(child, AREA + PAGE_SIZE) == 0);   /* untouched stays untouched */
	uint64_t ps = pte_to_pa(pte_at(parent, AREA + 32 * PAGE_SIZE));
	CHECK(ps && ps == pte_to_pa(pte_at(child, AREA + 32 * PAGE_SIZE)));
	CHECK(frame_refcount(ps) == 3);   /* the unnamed file, parent, child */
	CHECK(mm_brk(child, 0) == mm_brk(parent, 0));
	CHECK(fault(child, AREA + 64 * PAGE_SIZE + 100 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	struct vmmap_entry d[3];
	CHECK(mm_describe(child, 0, d, 3) == 3 && d[0].resident == 6 && d[1].resident == 1 &&
	      d[2].resident == 2 && d[1].shared == 1 && d[0].shared == 0);
	mm_destroy(child);
	CHECK(frame_refcount(ps) == 2);
	destroy_all_back(parent);
}

/* Copy-on-write: fork shares, the first write copies, the last sharer reuses. */
/*
 * A copy-on-write copy changes one leaf: with the space loaded and up to
 * date here, only that page is flushed, and gen moves for other harts;
 * a hart behind on an earlier removal flushes everything.
 */
static void cow_copy_flushes_one_page(void)
{
	sim_reset();
	struct mm *parent = fork_parent();
	struct mm *child = mm_fork(parent);
	CHECK(child != NULL);
	struct fault_report rep;
	mm_activate(child);
	unsigned all = shim_tlb_flushes_all, pages = shim_tlb_flushes_page;
	uint64_t gen = child->tlb.gen;
	CHECK(mm_fault(child, AREA + 3 * PAGE_SIZE + 5, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(!strcmp(rep.rule, "cow copy"));
	CHECK(shim_tlb_flushes_all == all && shim_tlb_flushes_page == pages + 1);
	CHECK(shim_tlb_last_page == AREA + 3 * PAGE_SIZE && child->tlb.gen == gen + 1);
	mm_activate(NULL);
	child->tlb.gen++;   /* a removal this hart has not flushed for */
	mm_activate(child);   /* (the switch flushes all and catches up) */
	child->tlb.gen++;     /* and one more, behind its back */
	all = shim_tlb_flushes_all;
	CHECK(mm_fault(child, AREA + 6 * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(shim_tlb_flushes_all == all + 1);
	mm_activate(NULL);
	mm_destroy(child);
	destroy_all_back(parent);
}

static void fork_shares_copy_on_write(void)
{
	sim_reset();
	struct mm *parent = fork_parent();
	uint64_t before = free_frames();
	struct mm *child = mm_fork(parent);
	CHECK(child != NULL);
	pte_t pp = pte_at(parent, AREA), cp = pte_at(child, AREA);
	uint64_t p0 = pte_to_pa(pp);
	CHECK(p0 == pte_to_pa(cp) && frame_refcount(p0) == 2);
	CHECK((pp & PTE_COW) && !(pp & PTE_W) && (cp & PTE_COW) && !(cp & PTE_W));
	/* No page was copied: the child cost its tables and bookkeeping only. */
	CHECK(before - free_frames() < 8);
	struct vmmap_entry d[3];
	CHECK(mm_describe(child, 0, d, 3) == 3 && d[0].resident == 6 && d[0].cow == 6 &&
	      d[0].shared == 6 && d[0].pss_x1000 == 6 * 500);

	struct fault_report rep;
	CHECK(mm_fault(child, AREA + 1, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(!strcmp(rep.rule, "cow copy"));
	uint64_t c0 = pte_to_pa(pte_at(child, AREA));
	CHECK(c0 != p0 && !strcmp(pa_to_kva(c0), "p") && (pte_at(child, AREA) & PTE_W));
	*(char *)pa_to_kva(c0) = 'c';
	CHECK(!strcmp(pa_to_kva(p0), "p") && frame_refcount(p0) == 1);
	CHECK(mm_fault(parent, AREA, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(!strcmp(rep.rule, "cow reuse") && pte_to_pa(pte_at(parent, AREA)) == p0);
	CHECK((pte_at(parent, AREA) & PTE_W) && !(pte_at(parent, AREA) & PTE_COW));

	/* A kernel write (mm_write, like a system call's copy) breaks it too. */
	uint64_t p3 = pte_to_pa(pte_at(parent, AREA + 3 * PAGE_SIZE));
	CHECK(mm_write(child, AREA + 3 * PAGE_SIZE, "k", 2) == 0);
	CHECK(!strcmp(pa_to_kva(p3), "p"));
	CHECK(!strcmp(pa_to_kva(pte_to_pa(pte_at(child, AREA + 3 * PAGE_SIZE))), "k"));

	/* Out of memory at a copy: only the writer fails; the sharer keeps its page. */
	uint64_t p6 = pte_to_pa(pte_at(parent, AREA + 6 * PAGE_SIZE));
	frame_fail_nth(1);
	CHECK(mm_fault(child, AREA + 6 * PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OOM);
	frame_fail_nth(0);
	CHECK(pte_to_pa(pte_at(parent, AREA + 6 * PAGE_SIZE)) == p6 && frame_refcount(p6) == 2);
	mm_destroy(child);
	CHECK(frame_refcount(p6) == 1);
	destroy_all_back(parent);
}

/* A read-only private page shared by fork is copied before mm_write fills it. */
static void mm_write_after_fork_copies_readonly(void)
{
	sim_reset();
	struct mm *parent = mm_with_area(PROT_READ | PROT_EXEC);
	CHECK(mm_write(parent, AREA, "text", 5) == 0);
	struct mm *child = mm_fork(parent);
	uint64_t p0 = pte_to_pa(pte_at(parent, AREA));
	CHECK(pte_to_pa(pte_at(child, AREA)) == p0 && frame_refcount(p0) == 2);
	CHECK((pte_at(child, AREA) & PTE_COW) && !(pte_at(child, AREA) & PTE_W));
	CHECK(mm_write(child, AREA, "EVIL", 5) == 0);
	CHECK(!strcmp(pa_to_kva(p0), "text"));
	pte_t c = pte_at(child, AREA);
	CHECK(pte_to_pa(c) != p0 && !strcmp(pa_to_kva(pte_to_pa(c)), "EVIL"));
	CHECK(!(c & PTE_W) && (c & PTE_X) && !(c & PTE_COW));   /* still the area's r-x */
	/* The last sharer reuses its frame, still without W. */
	CHECK(mm_write(parent, AREA, "mine", 5) == 0 && pte_to_pa(pte_at(parent, AREA)) == p0);
	CHECK(!(pte_at(parent, AREA) & PTE_W) && !strcmp(pa_to_kva(p0), "mine"));
	mm_destroy(child);
	destroy_all_back(parent);
}

/* A heap page that was only read is touched: memstat does not call it untouched. */
static void untouched_excludes_zero_pages(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	CHECK(mm_map_heap(mm, AREA) == 0 && mm_brk(mm, 8 * PAGE_SIZE) == (long)AREA);
	mm_set_faultaround(0);
	for (int i = 0; i < 3; i++)
		CHECK(fault(mm, AREA + (uint64_t)i * PAGE_SIZE, FAULT_READ) == FAULT_OK);
	CHECK(fault(mm, AREA + 3 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	struct memstat st;
	mm_stat(&st);
	CHECK(st.lazy_untouched == 4 && st.zero_mappings == 3);
	CHECK(fault(mm, AREA, FAULT_WRITE) == FAULT_OK);   /* zero page replaced */
	mm_stat(&st);
	CHECK(st.lazy_untouched == 4 && st.zero_mappings == 2);
	CHECK(mm_brk(mm, -8 * PAGE_SIZE) == (long)(AREA + 8 * PAGE_SIZE));
	mm_stat(&st);
	CHECK(st.lazy_untouched == 0 && st.zero_mappings == 0);
	destroy_all_back(mm);
}

/* The zero page: reads map it, writes replace it, and it stays zero. */
static void zero_page_read_then_write(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	uint64_t before = free_frames();
	struct fault_report rep;
	CHECK(mm_fault(mm, AREA, FAULT_READ, 0, &rep) == FAULT_OK && !strcmp(rep.rule, "zero page"));
	pte_t e = pte_at(mm, AREA);
	CHECK(pte_to_pa(e) == mm_zero_pa && (e & PTE_ZERO) && (e & PTE_R) && !(e & PTE_W));
	CHECK(free_frames() == before - 2);   /* two table pages, no data frame */
	struct vmmap_entry d;
	CHECK(mm_describe(mm, 0, &d, 1) == 1 && d.resident == 0 && d.zero == 1);
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0, &rep) == FAULT_OK && !strcmp(rep.rule, "new page"));
	e = pte_at(mm, AREA);
	CHECK(pte_to_pa(e) != mm_zero_pa && (e & PTE_W) && !(e & PTE_ZERO));
	*(char *)pa_to_kva(pte_to_pa(e)) = 1;
	/* Every kernel path that writes: mm_write into a zero-mapped page. */
	CHECK(fault(mm, AREA + PAGE_SIZE, FAULT_READ) == FAULT_OK);
	CHECK(mm_write(mm, AREA + PAGE_SIZE, "w", 2) == 0);
	CHECK(pte_to_pa(pte_at(mm, AREA + PAGE_SIZE)) != mm_zero_pa);
	/* Fork shares the zero mapping; a write in the child replaces it there only. */
	CHECK(fault(mm, AREA + 2 * PAGE_SIZE, FAULT_READ) == FAULT_OK);
	struct mm *child = mm_fork(mm);
	CHECK(pte_to_pa(pte_at(child, AREA + 2 * PAGE_SIZE)) == mm_zero_pa);
	CHECK(fault(child, AREA + 2 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	CHECK(pte_to_pa(pte_at(mm, AREA + 2 * PAGE_SIZE)) == mm_zero_pa);
	mm_destroy(child);
	static const char zeros[PAGE_SIZE];
	CHECK(!memcmp(pa_to_kva(mm_zero_pa), zeros, PAGE_SIZE));
	destroy_all_back(mm);
	CHECK(mm_zero_mappings == 0 && frame_refcount(mm_zero_pa) == 1);
}

static void zero_page_off_allocates(void)
{
	sim_reset();
	mm_set_zeropage(false);
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	struct fault_report rep;
	CHECK(mm_fault(mm, AREA, FAULT_READ, 0, &rep) == FAULT_OK && !strcmp(rep.rule, "new page"));
	CHECK(pte_to_pa(pte_at(mm, AREA)) != mm_zero_pa && (pte_at(mm, AREA) & PTE_W));
	destroy_all_back(mm);
}

/* fork fails cleanly at every allocation it makes. */
static void fork_out_of_memory_at_each_allocation(void)
{
	for (int cow = 0; cow <= 1; cow++) {
	sim_reset();
	mm_set_cow(cow);
	struct mm *parent = fork_parent();
	uint64_t before = free_frames();
	unsigned failures = 0;
	for (uint64_t nth = 1; nth < 200; nth++) {
		frame_fail_nth(nth);
		struct mm *child = mm_fork(parent);
		frame_fail_nth(0);
		if (child) {
			mm_destroy(child);
			CHECK(free_frames() == before);
			break;
		}
		failures++;
		CHECK(free_frames() == before);   /* nothing leaked */
	}
	CHECK(failures >= 4);   /* root, tables, kmalloc slabs: several steps */
	/* The parent is untouched by all this (write-protected at most). */
	CHECK(!strcmp(pa_to_kva(pte_to_pa(pte_at(parent, AREA))), "p"));
	CHECK(fault(parent, AREA, FAULT_WRITE) == FAULT_OK || !cow);
	destroy_all_back(parent);
	}
}

/*
 * A parent whose pages span three leaf tables, starting and ending
 * mid-table, in five areas that share tables: private pages written,
 * zero-page mappings, a PROT_NONE piece with parked pages, a shared area.
 */
#define BIG      (0x10000000UL + 500 * PAGE_SIZE)   /* entry 500 of its leaf table */
#define BIG_LEN  (600 * PAGE_SIZE)                  /* to entry 76 two tables on */

static struct mm *fork_big_parent(void)
{
	struct mm *mm = mm_create();
	mm_set_faultaround(0);
	CHECK(mm_map(mm, BIG, BIG_LEN, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL) == 0);
	CHECK(mm_map(mm, BIG + BIG_LEN, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED, NULL) == 0);
	for (uint64_t i = 0; i < 600; i += 5)
		CHECK(mm_write(mm, BIG + i * PAGE_SIZE, "big", 4) == 0);
	for (uint64_t i = 2; i < 600; i += 7)
		if (i % 5)
			CHECK(fault(mm, BIG + i * PAGE_SIZE, FAULT_READ) == FAULT_OK);
	CHECK(mm_write(mm, BIG + BIG_LEN + PAGE_SIZE, "sh", 3) == 0);
	/* Pages 10..29 (the first table) and 200..219 (the second) parked. */
	CHECK(mm_protect(mm, BIG + 10 * PAGE_SIZE, 20 * PAGE_SIZE, PROT_NONE) == 0);
	CHECK(mm_protect(mm, BIG + 200 * PAGE_SIZE, 20 * PAGE_SIZE, PROT_NONE) == 0);
	return mm;
}

static uint64_t shared_frames(void)
{
	struct frame_stats st;
	frame_stats(&st);
	return st.shared;
}

/* The raw entry for va (parked ones too), or 0. */
static pte_t raw_pte(struct mm *mm, uint64_t va)
{
	pte_t *e = pt_walk(mm->tlb.root, va, false);
	return e ? *e : 0;
}

/* Every frame the parent maps has the count `want` (the zero page and the shared file's aside). */
static bool parent_counts(struct mm *mm, int want)
{
	for (uint64_t va = BIG; va < BIG + BIG_LEN; va += PAGE_SIZE) {
		pte_t e = raw_pte(mm, va);
		if (e && !(e & PTE_ZERO) && frame_refcount(pte_to_pa(e)) != want)
			return false;
	}
	return true;
}

/* fork, a table at a time: the child's entries are the parent's, counts exact. */
static void fork_spans_tables(void)
{
	sim_reset();
	struct mm *parent = fork_big_parent();
	uint64_t shared0 = shared_frames(), zero0 = frame_refcount(mm_zero_pa);
	uint64_t zeros0 = mm_zero_mappings;
	unsigned priv = 0, parked = 0, zeros = 0;
	for (uint64_t va = BIG; va < BIG + BIG_LEN; va += PAGE_SIZE) {
		pte_t e = raw_pte(parent, va);
		priv += (e & PTE_V) && !(e & PTE_ZERO);
		parked += e && !(e & PTE_V);
		zeros += (e & PTE_ZERO) != 0;
	}
	CHECK(priv > 80 && parked == 8 && zeros > 60);
	uint64_t gen0 = parent->tlb.gen;
	struct mm *child = mm_fork(parent);
	CHECK(child != NULL);
	CHECK(parent->tlb.gen == gen0 + 1);   /* the parent's PTEs lost W: flushed */
	for (uint64_t va = BIG; va < BIG + BIG_LEN + 8 * PAGE_SIZE; va += PAGE_SIZE) {
		pte_t p = raw_pte(parent, va), c = raw_pte(child, va);
		CHECK(p == c);
		bool private_frame = (p & PTE_V) && !(p & PTE_ZERO) && va < BIG + BIG_LEN;
		if (private_frame)
			CHECK((p & PTE_COW) && !(p & PTE_W));
		if (p && !(p & PTE_V))
			CHECK(p & PTE_PARKED);
	}
	CHECK(parent_counts(parent, 2));
	CHECK(frame_refcount(mm_zero_pa) == (int)(zero0 + zeros));
	CHECK(mm_zero_mappings == zeros0 + zeros);
	/*
	 * Every private or parked frame became shared; the shared area's page
	 * was already, here only: the shim's file frames are FRAME_KERNEL, so
	 * their owner's reference does not count (frame_ptes_batch in
	 * test_mm covers owner references).
	 */
	CHECK(shared_frames() == shared0 + priv + parked);
	struct vmmap_entry d[8];
	int n = mm_describe(child, 0, d, 8);
	uint64_t resident = 0;
	for (int i = 0; i < n; i++)
		resident += d[i].resident;
	CHECK(n == 6 && resident == priv + parked + 1);
	mm_destroy(child);
	CHECK(parent_counts(parent, 1) && shared_frames() == shared0);
	CHECK(frame_refcount(mm_zero_pa) == (int)zero0 && mm_zero_mappings == zeros0);
	destroy_all_back(parent);
}

/* Pages of the big parent's range whose PTE allows writing. */
static unsigned writable_pages(struct mm *mm)
{
	unsigned n = 0;
	for (uint64_t va = BIG; va < BIG + BIG_LEN; va += PAGE_SIZE)
		n += (raw_pte(mm, va) & (PTE_V | PTE_W)) == (PTE_V | PTE_W);
	return n;
}

/*
 * Out of memory anywhere in that fork, a table in: nothing leaks, no
 * count moves, and a parent PTE that lost W before the failure is
 * flushed all the same (a later fork finds it read-only and flushes
 * nothing, so this is the only flush it gets).
 */
static void fork_big_out_of_memory(void)
{
	for (int cow = 0; cow <= 1; cow++) {
	bool lost_w = false;
	sim_reset();
	mm_set_cow(cow);
	struct mm *parent = fork_big_parent();
	uint64_t before = free_frames(), shared0 = shared_frames();
	uint64_t zero0 = frame_refcount(mm_zero_pa), zeros0 = mm_zero_mappings;
	unsigned failures = 0;
	for (uint64_t nth = 1; nth < 400; nth++) {
		unsigned w0 = writable_pages(parent);
		uint64_t gen0 = parent->tlb.gen;
		frame_fail_nth(nth);
		struct mm *child = mm_fork(parent);
		frame_fail_nth(0);
		if (!child && writable_pages(parent) != w0) {
			lost_w = true;
			CHECK(parent->tlb.gen != gen0);
		}
		if (child) {
			mm_destroy(child);
			CHECK(free_frames() == before);
			break;
		}
		failures++;
		CHECK(free_frames() == before && shared_frames() == shared0);
		CHECK(parent_counts(parent, 1));
		CHECK(frame_refcount(mm_zero_pa) == (int)zero0 && mm_zero_mappings == zeros0);
	}
	/* root, a level-1 table, three leaf tables, the areas; cow=0 a copy per page too. */
	CHECK(failures >= (cow ? 5u : 90u));
	CHECK(lost_w == (cow != 0));   /* a failure after the first leaf table did happen */
	CHECK(!strcmp(pa_to_kva(pte_to_pa(pte_at(parent, BIG + 595 * PAGE_SIZE))), "big"));
	CHECK(fault(parent, BIG + 595 * PAGE_SIZE, FAULT_WRITE) == FAULT_OK || !cow);
	destroy_all_back(parent);
	}
}

/* A fault that cannot get a frame is OOM and maps nothing; so is a table page. */
static void fault_out_of_memory(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	struct fault_report rep;
	frame_fail_nth(1);
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0, &rep) == FAULT_OOM);
	CHECK(strstr(rep.rule, "out of memory") != NULL);
	frame_fail_nth(2);   /* the frame comes, the first table page does not */
	CHECK(mm_fault(mm, AREA, FAULT_WRITE, 0, &rep) == FAULT_OOM);
	frame_fail_nth(0);
	CHECK(pte_at(mm, AREA) == 0);
	CHECK(fault(mm, AREA, FAULT_WRITE) == FAULT_OK);
	destroy_all_back(mm);
}

static void faults_outside_user_space(void)
{
	sim_reset();
	struct mm *mm = mm_with_area(PROT_READ | PROT_WRITE);
	CHECK(fault(mm, USER_TOP, FAULT_READ) == FAULT_SEGV);
	CHECK(fault(mm, DIRECT_MAP_BASE, FAULT_READ) == FAULT_SEGV);
	CHECK(fault(mm, 0, FAULT_READ) == FAULT_SEGV);
	CHECK(fault(NULL, AREA, FAULT_READ) == FAULT_SEGV);
	CHECK(fault(mm, AREA - 1, FAULT_READ) == FAULT_SEGV);
	CHECK(fault(mm, AREA + 16 * PAGE_SIZE, FAULT_READ) == FAULT_SEGV);
	destroy_all_back(mm);
}

/* A stack's guard gap: no area may take it, and a fault there is a kill. */
static void stack_guard_gap(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	uint64_t stack = USER_STACK_TOP - USER_STACK_DEFAULT;
	CHECK(mm_map(mm, stack, USER_STACK_DEFAULT, PROT_READ | PROT_WRITE,
		     VM_PRIVATE | VM_GROWSDOWN, NULL) == 0);
	CHECK(mm_map(mm, stack - PAGE_SIZE, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	uint64_t gap = stack - USER_STACK_GUARD;
	CHECK(mm_map(mm, gap - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_map_heap(mm, gap - 3 * PAGE_SIZE) == 0);
	CHECK(mm_brk(mm, 3 * PAGE_SIZE) > 0);      /* up to the guard gap */
	CHECK(mm_brk(mm, 1) == -ENOMEM);           /* not into it */
	struct fault_report rep;
	CHECK(mm_fault(mm, stack - 8, FAULT_WRITE, 0, &rep) == FAULT_SEGV);
	CHECK(!strcmp(rep.rule, "stack overflow"));
	CHECK(mm_fault(mm, gap, FAULT_WRITE, 0, &rep) == FAULT_SEGV && !strcmp(rep.rule, "stack overflow"));
	CHECK(mm_fault(mm, gap - 1, FAULT_WRITE, 0, &rep) == FAULT_OK);   /* the heap's last byte */
	CHECK(mm_fault(mm, USER_STACK_TOP - 8, FAULT_WRITE, 0, &rep) == FAULT_OK);
	CHECK(!strcmp(rep.rule, "stack grow"));
	destroy_all_back(mm);
}

static void memstat_counts_untouched_heap(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	CHECK(mm_map_heap(mm, AREA) == 0);
	CHECK(mm_brk(mm, 10 * PAGE_SIZE) == (long)AREA);
	CHECK(fault(mm, AREA, FAULT_WRITE) == FAULT_OK);
	struct memstat st;
	mm_stat(&st);
	CHECK(st.lazy_untouched == 9 && st.free_frames == free_frames());
	destroy_all_back(mm);
}


/* ---- files, mmap, munmap, mprotect ---- */

static struct vm_backing file_at(struct inode *ip, uint64_t pgoff)
{
	return (struct vm_backing){ .kind = VM_BACKING_FILE, .ip = ip, .pgoff = pgoff };
}

static unsigned char byte_at(uint64_t pa, uint64_t off) { return ((unsigned char *)pa_to_kva(pa))[off]; }

/* Shared: the file's own frame, writable. Private: the same frame read-only, then a copy. */
static void file_shared_and_private(void)
{
	sim_reset();
	struct inode *ip = shim_file_new(3 * PAGE_SIZE + 100, 7);
	struct mm *mm = mm_create();
	struct vm_backing b = file_at(ip, 1);
	long sh = mm_mmap(mm, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED | VM_MAYWRITE, &b);
	long pr = mm_mmap(mm, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, &b);
	CHECK(sh > 0 && pr > 0 && sh != pr && ip->ref == 3);
	CHECK(ip->mapped == 2);   /* each area counts, for truncation to look */
	struct fault_report rep;
	CHECK(mm_fault(mm, (uint64_t)sh, FAULT_WRITE, 0, &rep) == FAULT_OK && !strcmp(rep.rule, "file page"));
	CHECK(pte_to_pa(pte_at(mm, (uint64_t)sh)) == ip->frames[1] && (pte_at(mm, (uint64_t)sh) & PTE_W));
	CHECK(mm_fault(mm, (uint64_t)pr, FAULT_READ, 0, &rep) == FAULT_OK && !strcmp(rep.rule, "file page"));
	pte_t e = pte_at(mm, (uint64_t)pr);
	CHECK(pte_to_pa(e) == ip->frames[1] && !(e & PTE_W) && (e & PTE_COW));
	CHECK(mm_fault(mm, (uint64_t)pr + 5, FAULT_WRITE, 0, &rep) == FAULT_OK && !strcmp(rep.rule, "cow copy"));
	CHECK(pte_to_pa(pte_at(mm, (uint64_t)pr)) != ip->frames[1]);
	CHECK(byte_at(pte_to_pa(pte_at(mm, (uint64_t)pr)), 9) == (((PAGE_SIZE + 9) & 0xff) ^ 7));
	/* A first write to a private file page copies at once. */
	CHECK(mm_fault(mm, (uint64_t)pr + PAGE_SIZE, FAULT_WRITE, 0, &rep) == FAULT_OK &&
	      !strcmp(rep.rule, "file cow"));
	CHECK(pte_to_pa(pte_at(mm, (uint64_t)pr + PAGE_SIZE)) != ip->frames[2]);
	/* Split, forked and merged areas keep the count exact. */
	CHECK(mm_unmap(mm, (uint64_t)pr, PAGE_SIZE) == 0 && ip->mapped == 2);
	CHECK(mm_protect(mm, (uint64_t)sh, PAGE_SIZE, PROT_READ) == 0 && ip->mapped == 3);
	struct mm *child = mm_fork(mm);
	CHECK(child != NULL && ip->mapped == 6);
	/* Truncation walks mm_list: it must meet the parent before the child. */
	int at = 0, parent_at = -1, child_at = -1;
	for (struct mm *m = mm_list; m; m = m->next_mm, at++) {
		if (m == mm)
			parent_at = at;
		if (m == child)
			child_at = at;
	}
	CHECK(parent_at >= 0 && child_at > parent_at);
	mm_destroy(child);
	CHECK(mm_protect(mm, (uint64_t)sh, PAGE_SIZE, PROT_READ | PROT_WRITE) == 0 && ip->mapped == 2);
	mm_destroy(mm);
	CHECK(ip->mapped == 0);
	CHECK(ip->ref == 1 && frame_refcount(ip->frames[1]) == 1);
	shim_file_free(ip);
	CHECK(free_frames() == baseline);
}

/* The partial last page reads as the file's (zero-tailed) page; a page wholly past EOF kills. */
static void file_end_rules(void)
{
	sim_reset();
	struct inode *ip = shim_file_new(PAGE_SIZE + 10, 1);
	struct mm *mm = mm_create();
	struct vm_backing b = file_at(ip, 0);
	long va = mm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ, VM_PRIVATE, &b);
	struct fault_report rep;
	CHECK(mm_fault(mm, (uint64_t)va + PAGE_SIZE + 20, FAULT_READ, 0, &rep) == FAULT_OK);
	CHECK(byte_at(pte_to_pa(pte_at(mm, (uint64_t)va + PAGE_SIZE)), 20) == 0);
	CHECK(mm_fault(mm, (uint64_t)va + 2 * PAGE_SIZE, FAULT_READ, 0, &rep) == FAULT_SEGV);
	CHECK(!strcmp(rep.rule, "beyond end of file"));
	/* Truncation takes the pages past the new end out of every mapping. */
	CHECK(mm_fault(mm, (uint64_t)va, FAULT_READ, 0, &rep) == FAULT_OK);
	shim_file_truncate(ip, 0);
	mm_file_truncated(ip, 0);
	CHECK(pte_at(mm, (uint64_t)va) == 0 && pte_at(mm, (uint64_t)va + PAGE_SIZE) == 0);
	CHECK(mm_fault(mm, (uint64_t)va, FAULT_READ, 0, &rep) == FAULT_SEGV);
	mm_destroy(mm);
	shim_file_free(ip);
	CHECK(free_frames() == baseline);
}

/* munmap splits at both edges and in the middle; an unmapped range is fine. */
static void unmap_splits(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	mm_set_faultaround(0);
	long va = mm_mmap(mm, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL);
	CHECK(va > 0 && page_aligned((uint64_t)va));
	for (int i = 0; i < 8; i++)
		CHECK(fault(mm, (uint64_t)va + (uint64_t)i * PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	CHECK(mm_unmap(mm, (uint64_t)va + 3 * PAGE_SIZE, 2 * PAGE_SIZE) == 0);   /* middle */
	CHECK(mm_unmap(mm, (uint64_t)va, PAGE_SIZE) == 0);                        /* low end */
	CHECK(mm_unmap(mm, (uint64_t)va + 7 * PAGE_SIZE, 1) == 0);                /* high end */
	CHECK(mm_unmap(mm, (uint64_t)va + 3 * PAGE_SIZE, PAGE_SIZE) == 0);        /* a hole */
	struct vmmap_entry d[4];
	CHECK(mm_describe(mm, 0, d, 4) == 2);
	CHECK(d[0].start == (uint64_t)va + PAGE_SIZE && d[0].end == (uint64_t)va + 3 * PAGE_SIZE &&
	      d[0].resident == 2);
	CHECK(d[1].start == (uint64_t)va + 5 * PAGE_SIZE && d[1].end == (uint64_t)va + 7 * PAGE_SIZE &&
	      d[1].resident == 2);
	CHECK(fault(mm, (uint64_t)va + 3 * PAGE_SIZE, FAULT_READ) == FAULT_SEGV);
	CHECK(fault(mm, (uint64_t)va, FAULT_READ) == FAULT_SEGV);
	CHECK(mm_unmap(mm, (uint64_t)va + 1, PAGE_SIZE) == -EINVAL);
	CHECK(mm_unmap(mm, (uint64_t)va, 0) == -EINVAL);
	CHECK(mm_unmap(mm, USER_TOP - PAGE_SIZE, 2 * PAGE_SIZE) == -EINVAL);
	destroy_all_back(mm);
}

/* mprotect down kills, up again works, PROT_NONE keeps the contents. */
static void protect_down_up_none(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	long va = mm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE, NULL);
	CHECK(mm_write(mm, (uint64_t)va + PAGE_SIZE, "keep", 5) == 0);
	CHECK(mm_protect(mm, (uint64_t)va + PAGE_SIZE, PAGE_SIZE, PROT_READ) == 0);
	CHECK(fault(mm, (uint64_t)va + PAGE_SIZE, FAULT_WRITE) == FAULT_SEGV);
	CHECK(!(pte_at(mm, (uint64_t)va + PAGE_SIZE) & PTE_W));
	CHECK(mm_protect(mm, (uint64_t)va, 4 * PAGE_SIZE, PROT_NONE) == 0);
	pte_t *e = pt_walk(mm->tlb.root, (uint64_t)va + PAGE_SIZE, false);
	CHECK(e && !(*e & PTE_V) && (*e & PTE_PARKED));
	CHECK(fault(mm, (uint64_t)va + PAGE_SIZE, FAULT_READ) == FAULT_SEGV);
	CHECK(mm_write(mm, (uint64_t)va + PAGE_SIZE, "x", 1) == -EFAULT);
	/* A fork meanwhile shares the parked page; back up, a write copies. */
	struct mm *child = mm_fork(mm);
	CHECK(mm_protect(mm, (uint64_t)va, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE) == 0);
	uint64_t pa = pte_to_pa(pte_at(mm, (uint64_t)va + PAGE_SIZE));
	CHECK(!strcmp(pa_to_kva(pa), "keep") && (pte_at(mm, (uint64_t)va + PAGE_SIZE) & PTE_COW));
	CHECK(fault(mm, (uint64_t)va + PAGE_SIZE, FAULT_WRITE) == FAULT_OK);
	CHECK(pte_to_pa(pte_at(mm, (uint64_t)va + PAGE_SIZE)) != pa);   /* the child still has it */
	struct vmmap_entry d[4];
	CHECK(mm_describe(child, 0, d, 4) == 1 && d[0].resident == 1);   /* pieces merged again */
	mm_destroy(child);
	CHECK(mm_protect(mm, (uint64_t)va, 4 * PAGE_SIZE, PROT_WRITE | PROT_EXEC) == -EINVAL);
	CHECK(mm_protect(mm, (uint64_t)va - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ) == -ENOMEM);
	destroy_all_back(mm);
}

/* W on a shared file area needs VM_MAYWRITE, at mmap and at mprotect. */
static void shared_write_needs_maywrite(void)
{
	sim_reset();
	struct inode *ip = shim_file_new(PAGE_SIZE, 3);
	struct mm *mm = mm_create();
	struct vm_backing b = file_at(ip, 0);
	CHECK(mm_mmap(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED, &b) == -EACCES);
	long va = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, VM_SHARED, &b);
	CHECK(va > 0 && mm_protect(mm, (uint64_t)va, PAGE_SIZE, PROT_READ | PROT_WRITE) == -EACCES);
	long pv = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, VM_PRIVATE, &b);
	CHECK(pv > 0 && mm_protect(mm, (uint64_t)pv, PAGE_SIZE, PROT_READ | PROT_WRITE) == 0);
	mm_destroy(mm);
	shim_file_free(ip);
	CHECK(free_frames() == baseline);
}

/* A program's text keeps writers out; the file cannot be mapped so while open for writing. */
static void denywrite_text(void)
{
	sim_reset();
	struct inode *ip = shim_file_new(2 * PAGE_SIZE, 5);
	struct mm *mm = mm_create();
	struct vm_backing b = file_at(ip, 0);
	ip->writers = 1;
	CHECK(mm_mmap(mm, 0x10000, PAGE_SIZE, PROT_READ | PROT_EXEC,
		      VM_PRIVATE | VM_DENYWRITE | VM_FIXED, &b) == -ETXTBSY);
	ip->writers = 0;
	CHECK(mm_mmap(mm, 0x10000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC,
		      VM_PRIVATE | VM_DENYWRITE | VM_FIXED, &b) == 0x10000);
	CHECK(ip->text == 1);
	struct mm *child = mm_fork(mm);
	CHECK(ip->text == 2 && ip->ref == 3);
	CHECK(mm_unmap(mm, 0x11000, PAGE_SIZE) == 0 && ip->text == 2);   /* split, then half gone */
	mm_destroy(child);
	mm_destroy(mm);
	CHECK(ip->text == 0 && ip->ref == 1);
	shim_file_free(ip);
	CHECK(free_frames() == baseline);
}

/* A shared writable file mapping is a writer: no program may start from the file. */
static void writer_mapping_vs_text(void)
{
	sim_reset();
	struct inode *ip = shim_file_new(2 * PAGE_SIZE, 9);
	struct mm *mm = mm_create();
	struct vm_backing b = file_at(ip, 0);
	long w = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED | VM_MAYWRITE, &b);
	CHECK(w > 0 && ip->writers == 1);
	CHECK(mm_mmap(mm, 0x10000, PAGE_SIZE, PROT_READ | PROT_EXEC,
		      VM_PRIVATE | VM_DENYWRITE | VM_FIXED, &b) == -ETXTBSY);
	struct mm *child = mm_fork(mm);
	CHECK(ip->writers == 2);
	mm_destroy(child);
	CHECK(mm_unmap(mm, (uint64_t)w, PAGE_SIZE) == 0 && ip->writers == 0);
	CHECK(mm_mmap(mm, 0x10000, PAGE_SIZE, PROT_READ | PROT_EXEC,
		      VM_PRIVATE | VM_DENYWRITE | VM_FIXED, &b) == 0x10000);
	CHECK(mm_mmap(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED | VM_MAYWRITE, &b) == -ETXTBSY);
	CHECK(mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, VM_SHARED, &b) > 0);   /* read-only: no writer */
	mm_destroy(mm);
	CHECK(ip->writers == 0 && ip->text == 0);
	shim_file_free(ip);
	CHECK(free_frames() == baseline);
}

/* mprotect inside the heap splits it; the break stays consistent and sbrk(-n) cannot overlap. */
static void heap_protect_then_shrink(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	CHECK(mm_map_heap(mm, AREA) == 0 && mm_brk(mm, 8 * PAGE_SIZE) == (long)AREA);
	CHECK(mm_write(mm, AREA, "heap", 5) == 0);
	CHECK(mm_protect(mm, AREA, PAGE_SIZE, PROT_READ) == 0);
	CHECK(mm_brk(mm, -PAGE_SIZE) == (long)(AREA + 8 * PAGE_SIZE));
	struct vmmap_entry d[4];
	int n = mm_describe(mm, 0, d, 4);
	CHECK(n == 2 && d[0].end <= d[1].start && d[1].end == AREA + 7 * PAGE_SIZE);
	CHECK(mm_protect(mm, AREA, PAGE_SIZE, PROT_READ | PROT_WRITE) == 0);
	CHECK(mm_describe(mm, 0, d, 4) == 1 && d[0].kind == VMMAP_KIND_HEAP);   /* joined again */
	CHECK(mm_brk(mm, -7 * PAGE_SIZE) == (long)(AREA + 7 * PAGE_SIZE));
	destroy_all_back(mm);
}

/* The hint is kept when free; MAP_FIXED replaces; no gap past the stack's. */
static void mmap_placement(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	uint64_t stack = USER_STACK_TOP - USER_STACK_DEFAULT;
	CHECK(mm_map(mm, stack, USER_STACK_DEFAULT, PROT_READ | PROT_WRITE,
		     VM_PRIVATE | VM_GROWSDOWN, NULL) == 0);
	CHECK(mm_map_heap(mm, 0x20000) == 0);
	long a = mm_mmap(mm, 0x40000000, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL);
	CHECK(a == 0x40000000);
	long b = mm_mmap(mm, 0x40000000, PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL);
	CHECK(b > 0 && b != a && (uint64_t)b + PAGE_SIZE <= stack - USER_STACK_GUARD);
	long c = mm_mmap(mm, 0, 3 * PAGE_SIZE, PROT_READ, VM_PRIVATE, NULL);
	CHECK(c > 0 && (uint64_t)c + 3 * PAGE_SIZE <= (uint64_t)b);   /* top-down, below b */
	CHECK(mm_write(mm, (uint64_t)a, "old", 4) == 0);
	long f = mm_mmap(mm, (uint64_t)a, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, VM_PRIVATE | VM_FIXED, NULL);
	CHECK(f == a && pte_at(mm, (uint64_t)a) == 0);   /* the old page went */
	CHECK(mm_mmap(mm, stack - PAGE_SIZE, PAGE_SIZE, PROT_READ, VM_PRIVATE | VM_FIXED, NULL) == -ENOMEM);
	CHECK(mm_mmap(mm, 0x123, PAGE_SIZE, PROT_READ, VM_PRIVATE | VM_FIXED, NULL) == -EINVAL);
	CHECK(mm_mmap(mm, 0, 0, PROT_READ, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, VM_PRIVATE | VM_SHARED, NULL) == -EINVAL);
	CHECK(mm_mmap(mm, 0, PAGE_SIZE, PROT_WRITE | PROT_EXEC, VM_PRIVATE, NULL) == -EINVAL);
	CHECK(mm_mmap(mm, 0, USER_TOP, PROT_READ, VM_PRIVATE, NULL) == -ENOMEM);
	/* MAP_FIXED inside the heap: the break stays, in the heap's top piece (as Linux). */
	CHECK(mm_brk(mm, 4 * PAGE_SIZE) == 0x20000);
	CHECK(mm_mmap(mm, 0x22000, PAGE_SIZE, PROT_READ, VM_PRIVATE | VM_FIXED, NULL) == 0x22000);
	CHECK(mm_brk(mm, 0) == 0x24000);
	CHECK(mm_brk(mm, PAGE_SIZE) == 0x24000 && mm_brk(mm, -PAGE_SIZE) == 0x25000);
	CHECK(mm_brk(mm, -2 * PAGE_SIZE) == -EINVAL);   /* not below the top piece */
	/* A failed MAP_FIXED (into the stack's guard gap) leaves the old mapping. */
	CHECK(mm_mmap(mm, stack - USER_STACK_GUARD - PAGE_SIZE, PAGE_SIZE, PROT_READ,
		      VM_PRIVATE | VM_FIXED, NULL) == (long)(stack - USER_STACK_GUARD - PAGE_SIZE));
	CHECK(mm_mmap(mm, stack - USER_STACK_GUARD - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ,
		      VM_PRIVATE | VM_FIXED, NULL) == -ENOMEM);
	CHECK(mm_protect(mm, stack - USER_STACK_GUARD - PAGE_SIZE, PAGE_SIZE, PROT_NONE) == 0);
	destroy_all_back(mm);
}

/* Shared anonymous memory stays shared across fork, touched or not. */
static void shared_anon_across_fork(void)
{
	sim_reset();
	struct mm *mm = mm_create();
	long untouched = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED, NULL);
	struct mm *early = mm_fork(mm);
	CHECK(fault(early, (uint64_t)untouched, FAULT_WRITE) == FAULT_OK);
	CHECK(fault(mm, (uint64_t)untouched, FAULT_READ) == FAULT_OK);
	CHECK(pte_to_pa(pte_at(mm, (uint64_t)untouched)) ==
	      pte_to_pa(pte_at(early, (uint64_t)untouched)));   /* one page for both */
	mm_destroy(early);
	long va = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, VM_SHARED, NULL);
	CHECK(fault(mm, (uint64_t)va, FAULT_READ) == FAULT_OK);   /* no zero page when shared */
	CHECK(!(pte_at(mm, (uint64_t)va) & PTE_ZERO) && (pte_at(mm, (uint64_t)va) & PTE_W));
	struct mm *child = mm_fork(mm);
	CHECK(pte_to_pa(pte_at(child, (uint64_t)va)) == pte_to_pa(pte_at(mm, (uint64_t)va)));
	CHECK(pte_at(child, (uint64_t)va) & PTE_W);
	mm_destroy(child);
	destroy_all_back(mm);
}

int main(void)
{
	RUN(decide_rows);
	RUN(protections_fault_and_write);
	RUN(map_rejects);
	RUN(stale_then_repeat_is_a_bug);
	RUN(stale_record_forgotten_on_remap);
	RUN(stale_record_forgotten_on_protect);
	RUN(pte_forbids_what_area_allows);
	RUN(parked_where_allowed_is_a_bug);
	RUN(faultaround_stops_at_area_end);
	RUN(faultaround_stops_at_mapped_page);
	RUN(faultaround_off_one_fault_per_page);
	RUN(faultaround_respects_reserve);
	RUN(brk_lazy_grow_shrink_flushes);
	RUN(brk_eager_rolls_back_when_memory_runs_out);
	RUN(fork_copies_with_cow_off);
	RUN(fork_shares_copy_on_write);
	RUN(cow_copy_flushes_one_page);
	RUN(mm_write_after_fork_copies_readonly);
	RUN(untouched_excludes_zero_pages);
	RUN(zero_page_read_then_write);
	RUN(zero_page_off_allocates);
	RUN(fork_out_of_memory_at_each_allocation);
	RUN(fork_spans_tables);
	RUN(fork_big_out_of_memory);
	RUN(fault_out_of_memory);
	RUN(faults_outside_user_space);
	RUN(stack_guard_gap);
	RUN(memstat_counts_untouched_heap);
	RUN(file_shared_and_private);
	RUN(file_end_rules);
	RUN(unmap_splits);
	RUN(protect_down_up_none);
	RUN(shared_write_needs_maywrite);
	RUN(denywrite_text);
	RUN(mmap_placement);
	RUN(writer_mapping_vs_text);
	RUN(heap_protect_then_shrink);
	RUN(shared_anon_across_fork);
	free(ram);
	free(meta);
	return CHECK_EXIT();
}
