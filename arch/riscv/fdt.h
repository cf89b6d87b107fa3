/*
 * What the kernel learns from the flattened device tree OpenSBI hands it.
 * Nothing about the machine that the tree describes is hard-coded.
 */
#ifndef ARCH_RISCV_FDT_H
#define ARCH_RISCV_FDT_H

#include <stdint.h>
#include "arch/riscv/hart.h"

#define BOOT_MAX_RESERVED 16
#define BOOT_ARGS_MAX     256

struct mem_range {
	uint64_t base;
	uint64_t size;
};

struct boot_info {
	struct mem_range ram;                        /* the first /memory range */
	struct mem_range reserved[BOOT_MAX_RESERVED]; /* /reserved-memory + rsvmap */
	int              nreserved;
	struct mem_range dtb;                        /* the blob itself */
	int              hart_ids[MAX_HARTS];
	int              nharts;
	int              nharts_present;             /* usable cpus in the tree, also those
							past MAX_HARTS (not in hart_ids) */
	int              boot_hart;
	uint64_t         timebase_hz;                /* /cpus timebase-frequency */
	uint64_t         uart_base;                  /* ns16550a */
	uint32_t         uart_irq;
	uint64_t         plic_base;
	uint64_t         plic_size;
	uint64_t         finisher_base;              /* sifive,test0: 0 if none */
	char             bootargs[BOOT_ARGS_MAX];    /* /chosen bootargs */
};

/*
 * Parse the blob at dtb_pa (reached through the direct map); 0 or -EINVAL.
 * timebase_hz is never 0 afterwards.
 */
int fdt_parse(uint64_t dtb_pa, struct boot_info *bi);

/* Value of "key=value" in bootargs, copied into buf; NULL if absent. */
const char *bootarg_get(const struct boot_info *bi, const char *key,
			char *buf, int size);

#endif
