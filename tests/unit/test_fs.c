/*
 * Host unit test of the file system: the real fs/ sources (all but fs/fs.c, the
 * current-process glue) against tests/unit/shim/shim_fs.c.
 *
 *   test_fs [IMAGE FILE...]
 *
 * With IMAGE (made by tools/mkfsimg.py from the FILEs), also unpacks it and
 * checks each FILE came through byte for byte.
 *
 * Prints "PASS name" or "FAIL name: why" per case; exits 1 if any failed.
 * Each case works under its own /tN names and removes them; the last case
 * checks that every page, object and inode came back.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/shim_fs.h"
#include "fs/console.h"
#include "fs/device.h"
#include "fs/dir.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/image.h"
#include "fs/inode.h"
#include "fs/namespace.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "fs/pipebuf.h"
#include "lib/errno.h"
#include "proc/proc.h"
#include "userland/include/lazuli/dirent.h"
#include "userland/include/lazuli/fcntl.h"
#include "userland/include/lazuli/stat.h"

static char why[512];

#define CHECK(cond, ...)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			int at = snprintf(why, sizeof(why), "line %d: ", \
			                  __LINE__);                    \
			snprintf(why + at, sizeof(why) - at, __VA_ARGS__); \
			return false;                                   \
		}                                                       \
	} while (0)

#define CHECK_EQ(a, b)                                                  \
	CHECK((long)(a) == (long)(b), "%s is %ld, want %ld", #a,        \
	      (long)(a), (long)(b))

#define U(p) ((uint64_t)(uintptr_t)(p))

/* ---- helpers ---------------------------------------------------------- */

static int mk(const char *path)
{
	return fs_create_at(NULL, path, T_DIR, 0, 0, false, NULL);
}

static int mkfile(const char *path)
{
	return fs_create_at(NULL, path, T_FILE, 0, 0, false, NULL);
}

static int rm(const char *path)
{
	return fs_unlink_at(NULL, path);
}

/* The inode path names (a new reference), or NULL. */
static struct inode *look(const char *path)
{
	struct inode *ip;
	return path_lookup(NULL, path, &ip) == 0 ? ip : NULL;
}

static int lookup_err(struct inode *dir, const char *path)
{
	struct inode *ip;
	int err = path_lookup(dir, path, &ip);
	if (err == 0)
		inode_put(ip);
	return err;
}

/* stat by path; 0 or an error. */
static int stat_path(const char *path, struct stat *st)
{
	struct inode *ip;
	int err = path_lookup(NULL, path, &ip);
	if (err)
		return err;
	inode_lock(ip);
	inode_stat(ip, st);
	inode_unlock(ip);
	inode_put(ip);
	return 0;
}

static long nlink_of(const char *path)
{
	struct stat st;
	return stat_path(path, &st) == 0 ? st.nlink : -1;
}

static uint32_t inum_of(const char *path)
{
	struct stat st;
	return stat_path(path, &st) == 0 ? st.ino : 0;
}

/* Create or truncate path and fill it with n bytes; 0 or an error. */
static long put_file(const char *path, const void *data, size_t n)
{
	struct file *f;
	int err = file_open_at(NULL, path, O_CREATE | O_WRONLY | O_TRUNC, &f);
	if (err)
		return err;
	long r = file_write(f, U(data), n);
	file_close(f);
	return r == (long)n ? 0 : (r < 0 ? r : -EIO);
}

/* Read up to max bytes of path into buf (NUL-terminated); bytes or error. */
static long get_file(const char *path, char *buf, size_t max)
{
	struct file *f;
	int err = file_open_at(NULL, path, O_RDONLY, &f);
	if (err)
		return err;
	long r = file_read(f, U(buf), max - 1);
	file_close(f);
	buf[r > 0 ? r : 0] = '\0';
	return r;
}

/* ---- paths and directories ---------------------------------------------- */

static bool test_path_next(void)
{
	char name[DIRSIZ + 1];
	const char *p = "//ab///cd/";

	CHECK_EQ(path_next(&p, name), 1);
	CHECK(strcmp(name, "ab") == 0, "got %s", name);
	CHECK_EQ(path_next(&p, name), 1);
	CHECK(strcmp(name, "cd") == 0, "got %s", name);
	CHECK_EQ(path_next(&p, name), 0);

	p = "abcdefghijklmn";            /* exactly DIRSIZ */
	CHECK_EQ(path_next(&p, name), 1);
	CHECK_EQ(strlen(name), DIRSIZ);
	p = "abcdefghijklmno";
	CHECK_EQ(path_next(&p, name), -ENAMETOOLONG);
	p = "";
	CHECK_EQ(path_next(&p, name), 0);
	CHECK(path_trailing_slash("a/"), "a/ has a trailing slash");
	CHECK(!path_trailing_slash("a"), "a has none");
	return true;
}

static bool test_root(void)
{
	struct inode *root = dir_root(), *ip;

	CHECK_EQ(root->inum, INODE_ROOT);
	ip = look("/");
	CHECK(ip == root, "/ is not the root");
	inode_put(ip);
	ip = look("/..");
	CHECK(ip == root, "/.. is not the root");
	inode_put(ip);
	ip = look("/./.././/..");
	CHECK(ip == root, "/./../../.. is not the root");
	inode_put(ip);
	CHECK(path_lookup(NULL, ".", &ip) == 0 && ip == root, "no cwd: . is the root");
	inode_put(ip);
	CHECK_EQ(lookup_err(NULL, ""), -ENOENT);
	CHECK_EQ(nlink_of("/"), 2);
	return true;
}

static bool test_mkdir_nested(void)
{
	struct inode *b, *ip, *t1;

	CHECK_EQ(mk("/t1"), 0);
	CHECK_EQ(mk("/t1/a"), 0);
	CHECK_EQ(mk("/t1/a/b"), 0);
	b = look("/t1/a/b");
	CHECK(b != NULL, "/t1/a/b not found");
	ip = look("/t1/a/b/../../a/./b");
	CHECK(ip == b, "dot-dot walk went elsewhere");
	inode_put(ip);
	ip = look("//t1///a//b//");
	CHECK(ip == b, "repeated slashes went elsewhere");
	inode_put(ip);

	t1 = look("/t1");
	CHECK(path_lookup(t1, "a/b", &ip) == 0 && ip == b, "relative a/b");
	inode_put(ip);
	CHECK(path_lookup(t1, "..", &ip) == 0 && ip == dir_root(), "relative ..");
	inode_put(ip);
	CHECK(path_lookup(t1, "/t1", &ip) == 0 && ip == t1, "absolute ignores dir");
	inode_put(ip);
	inode_put(t1);
	inode_put(b);

	CHECK_EQ(nlink_of("/"), 3);
	CHECK_EQ(nlink_of("/t1"), 3);
	CHECK_EQ(nlink_of("/t1/a"), 3);
	CHECK_EQ(nlink_of("/t1/a/b"), 2);

	CHECK_EQ(mk("/t1"), -EEXIST);
	CHECK_EQ(mk("/t1/a/b/."), -EEXIST);
	CHECK_EQ(mk("/nope/x"), -ENOENT);
	CHECK_EQ(mkfile("/t1/f"), 0);
	CHECK_EQ(mk("/t1/f/x"), -ENOTDIR);
	CHECK_EQ(lookup_err(NULL, "/t1/f/x"), -ENOTDIR);
	CHECK_EQ(mk("/t1/abcdefghijklmno"), -ENAMETOOLONG);
	CHECK_EQ(lookup_err(NULL, "/t1/abcdefghijklmno"), -ENAMETOOLONG);
	CHECK_EQ(mk("/t1/abcdefghijklmn"), 0);
	CHECK_EQ(lookup_err(NULL, "/t1/abcdefghijklmn"), 0);
	CHECK_EQ(mk("/"), -EINVAL);
	CHECK_EQ(mk(""), -ENOENT);

	CHECK_EQ(rm("/t1/abcdefghijklmn"), 0);
	CHECK_EQ(rm("/t1/f"), 0);
	CHECK_EQ(rm("/t1/a/b"), 0);
	CHECK_EQ(nlink_of("/t1/a"), 2);
	CHECK_EQ(rm("/t1/a"), 0);
	CHECK_EQ(rm("/t1"), 0);
	CHECK_EQ(nlink_of("/"), 2);
	return true;
}

