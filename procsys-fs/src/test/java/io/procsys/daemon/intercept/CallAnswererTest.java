package io.procsys.daemon.intercept;

import io.procsys.daemon.RemoteActions;
import io.procsys.posix.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.procsys.daemon.intercept.InterceptFilter.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The answers on a mount laid out as a cluster view (a directory here), with a fake caller and fake forwarding. */
class CallAnswererTest {
    static final int HOST2_PID = 2 * (1 << 22) + 777, HOST2_THREAD = 2 * (1 << 22) + 778;

    @TempDir
    Path mount;
    final List<String> forwarded = new ArrayList<>();
    final RemoteActions fake = new RemoteActions() {
        @Override
        public int signal(int uid, long pid, int signal) {
            forwarded.add("signal " + uid + " " + pid + " " + signal);
            return pid == HOST2_PID ? 0 : Errno.ESRCH;
        }

        @Override
        public int setPriority(int uid, long pid, int nice) {
            forwarded.add("setpriority " + uid + " " + pid + " " + nice);
            return Errno.EPERM;
        }

        @Override
        public int ioprioGet(int uid, long pid) {
            forwarded.add("ioprio " + uid + " " + pid);
            return (2 << 13) | 4;
        }

        @Override
        public String hostOf(long pid) {
            return pid == HOST2_PID ? "h2" : null; // what the mount's map answers
        }
    };

    /** A caller of uid 1000 (unless a test makes it another) whose memory is a map of written buffers. */
    final class FakeCaller implements Caller {
        long address = -1;
        byte[] written;
        Identity identity = new Identity(1000, 1000, 0);

        @Override
        public Identity identity() {
            return identity;
        }

        @Override
        public boolean write(long address, byte[] bytes) {
            if (address == 0) return false;
            this.address = address;
            this.written = bytes;
            return true;
        }
    }

    final FakeCaller caller = new FakeCaller();
    CallAnswerer answerer;

    static String stat(String... cpuIds) {
        StringBuilder s = new StringBuilder("cpu  1 2 3 4 5 6 7 8\n");
        for (String id : cpuIds) s.append("cpu").append(id).append(" 1 2 3 4 5 6 7 8\n");
        return s.append("btime 1\n").toString();
    }

