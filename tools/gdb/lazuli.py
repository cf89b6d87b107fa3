"""gdb commands for lazuli: page tables, areas and frames as the kernel sees them.

Load with `gdb-multiarch -x tools/gdb/lazuli.py build-debug/kernel.elf`
(./lazuli gdb does). It also sources lazuli.gdb beside it (the settings).

  lz-walk VA     the Sv39 walk of VA in the page table satp names now
  $lz_pa(VA)     the physical address VA maps to there (0: none)
  lz-areas [PID] the areas of the process on this hart (or of PID)
  lz-frame PA    a frame's reference count, use and pin
  lz-user NAME   the symbols of user program NAME (<build>/userland/NAME)

Every reader goes through the kernel's own structures (struct hart, struct
proc, struct mm, struct vm_area, mm/frame.c's frames array), so these
commands need a kernel with debug information and a hart that stopped
after paging was turned on. Physical memory is read through the direct
map, which every address space maps.
"""
import os
import struct

import gdb

# arch/riscv/sv39.h
PTE_BITS = [(1 << 0, "V"), (1 << 1, "R"), (1 << 2, "W"), (1 << 3, "X"),
            (1 << 4, "U"), (1 << 5, "G"), (1 << 6, "A"), (1 << 7, "D")]
PTE_V, PTE_RWX = 1 << 0, 0b1110
PTE_COW = 1 << 8      # RSW bit 8 in a valid PTE
PTE_ZERO = 1 << 9     # RSW bit 9: maps the shared zero page
PTE_PARKED = 1 << 8   # RSW bit 8 in an invalid PTE: a PROT_NONE page's frame
PTE_PPN_SHIFT, PTE_PPN_MASK = 10, (1 << 44) - 1
PAGE_SHIFT, PT_INDEX_BITS, PT_LEVELS = 12, 9, 3
DIRECT_MAP_BASE = 0xffffffc000000000
SATP_MODE_SHIFT, SATP_MODE_SV39 = 60, 8
SATP_PPN_MASK = (1 << 44) - 1
LEVEL_SIZE = {2: "1 GiB", 1: "2 MiB", 0: "4 KiB"}
# mm/mm.h and mm/vma.h
PROT_READ, PROT_WRITE, PROT_EXEC = 0x1, 0x2, 0x4
VM_FLAGS = [(0x1, "private"), (0x2, "shared"), (0x4, "growsdown"), (0x8, "denywrite"),
            (0x10, "maywrite"), (0x40, "shmem")]
VMA_LABELS = {1: "image", 2: "heap", 3: "stack", 4: "mmap"}
VM_BACKING_FILE = 1
FRAME_USES = {0: "kernel", 1: "page table", 2: "user", 3: "file"}

user_file = None   # the user program lz-user added last


def u64(value):
    return int(value) & (1 << 64) - 1


def arg_value(arg, what):
    if not arg.strip():
        raise gdb.GdbError(f"give {what} (an expression: 0x10000, va, $a1)")
    return u64(gdb.parse_and_eval(arg))


def satp():
    return u64(gdb.parse_and_eval("$satp"))


def read_pa(pa):
    """The 64-bit word at physical address pa."""
    paging = satp() >> SATP_MODE_SHIFT == SATP_MODE_SV39
    mem = gdb.selected_inferior().read_memory(pa + DIRECT_MAP_BASE if paging else pa, 8)
    return struct.unpack("<Q", bytes(mem))[0]


def pte_words(pte):
    """The PTE's bits in words: 'V R W U A D', plus lazuli's RSW bits."""
    words = [name for bit, name in PTE_BITS if pte & bit]
    if pte & PTE_V:
        if pte & PTE_COW:
            words.append("COW")
        if pte & PTE_ZERO:
            words.append("ZERO")
    elif pte & PTE_PARKED:
        words.append("PARKED")
    return " ".join(words) if words else "-"


def pte_pa(pte):
    return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_SHIFT