static bool test_dir_read(void)
{
	struct dirent de[8];
	struct file *f;

	CHECK_EQ(mk("/t2"), 0);
	CHECK_EQ(mkfile("/t2/x"), 0);
	CHECK_EQ(mk("/t2/y"), 0);

	CHECK_EQ(file_open_at(NULL, "/t2", O_RDONLY, &f), 0);
	CHECK_EQ(file_read(f, U(de), sizeof(de)), 4 * sizeof(struct dirent));
	CHECK(strcmp(de[0].name, ".") == 0 && de[0].inum == inum_of("/t2"), "first is .");
	CHECK(strcmp(de[1].name, "..") == 0 && de[1].inum == INODE_ROOT, "second is ..");
	CHECK(strcmp(de[2].name, "x") == 0 && de[2].inum == inum_of("/t2/x"), "x");
	CHECK(strcmp(de[3].name, "y") == 0, "y");
	CHECK_EQ(file_read(f, U(de), sizeof(de)), 0);
	file_close(f);

	CHECK_EQ(file_open_at(NULL, "/t2", O_WRONLY, &f), -EISDIR);
	CHECK_EQ(file_open_at(NULL, "/t2", O_RDWR, &f), -EISDIR);
	CHECK_EQ(file_open_at(NULL, "/t2", O_CREATE | O_RDONLY, &f), -EISDIR);

	/* A freed slot is reused; the directory does not grow. */
	CHECK_EQ(rm("/t2/x"), 0);
	CHECK_EQ(mkfile("/t2/z"), 0);
	CHECK_EQ(file_open_at(NULL, "/t2", O_RDONLY, &f), 0);
	CHECK_EQ(file_read(f, U(de), sizeof(de)), 4 * sizeof(struct dirent));
	CHECK(strcmp(de[2].name, "z") == 0, "slot 2 is %s", de[2].name);
	file_close(f);

	CHECK_EQ(rm("/t2/y"), 0);
	CHECK_EQ(rm("/t2/z"), 0);
	CHECK_EQ(rm("/t2"), 0);
	return true;
}

/* ---- regular files ------------------------------------------------------ */

static bool test_file_rw(void)
{
	char buf[64];
	struct file *f, *r, *w;
	struct stat st;
	long base_pages = shim_fs_pages;

	CHECK_EQ(file_open_at(NULL, "/t3", O_CREATE | O_RDWR, &f), 0);
	CHECK_EQ(file_write(f, U("hello world"), 11), 11);
	CHECK_EQ(f->off, 11);
	CHECK_EQ(file_read(f, U(buf), sizeof(buf)), 0);

	CHECK_EQ(file_open_at(NULL, "/t3", O_RDONLY, &r), 0);
	CHECK_EQ(file_read(r, U(buf), 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "first read");
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 6);
	CHECK(memcmp(buf, " world", 6) == 0, "second read");
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 0);
	CHECK_EQ(file_write(r, U("x"), 1), -EBADF);
	file_close(r);

	CHECK_EQ(file_open_at(NULL, "/t3", O_WRONLY, &w), 0);
	CHECK_EQ(file_read(w, U(buf), 1), -EBADF);
	CHECK_EQ(file_write(w, U("HE"), 2), 2);
	file_close(w);
	CHECK_EQ(get_file("/t3", buf, sizeof(buf)), 11);
	CHECK(strcmp(buf, "HEllo world") == 0, "overwrite gave %s", buf);

	/* The kernel-side read exec uses. */
	CHECK_EQ(inode_read(f->ip, buf, 6, 100), 5);
	CHECK(memcmp(buf, "world", 5) == 0, "inode_read");
	CHECK_EQ(inode_read(f->ip, buf, 11, 100), 0);

	CHECK_EQ(file_stat(f, &st), 0);
	CHECK(st.type == T_FILE && st.size == 11 && st.nlink == 1 && st.dev == FS_DEV,
	      "stat type %d size %lu nlink %d", st.type, (unsigned long)st.size, st.nlink);

	/* dup shares the offset. */
	struct file *g = file_dup(f);
	CHECK_EQ(file_write(g, U("!"), 1), 1);
	CHECK_EQ(f->off, 12);
	file_close(g);

	CHECK_EQ(file_open_at(NULL, "/t3", 3, &r), -EINVAL);
	CHECK_EQ(file_open_at(NULL, "/t3-missing", O_RDONLY, &r), -ENOENT);

	/* O_CREATE of an existing file keeps it; O_TRUNC empties it. */
	CHECK_EQ(file_open_at(NULL, "/t3", O_CREATE | O_RDONLY, &r), 0);
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 12);
	file_close(r);
	CHECK_EQ(file_open_at(NULL, "/t3", O_WRONLY | O_TRUNC, &w), 0);
	CHECK_EQ(file_stat(w, &st), 0);
	CHECK_EQ(st.size, 0);
	CHECK_EQ(shim_fs_pages, base_pages);
	file_close(w);

	file_close(f);
	CHECK_EQ(rm("/t3"), 0);
	return true;
}

/* Write one byte at off through the kernel interface; result of writei. */
static long poke(struct inode *ip, uint64_t off, char c)
{
	return inode_writei(ip, &c, off, 1);
}

static char peek(struct inode *ip, uint64_t off)
{
	char c = '?';
	inode_readi(ip, &c, off, 1);
	return c;
}

static bool test_growth_holes(void)
{
	char buf[PAGE_SIZE];
	long base = shim_fs_pages;
	uint64_t first_ind = PAGEMAP_NDIRECT * PAGE_SIZE;
	uint64_t first_dind = (PAGEMAP_NDIRECT + PAGEMAP_PER_INDEX) * PAGE_SIZE;

	CHECK_EQ(mkfile("/t4"), 0);
	struct inode *ip = look("/t4");
	inode_lock(ip);

	CHECK_EQ(poke(ip, 5 * PAGE_SIZE + 7, 'A'), 1);
	CHECK_EQ(ip->size, 5 * PAGE_SIZE + 8);
	CHECK_EQ(shim_fs_pages, base + 1);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(inode_readi(ip, buf, 2 * PAGE_SIZE, PAGE_SIZE), PAGE_SIZE);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK(buf[i] == 0, "hole byte %zu is %d", i, buf[i]);
	CHECK(peek(ip, 5 * PAGE_SIZE + 6) == 0, "byte before the write");
	CHECK(peek(ip, 5 * PAGE_SIZE + 7) == 'A', "the written byte");

	CHECK_EQ(poke(ip, first_ind, 'B'), 1);
	CHECK_EQ(shim_fs_pages, base + 3);          /* index page + data page */
	CHECK_EQ(poke(ip, first_dind, 'C'), 1);
	CHECK_EQ(shim_fs_pages, base + 6);          /* two index pages + data */
	CHECK_EQ(poke(ip, INODE_MAX_SIZE - 1, 'D'), 1);
	CHECK_EQ(shim_fs_pages, base + 8);
	CHECK_EQ(ip->size, INODE_MAX_SIZE);
	CHECK(peek(ip, first_ind) == 'B' && peek(ip, first_dind) == 'C' &&
	      peek(ip, INODE_MAX_SIZE - 1) == 'D', "bytes at the tree's edges");
	CHECK(peek(ip, first_dind + PAGE_SIZE) == 0, "hole in the double-indirect range");

	CHECK_EQ(poke(ip, INODE_MAX_SIZE, 'E'), -EFBIG);
	CHECK_EQ(inode_writei(ip, "12345678", INODE_MAX_SIZE - 4, 8), 4);
	CHECK_EQ(inode_readi(ip, buf, INODE_MAX_SIZE - 4, 8), 4);
	CHECK_EQ(inode_readi(ip, buf, INODE_MAX_SIZE + 100, 8), 0);
	CHECK_EQ(inode_writei(ip, buf, 0, 0), 0);

	inode_truncate(ip);
	CHECK_EQ(ip->size, 0);
	CHECK_EQ(shim_fs_pages, base);
	CHECK(peek(ip, 0) == '?', "read past the end of an empty file");
	inode_unlock(ip);
	inode_put(ip);
	CHECK_EQ(rm("/t4"), 0);
	return true;
}

static bool test_big_file(void)
{
	const size_t size = 1024 * 1024 + 123;
	unsigned char *data = malloc(size), *back = calloc(1, size);
	long base = shim_fs_pages, base_files = shim_fs_file_pages;
	struct file *f;

	for (size_t i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 7 + i / 4096);
	CHECK_EQ(file_open_at(NULL, "/t5", O_CREATE | O_RDWR, &f), 0);
	for (size_t at = 0; at < size; at += 10000) {
		size_t n = size - at < 10000 ? size - at : 10000;
		CHECK_EQ(file_write(f, U(data + at), n), n);
	}
	/* 257 data pages (the page cache), one indirect index page. */
	CHECK_EQ(shim_fs_pages, base + 257 + 1);
	CHECK_EQ(shim_fs_file_pages, base_files + 257);
	file_close(f);

	CHECK_EQ(file_open_at(NULL, "/t5", O_RDONLY, &f), 0);
	size_t got = 0;
	long r;
	while ((r = file_read(f, U(back + got), 777)) > 0)
		got += (size_t)r;
	CHECK_EQ(r, 0);
	CHECK_EQ(got, size);
	CHECK(memcmp(data, back, size) == 0, "read back differs");

	/* The name goes first; the pages go with the last reference. */
	CHECK_EQ(rm("/t5"), 0);
	CHECK_EQ(shim_fs_pages, base + 258);
	file_close(f);
	CHECK_EQ(shim_fs_pages, base);
	free(data);
	free(back);
	return true;
}