    @BeforeEach
    void cluster() throws IOException {
        // here: 4 CPUs; h1: 2; h2: CPUs numbered 0, 2, 3 (1 offline): cluster CPUs 0..8, h2's at 6, 7, 8
        write("hosts/here/stat", stat("0", "1", "2", "3"));
        write("hosts/h1/stat", stat("0", "1"));
        write("hosts/h2/stat", stat("0", "2", "3"));
        write("stat", stat("0", "1", "2", "3", "4", "5", "6", "7", "8"));
        write(HOST2_PID + "/stat", HOST2_PID + " (sleep) S 1 " + "0 ".repeat(13) + "20 -5 1 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        write(HOST2_PID + "/status", "Name:\tsleep\nTgid:\t" + HOST2_PID + "\nCpus_allowed_list:\t2-3\n");
        write(HOST2_THREAD + "/status", "Name:\tworker\nTgid:\t" + HOST2_PID + "\n");
        write("meminfo", SysinfoStructTest.MEMINFO);
        write("loadavg", "0.50 0.40 0.30 2/300 12345\n");
        write("uptime", "1000.00 3000.00\n");
        // a directory lists in no particular order; the mount lists hosts in index order
        answerer = new CallAnswerer(new MountView(mount) {
            @Override
            List<String> hostNames() {
                return List.of("here", "h1", "h2");
            }
        }, fake);
    }

    void write(String path, String text) throws IOException {
        Path p = mount.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    Answer answer(int nr, long... args) throws Exception {
        long[] six = new long[6];
        System.arraycopy(args, 0, six, 0, args.length);
        return answerer.answer(new TrappedCall(1, 4242, nr, six), caller);
    }

    @Test
    void getpriorityAnswersAsTheRawCall() throws Exception {
        assertEquals(Answer.value(25), answer(SYS_GETPRIORITY, PRIO_PROCESS, HOST2_PID), "20 - nice(-5)");
        assertEquals(Answer.error(Errno.ESRCH), answer(SYS_GETPRIORITY, PRIO_PROCESS, HOST2_PID + 1000));
    }

    @Test
    void affinityIsInTheClustersNumbering() throws Exception {
        assertEquals(Answer.value(8), answer(SYS_SCHED_GETAFFINITY, HOST2_PID, 128, 0x5000));
        assertEquals(0x5000, caller.address);
        assertEquals(8, caller.written.length, "one long: min(len, the mask of 9 CPUs)");
        long mask = ByteBuffer.wrap(caller.written).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals((1L << 7) | (1L << 8), mask, "h2's CPUs 2 and 3 are its 2nd and 3rd: 4 + 2 + 1, 4 + 2 + 2");
        assertEquals(Answer.error(Errno.EINVAL), answer(SYS_SCHED_GETAFFINITY, HOST2_PID, 12, 0x5000), "not whole longs");
        assertEquals(Answer.error(CallAnswerer.EFAULT), answer(SYS_SCHED_GETAFFINITY, HOST2_PID, 8, 0));
        assertEquals(Answer.error(Errno.ESRCH), answer(SYS_SCHED_GETAFFINITY, HOST2_PID + 1000, 8, 0x5000));
    }

    /** On a view of one scope the filter also traps sched_getaffinity(0): the caller's own mask is the view's CPUs. */
    @Test
    void ownAffinityIsTheViewsCpus() throws Exception {
        assertEquals(Answer.value(8), answer(SYS_SCHED_GETAFFINITY, 0, 128, 0x6000));
        assertEquals(0x1ffL, ByteBuffer.wrap(caller.written).order(ByteOrder.LITTLE_ENDIAN).getLong(), "CPUs 0..8 of the combined stat");
        assertEquals(Answer.error(Errno.EINVAL), answer(SYS_SCHED_GETAFFINITY, 0, 1, 0x6000), "shorter than the view's CPUs, as the kernel says");
        assertEquals(List.of(), forwarded, "nothing asked of any host");
    }

    @Test
    void signalsAreForwardedWithTheCallersUid() throws Exception {
        assertEquals(Answer.value(0), answer(SYS_KILL, HOST2_PID, 0));
        assertEquals(Answer.error(Errno.ESRCH), answer(SYS_KILL, HOST2_PID + 5, 15));
        assertEquals(Answer.value(0), answer(SYS_TGKILL, HOST2_PID, HOST2_THREAD, 10));
        assertEquals(Answer.value(0), answer(SYS_TKILL, HOST2_THREAD, 12), "to the thread's process");
        assertEquals(Answer.value(0), answer(SYS_RT_SIGQUEUEINFO, HOST2_PID, 34, 0x1000));
        assertEquals(Answer.value(0), answer(SYS_RT_TGSIGQUEUEINFO, HOST2_PID, HOST2_THREAD, 35, 0x1000));
        assertEquals(List.of("signal 1000 " + HOST2_PID + " 0", "signal 1000 " + (HOST2_PID + 5) + " 15",
                "signal 1000 " + HOST2_PID + " 10", "signal 1000 " + HOST2_PID + " 12", "signal 1000 " + HOST2_PID + " 34",
                "signal 1000 " + HOST2_PID + " 35"), forwarded);
    }

    /** /proc/PID/status of a process with these Uid and CapEff lines. */
    static String status(String uids, String capEff) {
        return "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t" + uids + "\nGid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\n"
                + "CapPrm:\t000001ffffffffff\nCapEff:\t" + capEff + "\n";
    }

    @Test
    void theCallerActsAsKillWouldLetItNeverMore() throws Exception {
        caller.identity = Identity.parse(status("0\t1000\t0\t1000", "0000000000000000")); // seteuid(1000) from root: no capability left
        answer(SYS_KILL, HOST2_PID, 15);
        caller.identity = Identity.parse(status("0\t0\t0\t0", "000001ffffffffff")); // root, CAP_KILL
        answer(SYS_KILL, HOST2_PID, 15);
        caller.identity = Identity.parse(status("0\t0\t0\t0", "0000000000000000")); // root without capabilities
        assertEquals(Answer.error(Errno.EPERM), answer(SYS_KILL, HOST2_PID, 15));
        caller.identity = Identity.parse(status("4294967294\t4294967294\t4294967294\t4294967294", "0000000000000000"));
        answer(SYS_KILL, HOST2_PID, 15);
        assertEquals(List.of("signal 1000 " + HOST2_PID + " 15", "signal 0 " + HOST2_PID + " 15", "signal -2 " + HOST2_PID + " 15"), forwarded,
                "the effective uid without CAP_KILL (the real one was root's), root with it, and a uid past 2^31");
    }

    @Test
    void theRestIsForwardedOrRefused() throws Exception {
        assertEquals(Answer.error(Errno.EPERM), answer(SYS_SETPRIORITY, PRIO_PROCESS, HOST2_PID, 10));
        assertEquals(Answer.value((2 << 13) | 4), answer(SYS_IOPRIO_GET, IOPRIO_WHO_PROCESS, HOST2_PID));
        assertEquals(List.of("setpriority 1000 " + HOST2_PID + " 10", "ioprio 1000 " + HOST2_PID), forwarded);
        assertEquals(Answer.error(Errno.EPERM), answer(SYS_SCHED_SETAFFINITY, HOST2_PID, 8, 0x5000));
        assertEquals(Answer.error(Errno.EPERM), answer(SYS_IOPRIO_SET, IOPRIO_WHO_PROCESS, HOST2_PID, 0));
        assertEquals(Answer.error(Errno.ENOSYS), answer(SYS_PIDFD_OPEN, HOST2_PID, 0), "pkill falls back to kill(2)");
        assertNull(caller.written);
    }

    @Test
    void sysinfoIsWrittenIntoTheCaller() throws Exception {
        assertEquals(Answer.value(0), answer(SYS_SYSINFO, 0x7000));
        assertEquals(0x7000, caller.address);
        ByteBuffer s = ByteBuffer.wrap(caller.written).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1000, s.getLong(0));
        assertEquals(16000000L * 1024, s.getLong(32));
        assertEquals(300, s.getShort(80));
        assertEquals(Answer.error(CallAnswerer.EFAULT), answer(SYS_SYSINFO, 0));
    }

    @Test
    void aCpuListPastAnyKernelsIsRefusedNotAllocated() throws Exception {
        assertEquals(java.util.BitSet.valueOf(new long[]{0b1011}), MountView.parseList("0-1,3"));
        for (String huge : List.of("0-2000000000", "4294967295", "5-2", "x")) {
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> MountView.parseList(huge), huge);
        }
    }
}
