/*
 * Physical <-> kernel virtual addresses.
 *
 * All of RAM (and the MMIO devices) is mapped in the kernel half at a fixed
 * offset, so a physical address becomes a pointer by adding physmap_offset.
 * It is a variable, not a constant, so the host unit tests can point it at
 * a simulated physical memory.
 */
#ifndef MM_PHYSMAP_H
#define MM_PHYSMAP_H

#include <stdint.h>

extern uintptr_t physmap_offset;

static inline void *pa_to_kva(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + physmap_offset);
}

static inline uint64_t kva_to_pa(const void *kva)
{
	return (uint64_t)(uintptr_t)kva - physmap_offset;
}

#endif