static bool test_bad_user_buffers(void)
{
	char *buf = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);
	char out[PAGE_SIZE];
	struct file *f;

	memset(buf, 'u', 4 * PAGE_SIZE);
	CHECK_EQ(file_open_at(NULL, "/t6", O_CREATE | O_RDWR, &f), 0);

	/* A fault part way: whole first page written, then it stops. */
	shim_fs_set_bad_user(U(buf) + PAGE_SIZE + 100, U(buf) + 3 * PAGE_SIZE);
	CHECK_EQ(file_write(f, U(buf), 3 * PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(f->ip->size, PAGE_SIZE);
	CHECK_EQ(file_write(f, U(buf) + PAGE_SIZE + 200, 10), -EFAULT);
	CHECK_EQ(file_write(f, 16, 10), -EFAULT);
	shim_fs_set_bad_user(0, 0);

	/* The 100 bytes the failed copy stored past the size read as zeros. */
	f->off = 3 * PAGE_SIZE;
	CHECK_EQ(file_write(f, U("z"), 1), 1);
	CHECK_EQ(inode_read(f->ip, out, PAGE_SIZE, PAGE_SIZE), PAGE_SIZE);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK(out[i] == 0, "byte %zu past the old size is %d", i, out[i]);

	f->off = 0;
	CHECK_EQ(file_read(f, 16, 10), -EFAULT);
	CHECK_EQ(f->off, 0);
	file_close(f);
	CHECK_EQ(rm("/t6"), 0);
	free(buf);
	return true;
}

/* ---- page lending, ETXTBSY, truncation ----------------------------------- */

/* A lent frame's bytes: the shim's physical addresses are host pointers. */
static uint8_t *frame_bytes(uint64_t pa)
{
	return (uint8_t *)(uintptr_t)pa;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool test_page_frame(void)
{
	struct file *f;
	uint64_t pa, pa2, none = 0;
	long files = shim_fs_file_pages;
	int gets = shim_fs_frame_gets;

	CHECK_EQ(file_open_at(NULL, "/t20", O_CREATE | O_RDWR, &f), 0);
	struct inode *ip = f->ip;
	CHECK_EQ(inode_page_frame(ip, 0, &none), -ENXIO);   /* empty: page 0 is at the end */
	f->off = 2 * PAGE_SIZE + 10;
	CHECK_EQ(file_write(f, U("tail"), 4), 4);           /* size: 2 pages + 14 */
	CHECK_EQ(shim_fs_file_pages, files + 1);

	/* A hole becomes a zeroed page, the file's own from then on. */
	CHECK_EQ(inode_page_frame(ip, 0, &pa), 0);
	CHECK_EQ(shim_fs_file_pages, files + 2);
	CHECK_EQ(shim_fs_frame_gets, gets + 1);
	CHECK(all_zero(frame_bytes(pa), PAGE_SIZE), "the hole's page is not zero");
	f->off = 5;
	CHECK_EQ(file_write(f, U("x"), 1), 1);
	CHECK(frame_bytes(pa)[5] == 'x', "a write does not show in the lent frame");
	CHECK_EQ(inode_page_frame(ip, 0, &pa2), 0);
	CHECK(pa2 == pa, "page 0 lent twice as different frames");
	frame_put(pa2);

	/* The last page: the data, then zeros to the end of the page. */
	CHECK_EQ(inode_page_frame(ip, 2, &pa2), 0);
	CHECK(memcmp(frame_bytes(pa2) + 10, "tail", 4) == 0, "last page data");
	CHECK(all_zero(frame_bytes(pa2) + 14, PAGE_SIZE - 14), "the tail is not zero");
	frame_put(pa2);

	/* Wholly at or past the end, out of the tree's range, not a file. */
	CHECK_EQ(inode_page_frame(ip, 3, &none), -ENXIO);
	CHECK_EQ(inode_page_frame(ip, PAGEMAP_MAX_PAGES, &none), -ENXIO);
	CHECK_EQ(inode_page_frame(ip, UINT64_MAX, &none), -ENXIO);
	CHECK_EQ(inode_page_frame(dir_root(), 0, &none), -ENXIO);
	CHECK_EQ(none, 0);
	shim_fs_alloc_budget = 0;
	CHECK_EQ(inode_page_frame(ip, 1, &none), -ENOMEM);   /* a hole, no memory */
	shim_fs_alloc_budget = -1;

	/*
	 * O_TRUNC: the file lets its pages go, a lent one lives on until put.
	 * mm hears of it only while some area maps the file.
	 */
	shim_fs_truncated_ip = NULL;
	struct file *t;
	inode_map_get(ip);
	CHECK_EQ(file_open_at(NULL, "/t20", O_WRONLY | O_TRUNC, &t), 0);
	CHECK(shim_fs_truncated_ip == ip && shim_fs_truncated_size == 0,
	      "O_TRUNC did not tell mm (size %lu)", (unsigned long)shim_fs_truncated_size);
	inode_map_put(ip);
	CHECK_EQ(ip->mapped, 0);
	CHECK_EQ(ip->size, 0);
	CHECK_EQ(shim_fs_file_pages, files + 1);
	frame_put(pa);
	CHECK_EQ(shim_fs_file_pages, files);
	CHECK_EQ(inode_page_frame(ip, 0, &none), -ENXIO);
	file_close(t);
	shim_fs_truncated_ip = NULL;   /* nothing maps it now: mm is not asked */
	CHECK_EQ(file_open_at(NULL, "/t20", O_WRONLY | O_TRUNC, &t), 0);
	CHECK(shim_fs_truncated_ip == NULL, "O_TRUNC of an unmapped file told mm");
	file_close(t);
	file_close(f);
	CHECK_EQ(rm("/t20"), 0);
	return true;
}

static bool test_etxtbsy(void)
{
	struct file *w, *r;
	char buf[8];

	CHECK_EQ(put_file("/t21", "prog", 4), 0);
	struct inode *ip = look("/t21");

	/* A writer open: exec is refused. */
	CHECK_EQ(file_open_at(NULL, "/t21", O_WRONLY, &w), 0);
	CHECK_EQ(inode_deny_write(ip), -ETXTBSY);
	file_close(w);

	/* Running (twice): writers and truncation are refused. */
	CHECK_EQ(inode_deny_write(ip), 0);
	CHECK_EQ(inode_deny_write(ip), 0);
	shim_fs_truncated_ip = NULL;
	CHECK_EQ(file_open_at(NULL, "/t21", O_WRONLY, &w), -ETXTBSY);
	CHECK_EQ(file_open_at(NULL, "/t21", O_RDWR, &w), -ETXTBSY);
	CHECK_EQ(file_open_at(NULL, "/t21", O_CREATE | O_WRONLY | O_TRUNC, &w), -ETXTBSY);
	CHECK_EQ(file_open_at(NULL, "/t21", O_RDONLY | O_TRUNC, &w), -ETXTBSY);
	CHECK(shim_fs_truncated_ip == NULL, "a refused O_TRUNC told mm");
	CHECK_EQ(ip->size, 4);
	CHECK_EQ(ip->writers, 0);   /* the refused opens counted no writer */
	CHECK_EQ(get_file("/t21", buf, sizeof(buf)), 4);   /* reading is fine */

	/* One allow per deny; the last one lets writers in again. */
	inode_allow_write(ip);
	CHECK_EQ(file_open_at(NULL, "/t21", O_WRONLY, &w), -ETXTBSY);
	inode_allow_write(ip);
	CHECK_EQ(file_open_at(NULL, "/t21", O_WRONLY, &w), 0);
	CHECK_EQ(file_open_at(NULL, "/t21", O_RDWR, &r), 0);
	CHECK_EQ(ip->writers, 2);
	file_close(r);
	file_close(w);
	CHECK_EQ(ip->writers, 0);
	CHECK_EQ(ip->text, 0);

	/* Opening without O_TRUNC tells mm nothing. */
	CHECK_EQ(file_open_at(NULL, "/t21", O_RDWR, &w), 0);
	CHECK(shim_fs_truncated_ip == NULL, "a plain open told mm of a truncation");
	file_close(w);
	inode_put(ip);
	CHECK_EQ(rm("/t21"), 0);
	return true;
}

/* ---- reads and writes through a bounce page -------------------------------- */

/*
 * Run at every user copy: what a fault on a mapping of the file does, mm
 * calling inode_page_frame, which takes the inode's lock. The shim's
 * sleeplocks abort if read or write still held it.
 */
static struct inode *hook_ip;
static int hook_calls;

static void hook_fault_on_file(void)
{
	uint64_t pa;

	hook_calls++;
	if (inode_page_frame(hook_ip, 0, &pa) == 0)
		frame_put(pa);
}

static bool test_bounce_io(void)
{
	enum { N = 3 * PAGE_SIZE + 5 };
	uint8_t *data = malloc(N), *back = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);
	long objects = shim_fs_objects;
	struct file *f;

	for (size_t i = 0; i < N; i++)
		data[i] = (uint8_t)(i * 11 + 3);
	CHECK_EQ(file_open_at(NULL, "/t22", O_CREATE | O_RDWR, &f), 0);
	CHECK_EQ(file_write(f, U("seed"), 4), 4);   /* page 0 exists for the hook */
	f->off = 0;

	/* The copies run with no inode lock held. */
	hook_ip = f->ip;
	hook_calls = 0;
	shim_fs_copy_hook = hook_fault_on_file;
	CHECK_EQ(file_write(f, U(data), N), N);
	CHECK_EQ(f->off, N);
	f->off = 0;
	CHECK_EQ(file_read(f, U(back), 4 * PAGE_SIZE), N);
	CHECK_EQ(f->off, N);
	CHECK(memcmp(back, data, N) == 0, "read back differs");
	CHECK(hook_calls >= 8, "only %d user copies", hook_calls);
	shim_fs_copy_hook = NULL;

	/* Unaligned: chunks end at file pages, not buffer pages. */
	f->off = 100;
	memset(back, 0, 4 * PAGE_SIZE);
	CHECK_EQ(file_read(f, U(back) + 1, 2 * PAGE_SIZE), 2 * PAGE_SIZE);
	CHECK(memcmp(back + 1, data + 100, 2 * PAGE_SIZE) == 0, "unaligned read");

	/* A read whose buffer faults part way: the count up to the fault. */
	f->off = 0;
	shim_fs_set_bad_user(U(back) + PAGE_SIZE + 100, U(back) + 2 * PAGE_SIZE);
	CHECK_EQ(file_read(f, U(back), 3 * PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(f->off, PAGE_SIZE);
	CHECK_EQ(file_read(f, U(back) + PAGE_SIZE + 200, 10), -EFAULT);
	CHECK_EQ(f->off, PAGE_SIZE);

	/* A write whose buffer faults: nothing of the faulting chunk lands. */
	f->off = 10;
	shim_fs_set_bad_user(U(data) + 50, U(data) + 60);
	CHECK_EQ(file_write(f, U("ABCDEFGH"), 8) , 8);   /* not the bad range */
	CHECK_EQ(file_write(f, U(data), 2 * PAGE_SIZE), -EFAULT);
	CHECK_EQ(f->off, 18);
	shim_fs_set_bad_user(U(data) + PAGE_SIZE + 5, U(data) + PAGE_SIZE + 6);
	f->off = 10;
	CHECK_EQ(file_write(f, U(data), 2 * PAGE_SIZE), PAGE_SIZE - 10);
	CHECK_EQ(f->off, PAGE_SIZE);
	shim_fs_set_bad_user(0, 0);
	CHECK_EQ(f->ip->size, N);
	CHECK_EQ(inode_read(f->ip, back, 0, PAGE_SIZE), PAGE_SIZE);
	CHECK(memcmp(back + 10, data, PAGE_SIZE - 10) == 0, "the chunk before the fault");

	/*
	 * No memory: a read needs none (it copies from the file's own frame),
	 * a write's bounce page fails with -ENOMEM and the offset kept.
	 */
	shim_fs_alloc_budget = 0;
	f->off = 0;
	CHECK_EQ(file_write(f, U(back), 10), -ENOMEM);
	CHECK_EQ(f->off, 0);
	CHECK_EQ(file_read(f, U(back), 20), 20);
	CHECK(memcmp(back + 10, data, 10) == 0, "a read with no memory left");
	CHECK_EQ(f->off, 20);
	f->off = N;
	CHECK_EQ(file_read(f, U(back), 10), 0);
	CHECK_EQ(file_read(f, U(back), 0), 0);
	shim_fs_alloc_budget = -1;

	/* EFBIG at the largest size, a short write just below it. */
	f->off = INODE_MAX_SIZE;
	CHECK_EQ(file_write(f, U("12345678"), 8), -EFBIG);
	CHECK_EQ(file_write(f, U("12345678"), 0), 0);
	f->off = INODE_MAX_SIZE - 4;
	CHECK_EQ(file_write(f, U("12345678"), 8), 4);
	CHECK_EQ(f->off, INODE_MAX_SIZE);

	file_close(f);
	CHECK_EQ(rm("/t22"), 0);
	CHECK_EQ(shim_fs_objects, objects);   /* every bounce page went back */
	free(data);
	free(back);
	return true;
}

/* ---- growth never uncovers bytes past the old end -------------------------- */

static bool test_zero_on_growth(void)
{
	uint8_t buf[PAGE_SIZE];
	struct file *f;
	uint64_t pa, pa3;
	long files = shim_fs_file_pages;

	CHECK_EQ(file_open_at(NULL, "/t23", O_CREATE | O_RDWR, &f), 0);
	struct inode *ip = f->ip;
	CHECK_EQ(file_write(f, U("abc"), 3), 3);
	CHECK_EQ(inode_page_frame(ip, 0, &pa), 0);

	/* A shared mapping stores past the end of the file, in its last page. */
	memset(frame_bytes(pa) + 3, 'M', PAGE_SIZE - 3);
	f->off = 0;
	CHECK_EQ(file_read(f, U(buf), sizeof(buf)), 3);

	/* A write a little further on: the gap reads as zeros. */
	f->off = 10;
	CHECK_EQ(file_write(f, U("Z"), 1), 1);
	CHECK_EQ(inode_read(ip, buf, 0, sizeof(buf)), 11);
	CHECK(memcmp(buf, "abc\0\0\0\0\0\0\0Z", 11) == 0, "gap in the last page");

	/* Into a later page: the old last page is zeroed to its end, the
	 * pages between are holes. */
	memset(frame_bytes(pa) + 11, 'M', PAGE_SIZE - 11);
	f->off = 3 * PAGE_SIZE;
	CHECK_EQ(file_write(f, U("Y"), 1), 1);
	CHECK_EQ(shim_fs_file_pages, files + 2);
	CHECK_EQ(inode_read(ip, buf, 0, sizeof(buf)), PAGE_SIZE);
	CHECK(all_zero(buf + 11, PAGE_SIZE - 11), "the old last page's tail");
	for (int pg = 1; pg < 3; pg++) {
		CHECK_EQ(inode_read(ip, buf, pg * PAGE_SIZE, sizeof(buf)), PAGE_SIZE);
		CHECK(all_zero(buf, PAGE_SIZE), "page %d between", pg);
	}

	/* Kernel writes (directories, the boot image) grow the same way. */
	CHECK_EQ(inode_page_frame(ip, 3, &pa3), 0);
	memset(frame_bytes(pa3) + 1, 'M', PAGE_SIZE - 1);
	inode_lock(ip);
	CHECK_EQ(inode_writei(ip, "K", 3 * PAGE_SIZE + 100, 1), 1);
	CHECK_EQ(inode_readi(ip, buf, 3 * PAGE_SIZE, sizeof(buf)), 101);
	inode_unlock(ip);
	CHECK(buf[0] == 'Y' && all_zero((uint8_t *)buf + 1, 99) && buf[100] == 'K',
	      "kernel write's gap");

	/* A write that starts inside the file and runs past its end. */
	memset(frame_bytes(pa3) + 101, 'M', PAGE_SIZE - 101);
	f->off = 3 * PAGE_SIZE + 99;
	CHECK_EQ(file_write(f, U("ab"), 2), 2);
	CHECK_EQ(inode_read(ip, buf, 3 * PAGE_SIZE + 99, sizeof(buf)), 2);
	CHECK(memcmp(buf, "ab", 2) == 0, "overlapping growth");

	frame_put(pa3);
	frame_put(pa);
	file_close(f);
	CHECK_EQ(rm("/t23"), 0);
	CHECK_EQ(shim_fs_file_pages, files);
	return true;
}

/* ---- names: link, unlink ------------------------------------------------ */

static bool test_link_unlink(void)
{
	char buf[32];
	unsigned base = inode_count();

	CHECK_EQ(put_file("/t7a", "shared", 6), 0);
	CHECK_EQ(fs_link_at(NULL, "/t7a", "/t7b"), 0);
	CHECK_EQ(inum_of("/t7a"), inum_of("/t7b"));
	CHECK_EQ(nlink_of("/t7a"), 2);
	CHECK_EQ(fs_link_at(NULL, "/t7a", "/t7b"), -EEXIST);
	CHECK_EQ(fs_link_at(NULL, "/t7-none", "/t7c"), -ENOENT);
	CHECK_EQ(fs_link_at(NULL, "/t7a", "/t7-none/c"), -ENOENT);
	CHECK_EQ(fs_link_at(NULL, "/t7a", "/t7c/"), -ENOENT);
	CHECK_EQ(mk("/t7d"), 0);
	CHECK_EQ(fs_link_at(NULL, "/t7d", "/t7e"), -EPERM);
	CHECK_EQ(nlink_of("/t7a"), 2);

	CHECK_EQ(rm("/t7a"), 0);
	CHECK_EQ(nlink_of("/t7b"), 1);
	CHECK_EQ(get_file("/t7b", buf, sizeof(buf)), 6);
	CHECK(strcmp(buf, "shared") == 0, "content %s", buf);

	CHECK_EQ(rm("/t7d/."), -EINVAL);
	CHECK_EQ(rm("/t7d/.."), -EINVAL);
	CHECK_EQ(rm("/"), -EINVAL);
	CHECK_EQ(mkfile("/t7d/f"), 0);
	CHECK_EQ(rm("/t7d"), -ENOTEMPTY);
	CHECK_EQ(rm("/t7d/f"), 0);
	CHECK_EQ(nlink_of("/"), 3);
	CHECK_EQ(rm("/t7d"), 0);
	CHECK_EQ(nlink_of("/"), 2);
	CHECK_EQ(rm("/t7d"), -ENOENT);
	CHECK_EQ(rm("/t7b"), 0);
	CHECK_EQ(inode_count(), base);
	return true;
}

static bool test_unlink_open_file(void)
{
	char buf[16];
	struct file *w, *r;
	struct stat st;
	unsigned base = inode_count();
	long pages = shim_fs_pages;

	CHECK_EQ(file_open_at(NULL, "/t8", O_CREATE | O_RDWR, &w), 0);
	CHECK_EQ(file_write(w, U("keep me"), 7), 7);
	CHECK_EQ(file_open_at(NULL, "/t8", O_RDONLY, &r), 0);
	CHECK_EQ(rm("/t8"), 0);
	CHECK(look("/t8") == NULL, "the name outlived unlink");
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 7);
	CHECK(memcmp(buf, "keep me", 7) == 0, "data of the unlinked file");
	CHECK_EQ(file_stat(w, &st), 0);
	CHECK_EQ(st.nlink, 0);
	CHECK_EQ(file_write(w, U("!"), 1), 1);   /* still writable */
	file_close(w);
	CHECK_EQ(inode_count(), base + 1);
	file_close(r);
	CHECK_EQ(inode_count(), base);
	CHECK_EQ(shim_fs_pages, pages);
	return true;
}

static bool test_removed_dir(void)
{
	struct inode *d, *ip;
	struct file *f;
	unsigned base = inode_count();

	CHECK_EQ(mk("/t9"), 0);
	CHECK_EQ(mk("/t9/d"), 0);
	d = look("/t9/d");                  /* as a process's cwd would */
	CHECK_EQ(rm("/t9/d"), 0);
	CHECK_EQ(nlink_of("/t9"), 2);
	CHECK_EQ(fs_create_at(d, "x", T_FILE, 0, 0, false, NULL), -ENOENT);
	CHECK_EQ(fs_create_at(d, "sub", T_DIR, 0, 0, false, NULL), -ENOENT);
	CHECK_EQ(path_lookup(d, ".", &ip), -ENOENT);
	CHECK_EQ(path_lookup(d, "..", &ip), -ENOENT);
	CHECK_EQ(file_open_at(d, ".", O_RDONLY, &f), -ENOENT);
	CHECK_EQ(inode_count(), base + 2);
	inode_put(d);
	CHECK_EQ(inode_count(), base + 1);
	CHECK_EQ(rm("/t9"), 0);
	CHECK_EQ(inode_count(), base);
	return true;
}

static bool test_trailing_slash(void)
{
	struct file *f;

	CHECK_EQ(mkfile("/t10f"), 0);
	CHECK_EQ(lookup_err(NULL, "/t10f/"), -ENOTDIR);
	CHECK_EQ(file_open_at(NULL, "/t10n/", O_CREATE | O_RDWR, &f), -EISDIR);
	CHECK(look("/t10n") == NULL, "created a file from a name with a slash");
	CHECK_EQ(file_open_at(NULL, "/t10f/", O_CREATE | O_RDWR, &f), -ENOTDIR);
	CHECK_EQ(mk("/t10d/"), 0);
	CHECK_EQ(lookup_err(NULL, "/t10d/"), 0);
	CHECK_EQ(rm("/t10f/"), -ENOTDIR);
	CHECK_EQ(rm("/t10d/"), 0);
	CHECK_EQ(rm("/t10f"), 0);
	return true;
}

/* ---- devices and the console -------------------------------------------- */

static bool test_devices(void)
{
	struct file *f;
	struct stat st;

	CHECK_EQ(fs_create_at(NULL, "/t11c", T_DEVICE, CONSOLE_MAJOR, 0, false, NULL), 0);
	CHECK_EQ(file_open_at(NULL, "/t11c", O_RDWR, &f), 0);
	CHECK_EQ(f->kind, FILE_DEVICE);
	shim_fs_uart_len = 0;
	CHECK_EQ(file_write(f, U("to the uart"), 11), 11);
	CHECK(strcmp(shim_fs_uart, "to the uart") == 0, "uart got %.60s", shim_fs_uart);
	CHECK_EQ(file_stat(f, &st), 0);
	CHECK_EQ(st.type, T_DEVICE);
	file_close(f);

	CHECK_EQ(fs_create_at(NULL, "/t11n", T_DEVICE, 7, 0, false, NULL), 0);
	CHECK_EQ(file_open_at(NULL, "/t11n", O_RDONLY, &f), -ENODEV);
	CHECK_EQ(fs_create_at(NULL, "/t11n", T_DEVICE, 7, 0, false, NULL), -EEXIST);
	CHECK(device_lookup(0) == NULL && device_lookup(DEVICE_MAJORS) == NULL &&
	      device_lookup(-1) == NULL, "out-of-range majors");
	CHECK_EQ(rm("/t11c"), 0);
	CHECK_EQ(rm("/t11n"), 0);
	return true;
}

static void type(const char *s)
{
	while (*s)
		console_input((unsigned char)*s++);
}

static const char *typed_by_hook;
static void hook_type(void *chan)
{
	(void)chan;
	type(typed_by_hook);
}

static void hook_kill(void *chan)
{
	(void)chan;
	shim_fs_proc.killed = true;
}

static bool test_console(void)
{
	const struct device_ops *con = device_lookup(CONSOLE_MAJOR);
	char buf[200];

	CHECK(con != NULL, "console not registered");
	shim_fs_uart_len = 0;
	type("hi\r");
	CHECK(strcmp(shim_fs_uart, "hi\n") == 0, "echo %.60s", shim_fs_uart);
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 3);
	CHECK(memcmp(buf, "hi\n", 3) == 0, "line");

	shim_fs_uart_len = 0;
	type("ab\bc\x7f" "d\n");
	CHECK(strcmp(shim_fs_uart, "ab\b \bc\b \bd\n") == 0, "echo %.60s", shim_fs_uart);
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 3);
	CHECK(memcmp(buf, "ad\n", 3) == 0, "backspace and delete");

	shim_fs_uart_len = 0;
	type("\b");                                /* nothing to erase */
	CHECK_EQ(shim_fs_uart_len, 0);
	type("xyz\x15ok\n");                       /* ^U */
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 3);
	CHECK(memcmp(buf, "ok\n", 3) == 0, "kill line");

	type("\x04");                              /* ^D at line start */
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 0);
	type("ab\x04");                            /* ^D inside a line */
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 2);
	typed_by_hook = "c\n";
	shim_fs_sleep_hook = hook_type;
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 2);   /* blocks, then c\n */
	CHECK(memcmp(buf, "c\n", 2) == 0, "after the hand-over");

	type("l1\nl2\n");
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 3);
	CHECK_EQ(con->read(0, U(buf), 2), 2);
	CHECK(memcmp(buf, "l2", 2) == 0, "partial line");
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 1);
	CHECK_EQ(con->read(0, U(buf), 0), 0);

	/* A line holds 1024 characters: the rest ring the bell, never cut the line. */
	static char longline[1100];
	memset(longline, 'x', 1030);
	longline[1030] = '\n';
	longline[1031] = '\0';
	shim_fs_uart_len = 0;
	type(longline);
	CHECK(memchr(shim_fs_uart, '\a', shim_fs_uart_len) != NULL, "no bell for a long line");
	long got = 0, r;
	while ((r = con->read(0, U(buf), sizeof(buf))) > 0) {
		got += r;
		if (buf[r - 1] == '\n')
			break;
	}
	CHECK_EQ(got, 1025);

	/* ^C with no foreground group: the line goes, an empty one comes. */
	type("abc\x03");
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 1);
	CHECK(buf[0] == '\n', "^C hands over an empty line");

	type("zz\n");
	CHECK_EQ(con->read(0, 16, 10), -EFAULT);
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 3);   /* the fault lost nothing */

	shim_fs_sleep_hook = hook_kill;
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), -EINTR);
	shim_fs_proc.killed = false;
	shim_fs_sleep_hook = NULL;

	shim_fs_uart_len = 0;
	CHECK_EQ(con->write(0, U("out"), 3), 3);
	CHECK_EQ(con->write(0, 16, 3), -EFAULT);
	CHECK(strcmp(shim_fs_uart, "out") == 0, "write %.60s", shim_fs_uart);
	return true;
}

