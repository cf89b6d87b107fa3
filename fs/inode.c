/*
 * Inodes: the table from inode numbers to in-memory inodes, reference
 * counting, and reading and writing file data.
 *
 * The table is two-level so that it costs memory only for the numbers in
 * use: itable[c] is a page of ITABLE_PER_CHUNK inode pointers, allocated
 * the first time a number in chunk c is handed out.
 */
#include <stdbool.h>
#include "fs/fs.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/physmap.h"
#include "mm/uaccess.h"
#include "userland/include/lazuli/stat.h"

#define ITABLE_PER_CHUNK (PAGE_SIZE / sizeof(struct inode *))
#define ITABLE_CHUNKS    ((INODE_MAX + 1 + ITABLE_PER_CHUNK - 1) / ITABLE_PER_CHUNK)

static struct spinlock itable_lock = SPINLOCK_INIT("itable");
static struct inode **itable[ITABLE_CHUNKS];   /* [T] */
static uint32_t itable_hint = INODE_ROOT;      /* [T] where to look next */
static unsigned itable_count;                  /* [T] inodes in the table */

/* Read-only zeros, copied out for holes. */
static const uint8_t zero_page[PAGE_SIZE];

/* The table slot for inum, or NULL if its chunk was never allocated. */
static struct inode **slot_of(uint32_t inum)
{
	struct inode **chunk = itable[inum / ITABLE_PER_CHUNK];
	return chunk ? &chunk[inum % ITABLE_PER_CHUNK] : NULL;
}

/*
 * Give ip the first free number at or after the hint (wrapping around).
 * Caller holds itable_lock. 0, -ENOMEM (no page for a chunk), -ENOSPC.
 */
static int claim_inum(struct inode *ip)
{
	for (uint32_t tried = 0; tried < INODE_MAX; tried++) {
		uint32_t inum = (itable_hint - 1 + tried) % INODE_MAX + 1;
		struct inode ***chunk = &itable[inum / ITABLE_PER_CHUNK];

		if (*chunk == NULL && (*chunk = kmalloc(PAGE_SIZE)) == NULL)
			return -ENOMEM;
		struct inode **slot = &(*chunk)[inum % ITABLE_PER_CHUNK];
		if (*slot == NULL) {
			*slot = ip;
			ip->inum = (uint16_t)inum;
			itable_hint = inum % INODE_MAX + 1;
			itable_count++;
			return 0;
		}
	}
	return -ENOSPC;
}

int inode_alloc(short type, short major, short minor, struct inode **out)
{
	struct inode *ip = kmalloc(sizeof(*ip));
	if (ip == NULL)
		return -ENOMEM;
	ip->type = type;
	ip->major = major;
	ip->minor = minor;
	ip->ref = 1;
	sleep_init(&ip->lock, "inode");

	spin_lock(&itable_lock);
	int err = claim_inum(ip);
	spin_unlock(&itable_lock);
	if (err) {
		kfree(ip);
		return err;
	}
	*out = ip;
	return 0;
}

struct inode *inode_get(uint16_t inum)
{
	spin_lock(&itable_lock);
	struct inode **slot = slot_of(inum);
	struct inode *ip = slot ? *slot : NULL;
	if (ip == NULL)
		panic("inode_get: a directory names free inode %u", inum);
	ip->ref++;
	spin_unlock(&itable_lock);
	return ip;
}

struct inode *inode_dup(struct inode *ip)
{
	spin_lock(&itable_lock);
	ip->ref++;
	spin_unlock(&itable_lock);
	return ip;
}

/*
 * Drop a reference. The last reference to an inode no directory names
 * frees it: nobody can find it again, since only a directory entry (or an
 * existing reference) leads to an inode. May sleep; no spinlock held.
 */
void inode_put(struct inode *ip)
{
	spin_lock(&itable_lock);
	if (ip->ref == 1) {
		/* Ours is the only reference, so its lock is free or about to be. */
		spin_unlock(&itable_lock);
		sleep_lock(&ip->lock);
		bool unnamed = ip->nlink == 0;
		sleep_unlock(&ip->lock);
		spin_lock(&itable_lock);

		/*
		 * nlink 0 is final (link refuses such an inode), but while we
		 * slept another holder may have been given a reference by dup.
		 */
		if (unnamed && ip->ref == 1) {
			*slot_of(ip->inum) = NULL;
			itable_count--;
			spin_unlock(&itable_lock);
			pagemap_clear(&ip->pages);
			kfree(ip);
			return;
		}
	}
	if (ip->ref < 1)
		panic("inode_put: inode %u has ref %d", ip->inum, ip->ref);
	ip->ref--;
	spin_unlock(&itable_lock);
}

int inode_type(struct inode *ip)
{
	return ip->type;
}

