package io.procsys.net.agent;

import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's decisions on actions, on a fake host: who may signal what, and what reaches the kernel. */
class ActionsTest {
    static final long START = 4242;
    static final int ALICE = 1000, BOB = 1001;
    static final Actions.Requester WITH_ROLE = new Actions.Requester("viewer", true);
    static final Actions.Requester WITHOUT_ROLE = new Actions.Requester("viewer", false);

    /** Processes 100 (alice's, nice 0) and 200 (bob's); users alice, bob and root; records every call that acts. */
    static final class FakeHost implements Processes {
        final Map<Integer, TargetProcess> processes = new java.util.HashMap<>(Map.of(
                100, new TargetProcess(START, ALICE, ALICE, ALICE, 0, "sleep"),
                200, new TargetProcess(START, BOB, BOB, BOB, 0, "sleep")));
        final List<String> calls = new ArrayList<>();
        int openResult = 0;
        int open, closed;

        public int open(int pid) {
            if (openResult < 0) return openResult;
            if (!processes.containsKey(pid)) return -Errno.ESRCH;
            open++;
            return 50 + pid;
        }

        public TargetProcess read(int pid) {
            return processes.get(pid);
        }

        public int signal(int pidfd, int signal) {
            calls.add("signal " + (pidfd - 50) + " " + signal);
            return 0;
        }

        public int setPriority(int pid, int nice) {
            calls.add("setpriority " + pid + " " + nice);
            return 0;
        }

        public int ioprio(int pid) {
            return 4;
        }

        public void close(int pidfd) {
            closed++;
        }

        final Map<String, Integer> users = new java.util.HashMap<>(Map.of("alice", ALICE, "bob", BOB, "root", 0));

        public OptionalInt uidOf(String user) {
            Integer uid = users.get(user);
            return uid == null ? OptionalInt.empty() : OptionalInt.of(uid);
        }
    }

    static int signal(SignalMode mode, FakeHost host, Actions.Requester who, int pid, long start, int sig, String user, int uid) {
        Actions.Outcome o = new Actions(mode, host).run(new Message.Signal(1, pid, start, sig, user, uid), who);
        assertTrue(o.log() != null && o.log().contains(user), "logged: " + o.log());
        assertEquals(host.open, host.closed, "every pidfd closed");
        return o.errno();
    }

