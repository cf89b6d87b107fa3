/*
 * xv6 compatibility: where things are in the address space.
 *
 * lazuli differs from xv6 here. The kernel lives in the upper half of Sv39
 * and every address space shares it, so there is no trampoline or trapframe
 * page in user space: xv6's TRAMPOLINE/TRAPFRAME are not defined. KERNBASE
 * is the kernel-virtual address of the start of RAM (the direct map);
 * user code touching it is killed, as on xv6.
 */
#ifndef LAZULI_COMPAT_MEMLAYOUT_H
#define LAZULI_COMPAT_MEMLAYOUT_H

#include "kernel/riscv.h"

#define KERNBASE   0xffffffc080000000UL   /* RAM in the kernel's direct map */
#define USERTOP    MAXVA                  /* one past the highest user address */
#define USERTEXT   0x10000UL              /* programs are linked here */

#endif
