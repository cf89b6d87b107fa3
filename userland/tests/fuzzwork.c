/*
 * fuzzwork.c: the fuzzer's worker: one batch of calls, the targets they
 * aim at, and the oracles that check them.
 *
 * #included by fuzz.c (after its slot and option definitions), so the
 * fuzzer stays a single program; it is not a program of its own. The
 * parent's side, and what a worker may touch, are in fuzz.c's opening
 * comment.
 */

static long raw_ecall(uint64 nr, const uint64 a[6])
{
	register uint64 a0 __asm__("a0") = a[0];
	register uint64 a1 __asm__("a1") = a[1];
	register uint64 a2 __asm__("a2") = a[2];
	register uint64 a3 __asm__("a3") = a[3];
	register uint64 a4 __asm__("a4") = a[4];
	register uint64 a5 __asm__("a5") = a[5];
	register uint64 a7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return (long)a0;
}

static uint64 initial_brk, stack_lo;
static int holder_pid, my_pid;
static void oracle_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static uint fds_open;            /* bit fd: open, as the calls' results say */

static int lowest_free_fd(void)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if (!(fds_open & (1u << fd)))
			return fd;
	return -1;
}

/* A call gave us descriptor fd: it must be the lowest free one. */
static void fd_given(int fd, const char *call)
{
	int low = lowest_free_fd();

	if (fd != low)
		oracle_fail("%s gave fd %d, the lowest free is %d", call, fd, low);
	fds_open |= 1u << fd;
}
static char worker_dir[32];

/* An oracle failed: say why in the slot, and end the worker. */
static void oracle_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(me->why, WHY_LEN, fmt, ap);
	va_end(ap);
	exit(FAIL_STATUS);
}

