/*
 * Kernel heap for small objects (inodes, files, pipes, processes' tables).
 *
 * Power-of-two size classes from 16 bytes to one page, carved from frames.
 * kmalloc returns zeroed memory or NULL; it never sleeps. Requests larger
 * than a page fail: use frames for those.
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include <stddef.h>

void *kmalloc(size_t size);
void  kfree(void *ptr);          /* NULL is ignored */

#endif
