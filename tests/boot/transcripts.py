#!/usr/bin/env python3
"""The console transcripts in README.md and docs/, replayed and compared.

A transcript is a fenced code block whose opening fence follows a marker
line:

    <!-- transcript: smp=1 append="mm.trace=1" -->

The keys are smp, mem and append (as for a boot case, defaults 1, 128M,
""), before="cmd; cmd" (commands typed first, whose output is not
part of the transcript), host=N (the block's first N lines are the host's, such as
"$ ./lazuli run", and are not checked) and vary=WHAT,... where WHAT is
numbers (every decimal number in the block may differ: counts that change
with the image) or states (a process state in ps output, new, sleep,
ready, run or zombie, may be any other: it depends on the scheduler's
timing). Inside the block:

  * a line "$ cmd" is a command typed at the shell prompt; a bare "$"
    is the prompt the transcript ends at;
  * a line starting with "..." stands for any number of lines (text after
    it is a comment for the reader);
  * every other line must be what the console printed, in order.

A block whose first checked line is not a command starts at the first
console byte (the boot messages); the others start at the first prompt.
A block with no "$" line at all is the output of a boot that runs a
program as init (append="init=/prog test=1 ..."): it is compared with
everything the console printed up to the power-off (or the first
prompt), usually with "..." before and after the lines shown.
Everywhere, "N frames free of M", the boot hart's number and the count
of harts up are compared without their numbers, the "lazuli: hart N up"
lines are skipped (ALWAYS and DROPPED below say why), and trailing spaces
are ignored.

Each transcript is one boot and one "PASS transcript/<file>:<line>" or
"FAIL transcript/<file>:<line>: why" line, the why naming the first line that
differs.
"""
import argparse
import os
import re
import shlex
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from harness import Guest, PROMPT  # noqa: E402

MARKER = re.compile(r"^<!-- transcript:(.*)-->\s*$")
TIMEOUT = 60
# What legitimately varies from boot to boot, in every transcript: the
# free frames follow the kernel image's size; OpenSBI picks the boot hart
# by lottery; a hart the host is slow to start reports later than the
# count (the selftest cases check the harts strictly).
ALWAYS = [(re.compile(r"\b\d+ frames free of \d+\b"), "N frames free of N"),
          (re.compile(r"booting on hart \d+ of"), "booting on hart N of"),
          (re.compile(r"^lazuli: \d+ of (\d+) harts up$"), r"lazuli: N of \1 harts up")]
DROPPED = re.compile(r"^lazuli: hart \d+ up$")
VARY = {"numbers": (re.compile(r"\d+"), "N"),
        "states": (re.compile(r"\b(new|sleep|ready|run|zombie)\b"), "STATE")}


def find_transcripts(paths):
    """(path, line number of the fence, options, block lines) for each marker."""
    found = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            m = MARKER.match(line)
            if not m:
                continue
            try:
                opts = dict(kv.split("=", 1) for kv in shlex.split(m.group(1)))
            except ValueError:
                found.append((path, i + 1, None, "the marker is not key=value words"))
                continue
            if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
                found.append((path, i + 1, None, "the marker is not followed by a ``` fence"))
                continue
            end = i + 2
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            found.append((path, i + 2, opts, lines[i + 2:end]))
    return found


def normalise(line, vary):
    line = line.rstrip()
    for pattern, repl in ALWAYS:
        line = pattern.sub(repl, line)
    for pattern, repl in vary:
        line = pattern.sub(repl, line)
    return line


def replay(opts, block):
    """Boot and type the block's commands.

    Returns (console text, index where the transcript starts in it), or
    (None, why) when the guest did not get that far.
    """
    before = [c.strip() for c in opts.get("before", "").split(";") if c.strip()]
    commands = [ln[2:] for ln in block if ln.startswith("$ ")]
    guest = Guest(opts["kernel"], int(opts.get("smp", 1)), opts.get("mem", "128M"),
                  opts.get("append", ""))
    deadline = time.monotonic() + TIMEOUT
    try:
        if not any(ln.startswith("$") for ln in block):
            # A program run as init (init=... test=1): all it printed
            # until the power-off, or until the shell's first prompt.
            while guest.proc.poll() is None and PROMPT not in guest.text() \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            guest.reader.join(1)
            if guest.proc.poll() is None and PROMPT not in guest.text():
                return None, "neither a power-off nor a prompt"
            return guest.text(), 0
        pos = guest.wait_for(PROMPT, 0, deadline)
        if pos is None:
            return None, "no shell prompt"
        for cmd in before:
            guest.send(cmd)
            pos = guest.wait_for(PROMPT, pos, deadline)
            if pos is None:
                return None, f"no prompt after {cmd!r}"
        first = pos - len(PROMPT)
        for cmd in commands:
            guest.send(cmd)
            pos = guest.wait_for(PROMPT, pos, deadline)
            if pos is None:
                return None, f"no prompt after {cmd!r}"
        return guest.text()[:pos], first
    finally:
        guest.kill()


def compare(expected, actual, e=0, a=0):
    """None when actual[a:] fits expected[e:] ("..." lines are gaps), else why."""
    while e < len(expected):
        if expected[e].startswith("..."):
            rest = e + 1
            while rest < len(expected) and expected[rest].startswith("..."):
                rest += 1
            if rest == len(expected):
                return None
            first_why = None
            for i in range(a, len(actual)):
                if actual[i] == expected[rest]:
                    why = compare(expected, actual, rest + 1, i + 1)
                    if why is None:
                        return None
                    first_why = first_why or why
            return first_why or f"expected {expected[rest]!r}, the console never printed it"
        if a >= len(actual):
            return f"expected {expected[e]!r}, the console printed no more"
        if actual[a] != expected[e]:
            return f"expected {expected[e]!r}, the console printed {actual[a]!r}"
        e += 1
        a += 1
    if a < len(actual):
        return f"the console printed {actual[a]!r} after the transcript's last line"
    return None


def check(path, opts, block):
    unknown = set(opts) - {"kernel", "smp", "mem", "append", "before", "host", "vary"}
    if unknown:
        return f"unknown marker key {sorted(unknown)[0]!r}"
    words = [w for w in opts.get("vary", "").split(",") if w]
    if any(w not in VARY for w in words):
        return f"vary: unknown {[w for w in words if w not in VARY][0]!r}"
    vary = [VARY[w] for w in words]
    host = int(opts.get("host", 0))
    block = block[host:]
    text, first = replay(opts, block)
    if text is None:
        return first
    checked = [ln for ln in block if not ln.startswith("...")]
    if checked and not checked[0].startswith("$") and "before" not in opts:
        first = 0
    actual = [normalise(ln, vary) for ln in text[first:].split("\n") if not DROPPED.match(ln)]
    expected = [normalise(ln, vary) for ln in block if not DROPPED.match(ln)]
    return compare(expected, actual)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="the kernel ELF (build/kernel.elf)")
    ap.add_argument("files", nargs="*", help="the documents (default: README.md, docs/*.md)")
    args = ap.parse_args()
    files = args.files or [os.path.join(ROOT, "README.md")] + sorted(
        os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs"))
        if f.endswith(".md"))
    failed = 0
    transcripts = find_transcripts(files)
    if not transcripts:
        print("FAIL transcript/markers: no transcript markers found", flush=True)
        return 1
    for path, line, opts, block in transcripts:
        name = f"transcript/{os.path.relpath(path, ROOT)}:{line}"
        why = block if opts is None else check(path, dict(opts, kernel=args.kernel), block)
        if why:
            failed += 1
            print(f"FAIL {name}: {why}", flush=True)
        else:
            print(f"PASS {name}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
