/* See shim_file.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fs/fs.h"
#include "lib/errno.h"
#include "mm/frame.h"
#include "mm/physmap.h"
#include "tests/unit/shim/shim_file.h"

struct inode *shim_file_new(uint64_t size, unsigned seed)
{
	struct inode *ip = calloc(1, sizeof(*ip));
	ip->size = size;
	ip->ref = 1;
	for (uint64_t i = 0; i < size; i++) {
		uint64_t pg = i / PAGE_SIZE;
		if (!ip->frames[pg])
			ip->frames[pg] = frame_alloc_zeroed(FRAME_KERNEL);
		((unsigned char *)pa_to_kva(ip->frames[pg]))[i % PAGE_SIZE] =
			(unsigned char)((i & 0xff) ^ seed);
	}
	return ip;
}

void shim_file_truncate(struct inode *ip, uint64_t size)
{
	for (uint64_t pg = page_up(size) / PAGE_SIZE; pg < SHIM_FILE_PAGES; pg++) {
		if (ip->frames[pg])
			frame_put(ip->frames[pg]);
		ip->frames[pg] = 0;
	}
	ip->size = size;
}

void shim_file_free(struct inode *ip)
{
	if (ip->mapped) {
		fprintf(stderr, "shim_file_free: %d areas still map the file\n", ip->mapped);
		abort();
	}
	if (--ip->ref != 0 || ip->text != 0) {
		fprintf(stderr, "shim_file_free: %d references and %d denials left\n",
			ip->ref, ip->text);
		abort();
	}
	shim_file_truncate(ip, 0);
	free(ip);
}

int inode_page_frame(struct inode *ip, uint64_t pgno, uint64_t *pa)
{
	if (pgno >= SHIM_FILE_PAGES || pgno * PAGE_SIZE >= ip->size)
		return -ENXIO;
	if (!ip->frames[pgno] && !(ip->frames[pgno] = frame_alloc_zeroed(FRAME_KERNEL)))
		return -ENOMEM;
	frame_get(ip->frames[pgno]);
	*pa = ip->frames[pgno];
	return 0;
}

int fs_anon_file(uint64_t size, struct inode **out)
{
	if (size > SHIM_FILE_PAGES * PAGE_SIZE)
		return -EFBIG;
	*out = shim_file_new(0, 0);
	(*out)->size = size;
	(*out)->anon = 1;
	return 0;
}

unsigned inode_inum(struct inode *ip)
{
	(void)ip;
	return 42;
}

struct inode *inode_dup(struct inode *ip)
{
	ip->ref++;
	return ip;
}

void inode_put(struct inode *ip)
{
	if (--ip->ref > 0)
		return;
	if (!ip->anon) {
		fprintf(stderr, "shim inode_put: the test's own reference went\n");
		abort();
	}
	shim_file_truncate(ip, 0);   /* an unnamed file goes with its last reference */
	free(ip);
}

int inode_get_write(struct inode *ip)
{
	if (ip->text)
		return -ETXTBSY;
	ip->writers++;
	return 0;
}

void inode_put_write(struct inode *ip)
{
	if (--ip->writers < 0) {
		fprintf(stderr, "shim inode_put_write: no writer\n");
		abort();
	}
}

void inode_map_get(struct inode *ip)
{
	ip->mapped++;
}

void inode_map_put(struct inode *ip)
{
	if (--ip->mapped < 0) {
		fprintf(stderr, "shim inode_map_put: not mapped\n");
		abort();
	}
}

int inode_deny_write(struct inode *ip)
{
	if (ip->writers)
		return -ETXTBSY;
	ip->text++;
	return 0;
}

void inode_allow_write(struct inode *ip)
{
	if (--ip->text < 0) {
		fprintf(stderr, "shim inode_allow_write: not denied\n");
		abort();
	}
}
