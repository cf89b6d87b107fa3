/*
 * elfbuild.c: the executable builder of elftest.
 *
 * #included by elftest.c, so the test stays a single program; it is not
 * a program of its own.
 *
 * A struct spec says what to write: the ELF header's fields, up to
 * MAX_SEGS PT_LOAD program headers, and a payload of real RV64
 * instructions encoded as words. spec_valid() gives the control
 * program: one R+X segment at TEXT_VA whose code is
 *
 *     li a7, SYS_exit; li a0, RAN_STATUS; ecall
 *
 * and a case then bends one field (or emits a load, store or system call
 * before the exit, and adds a data segment at DATA_VA for it to touch).
 * spec_render() lays the spec out in file_buf, FILE_MAX bytes, dropping
 * whatever a lying field puts outside it; the file is its first
 * spec.size bytes.
 */
#include "lazuli/syscall.h"

#define PAGE            4096UL
#define RAN_STATUS      7                /* what every payload exits with */

/* ---- ELF64, as much as the builder writes (System V gABI) ---- */

#define ELF_MAGIC0   0x7f
#define ELFCLASS64   2
#define ELFDATA2LSB  1
#define EV_CURRENT   1
#define ET_EXEC      2
#define EM_RISCV     243
#define PT_LOAD      1
#define PF_X         0x1
#define PF_W         0x2
#define PF_R         0x4

struct elf64_ehdr {
	uint8  ident[16];
	uint16 type, machine;
	uint32 version;
	uint64 entry, phoff, shoff;
	uint32 flags;
	uint16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32 type, flags;
	uint64 offset, vaddr, paddr, filesz, memsz, align;
};

/* ---- RV64 instructions, encoded (RISC-V unprivileged ISA, ch. 2) ---- */

#define REG_ZERO   0
#define REG_T0     5
#define REG_T1     6
#define REG_A0     10
#define REG_A1     11
#define REG_A2     12
#define REG_A7     17

#define OPC_LOAD   0x03
#define OPC_IMM    0x13
#define OPC_STORE  0x23
#define OPC_LUI    0x37
#define RV_ECALL   0x00000073U
#define F3_ADDI    0
#define F3_DOUBLE  3          /* ld / sd */
#define IMM12_MASK 0xfffU

static uint32 rv_itype(uint32 opc, uint32 f3, int rd, int rs1, int imm)
{
	return ((uint32)imm & IMM12_MASK) << 20 | (uint32)rs1 << 15 | f3 << 12 |
	       (uint32)rd << 7 | opc;
}

static uint32 rv_stype(uint32 opc, uint32 f3, int rs1, int rs2, int imm)
{
	uint32 u = (uint32)imm & IMM12_MASK;
	return (u >> 5) << 25 | (uint32)rs2 << 20 | (uint32)rs1 << 15 | f3 << 12 |
	       (u & 0x1f) << 7 | opc;
}

static uint32 rv_addi(int rd, int rs1, int imm) { return rv_itype(OPC_IMM, F3_ADDI, rd, rs1, imm); }
static uint32 rv_ld(int rd, int rs1, int imm)   { return rv_itype(OPC_LOAD, F3_DOUBLE, rd, rs1, imm); }
static uint32 rv_sd(int rs2, int rs1, int imm)  { return rv_stype(OPC_STORE, F3_DOUBLE, rs1, rs2, imm); }
/* lui rd, page: rd = page * 4096 (page < 2^19, so no sign extension). */
static uint32 rv_lui(int rd, uint64 page)        { return (uint32)(page << 12) | (uint32)rd << 7 | OPC_LUI; }

/* ---- the executable builder ---- */

#define EHDR_SIZE   sizeof(struct elf64_ehdr)
#define TEXT_VA     0x10000UL   /* where user.ld puts text, too */
#define TEXT_OFF    0x1000UL
#define DATA_VA     0x20000UL
#define DATA_OFF    0x2000UL
#define DATA_BYTES  16          /* file bytes of a data segment */
#define DATA_FILL   0xa5
#define MAX_SEGS    4
#define MAX_CODE    16
#define FILE_MAX    (3 * PAGE)

