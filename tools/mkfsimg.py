#!/usr/bin/env python3
"""Pack files into lazuli's initial file-system image.

    mkfsimg.py OUTPUT [--dir NAME] [SRC[=NAME] ...] ...

Each SRC is stored as /<basename of SRC>, or as /NAME when given SRC=NAME.
After `--dir NAME` the files that follow go into /NAME/ (created in the
image); `--dir /` goes back to the root. NAME may be nested ("usr/bin");
every directory on the way is created.

The format is documented at the top of fs/image.c, which unpacks it:
a header (magic "LZFSIMG1", u32 record count, u32 zero), then per record
u32 type, u32 path length, u64 data size, the path, the data, each padded
to 8 bytes; little-endian. Standard library only.
"""

import os
import struct
import sys

MAGIC = b"LZFSIMG1"
T_DIR = 1          # userland/include/lazuli/stat.h
T_FILE = 2
DIRSIZ = 14        # userland/include/lazuli/dirent.h
PATH_MAX = 256     # FS_PATH_MAX in fs/fs.h, counting the NUL
ALIGN = 8


def fail(msg):
    sys.exit("mkfsimg: " + msg)


def pad(data):
    return data + b"\0" * (-len(data) % ALIGN)


def check_path(path):
    """Reject what the kernel would refuse, with a readable message."""
    if len(path.encode()) >= PATH_MAX:
        fail("path too long: %s" % path)
    for name in path.split("/"):
        if name in ("", ".", ".."):
            fail("bad name in path: %r" % path)
        if len(name.encode()) > DIRSIZ:
            fail("name longer than %d bytes: %s" % (DIRSIZ, name))


def record(kind, path, data=b""):
    check_path(path)
    name = path.encode()
    return struct.pack("<IIQ", kind, len(name), len(data)) + pad(name) + pad(data)


def parse(args):
    """Turn the arguments into an ordered list of (type, path, source)."""
    entries = []
    seen = set()
    prefix = ""
    it = iter(args)
    for arg in it:
        if arg == "--dir":
            name = next(it, None)
            if name is None:
                fail("--dir needs a NAME")
            prefix = name.strip("/")
            parts = prefix.split("/") if prefix else []
            for i in range(len(parts)):
                d = "/".join(parts[: i + 1])
                if d not in seen:
                    seen.add(d)
                    entries.append((T_DIR, d, None))
            continue
        src, _, name = arg.partition("=")
        name = name or os.path.basename(src)
        path = prefix + "/" + name if prefix else name
        if path in seen:
            fail("%s given twice" % path)
        seen.add(path)
        entries.append((T_FILE, path, src))
    return entries


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    out, entries = argv[1], parse(argv[2:])

    body = []
    for kind, path, src in entries:
        data = b""
        if kind == T_FILE:
            try:
                with open(src, "rb") as f:
                    data = f.read()
            except OSError as e:
                fail("%s: %s" % (src, e.strerror))
        body.append(record(kind, path, data))

    image = MAGIC + struct.pack("<II", len(body), 0) + b"".join(body)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(image)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
