/*
 * Device switch: what read() and write() on a T_DEVICE inode do, chosen by
 * the inode's major number. Drivers register at boot, before any process
 * runs; the table is read-only afterwards, so it needs no lock.
 */
#ifndef FS_DEVICE_H
#define FS_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#define DEVICE_MAJORS 16   /* majors 0 .. 15; 0 is never registered */
#define CONSOLE_MAJOR 1

/*
 * A driver's entry points. They move bytes between the device and user
 * memory at udst/usrc, may sleep, and return the byte count or a negative
 * error. Called with no lock held.
 */
struct device_ops {
	long (*read)(int minor, uint64_t udst, size_t n);
	long (*write)(int minor, uint64_t usrc, size_t n);
};

/* Install ops for major. Boot only; a second registration panics. */
void device_register(int major, const struct device_ops *ops);

/* The ops for major, or NULL when no driver has it. */
const struct device_ops *device_lookup(int major);

#endif
