/*
 * fstest: files and directories through the system calls.
 *
 * Works in /fst_* names under the root, removed again as it goes (and
 * removed first, in case an earlier run died half way).
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "check.h"

#define FILE_A    "/fst_a"
#define FILE_B    "/fst_b"
#define DIR_D     "/fst_d"
#define IN_D      "/fst_d/f"
#define BIG       "/fst_big"
#define BIG_SIZE  (1024 * 1024)
#define CHUNK     4096

static char chunk[CHUNK], back[CHUNK];

static void cleanup(void)
{
	unlink(FILE_A);
	unlink(FILE_B);
	unlink(IN_D);
	unlink(DIR_D);
	unlink(BIG);
}

/* Create path holding text; 0, or -1. */
static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);
	int n = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Does the file at path hold exactly text? */
static int file_is(const char *path, const char *text)
{
	char buf[64];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static int create_read_back(void)
{
	if (put_file(FILE_A, "hello, file") < 0)
		return fail("cannot create and write %s", FILE_A);
	if (!file_is(FILE_A, "hello, file"))
		return fail("read back something else");
	return 0;
}

/* Writing without O_TRUNC overwrites in place from offset 0. */
static int overwrite(void)
{
	int fd = open(FILE_A, O_WRONLY);

	if (fd < 0)
		return fail("cannot open %s for writing", FILE_A);
	write(fd, "HE", 2);
	close(fd);
	if (!file_is(FILE_A, "HEllo, file"))
		return fail("bytes after the write changed or were lost");
	return 0;
}

static int truncate_file(void)
{
	struct stat st = { 0 };
	int fd = open(FILE_A, O_WRONLY | O_TRUNC);

	if (fd < 0)
		return fail("cannot open with O_TRUNC");
	if (fstat(fd, &st) < 0 || st.size != 0) {
		close(fd);
		return fail("size %lu after O_TRUNC", (uint64)st.size);
	}
	write(fd, "xy", 2);
	fstat(fd, &st);
	close(fd);
	if (st.size != 2 || !file_is(FILE_A, "xy"))
		return fail("size %lu after writing 2 bytes", (uint64)st.size);
	return 0;
}

static int unlink_file(void)
{
	if (unlink(FILE_A) < 0)
		return fail("unlink failed");
	if (open(FILE_A, O_RDONLY) >= 0)
		return fail("the name is still there");
	if (unlink(FILE_A) != -1)
		return fail("a second unlink succeeded");
	return 0;
}

static int open_missing(void)
{
	if (open("/fst_nothing", O_RDONLY) != -1)
		return fail("opened a file that does not exist");
	return 0;
}

/* An unlinked file lives on while a descriptor is open on it. */
static int unlink_while_open(void)
{
	char buf[16];
	struct stat st = { 0 };
	int w, r, n;

	w = open(FILE_A, O_CREATE | O_RDWR);
	if (w < 0)
		return fail("create failed");
	write(w, "keep me", 7);
	r = open(FILE_A, O_RDONLY);
	if (r < 0 || unlink(FILE_A) < 0) {
		close(w);
		return fail("open or unlink failed");
	}
	if (open(FILE_A, O_RDONLY) != -1) {
		close(w);
		close(r);
		return fail("the name outlived unlink");
	}
	n = read(r, buf, sizeof(buf));
	fstat(w, &st);
	close(w);
	close(r);
	if (n != 7 || memcmp(buf, "keep me", 7) != 0)
		return fail("read %d bytes of the unlinked file", n);
	if (st.nlink != 0)
		return fail("nlink %d after unlink", st.nlink);
	return 0;
}

static int link_nlink(void)
{
	struct stat a = { 0 }, b = { 0 };

	if (put_file(FILE_A, "shared") < 0)
		return fail("create failed");
	if (link(FILE_A, FILE_B) < 0)
		return fail("link failed");
	if (stat(FILE_A, &a) < 0 || stat(FILE_B, &b) < 0)
		return fail("stat failed");
	if (a.ino != b.ino || a.nlink != 2)
		return fail("inodes %d and %d, nlink %d", (int)a.ino, (int)b.ino, a.nlink);
	if (link(FILE_A, FILE_B) != -1)
		return fail("link over an existing name succeeded");
	unlink(FILE_A);
	if (stat(FILE_B, &b) < 0 || b.nlink != 1 || !file_is(FILE_B, "shared"))
		return fail("after unlinking one name: nlink %d", b.nlink);
	unlink(FILE_B);
	return 0;
}

static int mkdir_chdir(void)
{
	struct stat root, st = { 0 };

	if (stat("/", &root) < 0)
		return fail("stat / failed");
	if (mkdir(DIR_D) < 0)
		return fail("mkdir failed");
	if (chdir(DIR_D) < 0)
		return fail("chdir failed");
	if (put_file("f", "inside") < 0) {
		chdir("/");
		return fail("cannot create a file by relative name");
	}
	if (stat("..", &st) < 0 || st.ino != root.ino) {
		chdir("/");
		return fail(".. is not /");
	}
	if (chdir("..") < 0 || stat(".", &st) < 0 || st.ino != root.ino) {
		chdir("/");
		return fail("chdir .. did not lead to /");
	}
	if (!file_is(IN_D, "inside"))
		return fail("%s not found by its full path", IN_D);
	if (stat(DIR_D, &st) < 0 || st.type != T_DIR)
		return fail("%s is not a directory", DIR_D);
	return 0;
}

/* Does the directory record carry exactly this name? */
static int dirent_is(const struct dirent *de, const char *name)
{
	uint n = strlen(name);

	return n <= DIRSIZ && memcmp(de->name, name, n) == 0 &&
	       (n == DIRSIZ || de->name[n] == '\0');
}

static int read_directory(void)
{
	struct dirent de;
	int fd, dot = 0, dotdot = 0, f = 0;

	fd = open(DIR_D, O_RDONLY);
	if (fd < 0)
		return fail("cannot open %s", DIR_D);
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		dot += dirent_is(&de, ".");
		dotdot += dirent_is(&de, "..");
		f += dirent_is(&de, "f");
	}
	close(fd);
	if (dot != 1 || dotdot != 1 || f != 1)
		return fail("found . %d times, .. %d times, f %d times", dot, dotdot, f);
	return 0;
}

