#!/usr/bin/env python3
"""Run the host unit tests exactly as `meson test --suite unit` would (same
command, arguments and environment, read from `meson introspect`), and
print each PASS/FAIL line as PASS unit/<test>/<case>. A test that exits
non-zero without naming a failed case (a sanitizer report, an abort) is a
failure of its own. Exit status: 1 if anything failed.

usage: run.py BUILD_DIR
"""
import json
import os
import re
import subprocess
import sys

build = sys.argv[1]
tests = json.loads(subprocess.run(["meson", "introspect", build, "--tests"],
                                  check=True, capture_output=True, text=True).stdout)
failed = False
for t in tests:
    if "unit" not in t["suite"] and "lazuli:unit" not in t["suite"]:
        continue
    name = t["name"].split("/")[-1]
    env = dict(os.environ, **t.get("env", {}))
    r = subprocess.run(t["cmd"], env=env, cwd=t.get("workdir") or build,
                       capture_output=True, text=True)
    named_failure = False
    for line in r.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL) (.*)$", line)
        if m:
            print(f"{m.group(1)} unit/{name}/{m.group(2)}")
            named_failure |= m.group(1) == "FAIL"
        elif line.startswith("  "):
            print(line)
    if r.returncode != 0:
        failed = True
        if not named_failure:
            print(f"FAIL unit/{name}/exit: status {r.returncode}")
            for line in (r.stdout + r.stderr).splitlines()[-20:]:
                print("    " + line)
sys.exit(1 if failed else 0)
