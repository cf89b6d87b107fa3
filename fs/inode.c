/*
 * Inodes: the table from inode numbers to in-memory inodes, reference
 * counting, and reading and writing file data.
 *
 * The table is two-level so that it costs memory only for the numbers in
 * use: itable[c] is a page of ITABLE_PER_CHUNK inode pointers, allocated
 * when a number in chunk c is handed out and the chunk has none, and
 * freed when the last inode numbered in it goes (chunk_used counts them).
 *
 * Freeing an inode is decided in inode_put with both ip->lock (nlink
 * cannot change: unlink changes it under that lock) and itable_lock (ref
 * cannot change) held, so the decision sees the final word on both; see
 * docs/fs.md, "Why freeing is safe".
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
#include "proc/proc.h"
#include "userland/include/lazuli/stat.h"

#define ITABLE_PER_CHUNK (PAGE_SIZE / sizeof(struct inode *))
#define ITABLE_CHUNKS    ((INODE_MAX + 1 + ITABLE_PER_CHUNK - 1) / ITABLE_PER_CHUNK)

static struct spinlock itable_lock = SPINLOCK_INIT("itable");
static struct inode **itable[ITABLE_CHUNKS];   /* [T] */
static uint32_t itable_hint = INODE_ROOT;      /* [T] where to look next */
static unsigned itable_count;                  /* [T] inodes in the table */
static uint16_t chunk_used[ITABLE_CHUNKS];     /* [T] inodes numbered in each chunk */

_Static_assert(ITABLE_PER_CHUNK <= UINT16_MAX, "chunk_used counts a chunk's slots");

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
			chunk_used[inum / ITABLE_PER_CHUNK]++;
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
	sleep_init(&ip->io, "inode io");

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
 * Take inum out of the table. Caller holds itable_lock. Returns the chunk
 * page to kfree (after the lock is dropped) when that was its last inode,
 * else NULL.
 */
static struct inode **release_inum(uint32_t inum)
{
	uint32_t c = inum / ITABLE_PER_CHUNK;
	itable[c][inum % ITABLE_PER_CHUNK] = NULL;
	itable_count--;
	if (--chunk_used[c] > 0)
		return NULL;
	struct inode **chunk = itable[c];
	itable[c] = NULL;
	return chunk;
}

/*
 * Drop a reference. The last reference to an inode no directory names
 * frees it: nobody can find it again, since only a directory entry (or an
 * existing reference) leads to an inode. May sleep; no spinlock held, and
 * not ip->lock when this may be the last reference.
 *
 * Dropping what may be the last reference decides under ip->lock and
 * itable_lock together: nlink (changed only under ip->lock) and ref
 * (under itable_lock) are both fixed while "is it the last, and unnamed?"
 * is answered and ref is dropped. Deciding on an nlink read earlier would
 * miss an unlink that took a reference, cleared nlink and put its
 * reference back (seeing ours) in between: then nobody frees the inode.
 */