def walk(va):
    """The Sv39 walk of va from satp's root: (root, [(level, index, pte, where)], pa).

    where is "table" (a pointer to the next level), "leaf", "parked" or
    "invalid"; pa is the physical address va maps to, or None."""
    s = satp()
    if s >> SATP_MODE_SHIFT != SATP_MODE_SV39:
        raise gdb.GdbError(f"satp {s:#x}: paging is off on this hart")
    if va >> 38 not in (0, (1 << 26) - 1):
        raise gdb.GdbError(f"{va:#x} is not a Sv39 address (bits 63..39 must copy bit 38)")
    table = root = (s & SATP_PPN_MASK) << PAGE_SHIFT
    steps = []
    for level in range(PT_LEVELS - 1, -1, -1):
        index = (va >> (PAGE_SHIFT + PT_INDEX_BITS * level)) & 0x1ff
        pte = read_pa(table + index * 8)
        if not pte & PTE_V:
            steps.append((level, index, pte, "parked" if pte & PTE_PARKED else "invalid"))
            return root, steps, None
        if pte & PTE_RWX:
            steps.append((level, index, pte, "leaf"))
            page = 1 << (PAGE_SHIFT + PT_INDEX_BITS * level)
            return root, steps, pte_pa(pte) + (va & (page - 1))
        if level == 0:
            raise gdb.GdbError(f"PTE {pte:#x} at level 0 points to a table: a broken table")
        steps.append((level, index, pte, "table"))
        table = pte_pa(pte)
    raise AssertionError("unreachable")


