/* xv6 compatibility: the system call numbers (lazuli/syscall.h). */
#ifndef LAZULI_COMPAT_SYSCALL_H
#define LAZULI_COMPAT_SYSCALL_H

#include "lazuli/syscall.h"

#endif