/* ---- pipes -------------------------------------------------------------- */

static bool test_pipebuf(void)
{
	uint8_t in[PIPEBUF_SIZE + 100], out[PIPEBUF_SIZE + 100];
	struct pipebuf b = { .data = malloc(PIPEBUF_SIZE),
	                     .nread = UINT32_MAX - 10, .nwrite = UINT32_MAX - 10 };

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13);
	CHECK_EQ(pipebuf_used(&b), 0);
	CHECK_EQ(pipebuf_room(&b), PIPEBUF_SIZE);
	CHECK_EQ(pipebuf_put(&b, in, 100), 100);       /* nwrite wraps */
	CHECK_EQ(pipebuf_used(&b), 100);
	CHECK_EQ(pipebuf_peek(&b, out, 40), 40);
	pipebuf_drop(&b, 40);
	CHECK(memcmp(out, in, 40) == 0, "first 40");
	CHECK_EQ(pipebuf_put(&b, in + 100, sizeof(in) - 100), PIPEBUF_SIZE - 60);
	CHECK_EQ(pipebuf_room(&b), 0);
	CHECK_EQ(pipebuf_put(&b, in, 1), 0);
	CHECK_EQ(pipebuf_peek(&b, out, sizeof(out)), PIPEBUF_SIZE);
	CHECK_EQ(pipebuf_used(&b), PIPEBUF_SIZE);   /* peeking takes nothing */
	pipebuf_drop(&b, PIPEBUF_SIZE);
	CHECK(memcmp(out, in + 40, PIPEBUF_SIZE) == 0, "wrapped contents");
	CHECK_EQ(pipebuf_peek(&b, out, 1), 0);
	free(b.data);
	return true;
}

