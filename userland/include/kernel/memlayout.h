/*
 * xv6 compatibility: where things are in the address space.
 *
 * lazuli differs from xv6 here. The kernel lives in the upper half of Sv39
 * and every address space shares it, so there is no trampoline or trapframe
 * page in user space: xv6's TRAMPOLINE/TRAPFRAME are not defined. KERNBASE
 * is the kernel-virtual address of the start of RAM (the direct map);
 * user code touching it is killed, as on xv6.
 *
 * PHYSTOP - KERNBASE is the default RAM size, 128 MiB (`./lazuli run`'s
 * -m 128M), as on xv6. It is a figure, not a map: programs such as the
 * copy-on-write lab's tests size their allocations by it (sz = (PHYSTOP -
 * KERNBASE) / 3). Nothing at PHYSTOP is reachable from user space, and a
 * kernel booted with another -m still defines it as 128 MiB; ask memstat()
 * for the real figure.
 */
#ifndef LAZULI_COMPAT_MEMLAYOUT_H
#define LAZULI_COMPAT_MEMLAYOUT_H

#include "kernel/riscv.h"

#define KERNBASE   0xffffffc080000000UL   /* RAM in the kernel's direct map */
#define PHYSTOP    (KERNBASE + 128*1024*1024UL)   /* KERNBASE + the default RAM size */
#define USERTOP    MAXVA                  /* one past the highest user address */
#define USERTEXT   0x10000UL              /* programs are linked here */

#endif
