/*
 * The initial file system image, packed by tools/mkfsimg.py and linked
 * into the kernel between fsimg_start and fsimg_end. The format is
 * described at the top of fs/image.c.
 */
#ifndef FS_IMAGE_H
#define FS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct inode;

/*
 * Create every directory and file of the image img (len bytes) below dir.
 * Returns 0, -EINVAL (not an image, or malformed), or the error of
 * creating a file (-EEXIST for a name given twice, -ENOMEM, ...). Files
 * unpacked before an error stay.
 */
int image_unpack(struct inode *dir, const uint8_t *img, size_t len);

/* image_unpack of the image linked into the kernel, into dir. */
int image_unpack_embedded(struct inode *dir);

#endif
