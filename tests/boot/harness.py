#!/usr/bin/env python3
"""Boot lazuli under QEMU and turn what it prints into test results.

A case (tests/boot/cases.py) names the QEMU options and boot arguments,
then either lets a program run as init until the kernel powers off, or
drives the shell over the serial line. Results come from three places:

  * every "PASS name" / "FAIL name: why" line the guest prints;
  * the case's own checks: lines that must (or must not) appear, the shell
    commands' expected output, QEMU's exit status;
  * a time-out, which fails the case with the tail of the output;
  * the lockup detector: a "lockup: hart ..." warning fails any case but
    one that expects exactly that many (lockups=N);
  * boot-argument warnings: a boot argument the kernel ignored fails any
    case but one that expects exactly that many (bootarg_warnings=N), so
    a case cannot pass with an argument that did nothing.

Each result is printed as "PASS boot/<case>/<name>" or
"FAIL boot/<case>/<name>: why"; the last line is "N passed, N failed".
Only the python3 standard library is used.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases as case_table  # noqa: E402

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
# The lockup detector's warning (proc/lockup.c): a failure in any case,
# except one that says how many it expects (lockups=N).
LOCKUP = re.compile(r"^lockup: hart \d+ has run pid \d+ \(\S+\) in the kernel", re.M)
# init/main.c's check_bootargs: one line per boot argument it ignored.
BOOTARG_WARNING = re.compile(r"^lazuli: (unknown )?boot argument .*, ignored$", re.M)
RESULT = re.compile(r"^(PASS) (\S+)\s*$|^(FAIL) (\S+?):? (.*)$")
PROMPT = "$ "
EXIT_SKIP = 77   # meson test reads this status as SKIP


class Guest:
    """One QEMU process; its console output accumulates in self.out."""

    def __init__(self, kernel, smp, mem, append):
        cmd = ["qemu-system-riscv64", "-machine", "virt", "-nographic",
               "-m", mem, "-smp", str(smp), "-bios", FIRMWARE,
               "-kernel", kernel, "-append", append]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = ""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                return
            with self.lock:
                self.out += chunk.decode("utf-8", "replace").replace("\r", "")

    def text(self):
        with self.lock:
            return self.out

    def wait_for(self, pattern, start, deadline):
        """Index just past `pattern` found after `start`, or None at the deadline."""
        while time.monotonic() < deadline:
            i = self.text().find(pattern, start)
            if i >= 0:
                return i + len(pattern)
            if self.proc.poll() is not None:
                self.reader.join(1)
                i = self.text().find(pattern, start)
                return i + len(pattern) if i >= 0 else None
            time.sleep(0.02)
        return None

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def send_keys(self, keys):
        """Type keys as they are: no newline (control keys such as "\\x03")."""
        self.proc.stdin.write(keys.encode())
        self.proc.stdin.flush()

    def wait_exit(self, deadline):
        try:
            return self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(2)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def record(self, case, name, ok, why=""):
        if ok:
            self.passed += 1
            print(f"PASS boot/{case}/{name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL boot/{case}/{name}: {why}", flush=True)


def tail(text, n=15):
    return "\n    " + "\n    ".join(text.rstrip().splitlines()[-n:])


def guest_results(case, text, results):
    """Record every PASS/FAIL line the guest printed."""
    seen = 0
    for line in text.splitlines():
        m = RESULT.match(line.strip())
        if not m:
            continue
        seen += 1
        if m.group(1):
            results.record(case, m.group(2), True)
        else:
            results.record(case, m.group(4), False, m.group(5))
    return seen


def run_shell(c, guest, results, deadline):
    """Type each command at the prompt; check its output before the next prompt.

    A step's cmd is typed with a newline (a step may have none); then, if it
    has keys, those are typed as they are after `delay` seconds (default 1),
    or once `after` (a string) has appeared in the output: Ctrl-C at a
    running program, Ctrl-P, Ctrl-D.
    """
    pos = guest.wait_for(PROMPT, 0, deadline)
    if pos is None:
        results.record(c["name"], "prompt", False, "no shell prompt" + tail(guest.text()))
        return
    for step in c["shell"]:
        cmd, expect = step.get("cmd"), step.get("expect", [])
        if cmd is not None:
            guest.send(cmd)
        if "keys" in step:
            if "after" in step:
                guest.wait_for(step["after"], pos, deadline)
            else:
                time.sleep(step.get("delay", 1.0))
            guest.send_keys(step["keys"])
            cmd = (cmd or "") + repr(step["keys"])
        end = guest.wait_for(PROMPT, pos, deadline)
        if end is None:
            results.record(c["name"], step["name"], False,
                           f"no prompt after {cmd!r}" + tail(guest.text()))
            return
        output = guest.text()[pos:end - len(PROMPT)]
        pos = end
        missing = [e for e in expect if not re.search(e, output, re.M)]
        bad = [e for e in step.get("reject", []) if re.search(e, output, re.M)]
        ok = not missing and not bad
        why = ""
        if missing:
            why = f"{cmd!r}: expected {missing[0]!r} in output:" + tail(output)
        elif bad:
            why = f"{cmd!r}: unexpected {bad[0]!r} in output:" + tail(output)
        results.record(c["name"], step["name"], ok, why)


def run_case(c, kernel, results):
    name = c["name"]
    guest = Guest(kernel, c.get("smp", 1), c.get("mem", "128M"), c.get("append", ""))
    deadline = time.monotonic() + c.get("timeout", 60)
    try:
        if "shell" in c:
            run_shell(c, guest, results, deadline)
            status = None
        else:
            status = guest.wait_exit(deadline)
            if status is None:
                results.record(name, "finished", False,
                               f"no power-off within {c.get('timeout', 60)} s" + tail(guest.text()))
    finally:
        guest.kill()
    text = guest.text()

    seen = guest_results(name, text, results) if c.get("guest_results", True) else 0
    if c.get("min_results") and seen < c["min_results"]:
        results.record(name, "result_count", False,
                       f"expected at least {c['min_results']} PASS/FAIL lines, saw {seen}")
    for pattern in c.get("expect", []):
        results.record(name, "expect:" + pattern[:40].replace(" ", "_"),
                       re.search(pattern, text, re.M) is not None,
                       f"{pattern!r} not in output" + tail(text))
    for pattern in c.get("reject", []):
        results.record(name, "reject:" + pattern[:40].replace(" ", "_"),
                       re.search(pattern, text, re.M) is None,
                       f"{pattern!r} in output" + tail(text))
    lockups = len(LOCKUP.findall(text))
    want_lockups = c.get("lockups", 0)
    if lockups or want_lockups:
        results.record(name, "lockup_warnings", lockups == want_lockups,
                       f"{lockups} lockup warnings, wanted {want_lockups}" + tail(text, 30))
    ignored = len(BOOTARG_WARNING.findall(text))
    want_ignored = c.get("bootarg_warnings", 0)
    if ignored or want_ignored:
        results.record(name, "bootarg_warnings", ignored == want_ignored,
                       f"{ignored} boot arguments ignored, wanted {want_ignored}" + tail(text))
    if "exit" in c and status is not None:
        want = c["exit"]
        ok = status == want if want == 0 else status != 0
        results.record(name, "exit_status", ok, f"QEMU exited {status}, wanted "
                       + ("0" if want == 0 else "non-zero") + tail(text))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", help="the kernel ELF (build/kernel.elf)")
    ap.add_argument("--compat-kernel",
                    help="kernel built with -Dextra_programs=tests/compat/xv6prog.c, "
                         "for the cases marked needs=compat (skipped without it: "
                         "a SKIP line, and exit status 77 when nothing else ran)")
    ap.add_argument("--case", action="append", help="run only these cases")
    ap.add_argument("--list", action="store_true", help="list the cases")
    args = ap.parse_args()
    if args.list:
        for c in case_table.CASES:
            print(c["name"])
        return 0
    if not args.kernel:
        ap.error("--kernel is required to run cases")
    selected = [c for c in case_table.CASES if not args.case or c["name"] in args.case]
    if args.case and len(selected) != len(args.case):
        sys.exit(f"harness: unknown case in {args.case}")
    kernels = {None: args.kernel, "compat": args.compat_kernel}
    results = Results()
    skipped = []
    for c in selected:
        kernel = kernels[c.get("needs")]
        if kernel:
            run_case(c, kernel, results)
        else:
            skipped.append(c["name"])
            print(f"SKIP boot/{c['name']}: needs --{c['needs']}-kernel", flush=True)
    print(f"{results.passed} passed, {results.failed} failed")
    if results.failed:
        return 1
    # Only skipped cases ran: meson test's "skipped" status.
    return EXIT_SKIP if skipped and not results.passed else 0


if __name__ == "__main__":
    sys.exit(main())
