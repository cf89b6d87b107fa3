/* xv6 compatibility: the open() flags (lazuli/fcntl.h). */
#ifndef LAZULI_COMPAT_FCNTL_H
#define LAZULI_COMPAT_FCNTL_H

#include "lazuli/fcntl.h"

#endif
