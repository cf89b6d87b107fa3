/* QEMU's "sifive,test" finisher device: exit QEMU with a status. */
#ifndef ARCH_RISCV_POWEROFF_H
#define ARCH_RISCV_POWEROFF_H

#include <stdint.h>

/* Where the device is (physical); 0 when the device tree has none. */
void poweroff_set_device(uint64_t pa);
/* Exit QEMU with `status` (0 = pass); returns only if there is no device. */
void poweroff_test_device(int status);

#endif
