#!/usr/bin/env python3
"""Run lazybench in lazy and in eager mode and write docs/benchmarks.md.

usage: bench.py --kernel build/kernel.elf --out docs/benchmarks.md

Boots the kernel twice with init=/lazybench (once with mm.eager=1), reads
the "BENCH name value unit" lines, and writes a table of every figure
side by side plus the targets of the lazy-allocation issue, each as a
ratio measured within one run. Figures only: nothing here passes or
fails, and the numbers move with the host machine.
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


def boot(kernel, append, mem="512M", timeout=300):
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-nographic", "-m", mem,
           "-smp", "1", "-bios", FIRMWARE, "-kernel", kernel, "-append", append]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         timeout=timeout).stdout.decode("utf-8", "replace")
    figures = {}
    for line in out.replace("\r", "").splitlines():
        m = LINE.match(line.strip())
        if m:
            figures[m.group(1)] = (m.group(2), m.group(3) or "")
    if not figures:
        sys.exit("bench.py: lazybench printed no BENCH lines:\n" + out[-2000:])
    return figures


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    lazy = boot(args.kernel, "init=/lazybench test=1")
    eager = boot(args.kernel, "init=/lazybench test=1 mm.eager=1")

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

    isolated = None
    if num(L, "sparse_1g_total_ns") and num(L, "sparse_pages_touched"):
        isolated = num(L, "sparse_1g_total_ns") / num(L, "sparse_pages_touched")
    isolated_note = (f"{isolated:.0f} ns" if isolated else "not measured")

    host = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    doc = f"""# Benchmarks

Written by `./lazuli bench` ({datetime.date.today()}): `lazybench` booted as
init on one hart with `-m 512M`, once lazy (default) and once with
`mm.eager=1`. Times come from the `time` CSR (`rdtime`) inside the guest,
so they are QEMU TCG times on this host ({host}; {qemu}): compare ratios
within a run, not absolute numbers across machines. The program is
`userland/bin/lazybench.c`; what each figure measures is written there.

## Targets (lazy-allocation issue)

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
"""
    with open(args.out, "w") as f:
        f.write(doc)
    print(doc)


if __name__ == "__main__":
    main()
