package io.procsys.it;

import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What another local user (nobody, through setpriv) reads through allow_other mounts, next to what
 * /proc gives it (docs/security.md): a mirror of this host, and a cluster view whose one peer is an
 * agent over this host's /proc, so each process shows up five ways (/proc/PID, the mirror's PID,
 * hosts/here/PID, hosts/h1/PID and its cluster pid). ptrace-guarded files and links, stat's and
 * wchan's masks, kallsyms and modules, a setuid exec after open, and hidepid.
 */
class LocalUserReadsIT {
    static final int NOBODY = LocalUser.NOBODY;
    static final List<String> GUARDED = List.of("maps", "smaps", "smaps_rollup", "numa_maps", "environ", "auxv", "stack", "syscall",
            "io", "personality");
    static final List<String> LINKS = List.of("exe", "cwd", "root", "ns/net");
    /** stat fields a reader that fails the ptrace check sees masked (proc(5) numbering). */
    static final int[] MASKED = {26, 27, 28, 29, 30, 35, 45, 46, 47, 48, 49, 50, 51, 52};

    static Agent agent;
    static TestMount mirror;
    static Path view;
    static MountService viewService;
    static Cluster cluster;
    static Process roots, nobodys;

    @BeforeAll
    static void start() throws Exception {
        agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "h1", new ExportedTree(ProcTree.open(Path.of("/proc"))), null);
        mirror = new TestMount(Path.of("/proc"), null, List.of("allow_other"));
        cluster = new Cluster("here", List.of(new Cluster.PeerAddress("h1", agent.address())), null, Duration.ofMillis(2000));
        view = Files.createTempDirectory("procsys-user-view-");
        Files.setPosixFilePermissions(view, PosixFilePermissions.fromString("rwxr-xr-x"));
        viewService = MountService.mount(Path.of("/proc"), view, List.of("allow_other"), cluster);
        viewService.serveInBackground(8);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 10_000, "h1 up");
        roots = Commands.sleeper();
        nobodys = new ProcessBuilder(LocalUser.command(NOBODY, "sleep", "600")).start();
        ClusterMountIT.waitFor(() -> mapsOf(nobodys.pid()).contains("sleep"), 5_000, "nobody's sleep exec'd");
    }

    @AfterAll
    static void stop() throws IOException {
        roots.destroy();
        nobodys.destroy();
        mirror.close();
        viewService.close();
        agent.close();
        Files.deleteIfExists(view);
    }

    static String mapsOf(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/maps"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Where process {@code pid} shows up: /proc first, then the mirror, hosts/here, hosts/h1 and its cluster pid. */
    static List<Path> placesOf(long pid) throws IOException {
        long clusterPid = ClusterPids.listed(cluster, view, "h1", pid);
        return List.of(Path.of("/proc/" + pid), mirror.path.resolve("" + pid), view.resolve("hosts/here/" + pid),
                view.resolve("hosts/h1/" + pid), view.resolve("" + clusterPid));
    }

    static boolean nobodyReads(Path file) {
        return LocalUser.run(NOBODY, "cat", file.toString()).exit() == 0;
    }

    static boolean nobodyReadsLink(Path link) {
        return LocalUser.run(NOBODY, "readlink", link.toString()).exit() == 0;
    }

    /** The fields of a stat line, numbered as in proc(5) (index 0 unused; the comm is field 2). */
    static String[] statFields(String stat) {
        String after = stat.substring(stat.lastIndexOf(')') + 2).strip();
        List<String> fields = new ArrayList<>(List.of("", stat.substring(0, stat.indexOf(' ')), "comm"));
        fields.addAll(Arrays.asList(after.split(" ")));
        return fields.toArray(String[]::new);
    }

    @Test
    void whatProcRefusesNobodyEveryMountRefusesToo() throws IOException {
        List<Path> places = placesOf(roots.pid());
        Path proc = places.getFirst();
        for (String file : GUARDED) {
            assertFalse(nobodyReads(proc.resolve(file)), "/proc refuses nobody root's " + file);
            for (Path at : places.subList(1, places.size())) assertFalse(nobodyReads(at.resolve(file)), "served to nobody: " + at.resolve(file));
        }
        for (String link : LINKS) {
            assertFalse(nobodyReadsLink(proc.resolve(link)), "/proc refuses nobody root's " + link);
            for (Path at : places.subList(1, places.size())) assertFalse(nobodyReadsLink(at.resolve(link)), "served to nobody: " + at.resolve(link));
        }
        String[] real = statFields(LocalUser.run(NOBODY, "cat", proc.resolve("stat").toString()).out());
        for (Path at : places.subList(1, places.size())) {
            String[] seen = statFields(LocalUser.run(NOBODY, "cat", at.resolve("stat").toString()).out());
            for (int field : MASKED) assertEquals(real[field], seen[field], "stat field " + field + " of " + at + " as nobody");
            assertEquals("0", LocalUser.run(NOBODY, "cat", at.resolve("wchan").toString()).out(), at + "/wchan as nobody");
        }
        for (Path at : places) assertTrue(Files.readString(at.resolve("maps")).contains("sleep"), "root reads " + at + "/maps");
    }

    @Test
    void nobodyReadsItsOwnProcessEverywhere() throws IOException {
        for (Path at : placesOf(nobodys.pid())) {
            Commands.Result maps = LocalUser.run(NOBODY, "cat", at.resolve("maps").toString());
            assertTrue(maps.exit() == 0 && maps.out().contains("sleep"), at + "/maps: " + maps.all());
            assertEquals("/usr/bin/sleep", LocalUser.run(NOBODY, "readlink", at.resolve("exe").toString()).out().strip(), at + "/exe");
            String[] stat = statFields(LocalUser.run(NOBODY, "cat", at.resolve("stat").toString()).out());
            assertNotEquals("0", stat[28], at + ": its own startstack is shown");
        }
    }

    @Test
    void kallsymsAndModulesShowNobodyTheAddressesProcShowsIt() {
        for (String file : List.of("kallsyms", "modules")) {
            if (!Files.exists(Path.of("/proc", file))) continue; // a kernel without modules has no /proc/modules
            String real = LocalUser.run(NOBODY, "head", "-3", "/proc/" + file).out();
            assertEquals(real, LocalUser.run(NOBODY, "head", "-3", mirror.path + "/" + file).out(), "the mirror's " + file);
            assertEquals(real, LocalUser.run(NOBODY, "head", "-3", view + "/" + file).out(), "the cluster view's " + file);
            String roots = Commands.run("head", "-3", "/proc/" + file).out();
            assertEquals(roots, Commands.run("head", "-3", mirror.path + "/" + file).out(), "root's " + file + " as /proc shows root");
        }
    }

    /** A setuid copy of sleep nobody may run, and the script nobody runs: opens a file of it, reads it, reads it again after the exec. */
    static final String SETUID_REREAD = """
            import os, subprocess, sys, time
            suid, files = sys.argv[1], sys.argv[2:]
            p = subprocess.Popen(["sh", "-c", "sleep 1.5; exec " + suid + " 5"])
            time.sleep(0.5)
            fds = []
            for f in files:
                os.listdir(os.path.dirname(os.path.dirname(f.replace("PID", "1"))))  # a fresh listing maps the new pid
                fds.append(os.open(f.replace("PID", str(p.pid)), os.O_RDONLY))
            before = [len(os.pread(fd, 65536, 0)) for fd in fds]
            time.sleep(2)
            after = []
            for fd in fds:
                try:
                    after.append(str(len(os.pread(fd, 65536, 0))))
                except OSError as e:
                    after.append(e.strerror)
            p.kill()
            print(" ".join(str(b > 0) for b in before))
            print("|".join(after))
            """;

    @Test
    void aSetuidExecAfterOpenEndsWhatTheOpenerMayRead() throws Exception {
        Path dir = Files.createTempDirectory("procsys-setuid-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path suid = dir.resolve("sleep");
        Files.copy(Path.of("/usr/bin/sleep"), suid);
        assertEquals(0, Commands.run("chmod", "4755", suid.toString()).exit(), "setuid root");
        try {
            List<String> files = List.of("/proc/PID/io", mirror.path + "/PID/io", "/proc/PID/maps", mirror.path + "/PID/maps",
                    view + "/hosts/here/PID/maps", view + "/hosts/h1/PID/maps");
            List<String> args = new ArrayList<>(List.of(suid.toString()));
            args.addAll(files);
            Commands.Result r = LocalUser.python(NOBODY, SETUID_REREAD, args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.all());
            String[] lines = r.out().split("\n");
            assertEquals("True True True True True True", lines[0], "before the exec nobody reads its own process's files: " + r.all());
            String[] after = lines[1].split("\\|");
            assertEquals("Permission denied", after[0], "/proc/PID/io after a setuid exec");
            assertEquals(after[0], after[1], "the mirror's io answers as /proc's");
            assertEquals(after[2], after[3], "the mirror's maps answers as /proc's (the mm taken at open is gone)");
            assertEquals("Permission denied", after[4], "hosts/here: the rule checked again at the rendering");
            assertEquals("Permission denied", after[5], "hosts/h1: the rule checked again at the rendering");
        } finally {
            Files.delete(suid);
            Files.delete(dir);
        }
    }

    @Test
    void hidepidHidesOtherUsersPidsThroughProcsysToo() throws Exception {
        Path hidden = Files.createTempDirectory("procsys-hidepid-");
        Commands.Result mounted = Commands.run("mount", "-t", "proc", "-o", "hidepid=invisible", "proc", hidden.toString());
        assertEquals(0, mounted.exit(), mounted.all());
        Path at = Files.createTempDirectory("procsys-hidepid-view-");
        Files.setPosixFilePermissions(at, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cluster hiddenCluster = new Cluster("here", List.of(new Cluster.PeerAddress("h1", agent.address())), null, Duration.ofMillis(2000));
        MountService hiddenView = MountService.mount(hidden, at, List.of("allow_other"), hiddenCluster);
        hiddenView.serveInBackground(8);
        try (TestMount hiddenMirror = new TestMount(hidden, null, List.of("allow_other"))) {
            for (Peer p : hiddenCluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 10_000, "h1 up");
            String root = "" + roots.pid(), own = "" + nobodys.pid();
            List<String> real = List.of(LocalUser.run(NOBODY, "ls", hidden.toString()).out().split("\n"));
            assertTrue(real.contains(own) && !real.contains(root), "the hidepid proc hides root's pid from nobody");
            List<String> mirrored = List.of(LocalUser.run(NOBODY, "ls", hiddenMirror.path.toString()).out().split("\n"));
            assertTrue(mirrored.contains(own) && !mirrored.contains(root), "so does the mirror: " + mirrored);
            assertTrue(Files.exists(hiddenMirror.path.resolve(root)), "root sees it (and the kernel may cache what root saw)");
            assertNotEquals(0, LocalUser.run(NOBODY, "stat", hiddenMirror.path.resolve(root).toString()).exit(), "nobody still does not");
            long rootsRemote = ClusterPids.listed(hiddenCluster, at, "h1", roots.pid());
            long nobodysRemote = ClusterPids.listed(hiddenCluster, at, "h1", nobodys.pid());
            List<String> listed = List.of(LocalUser.run(NOBODY, "ls", at.toString()).out().split("\n"));
            assertTrue(listed.contains("" + nobodysRemote) && !listed.contains("" + rootsRemote), "remote pids by the same rule: " + listed);
            assertNotEquals(0, LocalUser.run(NOBODY, "stat", at.resolve("" + rootsRemote).toString()).exit(), "root's remote pid is not there for nobody");
            assertNotEquals(0, LocalUser.run(NOBODY, "cat", at.resolve("hosts/h1/" + root + "/status").toString()).exit(), "nor under hosts/");
            assertEquals(0, LocalUser.run(NOBODY, "cat", at.resolve("hosts/h1/" + own + "/status").toString()).exit(), "its own is");
        } finally {
            hiddenView.close();
            Commands.run("umount", hidden.toString());
            Files.deleteIfExists(at);
            Files.deleteIfExists(hidden);
        }
    }
}
