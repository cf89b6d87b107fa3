/*
 * SBI calls into OpenSBI (the SBI specification, v1.0+). Extensions used:
 * legacy console putchar, BASE (probe), TIME, HSM (hart start), SRST
 * (system reset), RFENCE (remote sfence.vma).
 */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include <stdbool.h>
#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE           0x10
#define SBI_EXT_TIME           0x54494D45   /* "TIME" */
#define SBI_EXT_HSM            0x48534D     /* "HSM" */
#define SBI_EXT_SRST           0x53525354   /* "SRST" */
#define SBI_EXT_RFENCE         0x52464E43   /* "RFNC" */

#define SBI_BASE_PROBE_EXT     3
#define SBI_TIME_SET_TIMER     0
#define SBI_HSM_HART_START     0
#define SBI_SRST_RESET         0
#define SBI_RFENCE_REMOTE_SFENCE_VMA 1

/* RFENCE: a size of 2^XLEN - 1 asks for a full flush. */
#define SBI_RFENCE_SIZE_ALL    (~0UL)

#define SBI_SRST_TYPE_SHUTDOWN   0
#define SBI_SRST_REASON_NONE     0
#define SBI_SRST_REASON_FAILURE  1

/* sbiret.error values (SBI specification, "Standard SBI Errors"). */
#define SBI_SUCCESS                0
#define SBI_ERR_FAILED            (-1)
#define SBI_ERR_NOT_SUPPORTED     (-2)
#define SBI_ERR_INVALID_PARAM     (-3)
#define SBI_ERR_DENIED            (-4)
#define SBI_ERR_INVALID_ADDRESS   (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

struct sbiret {
	long error;   /* 0 = success, negative SBI error code */
	long value;
};

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3);
/* Does the SBI implement extension ext? (BASE probe_extension) */
bool sbi_probe_extension(long ext);
void sbi_console_putchar(int c);
void sbi_set_timer(uint64_t stime);
long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque);
/*
 * RFENCE remote_sfence_vma: the harts in hart_mask (bit i = hart id
 * hart_mask_base + i) flush [start, start + size), or everything when
 * size is SBI_RFENCE_SIZE_ALL. Returns sbiret.error (SBI_SUCCESS or an
 * SBI_ERR_*). Probe for SBI_EXT_RFENCE first.
 */
long sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t hart_mask_base,
			   uint64_t start, uint64_t size);
/* Power off; `failed` selects the failure reason so QEMU exits non-zero. */
void sbi_shutdown(int failed) __attribute__((noreturn));

#endif
