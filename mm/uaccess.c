/*
 * Copying to and from the current process's user memory.
 *
 * The range check here is what keeps a user pointer from naming kernel
 * memory: [addr, addr+n) must lie wholly below USER_TOP without wrapping.
 * The copy itself (arch/riscv/uaccess.S) runs with SUM set; a page fault in
 * it goes through mm_fault on the current mm, so untouched lazy pages are
 * faulted in exactly as a user access would, and an address no area
 * covers makes the copy return -EFAULT instead of killing anyone.
 */
#include "mm/uaccess.h"
#include "mm/mm.h"
#include "lib/errno.h"

long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *usrc, size_t max);

bool user_range_ok(uint64_t addr, size_t n)
{
	if (n == 0)
		return true;
	return addr >= PAGE_SIZE && addr < USER_TOP && n <= USER_TOP - addr;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	if (n == 0)
		return 0;
	return uaccess_copy((void *)udst, src, n) ? -EFAULT : 0;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	if (n == 0)
		return 0;
	return uaccess_copy(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

long copy_string_from_user(char *dst, uint64_t usrc, size_t max)
{
	if (max == 0 || usrc >= USER_TOP)
		return -EFAULT;
	/* Never read past the top of user space, even looking for the NUL. */
	size_t room = USER_TOP - usrc < max ? USER_TOP - usrc : max;
	long len = uaccess_strncpy(dst, (const char *)usrc, room);
	if (len < 0)
		return -EFAULT;
	if ((size_t)len == room) {
		dst[max - 1] = 0;
		return room < max ? -EFAULT : -ENAMETOOLONG;
	}
	return len;
}
