/*
 * The user-space API: system calls and the small C library.
 *
 * Source-compatible with xv6's user/user.h, so xv6 programs compile
 * unchanged; lazuli's additions (memstat, vmmap, procinfo) and the xv6
 * mmap lab's calls (mmap, munmap, mprotect), then setpgid and setfg, are
 * at the end of the system-call list. Every system call returns -1 on
 * failure (mmap: MAP_FAILED, which is (void *)-1) and stores the reason
 * in errno (errno.h).
 * user/lazuli.h has lazuli-only helpers (time counters, extra library).
 */
#ifndef LAZULI_USER_H
#define LAZULI_USER_H

#include "kernel/types.h"
#include "lazuli/memstat.h"
#include "lazuli/procinfo.h"

struct stat;

/* System calls (stubs generated from lazuli/syscall.h into usys.S). */
int   fork(void);
int   exit(int status) __attribute__((noreturn));
int   wait(int *status);                 /* status may be 0 */
int   pipe(int *fds);                    /* fds[0] read end, fds[1] write end */
int   write(int fd, const void *buf, int n);
int   read(int fd, void *buf, int n);
int   close(int fd);
int   kill(int pid);
int   exec(const char *path, char **argv);
int   open(const char *path, int flags);
int   mknod(const char *path, short major, short minor);
int   unlink(const char *path);
int   fstat(int fd, struct stat *st);
int   link(const char *old, const char *new);
int   mkdir(const char *path);
int   chdir(const char *path);
int   dup(int fd);
int   getpid(void);
char *sbrk(int delta);                   /* old break, or (char *)-1 */
int   sleep(int ticks);
int   uptime(void);                      /* ticks since boot */
int   memstat(struct memstat *st);
int   vmmap(int pid, struct vmmap_entry *buf, int n);
int   procinfo(struct procinfo *buf, int n);   /* processes; fills up to n */
/* Memory mappings (PROT_*, MAP_* in kernel/fcntl.h); mmap gives MAP_FAILED on failure. */
void *mmap(void *addr, uint64 len, int prot, int flags, int fd, uint64 off);
int   munmap(void *addr, uint64 len);
int   mprotect(void *addr, uint64 len, int prot);
/* Job control for the shell's Ctrl-C (docs/syscalls.md). */
int   setpgid(int pid, int pgid);        /* pid 0: the caller; pgid 0: pid */
int   setfg(int pgid);                   /* the console's foreground group; 0: none */

/* Library (lib/ulib.c, lib/printf.c, lib/malloc.c). */
int   stat(const char *path, struct stat *st);
char *strcpy(char *dst, const char *src);
void *memmove(void *dst, const void *src, int n);
char *strchr(const char *s, char c);
int   strcmp(const char *a, const char *b);
int   fprintf(int fd, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int   printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
char *gets(char *buf, int max);
uint  strlen(const char *s);
void *memset(void *dst, int c, uint n);
void *malloc(uint nbytes);
void  free(void *p);
int   atoi(const char *s);
int   memcmp(const void *a, const void *b, uint n);
void *memcpy(void *dst, const void *src, uint n);

#endif
