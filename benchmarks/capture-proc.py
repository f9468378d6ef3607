#!/usr/bin/python3
"""Copies what procsys serves from a proc tree into DEST: the top-level files the combined view
reads, and for every process the files its process tables carry (stat, statm, status, cmdline,
comm, cgroup, environ) with each thread's stat and statm under task/. Files that vanish or cannot
be read (a process that ended, an environ kept from us) are left out, as a capture of a moment.
Usage: capture-proc.py PROC DEST"""
import os
import sys

TOP_FILES = ["meminfo", "stat", "loadavg", "uptime", "cpuinfo", "vmstat", "diskstats", "swaps", "version",
             "net/dev", "net/snmp", "net/netstat", "net/tcp", "net/tcp6", "net/udp", "net/udp6",
             "net/unix", "net/route", "net/arp"]
PROCESS_FILES = ["stat", "statm", "status", "cmdline", "comm", "cgroup", "environ"]
THREAD_FILES = ["stat", "statm"]


def copy(src, dest):
    try:
        with open(src, "rb") as f:
            data = f.read()
    except OSError:
        return False
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(data)
    return True


def capture(proc, dest):
    for name in TOP_FILES:
        copy(os.path.join(proc, name), os.path.join(dest, name))
    processes = 0
    for pid in sorted((p for p in os.listdir(proc) if p.isdigit()), key=int):
        src = os.path.join(proc, pid)
        if not copy(os.path.join(src, "stat"), os.path.join(dest, pid, "stat")):
            continue  # ended before we got to it
        for name in PROCESS_FILES[1:]:
            copy(os.path.join(src, name), os.path.join(dest, pid, name))
        try:
            tids = [t for t in os.listdir(os.path.join(src, "task")) if t.isdigit()]
        except OSError:
            tids = []
        for tid in tids:
            for name in THREAD_FILES:
                copy(os.path.join(src, "task", tid, name), os.path.join(dest, pid, "task", tid, name))
        processes += 1
    return processes


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(capture(sys.argv[1], sys.argv[2]))
