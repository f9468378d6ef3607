#!/usr/bin/python3
"""Runs one shell command in a QEMU guest of scripts/test-guests.sh and prints what it printed.

The guest runs a root shell on its second serial port (procsys-ci-shell.service, raw mode), which
QEMU joins to a unix socket on this host. The command is sent with a marker line after it; the
output up to the marker is printed and the command's exit status becomes this one's.
  guest-shell.py SOCKET 'COMMAND' [TIMEOUT_SECONDS]
"""
import re
import socket
import sys
import time
import uuid

path, command = sys.argv[1], sys.argv[2]
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60
marker = "__procsys_ci_" + uuid.uuid4().hex
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)
sock.settimeout(1)
sock.sendall(("{ %s\n} 2>&1; echo %s $?\n" % (command, marker)).encode())
received = b""
end = time.monotonic() + timeout
done = re.compile((r"%s (\d+)\n" % marker).encode())
while time.monotonic() < end:
    try:
        chunk = sock.recv(65536)
    except socket.timeout:
        continue
    if not chunk:
        break
    received += chunk
    m = done.search(received)
    if m:
        sys.stdout.write(received[:m.start()].decode(errors="replace"))
        sys.exit(int(m.group(1)))
sys.stderr.write("guest-shell: no answer from %s in %.0f s (got %d bytes)\n" % (path, timeout, len(received)))
sys.exit(124)
