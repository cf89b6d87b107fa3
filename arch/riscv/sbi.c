/* SBI calls: ecall into OpenSBI with a7 = extension, a6 = function. */
#include "arch/riscv/sbi.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/poweroff.h"

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){ .error = r_a0, .value = r_a1 };
}

void sbi_console_putchar(int c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0, 0);
}

void sbi_set_timer(uint64_t stime)
{
	sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, (long)stime, 0, 0, 0);
}

long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque)
{
	return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, (long)hartid,
			(long)start_pa, (long)opaque, 0).error;
}

/* probe_extension answers 0 for "absent", any other value for present. */
bool sbi_probe_extension(long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext, 0, 0, 0);
	return r.error == SBI_SUCCESS && r.value != 0;
}

long sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t hart_mask_base,
			   uint64_t start, uint64_t size)
{
	return sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, (long)hart_mask,
			(long)hart_mask_base, (long)start, (long)size).error;
}

/*
 * SRST carries the reason, but OpenSBI's QEMU driver may report every
 * shutdown as success; for a failure, first try the QEMU test device
 * (poweroff.c), which encodes the exit status itself.
 */
void sbi_shutdown(int failed)
{
	if (failed)
		poweroff_test_device(1);
	sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN,
		 failed ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE, 0, 0);
	for (;;)
		wfi();
}