static int mkdir_existing(void)
{
	if (mkdir(DIR_D) != -1)
		return fail("mkdir of an existing directory succeeded");
	if (mkdir(IN_D) != -1)
		return fail("mkdir over an existing file succeeded");
	return 0;
}

static int open_dir_for_writing(void)
{
	int fd = open(DIR_D, O_RDWR);

	if (fd >= 0) {
		close(fd);
		return fail("a directory opened for writing");
	}
	return 0;
}

static int link_dir_refused(void)
{
	if (link(DIR_D, FILE_B) != -1) {
		unlink(FILE_B);
		return fail("a directory got a second name");
	}
	return 0;
}

static int unlink_nonempty_dir(void)
{
	if (unlink(DIR_D) != -1)
		return fail("unlinked a directory that holds a file");
	if (unlink("/fst_d/.") != -1 || unlink("/fst_d/..") != -1)
		return fail("unlinked . or ..");
	if (unlink(IN_D) < 0 || unlink(DIR_D) < 0)
		return fail("cannot remove the emptied directory");
	return 0;
}

/* The byte at offset off of the large file: varies within and across pages. */
static uchar pattern(uint off)
{
	return (uchar)(off * 7 + (off >> 12) * 13);
}

/* 1 MiB written in chunks and read back whole. */
static int large_file(void)
{
	struct stat st = { 0 };
	int fd, bad = -1;

	fd = open(BIG, O_CREATE | O_RDWR | O_TRUNC);
	if (fd < 0)
		return fail("create failed");
	for (uint off = 0; off < BIG_SIZE; off += CHUNK) {
		for (uint i = 0; i < CHUNK; i++)
			chunk[i] = pattern(off + i);
		if (write(fd, chunk, CHUNK) != CHUNK) {
			close(fd);
			unlink(BIG);
			return fail("write at %d failed", (int)off);
		}
	}
	close(fd);
	fd = open(BIG, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.size != BIG_SIZE) {
		unlink(BIG);
		return fail("size %lu, wanted %d", (uint64)st.size, BIG_SIZE);
	}
	for (uint off = 0; off < BIG_SIZE && bad < 0; off += CHUNK) {
		if (read(fd, back, CHUNK) != CHUNK) {
			bad = off;
			break;
		}
		for (uint i = 0; i < CHUNK; i++) {
			if ((uchar)back[i] != pattern(off + i)) {
				bad = off + i;
				break;
			}
		}
	}
	if (bad < 0 && read(fd, back, CHUNK) != 0)
		bad = BIG_SIZE;
	close(fd);
	unlink(BIG);
	if (bad >= 0)
		return fail("read back differs at byte %d", bad);
	return 0;
}

int main(void)
{
	chdir("/");
	cleanup();
	run_case("fs_create_read", create_read_back);
	run_case("fs_overwrite", overwrite);
	run_case("fs_truncate", truncate_file);
	run_case("fs_unlink", unlink_file);
	run_case("fs_open_missing", open_missing);
	run_case("fs_unlink_open", unlink_while_open);
	run_case("fs_link_nlink", link_nlink);
	run_case("fs_mkdir_chdir", mkdir_chdir);
	run_case("fs_read_dir", read_directory);
	run_case("fs_mkdir_existing", mkdir_existing);
	run_case("fs_open_dir_write", open_dir_for_writing);
	run_case("fs_link_dir", link_dir_refused);
	run_case("fs_unlink_nonempty", unlink_nonempty_dir);
	run_case("fs_large_file", large_file);
	cleanup();
	return 0;
}