static struct file *hook_reader;
static uint8_t drained[3 * PIPEBUF_SIZE];
static size_t drained_len;

static void hook_drain(void *chan)
{
	(void)chan;
	long r = file_read(hook_reader, U(drained + drained_len), 1000);
	if (r > 0)
		drained_len += (size_t)r;
}

static struct file *hook_writer;
static void hook_close_writer(void *chan)
{
	(void)chan;
	file_close(hook_writer);
}

static bool test_pipe(void)
{
	char buf[64];
	struct file *r, *w;
	long objects = shim_fs_objects, pages = shim_fs_pages;

	CHECK_EQ(pipe_alloc(&r, &w), 0);
	CHECK(r->readable && !r->writable && w->writable && !w->readable, "ends");
	CHECK_EQ(file_write(w, U("abc"), 3), 3);
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 3);
	CHECK(memcmp(buf, "abc", 3) == 0, "data");
	CHECK_EQ(file_read(w, U(buf), 1), -EBADF);
	CHECK_EQ(file_write(r, U(buf), 1), -EBADF);
	CHECK_EQ(file_read(r, U(buf), 0), 0);         /* no wait for nothing */
	CHECK_EQ(file_stat(r, (struct stat *)buf), -EINVAL);
	CHECK_EQ(file_write(w, U("x"), 1), 1);
	CHECK_EQ(file_read(r, 16, 1), -EFAULT);
	file_close(w);
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 1);   /* the fault lost nothing */
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 0);   /* end of file */
	file_close(r);
	CHECK_EQ(shim_fs_objects, objects);
	CHECK_EQ(shim_fs_pages, pages);

	CHECK_EQ(pipe_alloc(&r, &w), 0);
	file_close(r);
	CHECK_EQ(file_write(w, U("x"), 1), -EPIPE);
	file_close(w);

	/* A writer bigger than the ring, with the reader running when it sleeps. */
	static uint8_t big[2 * PIPEBUF_SIZE + 333];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 5);
	CHECK_EQ(pipe_alloc(&r, &w), 0);
	hook_reader = r;
	drained_len = 0;
	shim_fs_sleep_hook = hook_drain;
	CHECK_EQ(file_write(w, U(big), sizeof(big)), sizeof(big));
	while (drained_len < sizeof(big))
		hook_drain(NULL);
	CHECK(memcmp(drained, big, sizeof(big)) == 0, "bytes through the pipe");

	/* A blocked reader sees end of file when the writer goes. */
	hook_writer = w;
	shim_fs_sleep_hook = hook_close_writer;
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), 0);
	file_close(r);

	/* A killed reader, and a killed writer on a full pipe, return. */
	CHECK_EQ(pipe_alloc(&r, &w), 0);
	shim_fs_sleep_hook = hook_kill;
	CHECK_EQ(file_read(r, U(buf), sizeof(buf)), -EINTR);
	shim_fs_proc.killed = false;
	CHECK_EQ(file_write(w, U(big), PIPEBUF_SIZE + 10), PIPEBUF_SIZE);
	shim_fs_proc.killed = false;
	CHECK_EQ(file_write(w, U(big), 10), -EINTR);
	shim_fs_proc.killed = false;
	shim_fs_sleep_hook = NULL;
	file_close(r);
	file_close(w);
	CHECK_EQ(shim_fs_objects, objects);
	CHECK_EQ(shim_fs_pages, pages);
	return true;
}