struct seg {
	uint32 flags;
	uint64 offset, vaddr, filesz, memsz;
};

/* What to write; the default is a valid program that exits RAN_STATUS. */
struct spec {
	uint64 entry, phoff;
	uint32 phnum;          /* as written in the header; nseg unless a case lies */
	int    nseg;
	struct seg seg[MAX_SEGS];
	uint32 code[MAX_CODE];
	int    ncode;
	uint64 code_off;
	uint64 size;           /* file bytes to write */
};

static uint8 file_buf[FILE_MAX];

static void emit(struct spec *s, uint32 insn)
{
	if (s->ncode < MAX_CODE)
		s->code[s->ncode++] = insn;
}

/* exit(RAN_STATUS), the end of every payload. */
static void emit_exit(struct spec *s)
{
	emit(s, rv_addi(REG_A7, REG_ZERO, SYS_exit));
	emit(s, rv_addi(REG_A0, REG_ZERO, RAN_STATUS));
	emit(s, RV_ECALL);
}

/* The text segment covers the code (call after the last emit). */
static void seal_text(struct spec *s)
{
	uint64 bytes = (uint64)s->ncode * sizeof(uint32);

	s->seg[0].filesz = s->seg[0].memsz = bytes;
	if (s->size < s->code_off + bytes)
		s->size = s->code_off + bytes;
}

/* One R+X text segment at TEXT_VA, entry at its start; no code yet. */
static void spec_init(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->entry = TEXT_VA;
	s->phoff = EHDR_SIZE;
	s->nseg = 1;
	s->phnum = 1;
	s->seg[0] = (struct seg){ .flags = PF_R | PF_X, .offset = TEXT_OFF, .vaddr = TEXT_VA };
	s->code_off = TEXT_OFF;
}

/* The control program: exit(RAN_STATUS) and nothing else. */
static void spec_valid(struct spec *s)
{
	spec_init(s);
	emit_exit(s);
	seal_text(s);
}

/* Add a segment at DATA_VA with filesz file bytes of DATA_FILL. */
static void add_data(struct spec *s, uint32 flags, uint64 filesz, uint64 memsz)
{
	s->seg[s->nseg++] = (struct seg){ .flags = flags, .offset = DATA_OFF,
					  .vaddr = DATA_VA, .filesz = filesz, .memsz = memsz };
	s->phnum = s->nseg;
	if (s->size < DATA_OFF + filesz)
		s->size = DATA_OFF + filesz;
}

/* Lay the spec out in file_buf; the parts that fall outside are dropped. */
static void spec_render(const struct spec *s)
{
	struct elf64_ehdr eh = {
		.ident = { ELF_MAGIC0, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.type = ET_EXEC, .machine = EM_RISCV, .version = EV_CURRENT,
		.entry = s->entry, .phoff = s->phoff, .ehsize = EHDR_SIZE,
		.phentsize = sizeof(struct elf64_phdr), .phnum = (uint16)s->phnum,
	};

	memset(file_buf, 0, sizeof(file_buf));
	memcpy(file_buf, &eh, sizeof(eh));
	for (int i = 0; i < s->nseg; i++) {
		const struct seg *g = &s->seg[i];
		struct elf64_phdr ph = { .type = PT_LOAD, .flags = g->flags, .offset = g->offset,
					 .vaddr = g->vaddr, .paddr = g->vaddr, .filesz = g->filesz,
					 .memsz = g->memsz, .align = PAGE };
		uint64 at = s->phoff + i * sizeof(ph);
		if (at + sizeof(ph) <= FILE_MAX)
			memcpy(file_buf + at, &ph, sizeof(ph));
		if (i > 0 && g->offset < FILE_MAX && g->filesz <= FILE_MAX - g->offset)
			memset(file_buf + g->offset, DATA_FILL, g->filesz);
	}
	if (s->code_off + s->ncode * sizeof(uint32) <= FILE_MAX)
		memcpy(file_buf + s->code_off, s->code, s->ncode * sizeof(uint32));
}
