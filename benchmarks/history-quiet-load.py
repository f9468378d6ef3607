#!/usr/bin/python3
"""A quiet host for benchmarks/history-size.sh (issue 40's "typical server": <= 300 tasks, <= 0.2 new
tasks/s): run as pid 1 of a pid namespace, it starts 200 sleeping processes and 20 that wake each
second for a little work, and starts one short-lived task every 5 s. Usage: history-quiet-load.py"""
import os
import signal
import time


def child(body):
    if os.fork() == 0:
        try:
            body()
        finally:
            os._exit(0)


def sleeper():
    while True:
        signal.pause()


def waker():
    while True:
        time.sleep(1)
        sum(range(20000))


for _ in range(200):
    child(sleeper)
for _ in range(20):
    child(waker)
while True:
    child(lambda: time.sleep(0.1))
    time.sleep(5)
    try:
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass
    except ChildProcessError:
        pass
