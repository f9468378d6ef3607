#!/usr/bin/python3
"""The load of HistoryGroundTruthIT (issue 40), and its ground truth. Runs as pid 1 of a pid
namespace of its own (unshare --pid --fork --mount-proc), so its ps is small and its pids known:
  burn25, burn50, burn100  busy loops at 25/50/100 % of a core (each catches up on its own CPU time)
  churn1, churn10, churn100  fork children (kid1, kid10, kid100) at 1/10/100 a second, living
                             3 s, 0.5 s and 20 ms
  memstep                  holds 0, 64, 128, 192, 256, 192, ... MiB, a step every 8 s
  diskw                    writes and fsyncs 1 MiB every 100 ms into OUT/disk (64 MiB, then again)
  logger                   on every whole multiple of EVERY seconds T: real `ps -eo
                           pid,ppid,user,stat,lstart,time,comm`, `pstree -p`, `free` and `top -bn1`
                           into OUT/log/T (each after a line "== NAME START_MS END_MS")
It writes OUT/ready when all of it runs, and ends (with everything in the namespace) after SECONDS
or when OUT/stop appears. Usage: truth-load.py OUT SECONDS EVERY
"""
import os
import signal
import subprocess
import sys
import time


def name(comm):
    with open("/proc/self/comm", "w") as f:
        f.write(comm)


def child(comm, body, *args):
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            name(comm)
            body(*args)
        finally:
            os._exit(0)
    return pid


def burn(duty):
    start, used = time.monotonic(), time.process_time()
    while True:
        if time.process_time() - used >= duty * (time.monotonic() - start):
            time.sleep(0.01)


def kid(life):
    time.sleep(life)


def churn(rate, life):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    every, next_at = 1.0 / rate, time.monotonic()
    while True:
        child("kid%d" % rate, kid, life)
        while True:  # reap the ended
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        next_at += every
        time.sleep(max(0.0, next_at - time.monotonic()))


def memstep():
    held, steps, up = [], [0, 1, 2, 3, 4, 3, 2, 1], 0
    while True:
        for n in steps:
            while len(held) < n:
                block = bytearray(64 << 20)
                for i in range(0, len(block), 4096):  # touched: resident, not only reserved
                    block[i] = 1
                held.append(block)
            del held[n:]
            time.sleep(8)


def diskw(path):
    chunk = os.urandom(1 << 20)
    while True:
        with open(path, "wb") as f:
            for _ in range(64):
                f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
                time.sleep(0.1)


def run(command):
    start = time.time()
    out = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, COLUMNS="200", LC_ALL="C")).stdout
    return "== %s %d %d\n" % (command[0], start * 1000, time.time() * 1000) + out.decode(errors="replace")


def logger(out, every):
    os.makedirs(os.path.join(out, "log"), exist_ok=True)
    while True:
        t = (int(time.time()) // every + 1) * every
        time.sleep(max(0.0, t - time.time()))
        text = run(["ps", "-eo", "pid,ppid,user,stat,lstart,time,comm"]) + run(["pstree", "-p"]) + run(["free"]) + run(["top", "-bn1"])
        with open(os.path.join(out, "log", "%d.tmp" % t), "w") as f:
            f.write(text)
        os.rename(os.path.join(out, "log", "%d.tmp" % t), os.path.join(out, "log", str(t)))


def main():
    out, seconds, every = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    name("truth-init")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for duty in (25, 50, 100):
        child("burn%d" % duty, burn, duty / 100.0)
    for rate, life in ((1, 3.0), (10, 0.5), (100, 0.02)):
        child("churn%d" % rate, churn, rate, life)
    child("memstep", memstep)
    child("diskw", diskw, os.path.join(out, "disk"))
    child("logger", logger, out, every)
    open(os.path.join(out, "ready"), "w").close()
    end = time.monotonic() + seconds
    while time.monotonic() < end and not os.path.exists(os.path.join(out, "stop")):
        time.sleep(0.2)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] != 0:  # orphans re-parented to pid 1
                pass
        except ChildProcessError:
            pass
    # pid 1 ending ends the namespace: the kernel kills every process left in it


if __name__ == "__main__":
    main()