/* ---- the boot image -------------------------------------------------------- */

struct img {
	uint8_t buf[16384];
	size_t  len;
};

static void img_bytes(struct img *im, const void *p, size_t n)
{
	memcpy(im->buf + im->len, p, n);
	im->len += n;
	while (im->len % 8)
		im->buf[im->len++] = 0;
}

static void img_u32(uint8_t *at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(v >> (8 * i));
}

static void img_header(struct img *im, uint32_t count)
{
	im->len = 0;
	memcpy(im->buf, "LZFSIMG1", 8);
	img_u32(im->buf + 8, count);
	img_u32(im->buf + 12, 0);
	im->len = 16;
}

static void img_record(struct img *im, uint32_t type, const char *path,
                       uint32_t namelen, const void *data, uint64_t size)
{
	uint8_t head[16];
	img_u32(head, type);
	img_u32(head + 4, namelen);
	img_u32(head + 8, (uint32_t)size);
	img_u32(head + 12, (uint32_t)(size >> 32));
	memcpy(im->buf + im->len, head, 16);
	im->len += 16;
	img_bytes(im, path, namelen);
	if (data)
		img_bytes(im, data, size);
}

static bool test_image(void)
{
	static struct img im;
	static char big[5000];
	struct inode *dir;
	char buf[64];
	unsigned base = inode_count();

	memset(big, 'b', sizeof(big));
	CHECK_EQ(mk("/t12"), 0);
	dir = look("/t12");

	img_header(&im, 4);
	img_record(&im, T_DIR, "img", 3, NULL, 0);
	img_record(&im, T_FILE, "img/a", 5, "AAA", 3);
	img_record(&im, T_FILE, "b", 1, big, sizeof(big));
	img_record(&im, T_DIR, "img", 3, NULL, 0);   /* again: fine */
	CHECK_EQ(image_unpack(dir, im.buf, im.len), 0);
	CHECK_EQ(get_file("/t12/img/a", buf, sizeof(buf)), 3);
	CHECK(strcmp(buf, "AAA") == 0, "a holds %s", buf);
	struct stat st;
	CHECK_EQ(stat_path("/t12/b", &st), 0);
	CHECK_EQ(st.size, sizeof(big));

	CHECK_EQ(image_unpack(dir, im.buf, 16), -EINVAL);   /* records missing */
	/* Padding after the last record (from the linker) is ignored. */
	img_header(&im, 0);
	CHECK_EQ(image_unpack(dir, im.buf, im.len + 8), 0);

	img_header(&im, 1);
	img_record(&im, T_FILE, "b", 1, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EEXIST);

	img_header(&im, 1);
	img_record(&im, T_FILE, "c", 1, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len - 8), -EINVAL);   /* truncated */
	memcpy(im.buf, "LZFSIMG2", 8);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* magic */
	CHECK_EQ(image_unpack(dir, im.buf, 4), -EINVAL);

	img_header(&im, 2);
	img_record(&im, T_FILE, "c", 1, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* count */
	CHECK_EQ(rm("/t12/c"), 0);

	img_header(&im, 1);
	img_record(&im, 9, "d", 1, "", 0);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* type */
	img_header(&im, 1);
	img_record(&im, T_FILE, "d\0e", 3, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* NUL */
	img_header(&im, 1);
	img_record(&im, T_FILE, "", 0, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* no name */
	img_header(&im, 1);
	img_record(&im, T_FILE, "d", 1, NULL, UINT64_MAX - 3);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* size */
	img_header(&im, 1);
	img_record(&im, T_DIR, "d", 1, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EINVAL);       /* dir data */
	img_header(&im, 1);
	img_record(&im, T_FILE, "nodir/d", 7, "x", 1);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -ENOENT);
	img_header(&im, 1);
	img_record(&im, T_DIR, "b", 1, NULL, 0);
	CHECK_EQ(image_unpack(dir, im.buf, im.len), -EEXIST);       /* dir over file */
	CHECK_EQ(image_unpack_embedded(dir), -EINVAL);             /* the shim's: empty */

	inode_put(dir);
	CHECK_EQ(rm("/t12/img/a"), 0);
	CHECK_EQ(rm("/t12/img"), 0);
	CHECK_EQ(rm("/t12/b"), 0);
	CHECK_EQ(rm("/t12"), 0);
	CHECK_EQ(inode_count(), base);
	return true;
}

/* Image and files from the command line: what tools/mkfsimg.py wrote. */
static int extra_argc;
static char **extra_argv;

static bool test_mkfsimg_image(void)
{
	if (extra_argc < 1) {
		snprintf(why, sizeof(why), "no image given: run it through meson test");
		return false;
	}
	FILE *fp = fopen(extra_argv[0], "rb");
	CHECK(fp != NULL, "cannot open %s", extra_argv[0]);
	static uint8_t img[8 << 20], want[1 << 20], got[1 << 20];
	size_t len = fread(img, 1, sizeof(img), fp);
	fclose(fp);

	CHECK_EQ(mk("/t13"), 0);
	struct inode *dir = look("/t13");
	CHECK_EQ(image_unpack(dir, img, len), 0);
	inode_put(dir);

	for (int i = 1; i < extra_argc; i++) {
		char path[FS_PATH_MAX];
		const char *base = strrchr(extra_argv[i], '/');
		base = base ? base + 1 : extra_argv[i];
		snprintf(path, sizeof(path), "/t13/%s", base);

		fp = fopen(extra_argv[i], "rb");
		CHECK(fp != NULL, "cannot open %s", extra_argv[i]);
		size_t n = fread(want, 1, sizeof(want), fp);
		fclose(fp);

		struct inode *ip = look(path);
		CHECK(ip != NULL, "%s not in the image", path);
		CHECK_EQ(inode_read(ip, got, 0, sizeof(got)), n);
		CHECK(memcmp(got, want, n) == 0, "%s differs", path);
		inode_put(ip);
		CHECK_EQ(rm(path), 0);
	}
	CHECK_EQ(rm("/t13"), 0);
	return true;
}

/* ---- running out ----------------------------------------------------------- */

static bool test_out_of_memory(void)
{
	struct file *f, *r, *w;
	unsigned base = inode_count();
	long pages = shim_fs_pages, objects = shim_fs_objects;

	for (long budget = 0; budget < 2; budget++) {
		shim_fs_alloc_budget = budget;
		CHECK_EQ(mk("/t14"), -ENOMEM);
	}
	shim_fs_alloc_budget = -1;
	CHECK_EQ(inode_count(), base);
	CHECK(look("/t14") == NULL, "a failed mkdir left a name");

	CHECK_EQ(file_open_at(NULL, "/t14", O_CREATE | O_RDWR, &f), 0);
	shim_fs_alloc_budget = 0;
	CHECK_EQ(file_write(f, U("x"), 1), -ENOMEM);
	CHECK_EQ(f->ip->size, 0);
	shim_fs_alloc_budget = 2;   /* the bounce page, a page of data, no index page */
	static char two[2 * PAGE_SIZE];
	f->off = (PAGEMAP_NDIRECT - 1) * PAGE_SIZE;
	CHECK_EQ(file_write(f, U(two), sizeof(two)), PAGE_SIZE);
	shim_fs_alloc_budget = -1;
	file_close(f);
	CHECK_EQ(rm("/t14"), 0);

	for (long budget = 0; budget < 4; budget++) {
		shim_fs_alloc_budget = budget;
		CHECK_EQ(pipe_alloc(&r, &w), -ENOMEM);
		CHECK_EQ(shim_fs_pages, pages);
		CHECK_EQ(shim_fs_objects, objects);
	}
	shim_fs_alloc_budget = -1;
	CHECK_EQ(inode_count(), base);
	return true;
}

static bool test_file_table_full(void)
{
	static struct file *open_files[FILE_MAX];
	struct file *f;
	int n = 0;

	CHECK_EQ(mkfile("/t15"), 0);
	while (n < FILE_MAX && file_open_at(NULL, "/t15", O_RDONLY, &f) == 0)
		open_files[n++] = f;
	CHECK_EQ(n, FILE_MAX);
	CHECK_EQ(file_open_at(NULL, "/t15", O_RDONLY, &f), -ENFILE);
	CHECK_EQ(pipe_alloc(&f, &f), -ENFILE);
	file_close(open_files[--n]);
	CHECK_EQ(pipe_alloc(&f, &f), -ENFILE);   /* room for one end only */
	while (n > 0)
		file_close(open_files[--n]);
	CHECK_EQ(rm("/t15"), 0);
	return true;
}

/* ---- issue 10: races, faults and kills ------------------------------------ */

/*
 * The last put racing unlink. The shim's unlock hook runs "another
 * process" right after inode_put releases the inode's lock: it unlinks
 * the file's only name (taking, and putting back, a reference of its own).
 * Deciding on an nlink read before that let both puts leave the inode,
 * its number and its data pages behind for good.
 */
static struct inode *race_ip;
static int race_unlink_err = 1;

static void hook_unlink_after_unlock(struct sleeplock *sl)
{
	if (sl != &race_ip->lock)
		return;
	shim_fs_unlock_hook = NULL;
	race_unlink_err = rm("/t30");
}

static bool test_put_races_unlink(void)
{
	unsigned inodes = inode_count();
	long file_pages = shim_fs_file_pages;
	struct file *f;

	CHECK_EQ(file_open_at(NULL, "/t30", O_CREATE | O_RDWR, &f), 0);
	CHECK_EQ(file_write(f, U("doomed"), 6), 6);
	file_close(f);
	race_ip = look("/t30");      /* the only reference from here on */
	CHECK(race_ip != NULL, "no /t30");
	race_unlink_err = 1;
	shim_fs_unlock_hook = hook_unlink_after_unlock;
	inode_put(race_ip);
	shim_fs_unlock_hook = NULL;
	CHECK_EQ(race_unlink_err, 0);
	CHECK(look("/t30") == NULL, "/t30 still named");
	CHECK_EQ(inode_count(), inodes);              /* the inode and its number */
	CHECK_EQ(shim_fs_file_pages, file_pages);     /* and its data */
	return true;
}

/* A create/unlink loop walks the numbers through several chunks; each page goes back. */
static bool test_itable_pages(void)
{
	long objects = shim_fs_objects;
	unsigned inodes = inode_count();
	size_t per_chunk = PAGE_SIZE / sizeof(struct inode *);

	for (size_t i = 0; i < 3 * per_chunk + 7; i++) {
		CHECK_EQ(mkfile("/t31"), 0);
		CHECK_EQ(rm("/t31"), 0);
	}
	CHECK_EQ(inode_count(), inodes);
	CHECK_EQ(shim_fs_objects, objects);   /* no chunk page kept */
	return true;
}

/* A user buffer whose first `good` bytes end a good page; the next page faults. */
static uint8_t *fault_buffer(size_t good)
{
	static uint8_t pages[3 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	shim_fs_set_bad_user(U(pages + PAGE_SIZE), U(pages + 2 * PAGE_SIZE));
	return pages + PAGE_SIZE - good;
}

/* A pipe read whose copy faults takes only the bytes that reached the user. */
static bool test_pipe_fault_keeps_bytes(void)
{
	static uint8_t in[1000], out[1000];
	struct file *r, *w;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(pipe_alloc(&r, &w), 0);
	CHECK_EQ(file_write(w, U(in), sizeof(in)), sizeof(in));

	uint8_t *buf = fault_buffer(100);
	CHECK_EQ(file_read(r, U(buf), 1000), 100);        /* the count, not -EFAULT */
	CHECK(memcmp(buf, in, 100) == 0, "first 100 bytes");
	CHECK_EQ(file_read(r, U(buf + 100), 10), -EFAULT); /* nothing reached: nothing taken */
	shim_fs_set_bad_user(0, 0);
	CHECK_EQ(file_read(r, U(out), sizeof(out)), 900);  /* the rest, none lost */
	CHECK(memcmp(out, in + 100, 900) == 0, "the other 900 bytes");
	file_close(r);
	file_close(w);
	return true;
}

/* The shell (group 5) puts group 9 in front while a reader of group 7 sleeps. */
static void hook_setfg_away(void *chan)
{
	(void)chan;
	shim_fs_proc.pgid = 5;
	console_set_foreground(9);
	shim_fs_proc.pgid = 7;
}

/*
 * Only the group in front reads: a background group's read is -EIO and
 * leaves the line for the front; a reader the front moves away from
 * wakes with -EIO; when the group in front is gone, the group that put
 * it there reads, and when that one is gone too, anyone; with no setfg
 * yet, anyone.
 */
static bool test_console_front(void)
{
	const struct device_ops *con = device_lookup(CONSOLE_MAJOR);
	char buf[64];

	shim_fs_proc.pgid = 5;                     /* the shell, at its prompt */
	shim_fs_live_pgid = 5;
	CHECK_EQ(console_set_foreground(0), 0);
	type("for the shell\n");
	shim_fs_proc.pgid = 7;                     /* a background job */
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), -EIO);
	shim_fs_proc.pgid = 5;
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 14);
	CHECK(memcmp(buf, "for the shell\n", 14) == 0, "the shell got its line");

	shim_fs_proc.pgid = 7;                     /* group 7 in front, waiting for a line */
	CHECK_EQ(console_set_foreground(7), 0);
	shim_fs_live_pgid = 9;                     /* while it sleeps, the shell names 9 */
	shim_fs_sleep_hook = hook_setfg_away;
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), -EIO);
	shim_fs_sleep_hook = NULL;

	/* Group 9 ended; the shell (5), who named it, lives: only 5 reads. */
	shim_fs_live_pgid = 5;
	type("typed ahead\n");
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), -EIO);   /* group 7, the caller */
	shim_fs_proc.pgid = 5;
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 12);

	/* A job's own setfg (the shell's child does it too) keeps 5 the owner. */
	CHECK_EQ(console_set_foreground(0), 0);
	shim_fs_proc.pgid = 6;
	CHECK_EQ(console_set_foreground(6), 0);
	type("more\n");
	shim_fs_proc.pgid = 8;                     /* job 6 ended; 8 is in the background */
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), -EIO);
	shim_fs_live_pgid = 0;                     /* the shell is gone too: anyone reads */
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 5);

	CHECK_EQ(console_set_foreground(-1), -EINVAL);
	shim_fs_proc.pgid = 0;                     /* back to "no setfg yet" for the rest */
	CHECK_EQ(console_set_foreground(0), 0);
	return true;
}

