/*
 * The pipe's byte ring (see pipebuf.h).
 */
#include "fs/pipebuf.h"
#include "lib/string.h"

size_t pipebuf_used(const struct pipebuf *b)
{
	return (uint32_t)(b->nwrite - b->nread);
}

size_t pipebuf_room(const struct pipebuf *b)
{
	return PIPEBUF_SIZE - pipebuf_used(b);
}

size_t pipebuf_put(struct pipebuf *b, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t room = pipebuf_room(b);
	if (n > room)
		n = room;

	/* At most two pieces: up to the end of the page, then from its start. */
	size_t at = b->nwrite % PIPEBUF_SIZE;
	size_t first = PIPEBUF_SIZE - at < n ? PIPEBUF_SIZE - at : n;
	memcpy(b->data + at, s, first);
	memcpy(b->data, s + first, n - first);
	b->nwrite += (uint32_t)n;
	return n;
}

size_t pipebuf_peek(const struct pipebuf *b, void *dst, size_t n)
{
	uint8_t *d = dst;
	size_t used = pipebuf_used(b);
	if (n > used)
		n = used;

	size_t at = b->nread % PIPEBUF_SIZE;
	size_t first = PIPEBUF_SIZE - at < n ? PIPEBUF_SIZE - at : n;
	memcpy(d, b->data + at, first);
	memcpy(d + first, b->data, n - first);
	return n;
}

void pipebuf_drop(struct pipebuf *b, size_t n)
{
	if (n > pipebuf_used(b))
		n = pipebuf_used(b);
	b->nread += (uint32_t)n;
}
