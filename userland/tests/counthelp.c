/*
 * counthelp.c: the system-wide counts fuzz and stress compare at the end:
 * free frames (memstat) and creatable inodes.
 *
 * #included by each, so every test stays a single program.
 *
 * count_creatable_inodes() makes files until the file system refuses,
 * which may grow the kernel's inode table; take it before the frame
 * baseline, and the frames at the end before counting again.
 */
#define SETTLE_TRIES    50
#define IC_PER_DIR      128         /* files per directory when counting inodes */

/* How many inodes can still be created: directories under ic_dir (a new directory), each
 * with IC_PER_DIR files (made from inside it: short lookups), until a
 * creation fails; then all are removed again. */
static int count_creatable_inodes(const char *ic_dir)
{
	char name[40];
	int n, dirs = 0, files = IC_PER_DIR, fd;

	if (mkdir(ic_dir) < 0)
		return -1;
	n = 1;
	for (;;) {
		if (files == IC_PER_DIR) {
			snprintf(name, sizeof(name), "%s%s%d", dirs ? "../" : ic_dir, dirs ? "" : "/", dirs);
			if (mkdir(name) < 0 || chdir(name) < 0)
				break;
			dirs++, n++, files = 0;
		}
		snprintf(name, sizeof(name), "%d", files);
		if ((fd = open(name, O_CREATE | O_RDWR)) < 0)
			break;
		close(fd);
		files++, n++;
	}
	for (int d = dirs - 1; d >= 0; d--) {
		snprintf(name, sizeof(name), "%s/%d", ic_dir, d);
		if (chdir(name) < 0)
			continue;
		for (int f = (d == dirs - 1 ? files : IC_PER_DIR) - 1; f >= 0; f--) {
			snprintf(name, sizeof(name), "%d", f);
			unlink(name);
		}
		chdir("/");
		snprintf(name, sizeof(name), "%s/%d", ic_dir, d);
		unlink(name);
	}
	chdir("/");
	unlink(ic_dir);
	return n;
}

static uint64 free_frames(void)
{
	struct memstat ms;

	return memstat(&ms) < 0 ? 0 : ms.free_frames;
}

/* Free frames once they stop coming back (up to SETTLE_TRIES ticks). */
static uint64 free_settled(uint64 want)
{
	uint64 now = free_frames();

	for (int i = 0; i < SETTLE_TRIES && now != want; i++) {
		sleep(1);
		now = free_frames();
	}
	return now;
}