/* [lo, hi) overlaps what the worker lives on (its image, stack, targets). */
static int touches_own(uint64 addr, uint64 len)
{
	uint64 lo = addr & ~(PAGE - 1), hi = addr + len;
	const uint64 own[][2] = {
		{ USER_TEXT_BASE, initial_brk },
		{ stack_lo, USER_TOP },
		{ tg.junk - PAGE, tg.junk + (JUNK_PAGES + 1) * PAGE },
		{ tg.str_end - 2 * PAGE, tg.str_end + PAGE },
		{ tg.cow, tg.cow + PAGE },
		{ (uint64)slots - PAGE, (uint64)slots + SLOTS_LEN + PAGE },   /* with its guards */
	};

	if (hi < addr || hi - addr > (1UL << 40))     /* wraps, or spans all */
		return 1;
	hi = (hi + PAGE - 1) & ~(PAGE - 1);
	for (uint i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (lo < own[i][1] && own[i][0] < hi)
			return 1;
	return 0;
}

/* Wait for child pid; with bounded, at most CHILD_TICKS (a timer child,
 * then kill): for children that run what we cannot vouch for (exec). */
static void reap_child(int pid, int bounded)
{
	int timer = bounded ? fork() : -1, r;

	if (timer == 0) {
		sleep(CHILD_TICKS);
		exit(0);
	}
	while ((r = wait(0)) >= 0 && r != pid) {
		if (r == timer) {
			kill(pid);
			timer = -1;
		} else if (r == holder_pid) {
			holder_pid = 0;
		}
	}
	if (timer > 0) {
		kill(timer);
		while ((r = wait(0)) >= 0 && r != timer)
			if (r == holder_pid)
				holder_pid = 0;
	}
}

/* A fresh copy-on-write page: written here, then shared with a child. */
static void refresh_cow(void)
{
	if (holder_pid > 0) {
		kill(holder_pid);
		reap_child(holder_pid, 0);
		holder_pid = 0;
	}
	memset((void *)tg.cow, 'c', PAGE);
	((char *)tg.cow)[PAGE - 1] = '\0';
	holder_pid = fork();
	if (holder_pid == 0) {
		sleep(HOLDER_TICKS);
		exit(0);
	}
	if (holder_pid < 0)
		holder_pid = 0;
	char *p = sbrk(2 * PAGE);             /* two fresh lazy pages */
	if (p != (char *)-1)
		tg.lazy = (uint64)p;
}

/* Write the crafted ELF files: e0 valid, e1 with bits flipped. */
static void write_elves(void)
{
	struct spec s;

	for (int k = 0; k < 2; k++) {
		spec_valid(&s);
		if (one_in(3))
			add_data(&s, below(8), below(2 * PAGE), one_in(2) ? any_value() : below(4 * PAGE));
		if (one_in(3))
			s.phnum = below(3) ? below(8) : 0xffff;
		if (one_in(4))
			s.entry = any_value();
		spec_render(&s);
		if (k == 1)
			for (int i = 0, n = 1 + below(8); i < n; i++) {
				uint64 at = below(EHDR_SIZE + 2 * sizeof(struct elf64_phdr));
				file_buf[at] ^= (uint8)(1 << below(8));
			}
		int fd = open(k ? "e1" : "e0", O_CREATE | O_TRUNC | O_WRONLY);
		if (fd >= 0) {
			write(fd, file_buf, one_in(8) ? below(s.size) : s.size);
			close(fd);
		}
	}
}

/* Remove everything under dir (a path of ours), deepest first, reading
 * the directory itself: names a call made up (a long name cut to DIRSIZ)
 * go too. depth bounds the recursion. */
static void clean_dir(const char *dir, int depth)
{
	struct dirent de;
	char path[MAXPATH];
	int fd = open(dir, O_RDONLY);

	if (fd < 0)
		return;
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		char name[DIRSIZ + 1];
		if (de.inum == 0)
			continue;
		memcpy(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
			continue;
		if (unlink(path) < 0 && depth > 0) {
			clean_dir(path, depth - 1);
			unlink(path);
		}
	}
	close(fd);
}

static void clean_scratch(void)
{
	clean_dir(".", MAXPATH / 2);
}

static void worker_setup(int k)
{
	struct vmmap_entry map[16];

	for (int fd = 0; fd < NOFILE; fd++)
		close(fd);                       /* nothing may reach the console */
	fds_open = 0;
	snprintf(worker_dir, sizeof(worker_dir), "%s/w%d", opt_dir, k);
	if (chdir(worker_dir) < 0)
		oracle_fail("cannot chdir to %s", worker_dir);
	clean_scratch();
	paths_init();
	initial_brk = (uint64)sbrk(0);
	int n = vmmap(0, map, 16);
	for (int i = 0; i < n && i < 16; i++)
		if (map[i].kind == VMMAP_KIND_STACK)
			stack_lo = map[i].start, tg.guard = map[i].start - map[i].guard / 2;

	/*
	 * junk between two PROT_NONE pages; the copy-on-write page and a page
	 * of 'a's with another after them. Guards, not holes: a mapping the
	 * fuzzer makes without MAP_FIXED may land in a hole, and a copy that
	 * runs off junk would then go on through it into whatever lies
	 * beyond (once, the shared slots: reliability.md). Nothing the
	 * fuzzer draws may unmap or re-protect the guards (touches_own).
	 */
	char *m = mmap(0, (JUNK_PAGES + 5) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		oracle_fail("mmap of the targets failed");
	if (mprotect(m, PAGE, PROT_NONE) < 0 ||
	    mprotect(m + (JUNK_PAGES + 1) * PAGE, PAGE, PROT_NONE) < 0 ||
	    mprotect(m + (JUNK_PAGES + 4) * PAGE, PAGE, PROT_NONE) < 0)
		oracle_fail("mprotect of the guard pages failed");
	tg.junk = (uint64)m + PAGE;
	tg.cow = (uint64)m + (JUNK_PAGES + 2) * PAGE;
	tg.str_end = (uint64)m + (JUNK_PAGES + 4) * PAGE;
	memset((void *)(tg.str_end - PAGE), 'a', PAGE);
	tg.text = (uint64)raw_ecall;
	/* an argv of odd pointers, at the start of junk */
	uint64 *argv = (uint64 *)tg.junk;
	for (int i = 0; i < 8; i++)
		argv[i] = one_in(3) ? bad_pointer() : gen_path_ro();
	argv[below(9)] = 0;
	tg.argv = (uint64)argv;
	refresh_cow();
	write_elves();
}

/* The oracles: what must hold whatever the calls before did. */
static void check_oracles(void)
{
	int low = lowest_free_fd();
	char c;

	if (low >= 0) {
		if (read(low, &c, 1) != -1)
			oracle_fail("read on closed fd %d did not fail", low);
		if (write(low, "x", 1) != -1)
			oracle_fail("write on closed fd %d did not fail", low);
		if (close(low) != -1)
			oracle_fail("close of closed fd %d did not fail", low);
		int fd = open("/sh", O_RDONLY);
		fd_given(fd, "open");
		if (read(fd, (void *)KERNEL_VA, 16) != -1)
			oracle_fail("read into the kernel's text did not fail");
		if (read(fd, (void *)tg.text, 16) != -1)
			oracle_fail("read into our read-only text did not fail");
		if (write(fd, "x", 1) != -1)
			oracle_fail("write to a read-only descriptor did not fail");
		if (close(fd) != 0)
			oracle_fail("close of open fd %d failed", fd);
		fds_open &= ~(1u << fd);
	} else if (open("/sh", O_RDONLY) != -1) {
		oracle_fail("open succeeded with every descriptor taken");
	}
	if (fstat(NOFILE, 0) != -1 || close(-1) != -1 || dup(NOFILE + 5) != -1)
		oracle_fail("a call on a descriptor out of range did not fail");
	if (getpid() != my_pid)
		oracle_fail("getpid changed: %d, was %d", getpid(), my_pid);
	if (kill(NO_PID - 1) != -1)
		oracle_fail("kill of a pid nobody has did not fail");
	if (open("nosuchname", O_RDONLY) != -1)
		oracle_fail("open of a missing name did not fail");
	if (mkdir(".") != -1)
		oracle_fail("mkdir of an existing name did not fail");
}

/* Draw the number and arguments of one call; 0 if this draw is to be skipped. */
static int draw_call(uint64 *nr, uint64 a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = any_value();
	if (one_in(40)) {                              /* an unknown number */
		*nr = one_in(2) ? SYS_COUNT + below(UNKNOWN_CALLS) : any_value();
		if (*nr > 0 && *nr < SYS_COUNT)
			*nr = 0;
		return 1;
	}
	*nr = 1 + below(SYS_COUNT - 1);
	switch (*nr) {
	case SYS_exit:
		return 0;                              /* ends the batch: never drawn */
	case SYS_fork:
	case SYS_getpid:
	case SYS_uptime:
		return 1;
	case SYS_wait:
	case SYS_pipe:
	case SYS_memstat:
		a[0] = gen_out_ptr();
		return 1;
	case SYS_read:
		a[0] = gen_fd(), a[1] = gen_out_ptr(), a[2] = gen_len();
		return 1;
	case SYS_write:
		a[0] = gen_fd(), a[1] = gen_in_ptr(), a[2] = gen_len();
		return 1;
	case SYS_kill:
		/* our own child, or a pid nobody has: never anyone else's */
		if (one_in(2) && holder_pid > 0)
			a[0] = high_junk((uint64)holder_pid);
		else
			a[0] = high_junk(one_in(2) ? (uint64)-(long)below(100) : NO_PID + below(1000));
		return 1;
	case SYS_exec:
		a[0] = one_in(3) ? gen_path_rw() : (uint64)(one_in(2) ? "e0" : "e1");
		a[1] = one_in(2) ? tg.argv : gen_in_ptr();
		return 1;
	case SYS_fstat:
		a[0] = gen_fd(), a[1] = gen_out_ptr();
		return 1;
	case SYS_chdir:
		a[0] = gen_path_ro();
		return 1;
	case SYS_dup:
	case SYS_close:
		a[0] = gen_fd();
		return 1;
	case SYS_sbrk:
		a[0] = one_in(4) ? any_value() : high_junk((uint64)(long)((int)below(64 * PAGE) -
							 (int)(32 * PAGE)));
		return 1;
	case SYS_sleep:
		a[0] = high_junk(one_in(3) ? (uint64)-below(5) : below(3));
		return 1;
	case SYS_open:
		if (one_in(3)) {
			a[0] = (uint64)read_only_names[below(NREADONLY)];
			a[1] = high_junk(O_RDONLY);
		} else {
			a[0] = gen_path_rw();
			a[1] = high_junk(one_in(4) ? any_value() : below(0x800));
		}
		return 1;
	case SYS_mknod:
		a[0] = gen_path_rw(), a[1] = high_junk(BAD_MAJOR + below(100));
		return 1;
	case SYS_unlink:
	case SYS_mkdir:
		a[0] = gen_path_rw();
		return 1;
	case SYS_link:
		a[0] = gen_path_rw(), a[1] = gen_path_rw();
		return 1;
	case SYS_vmmap:
		a[0] = one_in(2) ? 0 : any_value(), a[1] = gen_out_ptr(), a[2] = gen_len();
		return 1;
	case SYS_procinfo:
		a[0] = gen_out_ptr(), a[1] = gen_len();
		return 1;
	case SYS_mmap:
		a[0] = one_in(2) ? 0 : any_value() & ~(one_in(2) ? PAGE - 1 : 0);
		a[1] = gen_len();
		a[2] = high_junk(one_in(4) ? any_value() : below(8));
		a[3] = high_junk(one_in(4) ? any_value() : (below(4) | (below(2) << 4) | (below(2) << 5)));
		a[4] = gen_fd();
		a[5] = one_in(2) ? 0 : gen_len();
		if (((int)a[3] & MAP_FIXED) && touches_own(a[0], a[1]))
			return 0;
		return 1;
	case SYS_munmap:
	case SYS_mprotect:
		a[0] = one_in(3) ? tg.lazy : one_in(2) ? tg.junk - PAGE + below(4) * PAGE : any_value();
		a[1] = gen_len();
		a[2] = high_junk(one_in(4) ? any_value() : below(8));
		return !touches_own(a[0], a[1]);
	default:
		return 1;                              /* every argument any_value() */
	}
}

/* Run one drawn call and check what must hold right after it. */
static void do_call(uint64 nr, const uint64 a[6])
{
	struct call_rec *rec = &me->ring[me->calls % RING];
	uint64 brk0 = (uint64)sbrk(0);
	long r;

	rec->n = me->calls, rec->nr = nr;
	memcpy(rec->a, a, sizeof(rec->a));
	rec->ret = 0x7eadbeef;                         /* "did not return" */
	me->calls++;

	if (nr == SYS_exec) {                          /* risky: in a child */
		int pid = fork();
		if (pid == 0) {
			raw_ecall(nr, a);
			exit(EXEC_FAILED);
		}
		rec->ret = pid;
		if (pid > 0)
			reap_child(pid, 1);
		return;
	}
	r = raw_ecall(nr, a);
	rec->ret = r;
	switch (nr) {
	case SYS_fork:
		if (r == 0)
			exit(0);
		if (r > 0)
			reap_child(r, 0);
		break;
	case SYS_wait:
		if (r == holder_pid)
			holder_pid = 0;
		break;
	case SYS_sbrk: {
		uint64 now = (uint64)sbrk(0);
		if (r == -1 && now != brk0)
			oracle_fail("sbrk(%ld) failed but the break moved %lx -> %lx",
				    (long)(int)a[0], brk0, now);
		if (r != -1 && ((uint64)r != brk0 || now != brk0 + (uint64)(long)(int)a[0]))
			oracle_fail("sbrk(%ld) gave %lx, break %lx -> %lx",
				    (long)(int)a[0], (uint64)r, brk0, now);
		break;
	}
	case SYS_open:
	case SYS_dup:
		if (r >= 0)
			fd_given((int)r, nr == SYS_open ? "open" : "dup");
		break;
	case SYS_close:
		if ((int)a[0] >= 0 && (int)a[0] < NOFILE && (fds_open & (1u << (int)a[0]))) {
			if (r != 0)
				oracle_fail("close of open fd %d failed", (int)a[0]);
			fds_open &= ~(1u << (int)a[0]);
		} else if (r != -1) {
			oracle_fail("close of closed fd %d did not fail", (int)a[0]);
		}
		break;
	case SYS_pipe:
		if (r == 0) {       /* the kernel wrote fds at a[0], so we can read them */
			int fds[2];
			memcpy(fds, (void *)a[0], sizeof(fds));
			fd_given(fds[0], "pipe");
			fd_given(fds[1], "pipe");
			/* never both ends: a read or write then cannot block */
			int end = one_in(2);
			if (close(fds[end]) != 0)
				oracle_fail("close of pipe fd %d failed", fds[end]);
			fds_open &= ~(1u << fds[end]);
		}
		break;
	case SYS_chdir:
		if (r == 0 && chdir(worker_dir) < 0)
			oracle_fail("cannot chdir back to %s", worker_dir);
		break;
	case SYS_getpid:
		if (r != my_pid)
			oracle_fail("getpid gave %ld, was %d", r, my_pid);
		break;
	}
	if (nr != SYS_sbrk && nr != SYS_munmap && nr != SYS_mmap && nr != SYS_mprotect &&
	    (uint64)sbrk(0) != brk0)
		oracle_fail("the break moved %lx -> %lx without sbrk", brk0, (uint64)sbrk(0));
}

static void __attribute__((noreturn)) worker(int k, struct slot *s)
{
	uint64 nr, a[6];

	me = s;
	my_pid = getpid();
	rnd_seed(opt_seed, s->batch);
	worker_setup(k);
	for (uint64 i = 0; i < opt_batch; i++) {
		while (!draw_call(&nr, a))
			;
		do_call(nr, a);
		if (i % ORACLE_EVERY == ORACLE_EVERY - 1)
			check_oracles();
		if (i % COW_EVERY == COW_EVERY - 1)
			refresh_cow();
		if (one_in(64))
			write_elves();
	}
	if (holder_pid > 0) {
		kill(holder_pid);
		reap_child(holder_pid, 0);
	}
	while (wait(0) >= 0)
		;
	clean_scratch();
	exit(0);
}

