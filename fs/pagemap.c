/*
 * The page-index tree of a file (see pagemap.h for the picture).
 */
#include <stdbool.h>
#include <stddef.h>
#include "fs/pagemap.h"
#include "mm/physmap.h"

/* The first file page reached through each level of the tree. */
#define FIRST_INDIRECT  ((uint64_t)PAGEMAP_NDIRECT)
#define FIRST_DINDIRECT (FIRST_INDIRECT + PAGEMAP_PER_INDEX)

/*
 * Data pages are frames of their own use, FRAME_FILE, so that memstat can
 * tell the page cache apart from the kernel's other pages; index pages are
 * plain kernel pages. Both come zero-filled. NULL when memory is exhausted.
 */
static void *data_alloc(void)
{
	uint64_t pa = frame_alloc_zeroed(FRAME_FILE);
	return pa ? pa_to_kva(pa) : NULL;
}

/*
 * Give a data page back. Drops the file's reference only: a frame lent to
 * mm (inode_page_frame) lives on until its last mapping goes.
 */
static void data_free(void *page)
{
	frame_put(kva_to_pa(page));
}

/*
 * The index page *slot points at, as an array of pointers; a zeroed one is
 * allocated first if it is missing and alloc is set. NULL when missing
 * (and !alloc) or out of memory.
 */
static void **index_page(void **slot, bool alloc)
{
	if (*slot == NULL && alloc)
		*slot = page_alloc();
	return *slot;
}

/*
 * The slot in the tree that holds (or will hold) the pointer to file page
 * index. With alloc, missing index pages are allocated on the way.
 * NULL when index is out of range, or an index page is missing (and !alloc)
 * or cannot be allocated.
 */
static void **page_slot(struct pagemap *pm, uint64_t index, bool alloc)
{
	if (index < FIRST_INDIRECT)
		return &pm->direct[index];

	if (index < FIRST_DINDIRECT) {
		void **ind = index_page(&pm->indirect, alloc);
		return ind ? &ind[index - FIRST_INDIRECT] : NULL;
	}

	if (index >= PAGEMAP_MAX_PAGES)
		return NULL;
	index -= FIRST_DINDIRECT;
	void **dind = index_page(&pm->dindirect, alloc);
	if (dind == NULL)
		return NULL;
	void **ind = index_page(&dind[index / PAGEMAP_PER_INDEX], alloc);
	return ind ? &ind[index % PAGEMAP_PER_INDEX] : NULL;
}

void *pagemap_lookup(struct pagemap *pm, uint64_t index)
{
	void **slot = page_slot(pm, index, false);
	return slot ? *slot : NULL;
}

void *pagemap_populate(struct pagemap *pm, uint64_t index)
{
	void **slot = page_slot(pm, index, true);
	if (slot == NULL)
		return NULL;
	if (*slot == NULL)
		*slot = data_alloc();
	return *slot;
}

/* Free the data pages an index page points at, then the index page. */
static void free_index(void *page)
{
	void **ind = page;

	if (ind == NULL)
		return;
	for (size_t i = 0; i < PAGEMAP_PER_INDEX; i++)
		if (ind[i])
			data_free(ind[i]);
	page_free(ind);
}

void pagemap_clear(struct pagemap *pm)
{
	for (size_t i = 0; i < PAGEMAP_NDIRECT; i++) {
		if (pm->direct[i])
			data_free(pm->direct[i]);
		pm->direct[i] = NULL;
	}

	free_index(pm->indirect);
	pm->indirect = NULL;

	if (pm->dindirect) {
		void **dind = pm->dindirect;
		for (size_t i = 0; i < PAGEMAP_PER_INDEX; i++)
			free_index(dind[i]);
		page_free(pm->dindirect);
		pm->dindirect = NULL;
	}
}
