/*
 * mmapfork: what fork shares of a mapping, and what it copies.
 *
 * fork copies every area. The pages of a shared area stay one page for
 * parent and child, so a store by either is seen by both (and, for a
 * file, by the file); the pages of a private area become copy-on-write,
 * so a child's store never reaches the parent or the file. One case
 * checks all four kinds at once (file and anonymous, shared and
 * private); two more use a page of shared anonymous memory as a channel
 * between a parent and its child, once with the page touched before the
 * fork and once untouched (then it must still be one page for both: the
 * first to touch it after the fork makes it).
 *
 * mmapfiles checks what a mapped file is; mmapranges splits and changes
 * areas. mmaphelp.c holds what the three share, and how their frame
 * accounting stays exact. docs/mmap.md has the story;
 * tests/boot/cases.py boots each.
 *
 * Run as init (init=/mmapfork test=1) or from the shell. Every case
 * prints one PASS/FAIL line; the program exits 0.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "check.h"
#include "lazyhelp.c"
#include "mmaphelp.c"

#define CHAN_TRIES  500            /* ticks a channel's reader waits */
#define CHAN_GO     21
#define PARENT_MARK 'p'
#define CHILD_MARK  'c'

/* -- file and anonymous, shared and private ------------------------------- */

static char *fk_shared, *fk_private, *fk_anon_shared, *fk_anon_private;

/* The child of fork_shared_private: one store into each mapping it inherited. */
static void fork_writer(void)
{
	fk_shared[0] = CHILD_MARK;
	fk_private[0] = CHILD_MARK;
	fk_private[PAGE] = CHILD_MARK;
	fk_anon_shared[0] = CHILD_MARK;
	fk_anon_private[0] = CHILD_MARK;
}

/* A child's writes reach the parent through shared mappings only (and the file through a shared one). */
static int fork_shared_private(void)
{
	struct child c;
	char buf[2];
	int fd, err = 0;

	if (make_file(FILE_A, 2 * PAGE, SEED_A) || (fd = open(FILE_A, O_RDWR)) < 0)
		return fail("cannot make %s", FILE_A);
	fk_shared = map(0, PAGE, RW, MAP_SHARED, fd, 0);
	fk_private = map(0, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);
	close(fd);
	fk_anon_shared = map(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fk_anon_private = map(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!fk_shared || !fk_private || !fk_anon_shared || !fk_anon_private)
		err = fail("mmap failed");
	if (!err) {
		fk_private[0] = PARENT_MARK;   /* the parent's own copy before the fork */
		fk_anon_private[0] = PARENT_MARK;
		fk_anon_shared[0] = PARENT_MARK;
		if (run_child(fork_writer, &c) < 0 || c.status != 0)
			err = fail("the writing child failed (status %d)", c.status);
	}
	if (!err && fk_shared[0] != CHILD_MARK)
		err = fail("a shared file page did not show the child's store");
	if (!err && fk_anon_shared[0] != CHILD_MARK)
		err = fail("a shared anonymous page did not show the child's store");
	if (!err && (fk_private[0] != PARENT_MARK || fk_private[PAGE] != fbyte(PAGE, SEED_A)))
		err = fail("the child's store reached a private file page of the parent");
	if (!err && fk_anon_private[0] != PARENT_MARK)
		err = fail("the child's store reached a private anonymous page of the parent");
	if (!err && (file_read_at(FILE_A, 0, buf, 1) != 1 || buf[0] != CHILD_MARK ||
		     file_read_at(FILE_A, PAGE, buf, 1) != 1 || buf[0] != fbyte(PAGE, SEED_A)))
		err = fail("the file does not hold exactly the child's shared store");
	munmap(fk_shared, PAGE);
	munmap(fk_private, 2 * PAGE);
	munmap(fk_anon_shared, PAGE);
	munmap(fk_anon_private, PAGE);
	unlink(FILE_A);
	return err;
}

/* -- shared anonymous memory as a channel -------------------------------- */

/* The page of anonymous shared memory a parent and its child talk through. */
struct channel {
	volatile int  go;      /* the parent's word */
	volatile int  reply;   /* the child's answer: go * 2 */
	volatile char note[16];
};

static struct channel *chan;

static void channel_child(void)
{
	for (int i = 0; i < CHAN_TRIES && chan->go == 0; i++)
		sleep(1);
	__sync_synchronize();
	if (chan->go != CHAN_GO)
		child_fail("the parent's word never came (%d)", chan->go);
	memcpy((char *)chan->note, "from the child", 15);
	__sync_synchronize();
	chan->reply = chan->go * 2;
}

/*
 * Anonymous shared memory made before fork is a channel both ways after
 * it; touched says whether the parent writes the page before the fork
 * (then the frame exists and fork shares it) or not (the page must still
 * be one page for both: the first to touch it after the fork makes it).
 */
static int channel(int touched)
{
	struct child c;
	int rep, pid, err = 0;

	chan = (struct channel *)map(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!chan)
		return fail("mmap failed");
	if (touched)
		chan->reply = 0;
	if ((rep = start_child(channel_child, &pid)) < 0)
		return fail("pipe or fork failed");
	__sync_synchronize();
	chan->go = CHAN_GO;   /* after the fork: only sharing carries it */
	end_child(rep, pid, &c);
	__sync_synchronize();
	if (c.status != 0)
		err = fail("child: %s", c.why[0] ? c.why : "ended badly");
	if (!err && (chan->reply != 2 * CHAN_GO || memcmp((char *)chan->note, "from the child", 15)))
		err = fail("the child's answer did not arrive (%d)", chan->reply);
	munmap(chan, PAGE);
	return err;
}

static int anon_shared_channel(void)   { return channel(1); }
static int anon_shared_untouched(void) { return channel(0); }

int main(void)
{
	if (mmap_warm_up("mmapfork") < 0)
		return 0;
	run_balanced("fork_shared_private", fork_shared_private);
	run_balanced("anon_shared_channel", anon_shared_channel);
	run_balanced("anon_shared_untouched", anon_shared_untouched);
	run_case("mmapfork_frames_balanced", balanced_since_start);
	return 0;
}