    @Test
    void aUserSignalsItsOwnProcess() {
        FakeHost host = new FakeHost();
        assertEquals(0, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, 15, "alice", 5000));
        assertEquals(List.of("signal 100 15"), host.calls);
    }

    @Test
    void offByDefault() {
        FakeHost host = new FakeHost();
        assertEquals(Errno.EPERM, signal(SignalMode.OFF, host, WITH_ROLE, 100, START, 15, "alice", ALICE));
        assertEquals(List.of(), host.calls);
    }

    @Test
    void aCertificateWithoutTheRoleIsRefused() {
        FakeHost host = new FakeHost();
        assertEquals(Errno.EPERM, signal(SignalMode.ROOT, host, WITHOUT_ROLE, 100, START, 15, "alice", ALICE));
        assertEquals(List.of(), host.calls);
    }

    @Test
    void anUnknownUserIsRefused() {
        FakeHost host = new FakeHost();
        assertEquals(Errno.EPERM, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, 15, "mallory", ALICE));
        assertEquals(List.of(), host.calls);
    }

    @Test
    void userACannotSignalUserBsProcess() {
        FakeHost host = new FakeHost();
        assertEquals(Errno.EPERM, signal(SignalMode.USERS, host, WITH_ROLE, 200, START, 9, "alice", ALICE));
        assertEquals(Errno.EPERM, signal(SignalMode.USERS, host, WITH_ROLE, 200, START, 0, "alice", ALICE), "a check too");
        assertEquals(List.of(), host.calls);
    }

    @Test
    void theSavedUidCountsAsTheKernelDoes() {
        FakeHost host = new FakeHost();
        host.processes.put(300, new TargetProcess(START, 0, 0, ALICE, 0, "su"));
        assertEquals(0, signal(SignalMode.USERS, host, WITH_ROLE, 300, START, 15, "alice", ALICE));
    }

    @Test
    void serviceAccountsAreActedForOnNoHost() {
        FakeHost host = new FakeHost();
        host.users.put("www-data", 33);
        host.users.put("nobody", 65534);
        host.processes.put(400, new TargetProcess(START, 33, 33, 33, 0, "nginx"));
        host.processes.put(401, new TargetProcess(START, 65534, 65534, 65534, 0, "sleep"));
        assertEquals(Errno.EPERM, signal(SignalMode.ROOT, host, WITH_ROLE, 400, START, 15, "www-data", 33), "its own process, by name");
        assertEquals(Errno.EPERM, signal(SignalMode.ROOT, host, WITH_ROLE, 401, START, 15, "nobody", 65534), "the overflow uid");
        assertEquals(Errno.EPERM, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, 15, "alice", 33), "a viewer's service account named alice here");
        assertEquals(List.of(), host.calls);
        Actions lower = new Actions(new ActionRules(SignalMode.USERS, 30), host, null);
        assertEquals(0, lower.run(new Message.Signal(1, 400, START, 15, "www-data", 33), WITH_ROLE).errno(), "--act-min-uid 30 acts for 33");
    }

    @Test
    void anAgentOutsideItsTreesPidNamespaceActsOnNothing() {
        FakeHost host = new FakeHost();
        Actions refusing = new Actions(ActionRules.of(SignalMode.ROOT), host, "not in the pid namespace of /host/proc");
        Actions.Outcome o = refusing.run(new Message.Signal(1, 100, START, 15, "alice", ALICE), WITH_ROLE);
        assertEquals(Errno.EPERM, o.errno());
        assertTrue(o.log().contains("not in the pid namespace"), o.log());
        assertEquals(Errno.ESRCH, refusing.run(new Message.IoprioGet(2, 100, START), WITH_ROLE).errno(), "not even a read");
        assertEquals(List.of(), host.calls);
    }

    @Test
    void rootIsRootOnlyWithRootMode() {
        FakeHost host = new FakeHost();
        assertEquals(Errno.EPERM, signal(SignalMode.USERS, host, WITH_ROLE, 200, START, 15, "root", 0));
        assertEquals(Errno.EPERM, signal(SignalMode.USERS, host, WITH_ROLE, 200, START, 15, "alice", 0), "uid 0 on the viewer");
        assertEquals(List.of(), host.calls);
        assertEquals(0, signal(SignalMode.ROOT, host, WITH_ROLE, 200, START, 15, "root", 0));
        assertEquals(List.of("signal 200 15"), host.calls);
    }

    @Test
    void aReusedPidIsNotTouched() {
        FakeHost host = new FakeHost();
        assertEquals(Errno.ESRCH, signal(SignalMode.ROOT, host, WITH_ROLE, 100, START + 1, 9, "alice", ALICE));
        assertEquals(List.of(), host.calls);
    }

    @Test
    void signalZeroBadSignalsAndPidsGetTheKernelsErrno() {
        FakeHost host = new FakeHost();
        assertEquals(0, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, 0, "alice", ALICE));
        assertEquals(Errno.EINVAL, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, 65, "alice", ALICE));
        assertEquals(Errno.EINVAL, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, -1, "alice", ALICE));
        assertEquals(Errno.ESRCH, signal(SignalMode.USERS, host, WITH_ROLE, -1, START, 9, "alice", ALICE), "kill(-1)");
        assertEquals(Errno.ESRCH, signal(SignalMode.USERS, host, WITH_ROLE, -100, START, 9, "alice", ALICE), "a process group");
        assertEquals(Errno.ESRCH, signal(SignalMode.USERS, host, WITH_ROLE, 0, START, 9, "alice", ALICE));
        assertEquals(Errno.ESRCH, signal(SignalMode.USERS, host, WITH_ROLE, 1 << 22, START, 9, "alice", ALICE), "no pid that large");
        assertEquals(Errno.ESRCH, signal(SignalMode.USERS, host, WITH_ROLE, 999, START, 9, "alice", ALICE), "no such process");
        assertEquals(List.of("signal 100 0"), host.calls);
    }

    @Test
    void withoutPidfdOpenSignalsAreRefusedNotSentBlind() {
        FakeHost host = new FakeHost();
        host.openResult = -Errno.ENOSYS;
        assertEquals(Errno.ENOSYS, signal(SignalMode.USERS, host, WITH_ROLE, 100, START, 15, "alice", ALICE));
        assertEquals(List.of(), host.calls);
    }

    @Test
    void setPriorityFollowsTheSameRulesAndNoLowerNiceForUsers() {
        FakeHost host = new FakeHost();
        Actions actions = new Actions(SignalMode.USERS, host);
        assertEquals(0, actions.run(new Message.SetPriority(1, 100, START, 5, "alice", ALICE), WITH_ROLE).errno());
        assertEquals(Errno.EACCES, actions.run(new Message.SetPriority(2, 100, START, -5, "alice", ALICE), WITH_ROLE).errno());
        assertEquals(Errno.EPERM, actions.run(new Message.SetPriority(3, 200, START, 5, "alice", ALICE), WITH_ROLE).errno());
        assertEquals(Errno.EPERM, actions.run(new Message.SetPriority(4, 100, START, 5, "alice", ALICE), WITHOUT_ROLE).errno());
        assertEquals(Errno.ESRCH, actions.run(new Message.SetPriority(5, 100, START + 1, 5, "alice", ALICE), WITH_ROLE).errno());
        assertEquals(List.of("setpriority 100 5", "signal 100 0"), host.calls, "then a check that the process still held the pid");
    }

    @Test
    void ioprioIsAReadForEveryClient() {
        FakeHost host = new FakeHost();
        Actions.Outcome o = new Actions(SignalMode.OFF, host).run(new Message.IoprioGet(1, 200, START), WITHOUT_ROLE);
        assertEquals(new Message.Done(1, 4), o.reply());
        assertEquals(Errno.ESRCH, new Actions(SignalMode.OFF, host).run(new Message.IoprioGet(2, 200, START + 1), WITHOUT_ROLE).errno());
    }

    @Test
    void targetParsesStatAndStatus() {
        String stat = "123 (a b) c) S 1 123 123 0 -1 4194560 100 0 0 0 0 0 0 0 20 5 1 0 987654 1000 10 18446744073709551615 0 0 0";
        TargetProcess t = TargetProcess.parse(stat, "Name:\tx\nUid:\t1000\t1001\t1002\t1003\nGid:\t0\t0\t0\t0\n");
        assertEquals(new TargetProcess(987654, 1000, 1001, 1002, 5, "a b) c"), t);
    }

    @Test
    void uidsPast2To31AreUidsNotErrors() {
        String stat = "77 (sleep) S 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 4242 8192 100 0\n";
        TargetProcess p = TargetProcess.parse(stat, "Name:\tsleep\nUid:\t4294967294\t4294967294\t4294967294\t4294967294\n");
        assertTrue(p != null && p.realUid() == -2 && p.startTime() == 4242, "parsed: " + p);
    }
}
