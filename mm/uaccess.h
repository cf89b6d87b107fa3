/*
 * Copying between the kernel and the current process's user memory.
 *
 * These are the only places the kernel touches user addresses. They accept
 * memory that is reserved but not yet touched: a page fault inside them is
 * resolved by mm_fault() like a user fault. A range that is not wholly in
 * the user half, wraps around, or cannot be faulted in (not reserved, wrong
 * protection, out of memory) gives -EFAULT, and the caller goes on.
 * Call them with no spinlock held.
 */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * May [addr, addr+n) be handed to the copy routines? Wholly in the user
 * half, no wrap-around, and not on page 0 (never mapped). An empty range
 * is always fine. The copies check this themselves; callers that must
 * know before they consume data (a pipe, the console) ask first.
 */
bool user_range_ok(uint64_t addr, size_t n);

int  copy_to_user(uint64_t udst, const void *src, size_t n);
int  copy_from_user(void *dst, uint64_t usrc, size_t n);
/*
 * Copy a NUL-terminated string of at most max-1 characters into dst.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL comes in time.
 */
long copy_string_from_user(char *dst, uint64_t usrc, size_t max);

#endif