void inode_put(struct inode *ip)
{
	spin_lock(&itable_lock);
	if (ip->ref < 1)
		panic("inode_put: inode %u has ref %d", ip->inum, ip->ref);
	if (ip->ref > 1) {
		ip->ref--;   /* not the last: someone else's put decides */
		spin_unlock(&itable_lock);
		return;
	}
	spin_unlock(&itable_lock);

	/* Perhaps the last: its lock is free or about to be (ours is the only reference). */
	sleep_lock(&ip->lock);
	spin_lock(&itable_lock);
	bool last = --ip->ref == 0;
	bool unnamed = ip->nlink == 0;
	struct inode **chunk = last && unnamed ? release_inum(ip->inum) : NULL;
	spin_unlock(&itable_lock);
	sleep_unlock(&ip->lock);

	if (last && unnamed) {
		kfree(chunk);   /* NULL unless that was its chunk's last inode */
		pagemap_clear(&ip->pages);
		kfree(ip);
	}
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

void inode_io_lock(struct inode *ip)
{
	sleep_lock(&ip->io);
}

int inode_io_lock_killable(struct inode *ip)
{
	return sleep_lock_killable(&ip->io);
}

void inode_io_unlock(struct inode *ip)
{
	sleep_unlock(&ip->io);
}

/* Bytes from pos to the end of its page, at most left. */
static size_t chunk_in_page(uint64_t pos, size_t left)
{
	size_t chunk = PAGE_SIZE - pos % PAGE_SIZE;
	return chunk < left ? chunk : left;
}

long inode_readi(struct inode *ip, void *dst, uint64_t off, size_t n)
{
	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;

	for (size_t done = 0; done < n; ) {
		uint64_t pos = off + done;
		size_t chunk = chunk_in_page(pos, n - done);
		const uint8_t *page = pagemap_lookup(&ip->pages, pos / PAGE_SIZE);

		memcpy((uint8_t *)dst + done, page ? page + pos % PAGE_SIZE : zero_page, chunk);
		done += chunk;
	}
	return (long)n;
}

/*
 * The file is about to grow to cover pos (> size). Bytes past the size
 * may not be zero in the page holding the end of the file: a shared
 * mapping can store into the part of the last page past the end (mm maps
 * the file's own frame). Zero that part, up to pos or the end of the page,
 * so the growth does not uncover them. No data page lies wholly past the
 * size (a page is created only to take bytes that then extend the size, or
 * below it by inode_page_frame), so the rest of the gap is holes, which
 * read as zeros. Caller holds ip->lock.
 */
static void zero_gap(struct inode *ip, uint64_t pos)
{
	uint64_t from = ip->size;
	if (from % PAGE_SIZE == 0)
		return;   /* the last page is full: nothing past the end in it */
	uint8_t *page = pagemap_lookup(&ip->pages, from / PAGE_SIZE);
	uint64_t page_end = from - from % PAGE_SIZE + PAGE_SIZE;
	uint64_t to = pos < page_end ? pos : page_end;
	if (page)
		memset(page + from % PAGE_SIZE, 0, to - from);
}

/*
 * Store chunk bytes of src at pos, all within one file page, growing the
 * file to cover them. Caller holds ip->lock. 0, or -ENOMEM (nothing stored,
 * the size unchanged).
 */
static int store_chunk(struct inode *ip, uint64_t pos, const void *src, size_t chunk)
{
	uint8_t *page = pagemap_populate(&ip->pages, pos / PAGE_SIZE);
	if (page == NULL)
		return -ENOMEM;
	if (pos > ip->size)
		zero_gap(ip, pos);
	memcpy(page + pos % PAGE_SIZE, src, chunk);
	if (pos + chunk > ip->size)
		ip->size = pos + chunk;
	return 0;
}

/* How much of an n-byte write at off fits below INODE_MAX_SIZE; -EFBIG if none. */
static long clip_write(uint64_t off, size_t n)
{
	if (off >= INODE_MAX_SIZE)
		return n ? -EFBIG : 0;
	return (long)(n < INODE_MAX_SIZE - off ? n : INODE_MAX_SIZE - off);
}

long inode_writei(struct inode *ip, const void *src, uint64_t off, size_t n)
{
	long fit = clip_write(off, n);
	if (fit <= 0)
		return fit;

	size_t done = 0;
	int err = 0;
	while (done < (size_t)fit && !err) {
		size_t chunk = chunk_in_page(off + done, (size_t)fit - done);
		err = store_chunk(ip, off + done, (const uint8_t *)src + done, chunk);
		if (!err)
			done += chunk;
	}
	return done ? (long)done : err;
}

/*
 * The user-memory copies. ip->lock is held only while bytes move between
 * the file's page and the bounce page, never during copy_to_user or
 * copy_from_user: the user buffer may be a mapping of this very file, and
 * a fault on it calls inode_page_frame, which takes ip->lock (a deadlock
 * if we held it). ip->io, which the caller holds, keeps other reads and
 * writes through open files out, so the whole call is still one step for
 * them; nothing mm calls takes ip->io.
 */

/*
 * A page at a time, straight from the file's frame (a hole: zeros): the
 * frame is found and held (frame_get) under ip->lock, then copied to the
 * user with no inode lock held, since the copy may fault and a fault on a
 * mapping of this file takes ip->lock. The reference keeps the frame even
 * if the file is truncated meanwhile; the caller's io lock keeps writes
 * and truncation through the file system out of the way.
 */
long inode_read_user(struct inode *ip, uint64_t udst, uint64_t off, size_t n)
{
	size_t done = 0;
	long err = 0;
	while (done < n) {
		uint64_t pos = off + done;
		err = proc_preempt_point();   /* a page per trip: let the tick in */
		if (err)
			break;
		inode_lock(ip);
		if (pos >= ip->size) {
			inode_unlock(ip);
			break;   /* end of file (it may have moved: directories) */
		}
		size_t len = chunk_in_page(pos, n - done);
		if (len > ip->size - pos)
			len = (size_t)(ip->size - pos);
		uint8_t *page = pagemap_lookup(&ip->pages, pos / PAGE_SIZE);
		if (page)
			frame_get(kva_to_pa(page));
		inode_unlock(ip);
		const uint8_t *src = page ? page + pos % PAGE_SIZE : zero_page;
		int copied = copy_to_user(udst + done, src, len);
		if (page)
			frame_put(kva_to_pa(page));
		if (copied < 0) {
			err = -EFAULT;
			break;
		}
		done += len;
	}
	return done ? (long)done : err;
}

long inode_write_user(struct inode *ip, uint64_t usrc, uint64_t off, size_t n)
{
	long fit = clip_write(off, n);
	if (fit <= 0)
		return fit;
	uint8_t *bounce = kmalloc(PAGE_SIZE);
	if (bounce == NULL)
		return -ENOMEM;

	size_t done = 0;
	long err = 0;
	while (done < (size_t)fit && !err) {
		uint64_t pos = off + done;
		size_t chunk = chunk_in_page(pos, (size_t)fit - done);
		err = proc_preempt_point();   /* a page per trip: let the tick in */
		if (err)
			break;
		/* From the user first, with no lock: a partial copy stores nothing. */
		if (copy_from_user(bounce, usrc + done, chunk) < 0) {
			err = -EFAULT;
			break;
		}
		inode_lock(ip);
		err = store_chunk(ip, pos, bounce, chunk);
		inode_unlock(ip);
		if (!err)
			done += chunk;
	}
	kfree(bounce);
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

int fs_anon_file(uint64_t size, struct inode **out)
{
	if (size > INODE_MAX_SIZE)
		return -EFBIG;
	int err = inode_alloc(T_FILE, 0, 0, out);
	if (!err)
		(*out)->size = size;   /* no one else can see it yet */
	return err;
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
	long r = inode_readi(ip, dst, off, n);
	inode_unlock(ip);
	return r;
}

/*
 * The counts of an inode's users other than references, all under its
 * lock: text (running programs), writers (open files and shared writable
 * mappings), mapped (areas). A running program and a writer exclude each
 * other: `add` refuses when `excluded` is not zero.
 */
static int count_add(struct inode *ip, int *count, const int *excluded)
{
	inode_lock(ip);
	int err = excluded && *excluded ? -ETXTBSY : 0;
	if (!err)
		(*count)++;
	inode_unlock(ip);
	return err;
}

static void count_drop(struct inode *ip, int *count, const char *who)
{
	inode_lock(ip);
	if (*count <= 0)
		panic("%s: inode %d has none to drop", who, ip->inum);
	(*count)--;
	inode_unlock(ip);
}

int inode_deny_write(struct inode *ip)   { return count_add(ip, &ip->text, &ip->writers); }
void inode_allow_write(struct inode *ip) { count_drop(ip, &ip->text, "inode_allow_write"); }
int inode_get_write(struct inode *ip)    { return count_add(ip, &ip->writers, &ip->text); }
void inode_put_write(struct inode *ip)   { count_drop(ip, &ip->writers, "inode_put_write"); }
void inode_map_get(struct inode *ip)     { count_add(ip, &ip->mapped, NULL); }
void inode_map_put(struct inode *ip)     { count_drop(ip, &ip->mapped, "inode_map_put"); }

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
