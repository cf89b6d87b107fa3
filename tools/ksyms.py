#!/usr/bin/env python3
"""Write the kernel's symbol table into its .ksyms section.

usage: ksyms.py NM KERNEL_IN KERNEL_OUT

Reads the function symbols of KERNEL_IN with llvm-nm, packs them as
panic.c expects (magic "KSYM", count, sorted {u64 addr, u32 name, u32 pad}
entries, then NUL-terminated names) and writes a copy of the ELF file with
that blob in place of the zeroed .ksyms section. Addresses do not move:
the section keeps its size.
"""
import shutil
import struct
import subprocess
import sys

MAGIC = 0x4D59534B


def section(elf, name):
    """(file offset, size) of the named section of a 64-bit little-endian ELF."""
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    def header(i):
        return struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize)
    strtab = header(shstrndx)
    for i in range(shnum):
        h = header(i)
        start = strtab[4] + h[0]
        end = elf.index(b"\0", start)
        if elf[start:end].decode() == name:
            return h[4], h[5]
    sys.exit(f"ksyms.py: no {name} section")


def main():
    nm, src, dst = sys.argv[1:4]
    out = subprocess.run([nm, "--defined-only", src], check=True,
                         capture_output=True, text=True).stdout
    # Linker-script markers share addresses with real functions; skip them.
    markers = {"_kernel_start", "_etext", "_erodata", "_kernel_end", "_start_phys"}
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT" and not parts[2].startswith(".L") \
                and parts[2] not in markers:
            syms.setdefault(int(parts[0], 16), parts[2])
    entries = sorted(syms.items())
    names = b""
    table = b""
    for addr, name in entries:
        table += struct.pack("<QII", addr, len(names), 0)
        names += name.encode() + b"\0"
    blob = struct.pack("<II", MAGIC, len(entries)) + table + names

    elf = bytearray(open(src, "rb").read())
    off, size = section(elf, ".ksyms")
    if len(blob) > size:
        sys.exit(f"ksyms.py: symbol table needs {len(blob)} bytes, .ksyms has {size}")
    elf[off:off + len(blob)] = blob
    open(dst, "wb").write(elf)
    shutil.copymode(src, dst)


if __name__ == "__main__":
    main()
