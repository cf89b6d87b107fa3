#!/usr/bin/env python3
"""Run lazybench and cowbench and write docs/benchmarks.md.

usage: bench.py --kernel build/kernel.elf --out build/benchmarks.md
                [--hand-written docs/benchmarks.md]

Boots the kernel LAZY_BOOTS times each with init=/lazybench, lazy and
with mm.eager=1 taking turns (a figure is the median of its boots), and
COW_BOOTS times each with init=/cowbench in three configurations (the
default, mm.cow=0, mm.zeropage=0), the configurations taking turns so a
slow spell of the host falls on all of them; a cowbench figure is the
median of its boots; and EXEC_BOOTS times each with init=/execbench, by
default and with mm.faultaround=0, taking turns; and LAT_BOOTS times
each with init=/latbench at -smp 1 and -smp 4 (the worst boot's maximum
and 99th percentile, the median boot's median). It reads the "BENCH name value unit" lines and writes
a table of every figure side by side plus the targets of lazy
allocation, of copy-on-write and of files in memory, each as a
ratio measured within one run (or, for "before and after", between the
configurations). Figures only: nothing here passes or fails, and the
numbers move with the host machine.

Sections whose heading says "hand-written" are not ours: those of the
--hand-written document (by default the --out one) are kept, after the
generated part.
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
LINE = re.compile(r"^BENCH (\S+) (\S+)(?: (\S+))?\s*$")
LAZY_BOOTS = 3
COW_BOOTS = 3
EXEC_BOOTS = 3
LAT_BOOTS = 3
LAT_SMPS = (1, 4)
TICK_US = 10000
COW_CONFIGS = [("default", ""), ("mm.cow=0", "mm.cow=0"), ("mm.zeropage=0", "mm.zeropage=0")]
EXEC_CONFIGS = [("default", ""), ("mm.faultaround=0", "mm.faultaround=0")]


def boot(kernel, append, mem="512M", timeout=300, smp=1):
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-nographic", "-m", mem,
           "-smp", str(smp), "-bios", FIRMWARE, "-kernel", kernel, "-append", append]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         timeout=timeout).stdout.decode("utf-8", "replace")
    figures = {}
    for line in out.replace("\r", "").splitlines():
        m = LINE.match(line.strip())
        if m:
            figures[m.group(1)] = (m.group(2), m.group(3) or "")
    if not figures:
        sys.exit(f"bench.py: {append}: no BENCH lines:\n" + out[-2000:])
    return figures


def median_figures(runs):
    """Per figure, the median of several boots' values (as printed, an integer)."""
    merged = {}
    for name in runs[0]:
        values = []
        for r in runs:
            try:
                values.append(float(r[name][0]))
            except (KeyError, ValueError):
                pass
        if len(values) != len(runs):
            merged[name] = runs[0][name]
            continue
        values.sort()
        merged[name] = (f"{values[len(values) // 2]:.0f}", runs[0][name][1])
    return merged


def cow_boots(kernel):
    """cowbench in each configuration, COW_BOOTS boots each, taking turns."""
    runs = {label: [] for label, _ in COW_CONFIGS}
    for _ in range(COW_BOOTS):
        for label, arg in COW_CONFIGS:
            runs[label].append(boot(kernel, f"init=/cowbench test=1 {arg}".strip()))
    return {label: median_figures(r) for label, r in runs.items()}


def exec_boots(kernel):
    """execbench in each of EXEC_CONFIGS, EXEC_BOOTS boots each, taking turns."""
    runs = {label: [] for label, _ in EXEC_CONFIGS}
    for _ in range(EXEC_BOOTS):
        for label, arg in EXEC_CONFIGS:
            runs[label].append(boot(kernel, f"init=/execbench test=1 {arg}".strip()))
    return {label: median_figures(r) for label, r in runs.items()}


