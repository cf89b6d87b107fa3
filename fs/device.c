/*
 * The device switch (see device.h).
 */
#include "fs/device.h"
#include "lib/printf.h"

static const struct device_ops *devices[DEVICE_MAJORS];   /* [I] after boot */

void device_register(int major, const struct device_ops *ops)
{
	if (major <= 0 || major >= DEVICE_MAJORS || devices[major])
		panic("device_register: bad or taken major %d", major);
	devices[major] = ops;
}

const struct device_ops *device_lookup(int major)
{
	if (major <= 0 || major >= DEVICE_MAJORS)
		return NULL;
	return devices[major];
}
