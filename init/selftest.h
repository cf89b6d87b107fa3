/* In-kernel self-tests, run with the boot argument selftest=1. */
#ifndef INIT_SELFTEST_H
#define INIT_SELFTEST_H

struct boot_info;

/* Run every self-test, print PASS/FAIL lines, power off with the result. */
void selftest_run(const struct boot_info *bi) __attribute__((noreturn));

#endif
