#!/usr/bin/env python3
"""./lazuli console: the serial console of the QEMU that ./lazuli gdb started.

Connects to QEMU's console socket (build-debug/console.sock) and joins it
to this terminal, which is put in raw mode so the shell sees every key.
Ctrl-] leaves (QEMU and the guest keep running). Everything the guest
printed since boot is also in build-debug/console.log.
"""
import os
import select
import socket
import sys
import termios
import time
import tty

QUIT = b"\x1d"   # Ctrl-]


def connect(path, seconds=10.0):
    deadline = time.monotonic() + seconds
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError as e:
            s.close()
            if time.monotonic() > deadline:
                sys.exit(f"console: cannot connect to {path}: {e.strerror} "
                         "(is ./lazuli gdb running?)")
            time.sleep(0.2)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: console.py SOCKET")
    s = connect(sys.argv[1])
    print("console: connected; Ctrl-] leaves", file=sys.stderr)
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    if saved:
        tty.setraw(fd)
    try:
        while True:
            ready, _, _ = select.select([fd, s], [], [])
            if s in ready:
                data = s.recv(4096)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if fd in ready:
                data = os.read(fd, 1024)
                if not data or QUIT in data:
                    break
                s.sendall(data)
    finally:
        if saved:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    print("\nconsole: left", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