def lat_boots(kernel):
    """latbench at each of LAT_SMPS, LAT_BOOTS boots each, taking turns.

    Per configuration: the median of the boots' medians, and the largest
    of their 99th percentiles and maxima (a latency bound is a worst case).
    """
    runs = {smp: [] for smp in LAT_SMPS}
    for _ in range(LAT_BOOTS):
        for smp in LAT_SMPS:
            runs[smp].append(boot(kernel, "init=/latbench test=1", smp=smp))
    merged = {}
    for smp, rs in runs.items():
        figs = median_figures(rs)
        for name in figs:
            if re.search(r"_(p99|max|max_beyond)_us$", name):
                worst = max(float(r[name][0]) for r in rs if name in r)
                figs[name] = (f"{worst:.0f}", figs[name][1])
        merged[smp] = figs
    return merged


def lat_section(lat):
    """The scheduling-latency section of the document."""
    rows, targets = [], []
    for smp, F in lat.items():
        for phase, label in (("idle", "idle"), ("hogs", "hogs")):
            cells = [F.get(f"lat_{phase}_{k}_us", ("-", ""))[0] for k in ("median", "p99", "max")]
            ms = [f"{float(c) / 1000:.1f}" if c != "-" else "-" for c in cells]
            rows.append(f"| -smp {smp} | {label} | " + " | ".join(ms) + " |")
        beyond = num(F, "lat_hogs_max_beyond_us")
        b = None if beyond is None else beyond / TICK_US
        targets.append(f"| -smp {smp}: max of sleep(1) under hogs, beyond its tick | <= 3 ticks | "
                       + ("not measured | - |" if b is None else
                          f"{b:.2f} ticks | " + ("met" if b <= 3 else f"missed by {b - 3:.2f} ticks")
                          + " |"))
    hogs = ", ".join(f"-smp {smp}: {fmt(num(F, 'lat_hogs'))} hogs on {fmt(num(F, 'lat_harts'))} harts"
                     for smp, F in lat.items())
    return f"""## Scheduling latency

`latbench` booted as init {LAT_BOOTS} times at each of `-smp 1` and `-smp 4`,
taking turns, with `-m 512M`. It times {300} `sleep(1)` calls (one tick,
10 ms) with `rdtime`, first on an idle machine, then while hogs keep every
hart in long system calls: one process per hart doing back-to-back 4 MiB
`read()`s of a file, and one console write loop (1 KiB writes) ({hogs}).
A `sleep(1)` started just after a tick lasts 10 ms before the sampler is
runnable again; what the hogs add is the wait for a hart: the running hog
yields at its next preemption point once the tick asked it to (a page
of a copy, a stretch of the console loop), and the round-robin scan may
run other hogs first, each until the next tick. Figures in ms; the
median is the median boot's, the 99th percentile and the maximum are the
worst boot's. The program is `userland/bin/latbench.c`.

| target | wanted | measured | result |
| --- | --- | --- | --- |
{chr(10).join(targets)}

| harts | load | median | 99th percentile | max |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}
"""


def hand_written(path):
    """The "## ... hand-written ..." sections of the document now at path."""
    try:
        text = open(path).read()
    except OSError:
        return ""
    keep, on = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            on = "hand-written" in line
        if on:
            keep.append(line)
    return "\n".join(keep).strip()


def num(figs, name):
    try:
        return float(figs[name][0])
    except (KeyError, ValueError):
        return None


def ratio_row(label, target, a, b, limit):
    """A target row: a / b measured, compared with limit."""
    if a is None or b is None or b == 0:
        return f"| {label} | {target} | not measured | - |"
    r = a / b
    verdict = "met" if r <= limit else f"missed by {r / limit:.2f}x"
    return f"| {label} | {target} | {r:.2f} | {verdict} |"


def count_row(label, target, value, limit):
    """A target row on a count: value measured, compared with limit."""
    if value is None or value < 0:
        return f"| {label} | {target} | not measured | - |"
    verdict = "met" if value <= limit else f"missed by {value - limit:.0f}"
    return f"| {label} | {target} | {value:.0f} | {verdict} |"