class Walk(gdb.Command):
    """lz-walk VA: the Sv39 walk of VA in the page table satp names now.

Prints satp, then at each level the index VA selects, the PTE found there
with its bits in words (V R W X U G A D, and lazuli's RSW bits: COW and
ZERO in a valid PTE, PARKED in an invalid one), and where it leads: the
next table, a leaf's frame, or nothing. $lz_pa(VA) is the address only."""

    def __init__(self):
        super().__init__("lz-walk", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        va = arg_value(arg, "a virtual address")
        root, steps, pa = walk(va)
        idx = [(va >> (PAGE_SHIFT + PT_INDEX_BITS * lvl)) & 0x1ff for lvl in range(3)]
        print(f"va {va:#x}: VPN[2] {idx[2]}  VPN[1] {idx[1]}  VPN[0] {idx[0]}  "
              f"offset {va & 0xfff:#x}")
        print(f"satp {satp():#x}: Sv39, root table at PA {root:#x}")
        for level, index, pte, where in steps:
            head = f"  L{level} [{index:3}]  PTE {pte:#018x}  {pte_words(pte):<14}"
            if where == "table":
                print(f"{head} -> table at PA {pte_pa(pte):#x}")
            elif where == "leaf":
                print(f"{head} leaf: {LEVEL_SIZE[level]} page at PA {pte_pa(pte):#x}")
            elif where == "parked":
                print(f"{head} invalid; parked frame PA {pte_pa(pte):#x} "
                      "(a PROT_NONE page keeps it)")
            else:
                print(f"{head} invalid: not mapped")
        if pa is not None:
            print(f"  {va:#x} -> PA {pa:#x}")


class PhysAddr(gdb.Function):
    """$lz_pa(VA): the physical address VA maps to in the current page table, or 0."""

    def __init__(self):
        super().__init__("lz_pa")

    def invoke(self, va):
        pa = walk(u64(va))[2]
        return gdb.Value(pa or 0).cast(gdb.lookup_type("unsigned long"))


def current_proc(pid=None):
    """The struct proc * of pid, or of the process on this hart."""
    procs = gdb.parse_and_eval("procs")
    nproc = procs.type.range()[1] + 1
    if pid is not None:
        for i in range(nproc):
            p = procs[i]
            if int(p["state"]) != 0 and int(p["pid"]) == pid:
                return p.address
        raise gdb.GdbError(f"no process {pid}")
    pc = u64(gdb.parse_and_eval("$pc"))
    if pc >= 1 << 63:
        # In the kernel, tp points at this hart's struct hart.
        p = gdb.parse_and_eval("((struct hart *)$tp)->proc")
        if int(p) == 0:
            raise gdb.GdbError("no process on this hart (it is in its scheduler)")
        return p
    # In user mode tp is the program's own: find the mm whose root satp names.
    root = (satp() & SATP_PPN_MASK) << PAGE_SHIFT
    for i in range(nproc):
        p = procs[i]
        if int(p["state"]) != 0 and int(p["mm"]) and u64(p["mm"]["tlb"]["root"]) == root:
            return p.address
    raise gdb.GdbError(f"no process has root table {root:#x}")


def prot_string(prot):
    return ("r" if prot & PROT_READ else "-") + ("w" if prot & PROT_WRITE else "-") + \
        ("x" if prot & PROT_EXEC else "-")


def size_string(n):
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return str(n)


class Areas(gdb.Command):
    """lz-areas [PID]: the areas of the process on this hart (or of PID).

One line per struct vm_area of mm->areas, in address order: the range,
its size, protection, what it is (image, heap, stack, mmap), its flags,
its backing, and how many of its pages have a frame (resident) or map
the shared zero page (zero)."""

    def __init__(self):
        super().__init__("lz-areas", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        p = current_proc(int(gdb.parse_and_eval(arg)) if arg.strip() else None)
        name = p["name"].string()
        mm = p["mm"]
        if int(mm) == 0:
            raise gdb.GdbError(f"process {int(p['pid'])} ({name}) has no address space")
        print(f"pid {int(p['pid'])} ({name}): mm {u64(mm):#x}, root table at PA "
              f"{u64(mm['tlb']['root']):#x}, brk {u64(mm['brk']):#x}")
        print(f"  {'start':>18} {'end':>18} {'size':>6} prot {'kind':5} "
              f"{'flags':26} {'backing':16} resident zero")
        a = mm["areas"]["head"]
        while int(a):
            flags = ",".join(n for bit, n in VM_FLAGS if int(a["flags"]) & bit)
            b = a["backing"]
            if int(b["kind"]) == VM_BACKING_FILE:
                backing = f"inode {int(b['ip']['inum'])} pg {int(b['pgoff'])}"
            else:
                backing = "anonymous"
            print(f"  {u64(a['start']):#18x} {u64(a['end']):#18x} "
                  f"{size_string(u64(a['end']) - u64(a['start'])):>6} "
                  f"{prot_string(int(a['prot'])):4} "
                  f"{VMA_LABELS.get(int(a['label']), '?'):5} {flags:26} {backing:16} "
                  f"{int(a['resident']):8} {int(a['zero']):4}")
            a = a["next"]


class Frame(gdb.Command):
    """lz-frame PA: the frame holding physical address PA, from mm/frame.c's frames array.

Prints its index, reference count, use (kernel, page table, user, file),
whether it is pinned, and whether it is free or reserved."""

    def __init__(self):
        super().__init__("lz-frame", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        pa = arg_value(arg, "a physical address")
        base = u64(gdb.parse_and_eval("base_pa"))
        n = u64(gdb.parse_and_eval("nframes"))
        index = (pa - base) >> PAGE_SHIFT
        if pa < base or index >= n:
            raise gdb.GdbError(f"PA {pa:#x} is outside the managed frames "
                               f"{base:#x}..{base + (n << PAGE_SHIFT):#x}")
        f = gdb.parse_and_eval("frames")[index]
        ref = int(f["refcount"])
        if int(f["reserved"]):
            state = "reserved (firmware, kernel image or frame metadata)"
        elif ref == 0:
            state = "free"
        else:
            state = "allocated"
        print(f"frame {base + (index << PAGE_SHIFT):#x} (#{index}): {state}, "
              f"refcount {ref}, use {FRAME_USES.get(int(f['use']), '?')}, "
              f"pinned {'yes' if int(f['pinned']) else 'no'}")


class User(gdb.Command):
    """lz-user NAME: load user program NAME's symbols (<build>/userland/NAME).

Programs are linked at their run addresses (USER_TEXT_BASE), so the file's
own section addresses are right. Every program uses the same addresses,
so the one loaded before is removed first. `lz-user` alone removes it."""

    def __init__(self):
        super().__init__("lz-user", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        global user_file
        kernel = gdb.objfiles()[0].filename if gdb.objfiles() else None
        if not kernel:
            raise gdb.GdbError("load the kernel first (file <build>/kernel.elf)")
        if user_file:
            gdb.execute(f"remove-symbol-file {user_file}", to_string=True)
            user_file = None
        name = arg.strip()
        if not name:
            return
        build = os.path.dirname(kernel)
        # Our programs are in userland/, -Dextra_programs ones in userland/extra/.
        paths = [os.path.join(build, "userland", name),
                 os.path.join(build, "userland", "extra", name)]
        path = next((p for p in paths if os.path.isfile(p)), None)
        if not path:
            raise gdb.GdbError(f"no program {paths[0]}")
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        user_file = path
        print(f"lz-user: symbols of {path}")


Walk()
PhysAddr()
Areas()
Frame()
User()
gdb.execute("source " + os.path.join(os.path.dirname(os.path.abspath(__file__)), "lazuli.gdb"))
