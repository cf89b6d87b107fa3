#!/usr/bin/env python3
"""The -D options ./lazuli passes to meson, made ready for a build folder.

    buildopts.py --cwd DIR BUILD -- [-Dname=value ...]
        Print, one per line, the options whose value differs from what
        BUILD is configured with (all of them if BUILD is not configured
        yet), so that an unchanged option does not make meson regenerate
        the build. Relative paths in -Dextra_programs are made absolute
        against DIR, the folder ./lazuli was run from.
    buildopts.py --check BUILD
        Fail with one line per extra program that no longer exists, saying
        how to drop it.

Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys


def configured(build):
    """name -> value of BUILD's options, or {} when it is not set up."""
    if not os.path.exists(os.path.join(build, "build.ninja")):
        return {}
    out = subprocess.run(["meson", "introspect", build, "--buildoptions"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return {}
    return {o["name"]: o["value"] for o in json.loads(out.stdout)}


def split_array(value):
    """A meson array option given on the command line: a,b or ['a', 'b']."""
    value = value.strip()
    if value.startswith("["):
        try:
            return [str(v) for v in json.loads(value.replace("'", '"'))]
        except ValueError:
            pass
    return [v for v in value.split(",") if v]


def same(old, new):
    """Whether the text new, given as -Dname=new, is the value old."""
    if isinstance(old, bool):
        return new.lower() == str(old).lower()
    if isinstance(old, list):
        return split_array(new) == old
    return str(old) == new


def changed(build, cwd, opts):
    current = configured(build)
    out = []
    for opt in opts:
        name, eq, value = opt[2:].partition("=")
        if name == "extra_programs":
            value = ",".join(os.path.normpath(os.path.join(cwd, p))
                             for p in split_array(value))
            opt = f"-D{name}={value}"
        if not eq or name not in current or not same(current[name], value):
            out.append(opt)
    return out


def check(build):
    gone = [p for p in configured(build).get("extra_programs", []) if not os.path.exists(p)]
    for p in gone:
        keep = [q for q in configured(build)["extra_programs"] if q not in gone]
        print(f"lazuli: the extra program {p} no longer exists; drop it with "
              f"-Dextra_programs={','.join(keep)} (on ./lazuli run or test)", file=sys.stderr)
    return 1 if gone else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cwd", default=os.getcwd())
    ap.add_argument("--check", action="store_true")
    ap.add_argument("build")
    ap.add_argument("opts", nargs="*")
    args = ap.parse_args()
    if args.check:
        return check(args.build)
    for opt in changed(args.build, args.cwd, args.opts):
        print(opt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
