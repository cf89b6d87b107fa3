/*
 * Host stand-in for the file system's side of page lending (fs/fs.h:
 * inode_page_frame, inode_dup/put, inode_deny/allow_write) for the VM
 * host tests: a file is an array of frames from the real frame allocator
 * and a size, so mm's file areas run against it unchanged.
 */
#ifndef TESTS_UNIT_SHIM_FILE_H
#define TESTS_UNIT_SHIM_FILE_H

#include <stdint.h>

#define SHIM_FILE_PAGES 64

struct inode {
	uint64_t size;                     /* bytes */
	uint64_t frames[SHIM_FILE_PAGES];  /* 0 = a hole */
	int      ref;                      /* references (the test's own is 1) */
	int      writers;                  /* open for writing */
	int      text;                     /* deny-write count */
	int      mapped;                   /* areas that map it (inode_map_get) */
	int      anon;                     /* made by fs_anon_file: freed at the last put */
};

/* A file of size bytes whose byte i is (i & 0xff) ^ seed; one reference. */
struct inode *shim_file_new(uint64_t size, unsigned seed);
/* Drop the test's reference; the file must then be unreferenced: frees it. */
void shim_file_free(struct inode *ip);
/* Shrink to size, freeing the pages wholly past it, as truncation does. */
void shim_file_truncate(struct inode *ip, uint64_t size);

#endif
