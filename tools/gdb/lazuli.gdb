# lazuli's gdb settings, sourced by lazuli.py (the file to load: it defines
# lz-walk, lz-areas, lz-frame and lz-user; see docs/debugging.md).
#
#   gdb-multiarch -x tools/gdb/lazuli.py build-debug/kernel.elf \
#       -ex 'target remote 127.0.0.1:PORT'
#
# ./lazuli gdb runs exactly that, with QEMU started waiting on PORT.

set confirm off
set pagination off
set print pretty on
# QEMU shows each hart as a thread (`info threads`); all stop together.
set print thread-events off

# A kernel panic: stop before the report scrolls away.
break panic
