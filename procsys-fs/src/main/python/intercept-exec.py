"""procsys exec's set-up on a cluster view, with no JVM: SOCKET NETNS CMD [ARG...]

Run by the procsys launcher in what becomes CMD's own process. It asks the mount's daemon at
SOCKET (InterceptEndpoint) for the command's namespace plan and seccomp filter, then, all in this
process: enters the network namespace pinned at NETNS ("-": stays in this one), makes a private
mount namespace and carries out the plan (the /sys views, the mount over /proc), installs the
filter with a new listener, hands the listener to the daemon (SCM_RIGHTS), waits for its one-byte
answer that it supervises it, and execs CMD, which inherits the filter. The daemon answers the
trapped calls (docs/architecture.md, "Calls procsys exec intercepts"); if it dies, the kernel
answers them ENOSYS. No process is started on the way (mount(8), unshare(1) and a shell cost
~6 ms each here); python3 -I -S with ctypes starts in ~20 ms.
Exits 125, as the launcher's set-up steps do, when the daemon cannot be reached or a step fails.
"""
import _signal
import _socket
import ctypes
import os
import sys

SYS_SECCOMP = 317  # x86_64
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MAX_PART = 64 * 1024  # the plan is a few hundred bytes, the filter 4096 instructions at most
TAKEN = b"K"

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def fail(message):
    sys.stderr.write("procsys: " + message + "\n")
    sys.exit(125)


def checked(result, what):
    if result < 0:
        fail("%s: %s" % (what, os.strerror(ctypes.get_errno())))
    return result


def receive_exactly(conn, count):
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            fail("the mount's daemon closed the intercept socket early")
        data += chunk
    return data


def receive_part(conn):
    length = int.from_bytes(receive_exactly(conn, 4), "little")
    if length > MAX_PART:
        fail("the mount's daemon sent %d bytes where a plan or filter goes" % length)
    return receive_exactly(conn, length)


def mount(source, target, fstype, flags, data, what):
    checked(libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), ctypes.c_ulong(flags),
                       data and data.encode()), what)


def enter_namespaces(netns, plan):
    if netns != "-":
        fd = os.open(netns, os.O_RDONLY | os.O_CLOEXEC)
        checked(libc.setns(fd, CLONE_NEWNET), "cannot enter the stand-in network " + netns)
        os.close(fd)
    checked(libc.unshare(CLONE_NEWNS), "cannot make a private mount namespace")
    mount(None, "/", None, MS_REC | MS_PRIVATE, None, "cannot make the mount namespace private")
    for line in plan.decode().splitlines():
        op, *paths = line.split("\t")
        if op == "mkdir":
            os.makedirs(paths[0], exist_ok=True)
        elif op == "tmpfs":
            mount("procsys", paths[0], "tmpfs", 0, "mode=0755,size=16k", "cannot mount a tmpfs on " + paths[0])
        elif op == "bind":
            mount(paths[0], paths[1], None, MS_BIND, None, "cannot bind %s on %s" % (paths[0], paths[1]))
        else:
            fail("the mount's daemon asked for an unknown step: " + op)


def install_filter(program):
    if not program or len(program) % 8:
        fail("the mount's daemon sent a filter of %d bytes" % len(program))
    code = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.cast(code, ctypes.c_void_p))
    return checked(libc.syscall(ctypes.c_long(SYS_SECCOMP), ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                                ctypes.c_long(SECCOMP_FILTER_FLAG_NEW_LISTENER), ctypes.byref(fprog)),
                   "cannot install the seccomp filter")


def main(argv):
    if len(argv) < 4:
        fail("intercept-exec.py is run by the procsys launcher (SOCKET NETNS CMD...): use procsys exec")
    path, netns, command = argv[1], argv[2], argv[3:]
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(path)
        plan, program = receive_part(conn), receive_part(conn)
        enter_namespaces(netns, plan)
        listener = install_filter(program)
        conn.sendmsg([b"L"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, listener.to_bytes(4, sys.byteorder))])
        os.close(listener)
        if conn.recv(1) != TAKEN:
            fail("the mount's daemon did not take the call interceptor (its log says why)")
    except OSError as e:
        fail("the mount's intercept socket %s: %s" % (path, e.strerror or e))
    conn.close()
    # Python ignores SIGPIPE and SIGXFSZ, and exec keeps ignored signals: CMD must get the
    # defaults, as from a shell (`procsys exec -- ps -ef | head -1` ends ps by SIGPIPE)
    _signal.signal(_signal.SIGPIPE, _signal.SIG_DFL)
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_DFL)
    try:
        os.execvp(command[0], command)
    except OSError as e:
        sys.stderr.write("procsys exec: %s: %s\n" % (command[0], e.strerror))
        sys.exit(127 if isinstance(e, FileNotFoundError) else 126)


if __name__ == "__main__":
    main(sys.argv)
