/*
 * Host tests of exec's header checks (proc/elf.c): one case per row of the
 * table in docs/proc.md, each against a valid two-segment image first
 * changed in one field.
 */
#include <string.h>
#include "check.h"
#include "proc/elf.h"
#include "lib/errno.h"
#include "mm/page.h"

#define FILE_SIZE  (3 * PAGE_SIZE)
#define IMAGE_TOP  0x3fffeff000UL    /* what exec passes: below the stack guard */
#define TEXT_VA    0x10000UL
#define DATA_VA    0x20000UL

static struct elf_header eh;
static struct elf_phdr ph[ELF_MAX_PHNUM];

/* A valid image: R+X text at TEXT_VA, R+W data (with .bss) at DATA_VA. */
static void valid(void)
{
	memset(&eh, 0, sizeof(eh));
	memset(ph, 0, sizeof(ph));
	eh.magic = ELF_MAGIC;
	eh.class = ELFCLASS64;
	eh.data = ELFDATA2LSB;
	eh.type = ET_EXEC;
	eh.machine = EM_RISCV;
	eh.entry = TEXT_VA;
	eh.phoff = sizeof(eh);
	eh.phentsize = sizeof(struct elf_phdr);
	eh.phnum = 2;
	ph[0] = (struct elf_phdr){ .type = PT_LOAD, .flags = PF_R | PF_X, .offset = PAGE_SIZE,
				   .vaddr = TEXT_VA, .filesz = 100, .memsz = 100 };
	ph[1] = (struct elf_phdr){ .type = PT_LOAD, .flags = PF_R | PF_W, .offset = 2 * PAGE_SIZE,
				   .vaddr = DATA_VA, .filesz = 16, .memsz = 2 * PAGE_SIZE };
}

static int check(void)
{
	int err = elf_check_header(&eh, FILE_SIZE);
	return err ? err : elf_check_segments(&eh, ph, FILE_SIZE, IMAGE_TOP);
}

static void valid_passes(void)
{
	valid();
	CHECK(check() == 0);
	/* A reservation with no access and no file bytes is fine. */
	ph[1].flags = 0;
	ph[1].filesz = 0;
	CHECK(check() == 0);
	/* An empty PT_LOAD maps nothing (it may sit on another's page) ... */
	valid();
	eh.phnum = 3;
	ph[2] = (struct elf_phdr){ .type = PT_LOAD, .flags = PF_R, .vaddr = TEXT_VA };
	CHECK(check() == 0);
	/* ... but is still checked; other header types are not looked at. */
	ph[2].flags = PF_R | PF_W | PF_X;
	CHECK(check() == -ENOEXEC);
	ph[2] = (struct elf_phdr){ .type = 4, .offset = -1UL, .filesz = 8 };
	CHECK(check() == 0);
}

static void file_header(void)
{
	valid(); eh.magic ^= 1;                 CHECK(check() == -ENOEXEC);
	valid(); eh.class = 1;                  CHECK(check() == -ENOEXEC);
	valid(); eh.data = 2;                   CHECK(check() == -ENOEXEC);
	valid(); eh.type = 3;                   CHECK(check() == -ENOEXEC);
	valid(); eh.machine = 62;               CHECK(check() == -ENOEXEC);
	valid(); eh.phentsize = 32;             CHECK(check() == -ENOEXEC);
}

static void header_table(void)
{
	valid(); eh.phnum = ELF_MAX_PHNUM + 1;  CHECK(check() == -ENOEXEC);
	valid(); eh.phnum = 65535;              CHECK(check() == -ENOEXEC);
	valid(); eh.phoff = FILE_SIZE;          CHECK(check() == -ENOEXEC);
	valid(); eh.phoff = FILE_SIZE - 2 * sizeof(struct elf_phdr);
	CHECK(check() == 0);                    /* ends exactly at the end */
	eh.phoff++;                             CHECK(check() == -ENOEXEC);
	valid(); eh.phoff = -8UL;               CHECK(check() == -ENOEXEC);
	valid(); eh.phnum = 0;                  CHECK(check() == -ENOEXEC);
}

static void file_bytes(void)
{
	valid(); ph[0].filesz = ph[0].memsz = FILE_SIZE - PAGE_SIZE;
	CHECK(check() == 0);                    /* ends exactly at the end */
	ph[0].filesz++; ph[0].memsz++;          CHECK(check() == -ENOEXEC);
	valid(); ph[1].offset = -PAGE_SIZE;     ph[1].vaddr = DATA_VA;
	CHECK(check() == -ENOEXEC);             /* offset + filesz wraps */
}

static void sizes(void)
{
	valid(); ph[1].filesz = ph[1].memsz + 1; CHECK(check() == -ENOEXEC);
}

static void place(void)
{
	valid(); ph[1].vaddr = 0;               ph[1].offset = 0;
	CHECK(check() == -ENOEXEC);             /* page zero */
	valid(); ph[1].vaddr = -PAGE_SIZE;      CHECK(check() == -ENOEXEC);
	valid(); ph[1].vaddr = IMAGE_TOP - 2 * PAGE_SIZE;
	CHECK(check() == 0);                    /* ends exactly at the top */
	ph[1].vaddr += PAGE_SIZE;               CHECK(check() == -ENOEXEC);
	valid(); ph[1].vaddr = 0x4000000000UL - 2 * PAGE_SIZE;
	CHECK(check() == -ENOEXEC);             /* ends at USER_TOP: the stack's */
}

static void alignment(void)
{
	valid(); ph[0].offset += 4;             CHECK(check() == -ENOEXEC);
	valid(); ph[1].vaddr += 8;  ph[1].offset += 8;
	CHECK(check() == 0);                    /* congruent, not aligned: fine */
}

static void protection(void)
{
	valid(); ph[0].flags |= PF_W;           CHECK(check() == -ENOEXEC);
	valid(); ph[1].flags = 0;               CHECK(check() == -ENOEXEC);
	valid(); ph[1].flags = PF_W;            CHECK(check() == 0);
}

static void disjoint(void)
{
	valid(); ph[1].vaddr = TEXT_VA;         CHECK(check() == -ENOEXEC);
	valid(); ph[0].memsz = DATA_VA - TEXT_VA + 1;
	CHECK(check() == -ENOEXEC);             /* one byte into data's page */
	valid(); ph[1].vaddr = TEXT_VA + 200;   ph[1].offset = 2 * PAGE_SIZE + 200;
	CHECK(check() == -ENOEXEC);             /* same page, bytes apart */
	valid(); ph[0].memsz = DATA_VA - TEXT_VA;
	CHECK(check() == 0);                    /* adjacent pages */
}

static void entry(void)
{
	valid(); eh.entry = DATA_VA;            CHECK(check() == -ENOEXEC);
	valid(); eh.entry = TEXT_VA + 100;      CHECK(check() == -ENOEXEC);
	valid(); eh.entry = TEXT_VA + 99;       CHECK(check() == 0);
	valid(); eh.entry = TEXT_VA - 1;        CHECK(check() == -ENOEXEC);
	valid(); ph[0].type = 4;                CHECK(check() == -ENOEXEC);
}

int main(void)
{
	RUN(valid_passes);
	RUN(file_header);
	RUN(header_table);
	RUN(file_bytes);
	RUN(sizes);
	RUN(place);
	RUN(alignment);
	RUN(protection);
	RUN(disjoint);
	RUN(entry);
	return CHECK_EXIT();
}
