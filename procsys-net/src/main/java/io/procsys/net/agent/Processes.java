package io.procsys.net.agent;

import java.util.OptionalInt;

/** The host side of the actions: the system calls and the files they need (a fake in tests). */
interface Processes {
    /** pidfd_open: a descriptor or -errno. */
    int open(int pid);

    /** The process as its /proc files show it now; null if it has gone (or they do not parse). */
    TargetProcess read(int pid);

    /** pidfd_send_signal: 0 or -errno. */
    int signal(int pidfd, int signal);

    /** setpriority(PRIO_PROCESS): 0 or -errno. */
    int setPriority(int pid, int nice);

    /** ioprio_get(IOPRIO_WHO_PROCESS): the value or -errno. */
    int ioprio(int pid);

    void close(int pidfd);

    /** The uid of a user name in this host's user database, or empty. */
    OptionalInt uidOf(String user);
}
