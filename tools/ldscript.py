#!/usr/bin/env python3
"""Fill a linker script's @NAME@ placeholders from #defines in a C header.

usage: ldscript.py TEMPLATE HEADER OUTPUT

The user programs' link script takes the user layout (USER_TEXT_BASE)
from mm/mm.h, so the layout is written down once. A define must be a
plain number (hex or decimal, an optional UL suffix); anything else, or a
placeholder with no define, is an error.
"""
import re
import sys


def defines(header):
    found = {}
    for line in open(header, encoding="utf-8"):
        m = re.match(r"\s*#define\s+(\w+)\s+(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*(?:/\*.*)?$", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    template, header, output = sys.argv[1:]
    values = defines(header)

    def fill(m):
        name = m.group(1)
        if name not in values:
            sys.exit(f"ldscript.py: {header} has no plain numeric #define {name}")
        return values[name]

    text = re.sub(r"@(\w+)@", fill, open(template, encoding="utf-8").read())
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