def fmt(x, digits=0):
    return "not measured" if x is None else f"{x:.{digits}f}"


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hand-written", help="take the hand-written sections from "
                    "this document (default: --out)")
    args = ap.parse_args()

    kept = hand_written(args.hand_written or args.out)
    lazy_runs, eager_runs = [], []
    for _ in range(LAZY_BOOTS):
        lazy_runs.append(boot(args.kernel, "init=/lazybench test=1"))
        eager_runs.append(boot(args.kernel, "init=/lazybench test=1 mm.eager=1"))
    lazy, eager = median_figures(lazy_runs), median_figures(eager_runs)
    cow = cow_boots(args.kernel)
    C, N, Z = cow["default"], cow["mm.cow=0"], cow["mm.zeropage=0"]
    execs = exec_boots(args.kernel)
    X, XF = execs["default"], execs["mm.faultaround=0"]
    lat = lat_boots(args.kernel)

    names = [n for n in lazy if n != "mode"] + [n for n in eager if n not in lazy and n != "mode"]
    rows = []
    for n in names:
        lv, lu = lazy.get(n, ("-", ""))
        ev, eu = eager.get(n, ("-", ""))
        rows.append(f"| {n} | {lv} {lu} | {ev} {eu} |")

    L, E = lazy, eager
    targets = [
        ratio_row("first touch of a page vs memset of a resident page", "<= 3x",
                  num(L, "first_touch_ns_per_page"), num(L, "memset_resident_page_ns"), 3.0),
        ratio_row("sbrk(1 GiB) vs sbrk(4 KiB)", "<= 2x",
                  num(L, "sbrk_1g_ns"), num(L, "sbrk_4k_ns"), 2.0),
        ratio_row("lazy vs eager: sbrk 16 MiB + touch every page", "<= 1.2x",
                  num(L, "sbrk16m_touch_all_ns"), num(E, "sbrk16m_touch_all_ns"), 1.2),
        ratio_row("fork, 16 MiB reserved untouched vs tiny", "<= 1.2x",
                  num(L, "fork_16m_reserved_ns"), num(L, "fork_tiny_ns"), 1.2),
        ratio_row("sparse 1 GiB: frames allocated vs pages touched", "<= 1.13",
                  num(L, "sparse_frames_allocated"), num(L, "sparse_pages_touched"), 1.13),
    ]

    readers_x = div(num(C, "readers_total_frames"), num(C, "readers_parent_frames"))
    cow_targets = [
        ratio_row("fork+exit+wait, 16 MiB resident vs tiny", "<= 3x",
                  num(C, "fork_16m_resident_ns"), num(C, "fork_tiny_ns"), 3.0),
        ratio_row("the same with `mm.cow=0` (before: fork copies)", "(was about 36x)",
                  num(N, "fork_16m_resident_ns"), num(N, "fork_tiny_ns"), float("inf"))
        .replace("| met |", "| for comparison |"),
        ratio_row("fork+exec+wait of /echo from the shell, vs the same with `mm.cow=0`",
                  "<= 0.5x", num(C, "sh_exec_ns"), num(N, "sh_exec_ns"), 0.5),
        ratio_row("frames: 16 MiB parent + 8 children that read it, vs the parent alone",
                  "<= 1.1x", num(C, "readers_total_frames"),
                  num(C, "readers_parent_frames"), 1.1),
        count_row("read pass over 64 MiB of fresh heap: frames for data", "0",
                  num(C, "zero_read_data_frames"), 0),
        count_row("the same with `mm.zeropage=0`", "(16384)",
                  num(Z, "zero_read_data_frames"), float("inf"))
        .replace("| met |", "| for comparison |"),
    ]

    # What the fork figures are made of, for the notes below.
    pages16 = 16 * 1024 * 1024 // 4096
    fork_call_pp = div((num(C, "fork_16m_call_ns") or 0) - (num(C, "fork_tiny_call_ns") or 0), pages16)
    fork_rest_pp = None
    if all(num(C, n) is not None for n in ("fork_16m_resident_ns", "fork_16m_call_ns",
                                            "fork_tiny_ns", "fork_tiny_call_ns")):
        fork_rest_pp = ((num(C, "fork_16m_resident_ns") - num(C, "fork_16m_call_ns")) -
                        (num(C, "fork_tiny_ns") - num(C, "fork_tiny_call_ns"))) / pages16
    cow_fork_x = div(num(C, "fork_16m_resident_ns"), num(C, "fork_tiny_ns"))
    nocow_fork_x = div(num(N, "fork_16m_resident_ns"), num(N, "fork_tiny_ns"))
    exec16_x = div(num(C, "exec_16m_resident_ns"), num(N, "exec_16m_resident_ns"))
    exec_tiny_x = div(num(C, "exec_tiny_ns"), num(N, "exec_tiny_ns"))
    sh_x = div(num(C, "sh_exec_ns"), num(N, "sh_exec_ns"))
    readers_pt = num(C, "readers_pt_frames")
    readers_extra = None
    if num(C, "readers_total_frames") is not None and num(C, "readers_parent_frames") is not None:
        readers_extra = num(C, "readers_total_frames") - num(C, "readers_parent_frames")

    # The mmap read pass against read(), and what its faults cost.
    mmap_x = div(num(X, "mmap_read_16m_ns"), num(X, "read_16m_ns"))
    mmap_fa0_x = div(num(XF, "mmap_read_16m_ns"), num(XF, "read_16m_ns"))
    read_over_ms = div((num(X, "read_16m_ns") or 0) - (num(X, "resum_16m_ns") or 0), 1e6)
    mmap_over_ms = div((num(X, "mmap_read_16m_ns") or 0) - (num(X, "resum_16m_ns") or 0), 1e6)
    mmap_fa0_over_ms = div((num(XF, "mmap_read_16m_ns") or 0) - (num(XF, "resum_16m_ns") or 0), 1e6)
    per_fault_ns = None
    if all(num(F, n) is not None for F in (X, XF) for n in ("mmap_read_16m_ns", "mmap_read_faults")):
        per_fault_ns = div(num(XF, "mmap_read_16m_ns") - num(X, "mmap_read_16m_ns"),
                           num(XF, "mmap_read_faults") - num(X, "mmap_read_faults"))

    exec_rows = []
    for n in [n for n in X if n != "mode"]:
        cells = []
        for label, _ in EXEC_CONFIGS:
            v, u = execs[label].get(n, ("-", ""))
            cells.append(f"{v} {u}".strip())
        exec_rows.append(f"| {n} | " + " | ".join(cells) + " |")

    cow_names = [n for n in C if n != "mode"]
    cow_rows = []
    for n in cow_names:
        cells = []
        for label, _ in COW_CONFIGS:
            v, u = cow[label].get(n, ("-", ""))
            cells.append(f"{v} {u}".strip())
        cow_rows.append(f"| {n} | " + " | ".join(cells) + " |")

    isolated = None
    if num(L, "sparse_1g_total_ns") and num(L, "sparse_pages_touched"):
        isolated = num(L, "sparse_1g_total_ns") / num(L, "sparse_pages_touched")
    isolated_note = (f"{isolated:.0f} ns" if isolated else "not measured")

    host = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    doc = f"""# Benchmarks

Written by `./lazuli bench` ({datetime.date.today()}): `lazybench` booted as
init on one hart with `-m 512M`, {LAZY_BOOTS} times lazy (default) and
{LAZY_BOOTS} times with `mm.eager=1`, taking turns; each figure is the median
of its boots. Times come from the `time` CSR (`rdtime`) inside the guest,
so they are QEMU TCG times on this host ({host}; {qemu}): compare ratios
within a run, not absolute numbers across machines. The program is
`userland/bin/lazybench.c`; what each figure measures is written there.
The copy-on-write figures come from `cowbench`, further down.

## Targets: lazy allocation

| target | wanted | measured | result |
| --- | --- | --- | --- |
{chr(10).join(targets)}

Read the first and third rows with fault-around in mind (`docs/mm.md`):
pages touched in order are mapped up to 32 at a time after a run of four
sequential faults, so the first-touch figure over 16 MiB is the cost per
page of a dense first touch, traps included. A page touched on its own
pays a whole trap: the sparse pattern costs {isolated_note} per touched
page (one fault each, page tables included), which is the figure to
compare with the memset floor for isolated faults. Under QEMU TCG most of
that is QEMU's own exception handling, not the kernel's fault path.

## Every figure

| figure | lazy | eager |
| --- | --- | --- |
{chr(10).join(rows)}

## Targets: copy-on-write

`cowbench` booted as init, {COW_BOOTS} times in each of three configurations
(the default, `mm.cow=0`, `mm.zeropage=0`) taking turns; each figure is the
median of its boots, and each boot's figure is itself the median of
several runs after a warm-up. The program is `userland/bin/cowbench.c`;
what each figure measures is written at its top. The first and fourth
rows are ratios within one boot; "vs `mm.cow=0`" compares the medians of
two configurations. [cow.md](cow.md) explains the mechanisms.

| target | wanted | measured | result |
| --- | --- | --- | --- |
{chr(10).join(cow_targets)}

**fork of 16 MiB resident.** Copy-on-write takes the ratio from
{fmt(nocow_fork_x, 1)}x (`mm.cow=0`) to {fmt(cow_fork_x, 1)}x: no page is copied any more, but
fork still visits every resident page's PTE, and so does the child's
exit. Over the 4096 extra pages, the `fork()` call costs about
{fmt(fork_call_pp)} ns a page (`fork_table`, a leaf table at a time: the parent's PTE
made read-only and copy-on-write, the child's placed, then one batch of
references, `frame_get_ptes`), and exit + wait about {fmt(fork_rest_pp)} ns
a page (`release_table`: one batch of `frame_put_ptes`, which also clears
the PTEs, tables pruned).
Under QEMU TCG that is a few dozen instructions a page each way; sharing
the page-table pages themselves between parent and child, so that fork
touches no leaf at all, is the next step and is not done.
Against a tiny fork + exit + wait of {fmt(num(C, "fork_tiny_ns"))} ns, 3x would allow
about {fmt(div(2 * (num(C, "fork_tiny_ns") or 0), pages16))} ns a page for both walks together. What copy-on-write
defers is on the next rows of the figure table: after the child is gone,
the parent's first write to each page is a "cow reuse" fault,
{fmt(num(C, "fork_16m_rewrite_ns_per_page"))} ns a page, where a plain
rewrite costs {fmt(num(C, "retouch_ns_per_page"))} ns; a child's first write to each shared page
is a "cow copy", {fmt(num(C, "fork_16m_child_write_ns_per_page"))} ns a page (a frame, a 4 KiB copy and a
one-page TLB flush each).

**fork + exec from the shell.** The real `/sh` runs a script of `echo`
lines with its output to a file; what one line costs is the time of that
script less an empty one's, over the line count. The shell has about five
resident pages, so `mm.cow=0` copies only those at each fork, and most of a
command is exec building the new image, the exit and the wait, which
copy-on-write does not change: {fmt(sh_x, 2)}x. Straight from `cowbench`, a tiny
parent gives {fmt(exec_tiny_x, 2)}x and a parent with 16 MiB resident (a big
shell) gives {fmt(exec16_x, 2)}x: the saving grows with what the parent has
resident.

**Readers and the zero page.** The 8 children that read all of the
parent's 16 MiB added {fmt(readers_extra)} user frames (each child's first
stack write is a "cow copy") and {fmt(readers_pt)} page-table frames, which
the row leaves aside; with `mm.cow=0` they take
{fmt(num(N, "readers_total_frames"))} frames. The 64 MiB read pass maps the zero page,
{fmt(num(C, "zero_read_faults"))} faults with fault-around, and the write pass
after it takes {fmt(num(C, "zero_write_faults"))} faults, one a page: a
page read and then written costs two faults, which is the zero page's
price ({fmt(num(C, "zero_read_ns_per_page"))} + {fmt(num(C, "zero_write_ns_per_page"))} ns a page
against {fmt(num(Z, "zero_read_ns_per_page"))} + {fmt(num(Z, "zero_write_ns_per_page"))} ns with
`mm.zeropage=0`).

## Targets: files in memory (demand-paged exec)

`execbench` booted as init {EXEC_BOOTS} times by default and {EXEC_BOOTS} times with
`mm.faultaround=0`, taking turns (medians). The program is
`userland/bin/execbench.c`; [demand-paging.md](demand-paging.md) explains
the mechanism. The first target compares with the copying exec, which is
no longer in the tree: its figure is in the hand-written section "exec
before and after" below, measured with the same programs on the kernel
of commit e67148e.

| target | wanted | measured | result |
| --- | --- | --- | --- |
{count_row("frames: 8 idle sh (user + page tables) vs one text copy + 8 x (data + stack + page tables)",
           "<= " + fmt(num(X, "sh8_bound")), (num(X, "sh8_user_frames") or 0) + (num(X, "sh8_pt_frames") or 0)
           if num(X, "sh8_user_frames") is not None else None, num(X, "sh8_bound") or 0)}
{ratio_row("sequential read of a 16 MiB file through mmap vs read()", "<= 0.7x",
           num(X, "mmap_read_16m_ns"), num(X, "read_16m_ns"), 0.7)}
{ratio_row("the same with `mm.faultaround=0`", "-",
           num(XF, "mmap_read_16m_ns"), num(XF, "read_16m_ns"), float("inf"))
 .replace("| met |", "| for comparison |")}

| figure | default | mm.faultaround=0 |
| --- | --- | --- |
{chr(10).join(exec_rows)}

The eight shells took {fmt(num(X, "sh8_frames"))} frames in all: {fmt(num(X, "sh8_user_frames"))} user frames
(their stacks and copied data pages), {fmt(num(X, "sh8_pt_frames"))} page-table frames, and
{fmt(num(X, "sh8_kernel_frames"))} kernel frames (process and area slabs, and the eight pipes
their input comes from), which no address space maps and the target leaves aside.
Their text is {fmt(num(X, "sh_text_pages"))} page(s) each, all of them the file's own frames:
no shell's text costs a frame.

**Reading a file through mmap.** Both passes sum every byte of the same
16 MiB file in the same function; summing it once it is all mapped
(`resum_16m_ns`) takes {fmt(div(num(X, "resum_16m_ns"), 1e6), 1)} ms, the floor of both. `read()` adds
{fmt(read_over_ms, 1)} ms to that: every page is copied twice (from the file's frame
into the kernel's bounce buffer, then out to the user buffer), 256 calls
of 64 KiB. The mmap pass copies nothing and adds {fmt(mmap_over_ms, 1)} ms:
{fmt(num(X, "mmap_read_faults"))} faults ("file page", the file's own frames mapped
read-only), fault-around mapping the other pages 32 at a time, and
`munmap` taking the 4096 mappings down: {fmt(mmap_x, 2)}x. Without fault-around
every page is a fault ({fmt(num(XF, "mmap_read_faults"))}), which adds {fmt(mmap_fa0_over_ms, 1)} ms, about
{fmt(per_fault_ns)} ns a fault more than a page mapped ahead costs, and the
ratio is {fmt(mmap_fa0_x, 2)}x. The file took {fmt(num(X, "file16m_frames"))} frames (4096 pages
and the index pages of its page tree) and gave back all but
{fmt(num(X, "file16m_frames_left"))} when it was unlinked.

## Every cowbench figure

| figure | default | mm.cow=0 | mm.zeropage=0 |
| --- | --- | --- | --- |
{chr(10).join(cow_rows)}

""" + lat_section(lat)
    if kept:
        doc += "\n" + kept + "\n"
    with open(args.out, "w") as f:
        f.write(doc)
    print(doc)


if __name__ == "__main__":
    main()
