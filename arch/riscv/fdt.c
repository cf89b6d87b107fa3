/*
 * A minimal flattened-device-tree reader (Devicetree Specification v0.4,
 * chapter 5). The blob is big-endian:
 *
 *   header | memory reservation block | structure block | strings block
 *
 * The structure block is a token stream: BEGIN_NODE name, PROP (len,
 * name offset, value), END_NODE, ... END. We walk it once, keeping a small
 * stack of the open nodes; a node's properties are gathered while it is
 * open and interpreted when it closes, because `compatible` may come after
 * `reg`. Addresses in `reg` use the parent's #address-cells/#size-cells.
 */
#include <stdbool.h>
#include "arch/riscv/fdt.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/physmap.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

#define FDT_MAX_DEPTH  16

/* QEMU virt's timebase, should a tree lack timebase-frequency. */
#define DEFAULT_TIMEBASE_HZ 10000000

struct fdt_header {
	uint32_t magic, totalsize, off_dt_struct, off_dt_strings;
	uint32_t off_mem_rsvmap, version, last_comp_version;
	uint32_t boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

/* A property value: pointer into the blob and its length. */
struct prop { const uint8_t *val; uint32_t len; };

/* The properties we care about, of one open node. */
struct node {
	const char *name;
	int         addr_cells, size_cells;   /* for this node's children */
	struct prop reg, compatible, device_type, status, interrupts;
	struct prop bootargs, timebase;
};

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Read a number of `cells` 32-bit cells at p. */
static uint64_t read_cells(const uint8_t *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* Does the string list `compatible` hold `what`? */
static bool compatible_has(struct prop c, const char *what)
{
	uint32_t off = 0;
	size_t n = strlen(what);
	while (off < c.len) {
		const char *s = (const char *)c.val + off;
		size_t len = strnlen(s, c.len - off);
		if (len == n && memcmp(s, what, n) == 0)
			return true;
		off += len + 1;
	}
	return false;
}

static bool prop_is(struct prop p, const char *s)
{
	return p.val && strnlen((const char *)p.val, p.len) == strlen(s) &&
	       strcmp((const char *)p.val, s) == 0;
}

/* First (base, size) pair of a node's reg, by its parent's cell sizes. */
static bool reg_first(const struct node *n, const struct node *parent,
		      struct mem_range *out)
{
	int ac = parent->addr_cells, sc = parent->size_cells;
	if (!n->reg.val || n->reg.len < (uint32_t)(ac + sc) * 4)
		return false;
	out->base = read_cells(n->reg.val, ac);
	out->size = read_cells(n->reg.val + ac * 4, sc);
	return true;
}

static void add_reserved(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (size && bi->nreserved < BOOT_MAX_RESERVED)
		bi->reserved[bi->nreserved++] = (struct mem_range){ base, size };
}

/* A node has closed: record what it tells us. stack[depth] is the node. */
static void node_done(struct node *stack, int depth, struct boot_info *bi)
{
	struct node *n = &stack[depth];
	struct node *parent = depth > 0 ? &stack[depth - 1] : n;
	struct mem_range r;

	if (depth == 1 && prop_is(n->device_type, "memory") && !bi->ram.size) {
		if (reg_first(n, parent, &r))
			bi->ram = r;
	} else if (depth == 1 && strcmp(n->name, "chosen") == 0 && n->bootargs.val) {
		size_t len = n->bootargs.len < BOOT_ARGS_MAX ? n->bootargs.len : BOOT_ARGS_MAX;
		memcpy(bi->bootargs, n->bootargs.val, len);
		bi->bootargs[BOOT_ARGS_MAX - 1] = 0;
	} else if (depth == 1 && strcmp(n->name, "cpus") == 0 && n->timebase.val) {
		bi->timebase_hz = read_cells(n->timebase.val, n->timebase.len / 4);
	} else if (depth == 2 && strcmp(parent->name, "cpus") == 0 &&
		   prop_is(n->device_type, "cpu")) {
		bool ok = !n->status.val || prop_is(n->status, "okay");
		if (ok && n->reg.val)
			bi->nharts_present++;
		if (ok && n->reg.val && bi->nharts < MAX_HARTS) {
			uint64_t id = read_cells(n->reg.val, parent->addr_cells);
			if (id < MAX_HARTS)
				bi->hart_ids[bi->nharts++] = (int)id;
		}
		if (n->timebase.val && !bi->timebase_hz)
			bi->timebase_hz = read_cells(n->timebase.val, n->timebase.len / 4);
	} else if (depth == 2 && strcmp(parent->name, "reserved-memory") == 0) {
		if (reg_first(n, parent, &r))
			add_reserved(bi, r.base, r.size);
	} else if (compatible_has(n->compatible, "ns16550a") && !bi->uart_base) {
		if (reg_first(n, parent, &r))
			bi->uart_base = r.base;
		if (n->interrupts.val)
			bi->uart_irq = be32(n->interrupts.val);
	} else if ((compatible_has(n->compatible, "riscv,plic0") ||
		    compatible_has(n->compatible, "sifive,plic-1.0.0")) && !bi->plic_base) {
		if (reg_first(n, parent, &r)) {
			bi->plic_base = r.base;
			bi->plic_size = r.size;
		}
	} else if (compatible_has(n->compatible, "sifive,test0") && !bi->finisher_base) {
		if (reg_first(n, parent, &r))
			bi->finisher_base = r.base;
	}
}

/* Remember one property of the open node n (and the cell sizes for its children). */
static void node_prop(struct node *n, const char *pname, struct prop p)
{
	if (strcmp(pname, "#address-cells") == 0 && p.len == 4)
		n->addr_cells = (int)be32(p.val);
	else if (strcmp(pname, "#size-cells") == 0 && p.len == 4)
		n->size_cells = (int)be32(p.val);
	else if (strcmp(pname, "reg") == 0)
		n->reg = p;
	else if (strcmp(pname, "compatible") == 0)
		n->compatible = p;
	else if (strcmp(pname, "device_type") == 0)
		n->device_type = p;
	else if (strcmp(pname, "status") == 0)
		n->status = p;
	else if (strcmp(pname, "interrupts") == 0)
		n->interrupts = p;
	else if (strcmp(pname, "bootargs") == 0)
		n->bootargs = p;
	else if (strcmp(pname, "timebase-frequency") == 0)
		n->timebase = p;
}

int fdt_parse(uint64_t dtb_pa, struct boot_info *bi)
{
	const uint8_t *blob = pa_to_kva(dtb_pa);
	const struct fdt_header *h = (const void *)blob;
	if (be32(&h->magic) != FDT_MAGIC)
		return -EINVAL;

	uint32_t total = be32(&h->totalsize);
	bi->dtb = (struct mem_range){ dtb_pa, total };

	/* Memory reservation block: (address, size) pairs ending in 0, 0. */
	const uint8_t *rsv = blob + be32(&h->off_mem_rsvmap);
	for (;; rsv += 16) {
		uint64_t base = read_cells(rsv, 2), size = read_cells(rsv + 8, 2);
		if (!base && !size)
			break;
		add_reserved(bi, base, size);
	}

	const uint8_t *p = blob + be32(&h->off_dt_struct);
	const uint8_t *end = p + be32(&h->size_dt_struct);
	const char *strings = (const char *)blob + be32(&h->off_dt_strings);
	struct node stack[FDT_MAX_DEPTH];
	int depth = -1;

	while (p < end) {
		uint32_t tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			p += (strlen(name) + 1 + 3) & ~3UL;
			if (++depth >= FDT_MAX_DEPTH)
				return -EINVAL;
			memset(&stack[depth], 0, sizeof(stack[depth]));
			stack[depth].name = name;
			stack[depth].addr_cells = 2;   /* spec defaults */
			stack[depth].size_cells = 1;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p), nameoff = be32(p + 4);
			struct prop prop = { p + 8, len };
			p += 8 + ((len + 3) & ~3U);
			if (depth >= 0)
				node_prop(&stack[depth], strings + nameoff, prop);
		} else if (tok == FDT_END_NODE) {
			if (depth < 0)
				return -EINVAL;
			node_done(stack, depth, bi);
			depth--;
		} else if (tok == FDT_END) {
			break;
		} else if (tok != FDT_NOP) {
			return -EINVAL;
		}
	}
	if (!bi->timebase_hz)
		bi->timebase_hz = DEFAULT_TIMEBASE_HZ;
	return bi->ram.size ? 0 : -EINVAL;
}

const char *bootarg_get(const struct boot_info *bi, const char *key,
			char *buf, int size)
{
	size_t klen = strlen(key);
	const char *s = bi->bootargs;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *word = s;
		while (*s && *s != ' ')
			s++;
		if ((size_t)(s - word) > klen && strncmp(word, key, klen) == 0 &&
		    word[klen] == '=') {
			int n = 0;
			for (const char *v = word + klen + 1; v < s && n < size - 1; v++)
				buf[n++] = *v;
			buf[n] = 0;
			return buf;
		}
	}
	return NULL;
}