unsigned inode_count(void)
{
	spin_lock(&itable_lock);
	unsigned n = itable_count;
	spin_unlock(&itable_lock);
	return n;
}

void inode_lock(struct inode *ip)
{
	sleep_lock(&ip->lock);
}

void inode_unlock(struct inode *ip)
{
	sleep_unlock(&ip->lock);
}

/* Copy n bytes from kernel src to dst in space; 0 or -EFAULT. */
static int copy_out(enum io_space space, uint64_t dst, const void *src, size_t n)
{
	if (space == IO_USER)
		return copy_to_user(dst, src, n);
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}

/* Copy n bytes from src in space to kernel dst; 0 or -EFAULT. */
static int copy_in(enum io_space space, void *dst, uint64_t src, size_t n)
{
	if (space == IO_USER)
		return copy_from_user(dst, src, n);
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return 0;
}

/* Bytes from pos to the end of its page, at most left. */
static size_t chunk_in_page(uint64_t pos, size_t left)
{
	size_t chunk = PAGE_SIZE - pos % PAGE_SIZE;
	return chunk < left ? chunk : left;
}

long inode_readi(struct inode *ip, enum io_space space, uint64_t dst,
                 uint64_t off, size_t n)
{
	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;

	size_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		size_t in_page = pos % PAGE_SIZE;
		size_t chunk = chunk_in_page(pos, n - done);

		const uint8_t *page = pagemap_lookup(&ip->pages, pos / PAGE_SIZE);
		const void *from = page ? page + in_page : zero_page;
		if (copy_out(space, dst + done, from, chunk) < 0)
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return (long)done;
}

long inode_writei(struct inode *ip, enum io_space space, uint64_t src,
                  uint64_t off, size_t n)
{
	if (off >= INODE_MAX_SIZE)
		return n ? -EFBIG : 0;
	if (n > INODE_MAX_SIZE - off)
		n = INODE_MAX_SIZE - off;

	size_t done = 0;
	long err = 0;
	while (done < n) {
		uint64_t pos = off + done;
		size_t in_page = pos % PAGE_SIZE;
		size_t chunk = chunk_in_page(pos, n - done);

		uint8_t *page = pagemap_populate(&ip->pages, pos / PAGE_SIZE);
		if (page == NULL) {
			err = -ENOMEM;
			break;
		}
		if (copy_in(space, page + in_page, src + done, chunk) < 0) {
			/*
			 * The copy may have stored part of the chunk. Bytes past
			 * the size must stay zero (a later write past them turns
			 * them into a hole), so wipe what landed there.
			 */
			if (pos + chunk > ip->size) {
				uint64_t from = pos > ip->size ? pos : ip->size;
				memset(page + from % PAGE_SIZE, 0, pos + chunk - from);
			}
			err = -EFAULT;
			break;
		}
		done += chunk;
		if (pos + chunk > ip->size)
			ip->size = pos + chunk;
	}
	return done ? (long)done : err;
}

void inode_truncate(struct inode *ip)
{
	pagemap_clear(&ip->pages);
	ip->size = 0;
}

void inode_stat(struct inode *ip, struct stat *st)
{
	st->dev = FS_DEV;
	st->ino = ip->inum;
	st->type = ip->type;
	st->nlink = ip->nlink;
	st->size = ip->size;
}

unsigned inode_inum(struct inode *ip)
{
	return ip->inum;   /* [I] */
}

uint64_t inode_size(struct inode *ip)
{
	inode_lock(ip);
	uint64_t size = ip->size;
	inode_unlock(ip);
	return size;
}

long inode_read(struct inode *ip, void *dst, uint64_t off, size_t n)
{
	inode_lock(ip);
	long r = inode_readi(ip, IO_KERNEL, (uint64_t)(uintptr_t)dst, off, n);
	inode_unlock(ip);
	return r;
}

int inode_deny_write(struct inode *ip)
{
	inode_lock(ip);
	int err = ip->writers ? -ETXTBSY : 0;
	if (!err)
		ip->text++;
	inode_unlock(ip);
	return err;
}

void inode_allow_write(struct inode *ip)
{
	inode_lock(ip);
	if (ip->text <= 0)
		panic("inode_allow_write: inode %d was not denied", ip->inum);
	ip->text--;
	inode_unlock(ip);
}

int inode_page_frame(struct inode *ip, uint64_t pgno, uint64_t *pa)
{
	int err = -ENXIO;
	inode_lock(ip);
	if (ip->type == T_FILE && pgno < PAGEMAP_MAX_PAGES && pgno * PAGE_SIZE < ip->size) {
		void *page = pagemap_populate(&ip->pages, pgno);   /* a hole: a zeroed page */
		err = -ENOMEM;
		if (page) {
			*pa = kva_to_pa(page);
			frame_get(*pa);
			err = 0;
		}
	}
	inode_unlock(ip);
	return err;
}
