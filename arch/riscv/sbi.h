/*
 * SBI calls into OpenSBI (the SBI specification, v1.0+). Extensions used:
 * legacy console putchar, TIME, HSM (hart start), SRST (system reset).
 */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE           0x10
#define SBI_EXT_TIME           0x54494D45   /* "TIME" */
#define SBI_EXT_HSM            0x48534D     /* "HSM" */
#define SBI_EXT_SRST           0x53525354   /* "SRST" */

#define SBI_BASE_PROBE_EXT     3
#define SBI_TIME_SET_TIMER     0
#define SBI_HSM_HART_START     0
#define SBI_SRST_RESET         0

#define SBI_SRST_TYPE_SHUTDOWN   0
#define SBI_SRST_REASON_NONE     0
#define SBI_SRST_REASON_FAILURE  1

struct sbiret {
	long error;   /* 0 = success, negative SBI error code */
	long value;
};

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);
void sbi_console_putchar(int c);
void sbi_set_timer(uint64_t stime);
long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque);
/* Power off; `failed` selects the failure reason so QEMU exits non-zero. */
void sbi_shutdown(int failed) __attribute__((noreturn));

#endif
