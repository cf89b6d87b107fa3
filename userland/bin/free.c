/*
 * free: the kernel's memory figures (from memstat), in frames and KiB.
 *
 *   total, free, used      frames the allocator manages
 *   page tables, user      what the used frames hold
 *   faults served          page faults resolved by allocating a page
 *   lazy untouched         heap pages reserved by sbrk, never touched
 */
#include "kernel/types.h"
#include "user/user.h"

#define KIB 1024

static void row(const char *what, uint64 pages, uint64 page_size)
{
	printf("%-16s %8lu pages %10lu KiB\n", what, pages, pages * page_size / KIB);
}

int main(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0) {
		fprintf(2, "free: memstat failed\n");
		return 1;
	}
	row("total", ms.total_frames, ms.page_size);
	row("free", ms.free_frames, ms.page_size);
	row("used", ms.used_frames, ms.page_size);
	row("  page tables", ms.pt_frames, ms.page_size);
	row("  user pages", ms.user_frames, ms.page_size);
	row("lazy untouched", ms.lazy_untouched, ms.page_size);
	printf("%-16s %8lu\n", "faults served", ms.faults_served);
	printf("%-16s %8s\n", "allocation", ms.eager ? "eager" : "lazy");
	return 0;
}
