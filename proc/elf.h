/*
 * ELF64 as the loader reads it (System V gABI; RISC-V psABI), and the
 * checks an executable passes before exec builds anything from it.
 */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include <stdbool.h>
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

/*
 * The most program headers exec reads. Real programs have a handful
 * (ours: two); the bound keeps the table one kmalloc of under a page and
 * the pairwise overlap check small. Linux bounds the table the same way
 * (at 64 KiB).
 */
#define ELF_MAX_PHNUM  64

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

/*
 * The file header of an executable exec can run: ELF64, little-endian,
 * ET_EXEC for EM_RISCV, our phentsize, at most ELF_MAX_PHNUM program
 * headers, the whole table inside the file's file_size bytes.
 * Pure (reads nothing); returns 0 or -ENOEXEC.
 */
int elf_check_header(const struct elf_header *eh, uint64_t file_size);

/*
 * The program headers ph[0..eh->phnum) of a header that passed
 * elf_check_header. Every PT_LOAD segment must have its file bytes inside
 * the file, filesz <= memsz, start at or above one page and end at or
 * below image_top without wrapping, an offset congruent to its address
 * modulo the page size, never W+X, and no file bytes if it has no access
 * at all; segments may not share a page; the entry point must lie in an
 * executable segment. Pure; returns 0 or -ENOEXEC.
 */
int elf_check_segments(const struct elf_header *eh, const struct elf_phdr *ph,
		       uint64_t file_size, uint64_t image_top);

/* Does exec map this program header (a PT_LOAD with memsz > 0)? */
bool elf_segment_loaded(const struct elf_phdr *ph);

#endif
