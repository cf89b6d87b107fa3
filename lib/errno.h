/*
 * Kernel error codes: the table is shared with user space (errno), so it
 * lives with the other ABI headers.
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#include "userland/include/lazuli/errno.h"

#endif
