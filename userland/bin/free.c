/*
 * free: the kernel's memory figures (from memstat), in frames and KiB.
 *
 *   total, free, used      frames the allocator manages
 *   page tables, user,     what the used frames hold; the page cache is
 *   page cache             the frames holding file data, mapped into
 *                          processes or not (a file's index pages are not
 *                          counted: they are kernel pages)
 *   shared                 of the user frames, those mapped more than once
 *                          (copy-on-write after fork); each counted once
 *   lazy untouched         heap pages reserved by sbrk, never touched
 *   zero-page maps         pages mapping the one shared zero page, all
 *                          processes: they use no frame of their own (the
 *                          zero page itself is one used frame, counted once)
 *   faults served          page faults resolved by allocating a page
 *   allocation             lazy, or eager (mm.eager=1)
 *   copy-on-write          on, or off (mm.cow=0: fork copies)
 *   zero page              on, or off (mm.zeropage=0: read faults allocate)
 *   fault injection        only under fail.frame=PERCENT: the percentage
 *                          and how many allocations failed on purpose
 */
#include "kernel/types.h"
#include "user/user.h"

#define KIB 1024

static void row(const char *what, uint64 pages, uint64 page_size)
{
	printf("%-16s %8lu pages %10lu KiB\n", what, pages, pages * page_size / KIB);
}

static const char *on_off(uint64 on)
{
	return on ? "on" : "off";
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
	row("    shared", ms.shared_frames, ms.page_size);
	row("  page cache", ms.file_frames, ms.page_size);
	row("lazy untouched", ms.lazy_untouched, ms.page_size);
	printf("%-16s %8lu\n", "zero-page maps", ms.zero_mappings);
	printf("%-16s %8lu\n", "faults served", ms.faults_served);
	printf("%-16s %8s\n", "allocation", ms.eager ? "eager" : "lazy");
	printf("%-16s %8s\n", "copy-on-write", on_off(ms.cow));
	printf("%-16s %8s\n", "zero page", on_off(ms.zeropage));
	if (ms.fail_percent)
		printf("%-16s %7lu%% %lu failed\n", "fault injection", ms.fail_percent,
		       ms.fail_injected);
	return 0;
}
