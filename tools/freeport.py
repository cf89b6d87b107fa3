#!/usr/bin/env python3
"""Ports for QEMU's gdb stub, for ./lazuli and the gdb test.

  freeport.py START     print the first port from START on that nothing on
                        127.0.0.1 listens on or holds
  freeport.py --wait P  wait (up to 10 s) until something listens on P;
                        exit 1 if nothing does
"""
import socket
import sys
import time


def is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def first_free(start, tries=200):
    for port in range(start, start + tries):
        if port < 65536 and is_free(port):
            return port
    sys.exit(f"freeport: no free port in {start}..{start + tries - 1}")


def wait_listening(port, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--wait":
        return 0 if wait_listening(int(sys.argv[2])) else 1
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    print(first_free(int(sys.argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
