/*
 * Checking an executable's headers before exec builds anything.
 *
 * exec reads the file header and the program header table into kernel
 * memory and runs them past these checks; only a file that passes all of
 * them gets an address space built from it. So the build pass can trust
 * every number it uses, and a crafted file costs nothing but -ENOEXEC:
 *
 *   file header     magic, class, data, type, machine, phentsize
 *   header table    phnum <= ELF_MAX_PHNUM; [phoff, phoff + table) inside
 *                   the file, without wrapping
 *   each PT_LOAD    file bytes    [offset, offset + filesz) inside the file
 *                   sizes         filesz <= memsz
 *                   place         PAGE_SIZE <= vaddr, vaddr + memsz <= the
 *                                 image's top, without wrapping
 *                   alignment     offset == vaddr modulo PAGE_SIZE (a later
 *                                 exec maps file pages in place)
 *                   protection    never W+X; no access at all only for a
 *                                 reservation with no file bytes
 *   all PT_LOADs    no two share a page (each page gets one protection)
 *   entry point     inside a segment with PF_X (so one segment at least)
 *
 * The functions here only read their arguments: no I/O, no allocation.
 */
#include "proc/elf.h"
#include "lib/errno.h"
#include "mm/page.h"

#define ELF_PROT_MASK (PF_R | PF_W | PF_X)

/* The identification bytes, type and machine: an RV64 LE executable. */
static bool ident_ok(const struct elf_header *eh)
{
	return eh->magic == ELF_MAGIC && eh->class == ELFCLASS64 &&
	       eh->data == ELFDATA2LSB && eh->type == ET_EXEC &&
	       eh->machine == EM_RISCV;
}

/* The program header table: our entry size, bounded, inside the file. */
static bool table_ok(const struct elf_header *eh, uint64_t file_size)
{
	uint64_t end;
	if (eh->phentsize != sizeof(struct elf_phdr) || eh->phnum > ELF_MAX_PHNUM)
		return false;
	if (__builtin_add_overflow(eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf_phdr), &end))
		return false;
	return end <= file_size;
}

int elf_check_header(const struct elf_header *eh, uint64_t file_size)
{
	if (!ident_ok(eh) || !table_ok(eh, file_size))
		return -ENOEXEC;
	return 0;
}

bool elf_segment_loaded(const struct elf_phdr *ph)
{
	return ph->type == PT_LOAD && ph->memsz != 0;
}

/* The segment's file bytes lie inside the file and fit in its memory. */
static bool file_range_ok(const struct elf_phdr *ph, uint64_t file_size)
{
	uint64_t end;
	if (__builtin_add_overflow(ph->offset, ph->filesz, &end))
		return false;
	return end <= file_size && ph->filesz <= ph->memsz;
}

/* The segment's memory lies in [PAGE_SIZE, image_top). */
static bool address_range_ok(const struct elf_phdr *ph, uint64_t image_top)
{
	uint64_t end;
	if (__builtin_add_overflow(ph->vaddr, ph->memsz, &end))
		return false;
	return ph->vaddr >= PAGE_SIZE && end <= image_top;
}

/* File offset and address agree within a page, as mapping file pages needs. */
static bool aligned_ok(const struct elf_phdr *ph)
{
	return page_offset(ph->offset) == page_offset(ph->vaddr);
}

/*
 * Never writable and executable. A segment with no access at all may only
 * reserve address space: there is nothing its bytes could be loaded with.
 */
static bool protection_ok(const struct elf_phdr *ph)
{
	uint32_t prot = ph->flags & ELF_PROT_MASK;
	if ((prot & PF_W) && (prot & PF_X))
		return false;
	return prot != 0 || ph->filesz == 0;
}

static bool segment_ok(const struct elf_phdr *ph, uint64_t file_size, uint64_t image_top)
{
	return file_range_ok(ph, file_size) && address_range_ok(ph, image_top) &&
	       aligned_ok(ph) && protection_ok(ph);
}

/*
 * Do two checked segments share a page? exec maps whole pages, one
 * protection each, so sharing a page is as bad as sharing a byte.
 * Their ends do not wrap: address_range_ok held for both.
 */
static bool segments_overlap(const struct elf_phdr *a, const struct elf_phdr *b)
{
	uint64_t a_start = page_down(a->vaddr), a_end = page_up(a->vaddr + a->memsz);
	uint64_t b_start = page_down(b->vaddr), b_end = page_up(b->vaddr + b->memsz);
	return a_start < b_end && b_start < a_end;
}

/* No two loaded segments share a page (pairwise: n <= ELF_MAX_PHNUM). */
static bool disjoint_ok(const struct elf_phdr *ph, int n)
{
	for (int i = 0; i < n; i++) {
		if (!elf_segment_loaded(&ph[i]))
			continue;
		for (int j = i + 1; j < n; j++)
			if (elf_segment_loaded(&ph[j]) && segments_overlap(&ph[i], &ph[j]))
				return false;
	}
	return true;
}

/* The entry point lies inside a loaded segment with PF_X. */
static bool entry_ok(uint64_t entry, const struct elf_phdr *ph, int n)
{
	for (int i = 0; i < n; i++) {
		if (elf_segment_loaded(&ph[i]) && (ph[i].flags & PF_X) &&
		    entry >= ph[i].vaddr && entry - ph[i].vaddr < ph[i].memsz)
			return true;
	}
	return false;
}

int elf_check_segments(const struct elf_header *eh, const struct elf_phdr *ph,
		       uint64_t file_size, uint64_t image_top)
{
	for (int i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD && !segment_ok(&ph[i], file_size, image_top))
			return -ENOEXEC;
	if (!disjoint_ok(ph, eh->phnum))
		return -ENOEXEC;
	/* An executable entry point implies at least one loaded segment. */
	if (!entry_ok(eh->entry, ph, eh->phnum))
		return -ENOEXEC;
	return 0;
}
