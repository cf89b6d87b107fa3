/* Constants usable from both C and assembly: _UL(5) is 5UL in C, 5 in .S. */
#ifndef ARCH_RISCV_UL_H
#define ARCH_RISCV_UL_H
#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif
#endif
