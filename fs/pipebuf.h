/*
 * The byte ring behind a pipe: PIPEBUF_SIZE bytes of one page and two
 * free-running counters. nwrite - nread is the number of bytes held (the
 * counters are 32-bit and wrap; PIPEBUF_SIZE divides 2^32, so the
 * subtraction and "counter % size" stay right across the wrap).
 *
 * Pure arithmetic and copying: the pipe holds its lock around every call.
 */
#ifndef FS_PIPEBUF_H
#define FS_PIPEBUF_H

#include <stddef.h>
#include <stdint.h>
#include "mm/frame.h"

#define PIPEBUF_SIZE PAGE_SIZE

_Static_assert((PIPEBUF_SIZE & (PIPEBUF_SIZE - 1)) == 0,
               "the counters' wrap needs a power-of-two ring");

struct pipebuf {
	uint8_t *data;     /* PIPEBUF_SIZE bytes */
	uint32_t nread;    /* bytes ever taken out */
	uint32_t nwrite;   /* bytes ever put in */
};

/* Bytes waiting to be read. */
size_t pipebuf_used(const struct pipebuf *b);
/* Bytes that can be put in now. */
size_t pipebuf_room(const struct pipebuf *b);
/* Put up to n bytes from src; returns how many fitted. */
size_t pipebuf_put(struct pipebuf *b, const void *src, size_t n);
/*
 * Copy up to n of the oldest bytes into dst without taking them; returns
 * how many there were. pipebuf_drop then takes the first n (at most all):
 * a reader drops only what reached its user, so a faulting copy loses
 * nothing.
 */
size_t pipebuf_peek(const struct pipebuf *b, void *dst, size_t n);
void   pipebuf_drop(struct pipebuf *b, size_t n);

#endif
