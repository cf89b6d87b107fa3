/*
 * exec: replace a process's image with a program from the file system.
 *
 * Two passes. The validation pass reads the ELF file header and program
 * header table and checks every field (proc/elf.c) before anything is
 * created; a crafted file is refused there with -ENOEXEC. The build pass
 * then makes the new address space completely on the side and swaps it
 * in only when nothing can fail any more, so a bad or truncated file, a
 * program file open for writing (-ETXTBSY), running out of memory, or
 * arguments that do not fit leave the caller's image untouched, every
 * new area and frame is given back, and exec returns -1.
 *
 * Demand paging (docs/demand-paging.md). The build pass reads nothing
 * but one page per segment: each segment becomes areas backed by the
 * program file (mm_mmap with VM_FIXED), text shared with every process
 * running the same file, data private copy-on-write; only the page where
 * a segment's file bytes give way to .bss is copied (segment_cut says
 * why), and whole .bss pages start on the zero page. The text areas hold
 * the inode and keep writers out of it (VM_DENYWRITE) until they go
 * away, so the running program's file cannot change under it and
 * unlinking it leaves the running copies intact.
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
 *             +---------------------+  USER_TOP - mm_stack_size() (8 MiB)
 *             | guard gap           |  USER_STACK_GUARD (1 MiB), never mapped
 *             +---------------------+  image_top(): segments end at or below
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

/*
 * The highest address a segment may reach: the bottom of the stack's guard
 * gap. A segment above it would collide with the stack exec maps.
 */
static uint64_t image_top(void)
{
	return USER_STACK_TOP - mm_stack_size() - USER_STACK_GUARD;
}

_Static_assert(ELF_MAX_PHNUM * sizeof(struct elf_phdr) <= PAGE_SIZE,
	       "the program header table must fit one kmalloc");

/* An executable's headers, read into kernel memory and checked. */
struct elf_image {
	struct elf_header eh;
	struct elf_phdr  *ph;   /* eh.phnum entries, kmalloc'd; NULL when none */
};

/*
 * The validation pass: read the file header and the program header table
 * and check every field (proc/elf.c) before anything is built. Returns 0
 * with img->ph for the caller to kfree, or -ENOEXEC / -ENOMEM with nothing
 * left allocated.
 */
static int read_headers(struct inode *ip, struct elf_image *img)
{
	uint64_t file_size = inode_size(ip);
	img->ph = NULL;
	if (read_exact(ip, &img->eh, 0, sizeof(img->eh)) ||
	    elf_check_header(&img->eh, file_size))
		return -ENOEXEC;
	size_t table = (size_t)img->eh.phnum * sizeof(struct elf_phdr);
	if (table) {
		img->ph = kmalloc(table);
		if (!img->ph)
			return -ENOMEM;
		if (read_exact(ip, img->ph, img->eh.phoff, table))
			goto out_free_table;
	}
	if (elf_check_segments(&img->eh, img->ph, file_size, image_top()))
		goto out_free_table;
	return 0;

out_free_table:
	kfree(img->ph);
	img->ph = NULL;
	return -ENOEXEC;
}

/*
 * A segment's pages, cut where their contents come from:
 *
 *   start          file_end       anon_start     bss_start       end
 *   |  from the file |  copied page  |  (same)     |  whole pages  |
 *   page_down(vaddr)  page_down(vaddr+filesz)      page_up(vaddr+filesz)
 *                                                                  page_up(vaddr+memsz)
 *
 * [start, file_end) maps the file's own frames: text shared by every
 * process running the program, data private (copy-on-write on the
 * first store). The page where the file bytes stop and .bss begins
 * cannot: the file's frame holds whatever follows filesz in the file
 * (the next section, the symbol table), and .bss must read as zeros, so
 * it is a private anonymous page exec fills with the file bytes, its
 * tail left zero. It is the only page exec copies. The whole pages of
 * .bss after it are anonymous: a read maps the zero page.
 *
 * With no .bss (memsz == filesz) the last partial page is mapped from
 * the file whole, as Linux does: the bytes after filesz lie outside the
 * segment, a read-only segment (text) can only read them, and they are
 * bytes of a file the program could read anyway.
 */
struct segment_layout {
	uint64_t start, file_end, anon_start, end;
	uint64_t copy_va, copy_off, copy_len;   /* the copied page's file bytes; len 0: none */
};

static void segment_cut(const struct elf_phdr *ph, struct segment_layout *l)
{
	uint64_t data_end = ph->vaddr + ph->filesz;
	l->start = page_down(ph->vaddr);
	l->end = page_up(ph->vaddr + ph->memsz);
	l->copy_len = 0;
	if (ph->filesz == 0) {
		l->file_end = l->anon_start = l->start;
	} else if (ph->memsz == ph->filesz || page_aligned(data_end)) {
		l->file_end = l->anon_start = page_up(data_end);
	} else {
		/* The boundary page: from the segment's first byte in it to data_end. */
		l->file_end = l->anon_start = page_down(data_end);
		l->copy_va = l->anon_start > ph->vaddr ? l->anon_start : ph->vaddr;
		l->copy_off = ph->offset + (l->copy_va - ph->vaddr);
		l->copy_len = data_end - l->copy_va;
	}
}

