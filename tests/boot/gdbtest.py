#!/usr/bin/env python3
"""The debugger, through a scripted gdb batch run.

Boots the debug kernel (build-debug/kernel.elf: -O0, see ./lazuli) under
QEMU waiting for a debugger on a free port, attaches gdb-multiarch with
tools/gdb/lazuli.py loaded, runs tests/boot/gdbtest.gdb (a breakpoint on
mm_fault, a backtrace, lz-walk of the faulting address before and after the
fault is served, lz-areas, lz-frame, lz-user, the harts as threads), and
checks what gdb printed. Each check is a "PASS gdb/<name>" or
"FAIL gdb/<name>: why" line. A missing gdb-multiarch is a FAIL, never a
skip: ./lazuli test installs it first.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import freeport  # noqa: E402

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
TIMEOUT = 120


class Results:
    def __init__(self):
        self.failed = 0

    def record(self, name, ok, why=""):
        if ok:
            print(f"PASS gdb/{name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL gdb/{name}: {why}", flush=True)


def tail(text, n=15):
    return "\n    " + "\n    ".join(text.rstrip().splitlines()[-n:])


def sections(out):
    """The output after each `==name==` marker, up to the next one."""
    parts = re.split(r"^==([\w-]+)==$", out, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def run_session(kernel, gdb):
    """Run QEMU and the gdb script; gdb's exit status and its output."""
    port = freeport.first_free(30000 + os.getpid() % 20000)
    with tempfile.TemporaryFile() as console:
        qemu = subprocess.Popen(
            ["qemu-system-riscv64", "-machine", "virt", "-nographic", "-m", "128M",
             "-smp", "2", "-bios", FIRMWARE, "-kernel", kernel,
             "-S", "-gdb", f"tcp:127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
        try:
            if not freeport.wait_listening(port):
                console.seek(0)
                return None, "QEMU's gdb stub never listened:" + tail(console.read().decode())
            cmd = [gdb, "-nx", "-batch", "-x", os.path.join(ROOT, "tools/gdb/lazuli.py"),
                   "-ex", f"target remote 127.0.0.1:{port}",
                   "-x", os.path.join(HERE, "gdbtest.gdb"), kernel]
            try:
                done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                      text=True, timeout=TIMEOUT)
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
                return None, f"gdb did not finish within {TIMEOUT} s:" + tail(out)
            return done.returncode, done.stdout + done.stderr
        finally:
            if qemu.poll() is None:
                qemu.kill()
            qemu.wait()


def check(out, results):
    s = sections(out)
    m = re.search(r"hit Breakpoint \d+, mm_fault \(mm=0x[0-9a-f]+, va=(\d+), "
                  r"access=FAULT_\w+", out)
    results.record("stopped_in_mm_fault", m is not None,
                   "no stop in mm_fault with its arguments readable" + tail(out))
    if not m:
        return
    va = int(m.group(1))
    bt = s.get("bt", "")
    results.record("backtrace", re.search(r"^#1 .* proc_page_fault \(", bt, re.M)
                   and re.search(r" user_trap \(", bt), "bt lacks proc_page_fault/user_trap:"
                   + tail(bt))

    before = s.get("walk-before", "")
    results.record("walk_before_unmapped",
                   f"va {va:#x}: VPN[2]" in before and "invalid: not mapped" in before
                   and "leaf:" not in before,
                   f"lz-walk {va:#x} before the fault should end at an invalid PTE:" + tail(before))

    areas = s.get("areas", "")
    holds = False
    for line in areas.splitlines():
        f = line.split()
        if len(f) > 2 and f[0].startswith("0x") and int(f[0], 16) <= va < int(f[1], 16):
            holds = "image" in f and "r-x" in f
    results.record("areas_hold_va", "pid 1 (init)" in areas and holds,
                   f"lz-areas should show init's r-x image area holding {va:#x}:" + tail(areas))

    results.record("fault_served", re.search(r"Value returned is \$\d+ = FAULT_OK",
                                             s.get("finish", "")) is not None,
                   "finish did not return FAULT_OK:" + tail(s.get("finish", "")))

    after = s.get("walk-after", "")
    leaf = re.search(r"^\s+L0 \[\s*\d+\]\s+PTE 0x[0-9a-f]{16}\s+V R (W )?X U .*"
                     r"leaf: 4 KiB page at PA (0x[0-9a-f]+)$", after, re.M)
    results.record("walk_after_mapped",
                   leaf is not None and re.search(rf"{va:#x} -> PA 0x[0-9a-f]+", after),
                   f"lz-walk {va:#x} after the fault should end at a V R X U leaf:" + tail(after))

    frame = s.get("frame", "")
    results.record("frame_counted",
                   re.search(r"^frame 0x[0-9a-f]+ \(#\d+\): allocated, refcount [1-9]\d*, "
                             r"use (user|file), pinned no$", frame, re.M) is not None,
                   "lz-frame of the new mapping:" + tail(frame))

    user = s.get("user", "")
    results.record("user_symbols",
                   re.search(r"^_start in section \.text of \S*/userland/init$", user, re.M)
                   is not None, f"lz-user init, info symbol {va:#x}:" + tail(user))

    threads = s.get("threads", "")
    results.record("harts_as_threads", "CPU#0" in threads and "CPU#1" in threads,
                   "info threads should list both harts:" + tail(threads))
    results.record("script_finished", "end" in s, "the script stopped early:" + tail(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="the debug kernel (build-debug/kernel.elf)")
    ap.add_argument("--gdb", default="gdb-multiarch")
    args = ap.parse_args()
    results = Results()
    gdb = shutil.which(args.gdb)
    if not gdb:
        results.record("gdb_found", False, f"{args.gdb} is not installed "
                       "(sudo apt-get install -y gdb-multiarch)")
        return 1
    status, out = run_session(args.kernel, gdb)
    results.record("session", status == 0, f"gdb exited {status}:" + tail(out))
    if status is not None:
        check(out, results)
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
