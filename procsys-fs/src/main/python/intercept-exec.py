"""procsys exec's set-up on a cluster view, with no JVM: SOCKET NETNS CMD [ARG...]

Run by the procsys launcher in what becomes CMD's own process. It asks the mount's daemon at
SOCKET (InterceptEndpoint) for the command's namespace plan and seccomp filter, then, all in this
process: enters the network namespace pinned at NETNS ("-": stays in this one), makes a private
mount namespace and carries out the plan (the /sys views, the mount over /proc), installs the
filter with a new listener, hands the listener to the daemon (SCM_RIGHTS), waits for its one-byte
answer that it supervises it, and execs CMD, which inherits the filter. The daemon must be root
(SO_PEERCRED) and answer within WAIT_SECONDS; every bind is made by descriptors opened through no
symlink (open_tree, move_mount), so a path changed meanwhile cannot put something else over /proc. The daemon answers the
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

# system call numbers by architecture (asm/unistd_64.h; asm-generic/unistd.h for aarch64); from 403 on the table is one
SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}.get(os.uname().machine)
SYS_OPEN_TREE, SYS_MOVE_MOUNT, SYS_OPENAT2 = 428, 429, 437
AT_FDCWD, AT_EMPTY_PATH, RESOLVE_NO_SYMLINKS = -100, 0x1000, 0x04
OPEN_TREE_CLONE, MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_EMPTY_PATH = 1, 0x4, 0x40
ENOSYS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MAX_PART = 64 * 1024  # the plan is a few hundred bytes, the filter 4096 instructions at most
TAKEN = b"K"
WAIT_SECONDS = 10  # the daemon answers at once; a daemon that does not is not waited for

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


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


def open_path(path, what):
    """An O_PATH descriptor of path, reached through no symlink (openat2; O_NOFOLLOW on the last component before 5.6)."""
    flags = os.O_PATH | os.O_CLOEXEC
    how = OpenHow(flags, 0, RESOLVE_NO_SYMLINKS)
    fd = libc.syscall(ctypes.c_long(SYS_OPENAT2), ctypes.c_long(AT_FDCWD), path.encode(), ctypes.byref(how), ctypes.c_long(24))
    if fd < 0 and ctypes.get_errno() == ENOSYS:
        fd = libc.open(path.encode(), ctypes.c_int(flags | os.O_NOFOLLOW))
    return checked(fd, "%s: cannot open %s" % (what, path))


def bind(source, target):
    """mount --bind source target, by descriptors opened through no symlink: what is bound is what was checked."""
    what = "cannot bind %s on %s" % (source, target)
    src, dst = open_path(source, what), open_path(target, what)
    tree = libc.syscall(ctypes.c_long(SYS_OPEN_TREE), ctypes.c_long(src), b"", ctypes.c_long(OPEN_TREE_CLONE | os.O_CLOEXEC | AT_EMPTY_PATH))
    if tree < 0 and ctypes.get_errno() == ENOSYS:  # before 5.2: the same descriptors through their /proc/self/fd links
        mount("/proc/self/fd/%d" % src, "/proc/self/fd/%d" % dst, None, MS_BIND, None, what)
    else:
        checked(tree, what)
        checked(libc.syscall(ctypes.c_long(SYS_MOVE_MOUNT), ctypes.c_long(tree), b"", ctypes.c_long(dst), b"",
                             ctypes.c_long(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)), what)
        os.close(tree)
    os.close(src)
    os.close(dst)


def enter_namespaces(netns, plan):
    if netns != "-":
        fd = os.open(netns, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        checked(libc.setns(fd, CLONE_NEWNET), "cannot enter the stand-in network " + netns)
        os.close(fd)
    checked(libc.unshare(CLONE_NEWNS), "cannot make a private mount namespace")
    mount(None, "/", None, MS_REC | MS_PRIVATE, None, "cannot make the mount namespace private")
    for line in plan.decode().splitlines():
        op, *paths = line.split("\t")
        if op == "mkdir":
            os.makedirs(paths[0], exist_ok=True)
        elif op == "tmpfs":
            target = open_path(paths[0], "cannot mount a tmpfs")
            mount("procsys", "/proc/self/fd/%d" % target, "tmpfs", 0, "mode=0755,size=16k", "cannot mount a tmpfs on " + paths[0])
            os.close(target)
        elif op == "bind":
            bind(paths[0], paths[1])
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


def daemon_is_root(conn):
    """The peer's uid, as the kernel says (SO_PEERCRED: pid, uid, gid), is 0."""
    cred = conn.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(cred[4:8], sys.byteorder) == 0


def main(argv):
    if len(argv) < 4:
        fail("intercept-exec.py is run by the procsys launcher (SOCKET NETNS CMD...): use procsys exec")
    if SYS_SECCOMP is None:
        fail("no seccomp system call number for %s: procsys exec intercepts on x86_64 and aarch64" % os.uname().machine)
    path, netns, command = argv[1], argv[2], argv[3:]
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    conn.settimeout(WAIT_SECONDS)
    try:
        conn.connect(path)
        if not daemon_is_root(conn):
            fail("the intercept socket %s is not served by root: not used" % path)
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