/* Fill the boundary page at l->copy_va with its file bytes (the rest stays zero). */
static int copy_boundary(struct mm *mm, struct inode *ip, const struct segment_layout *l)
{
	void *buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	/* A short read: the file shrank since the check. */
	int err = read_exact(ip, buf, l->copy_off, l->copy_len);
	if (!err)
		err = mm_write(mm, l->copy_va, buf, l->copy_len);
	kfree(buf);
	return err;
}

/* mm_mmap/mm_map's refusal, as exec reports it: the file's fault unless it is ours. */
static int map_error(long err)
{
	return err == -ENOMEM || err == -ETXTBSY ? (int)err : -ENOEXEC;
}

/*
 * Map one checked segment (segment_cut's picture). Text (PF_X) areas
 * keep writers out of the file for as long as they exist
 * (VM_DENYWRITE). Nothing is read but the boundary page. -ENOMEM,
 * -ETXTBSY (the file is open for writing), -ENOEXEC (the file changed
 * since the check).
 */
static int load_segment(struct mm *mm, struct inode *ip, const struct elf_phdr *ph,
			uint64_t *image_end)
{
	struct segment_layout l;
	int prot = segment_prot(ph->flags);
	segment_cut(ph, &l);
	if (l.file_end > l.start) {
		struct vm_backing file = {
			.kind = VM_BACKING_FILE, .ip = ip, .pgoff = ph->offset / PAGE_SIZE,
		};
		int flags = VM_FIXED | VM_PRIVATE | VM_IMAGE | (ph->flags & PF_X ? VM_DENYWRITE : 0);
		long got = mm_mmap(mm, l.start, l.file_end - l.start, prot, flags, &file);
		if (got < 0)
			return map_error(got);
	}
	if (l.end > l.anon_start) {
		int err = mm_map(mm, l.anon_start, l.end - l.anon_start, prot, VM_PRIVATE, NULL);
		if (err)
			return map_error(err);
	}
	if (l.copy_len) {
		int err = copy_boundary(mm, ip, &l);
		if (err)
			return err;
	}
	if (l.end > *image_end)
		*image_end = l.end;
	return 0;
}

/* The build pass: map every loaded segment of a checked image into mm. */
static int build_image(struct mm *mm, struct inode *ip, const struct elf_image *img,
		       uint64_t *image_end)
{
	for (int i = 0; i < img->eh.phnum; i++) {
		if (!elf_segment_loaded(&img->ph[i]))
			continue;
		/* At most ELF_MAX_PHNUM segments, but each may copy a page: let the tick in. */
		if (proc_preempt_point())
			return -EINTR;
		int err = load_segment(mm, ip, &img->ph[i], image_end);
		if (err)
			return err;
	}
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
	/*
	 * Keep writers out from the first header read to the last mapping,
	 * so the file exec checks is the file it maps; the text areas then
	 * keep them out for as long as the program runs.
	 */
	err = inode_deny_write(ip);
	if (err)
		goto out_put;
	struct elf_image img;
	err = read_headers(ip, &img);
	if (err)
		goto out_allow;
	err = -ENOMEM;
	struct mm *mm = mm_create();
	if (!mm)
		goto out_free_headers;

	uint64_t image_end = 0, sp = 0;
	err = build_image(mm, ip, &img, &image_end);
	if (!err)
		err = mm_map_heap(mm, image_end);
	if (!err)
		err = mm_map(mm, USER_STACK_TOP - mm_stack_size(), mm_stack_size(),
			     PROT_READ | PROT_WRITE, VM_PRIVATE | VM_GROWSDOWN, NULL);
	if (!err && !(sp = push_args(mm, argv, argc)))
		err = -ENOMEM;
	if (err)
		goto out_mm;
	uint64_t entry = img.eh.entry;
	kfree(img.ph);
	inode_allow_write(ip);   /* the text areas hold their own deny */
	inode_put(ip);

	/* Point of no return: swap the image in. */
	spin_lock(&p->lock);
	struct mm *old = p->mm;
	p->mm = mm;
	set_name(p, path);   /* under p->lock: ps reads it */
	spin_unlock(&p->lock);
	/*
	 * Nothing runs on old any more: this hart leaves it here if p is the
	 * current process, and a p that is not current (init, being built at
	 * boot) has never run.
	 */
	if (p == proc_current())
		mm_activate(mm);
	mm_destroy(old);
	memset(&p->tf, 0, sizeof(p->tf));
	p->tf.epc = entry;
	p->tf.sp = sp;
	p->tf.a0 = (uint64_t)argc;
	p->tf.a1 = sp;
	return argc;

out_mm:
	mm_destroy(mm);
out_free_headers:
	kfree(img.ph);
out_allow:
	inode_allow_write(ip);
out_put:
	inode_put(ip);
	return err;
}

int proc_exec(const char *path, char *const argv[], int argc)
{
	return exec_into(proc_current(), path, argv, argc);
}
