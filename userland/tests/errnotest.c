/*
 * errnotest: a failed system call returns -1 and leaves the kernel's reason
 * in errno; a call that succeeds leaves errno alone; strerror names the
 * codes. One case per reason, from calls a program really makes.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "errno.h"
#include "check.h"

#define DIR_PATH  "/errnodir"
#define FILE_PATH "/errnodir/f"

/* Check that r is -1 and errno is want; `what` names the call. */
static int expect_error(const char *what, long r, int want)
{
	if (r != -1)
		return fail("%s returned %ld, not -1", what, r);
	if (errno != want)
		return fail("%s: errno %d (%s), not %d (%s)", what, errno,
			    strerror(errno), want, strerror(want));
	return 0;
}

static int open_missing(void)
{
	errno = 0;
	return expect_error("open of a missing file", open("/no/such/file", O_RDONLY), ENOENT);
}

static int write_read_only(void)
{
	int fd = open("/echo", O_RDONLY), r;

	if (fd < 0)
		return fail("cannot open /echo");
	r = expect_error("write to a read-only fd", write(fd, "x", 1), EBADF);
	close(fd);
	return r;
}

static int close_bad_fd(void)
{
	return expect_error("close(99)", close(99), EBADF);
}

static int kill_init(void)
{
	return expect_error("kill(1)", kill(1), EPERM);
}

static int kill_nobody(void)
{
	return expect_error("kill(999999)", kill(999999), ESRCH);
}

static int unlink_nonempty(void)
{
	int fd, r;

	if (mkdir(DIR_PATH) < 0 || (fd = open(FILE_PATH, O_CREATE | O_WRONLY)) < 0)
		return fail("cannot make %s", FILE_PATH);
	close(fd);
	r = expect_error("unlink of a non-empty directory", unlink(DIR_PATH), ENOTEMPTY);
	if (r == 0)
		r = expect_error("mkdir of an existing name", mkdir(DIR_PATH), EEXIST);
	unlink(FILE_PATH);
	unlink(DIR_PATH);
	return r;
}

static int open_dir_for_writing(void)
{
	return expect_error("open(\"/\", O_WRONLY)", open("/", O_WRONLY), EISDIR);
}

static int read_bad_buffer(void)
{
	int fds[2], r;

	if (pipe(fds) < 0)
		return fail("pipe failed");
	write(fds[1], "abc", 3);
	r = expect_error("read into page 0", read(fds[0], (void *)8, 3), EFAULT);
	close(fds[0]);
	close(fds[1]);
	return r;
}

static int wait_no_children(void)
{
	return expect_error("wait with no children", wait(0), ECHILD);
}

static int bad_group_calls(void)
{
	int r = expect_error("setpgid of no such process", setpgid(999999, 0), ESRCH);

	if (r == 0)
		r = expect_error("setpgid to a negative group", setpgid(0, -1), EINVAL);
	if (r == 0)
		r = expect_error("setfg of a negative group", setfg(-1), EINVAL);
	return r;
}

static int success_keeps_errno(void)
{
	errno = 12345;
	if (getpid() <= 0 || close(dup(0)) < 0)
		return fail("getpid or dup failed");
	if (errno != 12345)
		return fail("errno changed to %d by calls that succeeded", errno);
	return 0;
}

static int strerror_names(void)
{
	if (strcmp(strerror(ENOENT), "no such file or directory") != 0)
		return fail("strerror(ENOENT) is \"%s\"", strerror(ENOENT));
	if (strcmp(strerror(ENOTEMPTY), "directory not empty") != 0)
		return fail("strerror(ENOTEMPTY) is \"%s\"", strerror(ENOTEMPTY));
	if (strcmp(strerror(4242), "error 4242") != 0)
		return fail("strerror(4242) is \"%s\"", strerror(4242));
	return 0;
}

/* O_APPEND: every write lands at the end, whatever the offset. */
static int append_mode(void)
{
	char buf[8] = { 0 };
	int fd = open("/errnoappend", O_CREATE | O_TRUNC | O_WRONLY);

	if (fd < 0 || write(fd, "ab", 2) != 2)
		return fail("cannot write /errnoappend");
	close(fd);
	fd = open("/errnoappend", O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "cd", 2) != 2)
		return fail("cannot append to /errnoappend");
	close(fd);
	fd = open("/errnoappend", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) != 4)
		return fail("cannot read /errnoappend back");
	close(fd);
	unlink("/errnoappend");
	if (strcmp(buf, "abcd") != 0)
		return fail("read back \"%s\", not \"abcd\"", buf);
	return 0;
}

int main(void)
{
	run_case("errno_open_missing_enoent", open_missing);
	run_case("errno_write_readonly_ebadf", write_read_only);
	run_case("errno_close_bad_fd_ebadf", close_bad_fd);
	run_case("errno_kill_init_eperm", kill_init);
	run_case("errno_kill_nobody_esrch", kill_nobody);
	run_case("errno_unlink_nonempty_enotempty", unlink_nonempty);
	run_case("errno_open_dir_write_eisdir", open_dir_for_writing);
	run_case("errno_read_bad_buffer_efault", read_bad_buffer);
	run_case("errno_wait_no_children_echild", wait_no_children);
	run_case("errno_group_calls", bad_group_calls);
	run_case("errno_kept_on_success", success_keeps_errno);
	run_case("errno_strerror", strerror_names);
	run_case("o_append", append_mode);
	return 0;
}
