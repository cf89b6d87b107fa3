/*
 * Unpacking the initial file system image.
 *
 * Format (all integers little-endian; every record starts 8-byte aligned):
 *
 *   header   0  magic    8 bytes  "LZFSIMG1"
 *            8  count    u32      number of records
 *           12  reserved u32      0
 *   record   0  type     u32      T_DIR (1) or T_FILE (2)
 *            4  namelen  u32      bytes of path, 1 .. FS_PATH_MAX-1
 *            8  size     u64      bytes of data (0 for a directory)
 *           16  path     namelen bytes, zero-padded to a multiple of 8
 *               data     size bytes, zero-padded to a multiple of 8
 *
 * A path is relative to the root, with names separated by '/', e.g.
 * "bin/sh"; a directory's record comes before anything inside it.
 * Directories may be given again (they exist already); files may not.
 */
#include "fs/fs.h"
#include "fs/image.h"
#include "fs/inode.h"
#include "fs/namespace.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "userland/include/lazuli/stat.h"

/* Between these two symbols lies the image (the kernel's link step). */
extern const unsigned char fsimg_start[], fsimg_end[];

#define IMAGE_MAGIC      "LZFSIMG1"
#define IMAGE_MAGIC_LEN  8
#define IMAGE_HEADER_LEN 16
#define RECORD_HEAD_LEN  16
#define IMAGE_ALIGN      8

/* A cursor over the image; every take is bounds-checked. */
struct reader {
	const uint8_t *p;
	const uint8_t *end;
};

/* The next n bytes (then skip the padding to IMAGE_ALIGN), or NULL. */
static const uint8_t *take(struct reader *r, uint64_t n)
{
	uint64_t left = (uint64_t)(r->end - r->p);
	uint64_t padded = n + (IMAGE_ALIGN - n % IMAGE_ALIGN) % IMAGE_ALIGN;

	if (n > left || padded > left)
		return NULL;
	const uint8_t *at = r->p;
	r->p += padded;
	return at;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* Create one file and fill it with size bytes of data. */
static int unpack_file(struct inode *dir, const char *path,
                       const uint8_t *data, uint64_t size)
{
	struct inode *ip;

	int err = fs_create_at(dir, path, T_FILE, 0, 0, false, &ip);
	if (err)
		return err;
	inode_lock(ip);
	long r = inode_writei(ip, data, 0, size);
	inode_unlock(ip);
	inode_put(ip);
	if (r < 0)
		return (int)r;
	return (uint64_t)r == size ? 0 : -ENOMEM;
}

/* Create a directory, or accept one that exists. */
static int unpack_dir(struct inode *dir, const char *path)
{
	struct inode *ip;

	int err = fs_create_at(dir, path, T_DIR, 0, 0, true, &ip);
	if (err)
		return err;
	if (ip->type != T_DIR)
		err = -EEXIST;
	inode_put(ip);
	return err;
}

/* Read one record at r and create what it describes below dir. */
static int unpack_record(struct inode *dir, struct reader *r)
{
	char path[FS_PATH_MAX];

	const uint8_t *head = take(r, RECORD_HEAD_LEN);
	if (head == NULL)
		return -EINVAL;
	uint32_t type = get_u32(head);
	uint32_t namelen = get_u32(head + 4);
	uint64_t size = get_u64(head + 8);

	if (namelen == 0 || namelen >= sizeof(path))
		return -EINVAL;
	const uint8_t *name = take(r, namelen);
	if (name == NULL)
		return -EINVAL;
	memcpy(path, name, namelen);
	path[namelen] = '\0';
	if (strlen(path) != namelen)
		return -EINVAL;   /* a NUL inside the path */

	const uint8_t *data = take(r, size);
	if (data == NULL)
		return -EINVAL;

	switch (type) {
	case T_DIR:
		return size == 0 ? unpack_dir(dir, path) : -EINVAL;
	case T_FILE:
		return unpack_file(dir, path, data, size);
	default:
		return -EINVAL;
	}
}

int image_unpack(struct inode *dir, const uint8_t *img, size_t len)
{
	struct reader r = { .p = img, .end = img + len };

	const uint8_t *header = take(&r, IMAGE_HEADER_LEN);
	if (header == NULL || memcmp(header, IMAGE_MAGIC, IMAGE_MAGIC_LEN) != 0)
		return -EINVAL;
	uint32_t count = get_u32(header + IMAGE_MAGIC_LEN);

	for (uint32_t i = 0; i < count; i++) {
		int err = unpack_record(dir, &r);
		if (err)
			return err;
	}
	return 0;   /* the linker may pad the image: ignore what follows */
}

int image_unpack_embedded(struct inode *dir)
{
	return image_unpack(dir, fsimg_start, (size_t)(fsimg_end - fsimg_start));
}
