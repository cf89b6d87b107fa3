# The scripted gdb session of tests/boot/gdbtest.py, run after
# tools/gdb/lazuli.py is loaded and gdb is attached to a QEMU that waits
# (-S) with 2 harts. The first page fault is init's first instruction
# fetch: exec maps nothing, so the text page comes from the fault.
# Each `echo ==name==` starts the section of output the test checks.
break mm_fault
continue
echo ==bt==\n
bt
echo ==walk-before==\n
lz-walk va
echo ==areas==\n
lz-areas
echo ==finish==\n
finish
echo ==walk-after==\n
lz-walk va
echo ==frame==\n
lz-frame $lz_pa(va)
echo ==user==\n
lz-user init
info symbol va
echo ==threads==\n
info threads
echo ==end==\n
kill
