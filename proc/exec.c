/*
 * exec: replace a process's image with a program from the file system.
 *
 * The new address space is built completely on the side (mm_create,
 * mm_map, mm_write) and swapped in only when nothing can fail any more,
 * so a bad or truncated ELF file, or arguments that do not fit, leave the
 * caller's image untouched and exec returns -1.
 *
 * The user stack on entry to _start:
 *
 *   USER_TOP  +---------------------+
 *             | argument strings    |
 *             +---------------------+
 *             | argv[argc] = NULL   |
 *             | argv[argc-1] ...    |
 *   sp, a1 -> | argv[0]             |   (16-byte aligned)
 *             +---------------------+
 *             | ... grows down, faulted in lazily ...
 *             +---------------------+  USER_TOP - USER_STACK_SIZE
 *             | guard page          |  never mapped
 *
 *   a0 = argc, a1 = argv.
 */
#include "proc/proc_internal.h"
#include "proc/elf.h"
#include "fs/fs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "userland/include/lazuli/stat.h"

static int read_exact(struct inode *ip, void *dst, uint64_t off, size_t n)
{
	long got = inode_read(ip, dst, off, n);
	return got == (long)n ? 0 : -ENOEXEC;
}

static int segment_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* Copy [off, off+n) of the file to va in mm, a page at a time. */
static int load_bytes(struct mm *mm, struct inode *ip, uint64_t va, uint64_t off, uint64_t n)
{
	void *buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	int err = 0;
	while (n && !err) {
		size_t chunk = n < PAGE_SIZE ? n : PAGE_SIZE;
		err = read_exact(ip, buf, off, chunk);
		if (!err)
			err = mm_write(mm, va, buf, chunk);
		va += chunk;
		off += chunk;
		n -= chunk;
	}
	kfree(buf);
	return err;
}

/* Check one PT_LOAD header and map and fill its segment. */
static int load_segment(struct mm *mm, struct inode *ip, const struct elf_phdr *ph,
			uint64_t *image_end)
{
	uint64_t end;
	if (ph->memsz < ph->filesz || __builtin_add_overflow(ph->vaddr, ph->memsz, &end) ||
	    end > USER_TOP || ph->vaddr < PAGE_SIZE)
		return -ENOEXEC;
	if ((ph->flags & PF_W) && (ph->flags & PF_X))
		return -ENOEXEC;   /* never W+X */
	if (ph->offset + ph->filesz < ph->offset)
		return -ENOEXEC;
	uint64_t start = page_down(ph->vaddr);
	int err = mm_map(mm, start, page_up(end) - start, segment_prot(ph->flags),
			 VM_PRIVATE, NULL);
	if (err)
		return err == -ENOMEM ? err : -ENOEXEC;
	err = load_bytes(mm, ip, ph->vaddr, ph->offset, ph->filesz);
	if (err)
		return err;
	if (page_up(end) > *image_end)
		*image_end = page_up(end);
	return 0;
}

/* Map the program's segments; *entry and *image_end describe the result. */
static int load_image(struct mm *mm, struct inode *ip, uint64_t *entry, uint64_t *image_end)
{
	struct elf_header eh;
	if (read_exact(ip, &eh, 0, sizeof(eh)) || eh.magic != ELF_MAGIC ||
	    eh.class != ELFCLASS64 || eh.data != ELFDATA2LSB || eh.type != ET_EXEC ||
	    eh.machine != EM_RISCV || eh.phentsize != sizeof(struct elf_phdr))
		return -ENOEXEC;

	int loaded = 0;
	for (int i = 0; i < eh.phnum; i++) {
		struct elf_phdr ph;
		if (read_exact(ip, &ph, eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph)))
			return -ENOEXEC;
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		int err = load_segment(mm, ip, &ph, image_end);
		if (err)
			return err;
		loaded++;
	}
	if (!loaded || eh.entry >= USER_TOP)
		return -ENOEXEC;
	*entry = eh.entry;
	return 0;
}

/* Put argv on the new stack; returns the user sp (== argv), or 0 on error. */
static uint64_t push_args(struct mm *mm, char *const argv[], int argc)
{
	uint64_t uargv[EXEC_MAXARG + 1];
	uint64_t sp = USER_STACK_TOP;
	for (int i = argc - 1; i >= 0; i--) {
		size_t len = strlen(argv[i]) + 1;
		sp -= len;
		if (mm_write(mm, sp, argv[i], len))
			return 0;
		uargv[i] = sp;
	}
	uargv[argc] = 0;
	sp -= (uint64_t)(argc + 1) * sizeof(uint64_t);
	sp &= ~15UL;
	if (mm_write(mm, sp, uargv, (size_t)(argc + 1) * sizeof(uint64_t)))
		return 0;
	return sp;
}

static void set_name(struct proc *p, const char *path)
{
	const char *last = path;
	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			last = s + 1;
	strlcpy(p->name, last, sizeof(p->name));
}

int exec_into(struct proc *p, const char *path, char *const argv[], int argc)
{
	size_t bytes = (size_t)(argc + 1) * sizeof(uint64_t) + 16;
	if (argc < 0 || argc > EXEC_MAXARG)
		return -E2BIG;
	for (int i = 0; i < argc; i++)
		bytes += strlen(argv[i]) + 1;
	if (bytes > EXEC_ARGBYTES)
		return -E2BIG;

	struct inode *ip = fs_lookup(path);
	if (!ip)
		return -ENOENT;
	int err = -EACCES;
	if (inode_type(ip) != T_FILE)
		goto out_put;
	err = -ENOMEM;
	struct mm *mm = mm_create();
	if (!mm)
		goto out_put;

	uint64_t entry = 0, image_end = 0, sp = 0;
	err = load_image(mm, ip, &entry, &image_end);
	if (!err)
		err = mm_map_heap(mm, image_end);
	if (!err)
		err = mm_map(mm, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
			     PROT_READ | PROT_WRITE, VM_PRIVATE | VM_GROWSDOWN, NULL);
	if (!err && !(sp = push_args(mm, argv, argc)))
		err = -ENOMEM;
	if (err)
		goto out_mm;
	inode_put(ip);

	/* Point of no return: swap the image in. */
	spin_lock(&p->lock);
	struct mm *old = p->mm;
	p->mm = mm;
	spin_unlock(&p->lock);
	if (p == proc_current()) {
		mm_activate(mm);
		mm_destroy(old);
	}
	memset(&p->tf, 0, sizeof(p->tf));
	p->tf.epc = entry;
	p->tf.sp = sp;
	p->tf.a0 = (uint64_t)argc;
	p->tf.a1 = sp;
	set_name(p, path);
	return argc;

out_mm:
	mm_destroy(mm);
out_put:
	inode_put(ip);
	return err;
}

int proc_exec(const char *path, char *const argv[], int argc)
{
	return exec_into(proc_current(), path, argv, argc);
}
