/*
 * xv6 compatibility: the open() flags (lazuli/fcntl.h), and mmap()'s
 * protections and flags (lazuli/mman.h) with the names of Linux and the
 * xv6 mmap lab.
 */
#ifndef LAZULI_COMPAT_FCNTL_H
#define LAZULI_COMPAT_FCNTL_H

#include "lazuli/fcntl.h"
#include "lazuli/mman.h"

#define PROT_NONE  MMAP_PROT_NONE
#define PROT_READ  MMAP_PROT_READ
#define PROT_WRITE MMAP_PROT_WRITE
#define PROT_EXEC  MMAP_PROT_EXEC

#endif
