/*
 * The page-index tree of one file: which page of memory holds the bytes of
 * file page i (bytes i*PAGE_SIZE .. (i+1)*PAGE_SIZE-1).
 *
 *   direct[0 .. 11]                       file pages 0 .. 11
 *   indirect  -> [512 pages]              file pages 12 .. 523
 *   dindirect -> [512] -> [512 pages]     file pages 524 .. 262667
 *
 * Data pages (frames of use FRAME_FILE: the page cache memstat counts) and
 * index pages (page_alloc) come zero-filled, so a page that was never
 * written reads as zeros: a hole costs nothing. With
 * 4 KiB pages a file can reach about 1 GiB, more than the machine has, so
 * in practice files are limited by memory only.
 *
 * No locking here: the owner (an inode) holds its lock around every call.
 */
#ifndef FS_PAGEMAP_H
#define FS_PAGEMAP_H

#include <stdint.h>
#include "mm/frame.h"

#define PAGEMAP_NDIRECT   12
#define PAGEMAP_PER_INDEX (PAGE_SIZE / sizeof(void *))   /* 512 */
#define PAGEMAP_MAX_PAGES (PAGEMAP_NDIRECT + PAGEMAP_PER_INDEX + \
                           PAGEMAP_PER_INDEX * PAGEMAP_PER_INDEX)

struct pagemap {
	void *direct[PAGEMAP_NDIRECT];
	/* Index pages are arrays of PAGEMAP_PER_INDEX pointers. */
	void *indirect;      /* an index page of data pages, or NULL */
	void *dindirect;     /* an index page of index pages, or NULL */
};

/* The page holding file page index, or NULL for a hole (or out of range). */
void *pagemap_lookup(struct pagemap *pm, uint64_t index);

/*
 * The page holding file page index, allocating it (and the index pages on
 * the way) when missing. NULL when memory is exhausted or index is at or
 * past PAGEMAP_MAX_PAGES; pages allocated before the failure stay mapped.
 */
void *pagemap_populate(struct pagemap *pm, uint64_t index);

/* Free every data and index page; pm is empty afterwards. */
void pagemap_clear(struct pagemap *pm);

#endif
