/*
 * An xv6-style program, built the way a student's would be: through
 * `-Dextra_programs=` against userland/include with the classic include
 * lines, nothing lazuli-specific. The boot test "xv6_compat" runs it as
 * init; each check prints PASS name / FAIL name: why.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/syscall.h"
#include "kernel/memlayout.h"
#include "user/user.h"

static int failures;

static void report(char *name, int ok, char *why)
{
  if(ok){
    printf("PASS %s\n", name);
  } else {
    printf("FAIL %s: %s\n", name, why);
    failures++;
  }
}

// The lab's sparse test: reserve 1 GiB, touch every 64th page, read back, give it back.
static void
sparse_memory(void)
{
  uint64 size = 1024*1024*1024;
  char *prev = sbrk(0);
  char *p = sbrk(size);
  int ok = 1;

  if(p == (char*)-1){
    report("sparse_memory", 0, "sbrk(1 GiB) failed");
    return;
  }
  for(char *q = p; q < p + size; q += 64*PGSIZE)
    *(uint64*)q = (uint64)q;
  for(char *q = p; q < p + size; q += 64*PGSIZE)
    if(*(uint64*)q != (uint64)q)
      ok = 0;
  if(sbrk(-size) != p + size)
    ok = 0;
  report("sparse_memory", ok && sbrk(0) == prev, "pages lost their contents or sbrk(-) misbehaved");
}

// A child that touches memory it released must be killed; the parent goes on.
static void
sparse_memory_unmap(void)
{
  int pid, status = 0;
  uint64 size = 1024*1024*1024;
  char *p = sbrk(size);

  for(char *q = p; q < p + size; q += 64*PGSIZE)
    *q = 1;
  pid = fork();
  if(pid == 0){
    sbrk(-size);
    *p = 2;           // must not survive this
    exit(0);
  }
  wait(&status);
  sbrk(-size);
  report("sparse_memory_unmap", pid > 0 && status != 0, "the child survived a touch of freed memory");
}

static void
files_and_dirs(void)
{
  struct stat st;
  struct dirent de;
  int fd, found = 0;
  char buf[16];

  fd = open("compat.txt", O_CREATE|O_RDWR);
  report("open_create", fd >= 0, "open(O_CREATE|O_RDWR) failed");
  report("write", write(fd, "abcdef", 6) == 6, "write failed");
  close(fd);
  fd = open("compat.txt", O_RDONLY);
  memset(buf, 0, sizeof(buf));
  report("read_back", read(fd, buf, sizeof(buf)) == 6 && strcmp(buf, "abcdef") == 0, "read back wrong");
  report("fstat", fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 6 && st.nlink == 1,
         "fstat fields wrong");
  close(fd);

  fd = open(".", O_RDONLY);
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum != 0 && strcmp(de.name, "compat.txt") == 0)
      found = 1;
  }
  close(fd);
  report("dirent_records", found, "compat.txt not found among the dirents of .");
  report("stat_dir", stat("/", &st) == 0 && st.type == T_DIR, "stat(/) is not T_DIR");
  report("unlink", unlink("compat.txt") == 0 && open("compat.txt", O_RDONLY) < 0, "unlink failed");
}

static void
exec_relative(void)
{
  int fds[2], pid, n;
  char buf[32];
  char *argv[] = { "echo", "from", "echo", 0 };

  pipe(fds);
  pid = fork();
  if(pid == 0){
    close(1);
    dup(fds[1]);
    close(fds[0]);
    close(fds[1]);
    exec("echo", argv);     // relative, from the root, as classic programs do
    fprintf(2, "exec echo failed\n");
    exit(1);
  }
  close(fds[1]);
  memset(buf, 0, sizeof(buf));
  n = read(fds[0], buf, sizeof(buf) - 1);
  close(fds[0]);
  wait(0);
  report("exec_relative", n > 0 && strcmp(buf, "from echo\n") == 0, "echo's output was wrong");
}

static void
library(void)
{
  char *m = malloc(100);
  char s[8];

  strcpy(s, "xv6");
  report("malloc", m != 0, "malloc(100) returned 0");
  free(m);
  report("string_lib", strlen(s) == 3 && atoi("1234") == 1234 && strchr(s, '6') == s + 2 &&
         memcmp("ab", "ab", 2) == 0, "a library function misbehaved");
  report("uptime_sleep", sleep(1) == 0 && uptime() > 0, "sleep or uptime failed");
  report("getpid", getpid() > 0, "getpid");
  report("constants", PGSIZE == 4096 && DIRSIZ == 14 && O_CREATE == 0x200 && NOFILE >= 16 &&
         SYS_fork > 0, "a constant has the wrong value");
}

// The copy-on-write lab sizes its allocations by PHYSTOP - KERNBASE (the
// default RAM, 128 MiB): its simple test takes two thirds of that, forks
// and lets the child exit. Here with a third, as the lab's sz is computed.
static void
phystop_sizes(void)
{
  uint64 phys_size = PHYSTOP - KERNBASE;
  int sz = (phys_size / 3) - 1;
  char *p = sbrk(sz);
  int pid, status = -1;

  report("phystop", phys_size == 128*1024*1024 && phys_size % PGSIZE == 0 && sz > 0,
         "PHYSTOP - KERNBASE is not the default 128 MiB");
  if(p == (char*)-1){
    report("phystop_fork", 0, "sbrk(sz) failed");
    return;
  }
  for(char *q = p; q < p + sz; q += PGSIZE)
    *(int*)q = getpid();
  pid = fork();
  if(pid == 0)
    exit(*(int*)p == getpid() ? 1 : 0);   // sees the parent's pid, not its own
  wait(&status);
  report("phystop_fork", pid > 0 && status == 0 && sbrk(-sz) == p + sz,
         "fork of a PHYSTOP-sized heap failed");
}

int
main(int argc, char *argv[])
{
  sparse_memory();
  sparse_memory_unmap();
  files_and_dirs();
  exec_relative();
  library();
  phystop_sizes();
  exit(failures ? 1 : 0);
}
