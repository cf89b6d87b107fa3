/*
 * errno, strerror, perror (see errno.h).
 *
 * The messages are indexed by the codes of lazuli/errno.h, the table the
 * kernel uses, so a code and its message cannot drift apart; a code with
 * no message here prints as "error N".
 */
#include "kernel/types.h"
#include "errno.h"
#include "user/user.h"
#include "user/lazuli.h"

int errno;   /* set by the system-call stubs on failure (usys.S) */

static const char *const messages[] = {
	[0]            = "no error",
	[EPERM]        = "permission denied",
	[ENOENT]       = "no such file or directory",
	[ESRCH]        = "no such process",
	[EINTR]        = "interrupted",
	[EIO]          = "input/output error",
	[ENXIO]        = "no such device or address",
	[E2BIG]        = "argument list too long",
	[ENOEXEC]      = "not an executable",
	[EBADF]        = "bad file descriptor",
	[ECHILD]       = "no child processes",
	[EAGAIN]       = "resource temporarily unavailable",
	[ENOMEM]       = "out of memory",
	[EACCES]       = "access denied",
	[EFAULT]       = "bad address",
	[EBUSY]        = "resource busy",
	[EEXIST]       = "file exists",
	[EXDEV]        = "cross-device link",
	[ENODEV]       = "no such device",
	[ENOTDIR]      = "not a directory",
	[EISDIR]       = "is a directory",
	[EINVAL]       = "invalid argument",
	[ENFILE]       = "too many open files in the system",
	[EMFILE]       = "too many open files",
	[ETXTBSY]      = "program file busy",
	[EFBIG]        = "file too large",
	[ENOSPC]       = "no space left",
	[ESPIPE]       = "illegal seek",
	[EMLINK]       = "too many links",
	[EPIPE]        = "broken pipe",
	[ENAMETOOLONG] = "name too long",
	[ENOSYS]       = "no such system call",
	[ENOTEMPTY]    = "directory not empty",
};

char *strerror(int code)
{
	static char unknown[24];

	if (code >= 0 && code < (int)(sizeof(messages) / sizeof(messages[0])) &&
	    messages[code] != 0)
		return (char *)messages[code];
	snprintf(unknown, sizeof(unknown), "error %d", code);
	return unknown;
}

void perror(const char *s)
{
	if (s != 0 && *s != '\0')
		fprintf(2, "%s: %s\n", s, strerror(errno));
	else
		fprintf(2, "%s\n", strerror(errno));
}
