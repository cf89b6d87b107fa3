/*
 * xv6 compatibility: the short integer type names xv6 programs use.
 * lazuli's own code uses <stdint.h>; these exist so that a program written
 * for xv6 (`#include "kernel/types.h"`) compiles unchanged.
 */
#ifndef LAZULI_COMPAT_TYPES_H
#define LAZULI_COMPAT_TYPES_H

#include <stdint.h>

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;

typedef uint8_t  uint8;
typedef uint16_t uint16;
typedef uint32_t uint32;
typedef uint64_t uint64;

typedef uint64 pde_t;

#endif
