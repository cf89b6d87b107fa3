/*
 * benchhelp.c: what the benchmark programs (lazybench, cowbench,
 * execbench) share. #included by each after it defines MAX_RUNS, so each
 * stays one program; it is not a program of its own.
 *
 * Figures go out as "BENCH name value unit" lines, which tests/boot/
 * bench.py collects. Times are taken with rdtime, whose clock ticks every
 * 1/RDTIME_HZ seconds (100 ns on QEMU's virt machine).
 */
#define NS_PER_TICK   (1000000000UL / RDTIME_HZ)

static uint64 samples[MAX_RUNS];   /* one run's figure each; median() sorts them */

static void bench(const char *name, long value, const char *unit)
{
	printf("BENCH %s %ld %s\n", name, value, unit);
}

static uint64 __attribute__((unused)) ticks_to_ns(uint64 t)
{
	return t * NS_PER_TICK;
}

/* The median of samples[0..n) (sorts them). */
static uint64 median(int n)
{
	for (int i = 1; i < n; i++) {
		uint64 v = samples[i];
		int j = i;

		for (; j > 0 && samples[j - 1] > v; j--)
			samples[j] = samples[j - 1];
		samples[j] = v;
	}
	return samples[n / 2];
}

static struct memstat __attribute__((unused)) stat_now(void)
{
	struct memstat st;

	memstat(&st);
	return st;
}
