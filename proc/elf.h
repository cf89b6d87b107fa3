/* ELF64 as the loader reads it (System V gABI; RISC-V psABI). */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include <stdint.h>

#define ELF_MAGIC      0x464C457FU   /* "\x7FELF" little-endian */
#define ELFCLASS64     2
#define ELFDATA2LSB    1
#define ET_EXEC        2
#define EM_RISCV       243
#define PT_LOAD        1
#define PF_X           0x1
#define PF_W           0x2
#define PF_R           0x4

struct elf_header {
	uint32_t magic;
	uint8_t  class, data, version, osabi;
	uint8_t  pad[8];
	uint16_t type, machine;
	uint32_t version2;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#endif