/* The same for the console: the part of a line not copied stays for the next read. */
static bool test_console_fault_keeps_bytes(void)
{
	const struct device_ops *con = device_lookup(CONSOLE_MAJOR);
	char buf[64];

	type("hello world\n");
	uint8_t *ubuf = fault_buffer(5);
	CHECK_EQ(con->read(0, U(ubuf), 64), 5);
	CHECK(memcmp(ubuf, "hello", 5) == 0, "first part");
	CHECK_EQ(con->read(0, U(ubuf + 5), 64), -EFAULT);
	shim_fs_set_bad_user(0, 0);
	CHECK_EQ(con->read(0, U(buf), sizeof(buf)), 7);
	CHECK(memcmp(buf, " world\n", 7) == 0, "rest of the line");
	return true;
}

/* Kill the process at the n-th preemption point from now. */
static long kill_at;
static void hook_kill_at(void)
{
	if (--kill_at == 0)
		shim_fs_proc.killed = true;
}

/*
 * Long calls go through a preemption point per page (file), per chunk
 * (console, pipe); a kill there stops them with what was done, or -EINTR.
 */
static bool test_preempt_and_kill(void)
{
	static uint8_t big[16 * PAGE_SIZE];
	const struct device_ops *con = device_lookup(CONSOLE_MAJOR);
	struct file *f, *r, *w;

	memset(big, 'k', sizeof(big));
	CHECK_EQ(file_open_at(NULL, "/t32", O_CREATE | O_RDWR, &f), 0);
	shim_fs_preempt_points = 0;
	CHECK_EQ(file_write(f, U(big), sizeof(big)), sizeof(big));
	CHECK(shim_fs_preempt_points >= 16, "%ld points in a 16-page write",
	      shim_fs_preempt_points);

	/* Killed at the 3rd page: two pages done. */
	f->off = 0;
	kill_at = 3;
	shim_fs_preempt_hook = hook_kill_at;
	CHECK_EQ(file_read(f, U(big), sizeof(big)), 2 * PAGE_SIZE);
	CHECK_EQ(f->off, 2 * PAGE_SIZE);
	CHECK_EQ(file_read(f, U(big), sizeof(big)), -EINTR);   /* killed: nothing */
	CHECK_EQ(file_write(f, U(big), sizeof(big)), -EINTR);
	shim_fs_proc.killed = false;
	kill_at = 2;
	CHECK_EQ(file_write(f, U(big), sizeof(big)), PAGE_SIZE);
	shim_fs_proc.killed = false;

	/* The console write loop. */
	shim_fs_uart_len = 0;
	kill_at = 3;
	CHECK_EQ(con->write(0, U(big), 1000), 2 * 256);   /* CONSOLE_BOUNCE */
	CHECK_EQ(shim_fs_uart_len, 2 * 256);
	shim_fs_proc.killed = false;

	/* A pipe write: chunks before the kill are in the pipe. */
	CHECK_EQ(pipe_alloc(&r, &w), 0);
	kill_at = 2;
	CHECK_EQ(file_write(w, U(big), 2000), 512);
	shim_fs_proc.killed = false;
	shim_fs_preempt_hook = NULL;
	CHECK_EQ(file_read(r, U(big), 2000), 512);
	file_close(r);
	file_close(w);
	file_close(f);
	CHECK_EQ(rm("/t32"), 0);
	return true;
}

