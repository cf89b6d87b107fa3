/*
 * The TLB layer: which page table each hart runs on, and every flush.
 *
 * Only this layer writes satp or executes sfence.vma for user address
 * spaces; mm/ describes an address space to it as a struct tlb_space and
 * says when a mapping went away. No ASIDs are used, so a satp write is
 * always followed by a full local flush.
 *
 * Lock legend for struct tlb_space:
 *   [I] immutable after tlb_space_init
 *   [A] changed only with atomics; read with acquire loads
 * This layer's per-hart state (which space each hart has in satp and the
 * gen it last flushed for it) is touched only by its own hart, with
 * interrupts off.
 *
 * Hart index: bit i of a mask, and slot i of the per-hart state, is the
 * hart whose id is i (harts[] in hart.h is indexed the same way; the
 * device-tree parser keeps only ids below MAX_HARTS).
 *
 * When a flush is needed (RISC-V privileged spec, Volume II v1.12,
 * section 4.2.1 "Supervisor Memory-Management Fence Instruction"):
 *   "If software modifies a non-leaf PTE, it should execute SFENCE.VMA
 *    with rs1=x0."
 *   "For the special cases of increasing the permissions on a leaf PTE and
 *    changing an invalid PTE to a valid leaf, software may choose to
 *    execute the SFENCE.VMA lazily. After modifying the PTE but before
 *    executing SFENCE.VMA, either the new or old permissions will be used.
 *    In the latter case, a page-fault exception might occur, at which
 *    point software should execute SFENCE.VMA in accordance with the
 *    previous bullet point."
 * So adding a mapping needs no flush (a stale fault fences then), and
 * removing or downgrading one does: tlb_removed.
 *
 * THE RULE the lazy gen scheme relies on: an address space runs user code
 * on at most one hart at a time, and only its owner (the process running
 * on that hart, or the kernel acting for it there) edits it. Then a
 * removal must flush only the hart doing it, at once; any other hart that
 * still has the space in satp is not running it (it is passing through
 * its scheduler), and flushes when it next switches to it, because the
 * gen moved. Other harts never need an interrupt.
 *
 * Where the rule ends: mappings shared between processes (one process's
 * removal affects a page another is using), threads sharing an mm (it
 * runs on several harts at once), or a hart evicting another space's
 * pages. Then the remover must also shoot down every other hart in
 * space->loaded with tlb_flush_harts before the frame is reused.
 */
#ifndef ARCH_RISCV_TLB_H
#define ARCH_RISCV_TLB_H

#include <stdbool.h>
#include <stdint.h>

/* An address space as the TLB layer sees it. */
struct tlb_space {
	uint64_t root;     /* [I] physical address of the Sv39 root table */
	uint64_t gen;      /* [A] bumped when a mapping is removed or downgraded */
	uint64_t loaded;   /* [A] bit i set while hart index i has it in satp */
};

/* Record the kernel's root table (used for tlb_switch(NULL)) and probe SBI
 * for remote fences. Boot hart, once, before any tlb_switch. */
void tlb_init(uint64_t kernel_root);

/* Whether SBI can fence other harts (tlb_flush_harts); after tlb_init. */
bool tlb_remote_present(void);

/* Make s describe the page table at root, loaded nowhere. */
void tlb_space_init(struct tlb_space *s, uint64_t root);

/*
 * Run this hart on s (NULL: the kernel's table only). Writes satp and
 * flushes all when this hart changes space; if it is already on s,
 * flushes only when s->gen moved since this hart last flushed for it.
 * Any context; never sleeps.
 */
void tlb_switch(struct tlb_space *s);

/*
 * A mapping of s was removed or downgraded: bump s->gen and, if s is in
 * this hart's satp, flush here now. Other harts that have s loaded flush
 * before they next run it (tlb_switch's gen check); see THE RULE above.
 */
void tlb_removed(struct tlb_space *s);

/*
 * The same for one leaf PTE at va, no table page freed: here only that
 * page is flushed (sfence.vma va), unless this hart had not flushed for
 * an earlier removal (then everything, as tlb_removed). A copy-on-write
 * copy or a zero page replaced needs no more, and keeps the rest of the
 * TLB (QEMU drops its whole software TLB on a full flush).
 */
void tlb_removed_page(struct tlb_space *s, uint64_t va);

/* Is s (NULL: the kernel's table) in this hart's satp? */
bool tlb_loaded_here(const struct tlb_space *s);

/*
 * Spin until no hart has s in satp, so its tables may be freed. Panics if
 * this hart has it loaded (it would wait for itself forever).
 */
void tlb_wait_unloaded(struct tlb_space *s);

/* This hart: drop the leaf entries for va (sfence.vma va, x0). */
void tlb_flush_page(uint64_t va);

/* This hart: drop every entry (sfence.vma x0, x0). */
void tlb_flush_all(void);

/*
 * Which hart's TLB a local flush just reached (its index). A fault that
 * repeats after a local fence is suspicious only on the same hart.
 */
unsigned tlb_hart(void);

/*
 * Make the other started harts in hart_mask (bit i = hart index i) flush
 * [va, va + len), or everything when len == 0, through the SBI RFENCE
 * extension. This hart's bit is ignored: flush it locally. The SBI spec
 * promises only that the request was sent; OpenSBI returns after the
 * targets have flushed. Returns 0, -ENOSYS if the SBI has no RFENCE
 * extension, or another negative errno for an SBI error. Never sleeps.
 */
int tlb_flush_harts(uint64_t hart_mask, uint64_t va, uint64_t len);

/* Self-test (selftest=1): prints PASS/FAIL tlb.* lines; returns failures. */
int tlb_selftest(void);

#endif