/* What every page, object and inode count returns to; see test_no_leaks. */
static long base_pages, base_objects, base_file_pages;
static unsigned base_inodes;

static bool test_inode_numbers(void)
{
	static struct inode *all[INODE_MAX];
	unsigned base = inode_count();
	long objects = shim_fs_objects;
	int n = 0, err;

	while ((err = inode_alloc(T_FILE, 0, 0, &all[n])) == 0)
		n++;
	CHECK_EQ(err, -ENOSPC);
	CHECK_EQ(n + base, INODE_MAX);
	uint16_t reused = all[100]->inum;
	inode_put(all[100]);                        /* nlink 0: freed */
	struct inode *ip;
	CHECK_EQ(inode_alloc(T_FILE, 0, 0, &ip), 0);
	CHECK_EQ(ip->inum, reused);
	all[100] = ip;
	for (int i = 0; i < n; i++)
		CHECK(all[i]->inum != 0 && all[i]->inum != INODE_ROOT, "bad number");
	while (n > 0)
		inode_put(all[--n]);
	CHECK_EQ(inode_count(), base);

	/* Every chunk page the table grew went back with its last inode. */
	CHECK_EQ(shim_fs_objects, objects);
	return true;
}

/* ---- the table ------------------------------------------------------------- */

static bool test_no_leaks(void)
{
	CHECK_EQ(shim_fs_pages, base_pages);
	CHECK_EQ(shim_fs_file_pages, base_file_pages);
	CHECK_EQ(shim_fs_objects, base_objects);
	CHECK_EQ(inode_count(), base_inodes);
	CHECK_EQ(nlink_of("/"), 2);
	return true;
}

static const struct {
	const char *name;
	bool (*run)(void);
} cases[] = {
	{ "fs_path_next",        test_path_next },
	{ "fs_root",             test_root },
	{ "fs_mkdir_nested",     test_mkdir_nested },
	{ "fs_dir_read",         test_dir_read },
	{ "fs_file_rw",          test_file_rw },
	{ "fs_growth_holes",     test_growth_holes },
	{ "fs_big_file",         test_big_file },
	{ "fs_bad_user_buffers", test_bad_user_buffers },
	{ "fs_page_frame",       test_page_frame },
	{ "fs_etxtbsy",          test_etxtbsy },
	{ "fs_bounce_io",        test_bounce_io },
	{ "fs_zero_on_growth",   test_zero_on_growth },
	{ "fs_link_unlink",      test_link_unlink },
	{ "fs_unlink_open_file", test_unlink_open_file },
	{ "fs_removed_dir",      test_removed_dir },
	{ "fs_trailing_slash",   test_trailing_slash },
	{ "fs_devices",          test_devices },
	{ "fs_console",          test_console },
	{ "fs_console_front",    test_console_front },
	{ "fs_pipebuf",          test_pipebuf },
	{ "fs_pipe",             test_pipe },
	{ "fs_image",            test_image },
	{ "fs_mkfsimg_image",    test_mkfsimg_image },
	{ "fs_out_of_memory",    test_out_of_memory },
	{ "fs_file_table_full",  test_file_table_full },
	{ "fs_inode_numbers",    test_inode_numbers },
	{ "fs_put_races_unlink", test_put_races_unlink },
	{ "fs_itable_pages",     test_itable_pages },
	{ "fs_pipe_fault_keeps_bytes",    test_pipe_fault_keeps_bytes },
	{ "fs_console_fault_keeps_bytes", test_console_fault_keeps_bytes },
	{ "fs_preempt_and_kill", test_preempt_and_kill },
	{ "fs_no_leaks",         test_no_leaks },
};

int main(int argc, char **argv)
{
	int failed = 0;

	extra_argc = argc - 1;
	extra_argv = argv + 1;
	if (dir_make_root() != 0) {
		printf("FAIL fs_setup: cannot make the root\n");
		return 1;
	}
	console_init();
	base_pages = shim_fs_pages;
	base_file_pages = shim_fs_file_pages;
	base_objects = shim_fs_objects;
	base_inodes = inode_count();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		/* Every case starts with no hooks, budget or bad range left over. */
		shim_fs_sleep_hook = NULL;
		shim_fs_alloc_budget = -1;
		shim_fs_proc.killed = false;
		shim_fs_set_bad_user(0, 0);
		shim_fs_copy_hook = NULL;
		shim_fs_unlock_hook = NULL;
		shim_fs_preempt_hook = NULL;
		if (cases[i].run()) {
			printf("PASS %s%s%s\n", cases[i].name, why[0] ? " " : "", why);
		} else {
			printf("FAIL %s: %s\n", cases[i].name, why);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
