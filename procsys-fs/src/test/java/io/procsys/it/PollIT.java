package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * poll(2) on a mirror, as procfs answers it: mountinfo wakes a poller when the mount table
 * changes (findmnt --poll, libmount's monitor, systemd), and every file answers a readiness
 * check with what /proc answers. Before, the mount had no poll: the kernel answered "always
 * readable" itself, and findmnt --poll never saw a change.
 */
class PollIT {
    static TestMount mounted;

    @BeforeAll
    static void mountMirror() throws IOException {
        mounted = new TestMount(Path.of("/proc"));
    }

    @AfterAll
    static void unmount() throws IOException {
        mounted.close();
    }

    @Test
    void findmntPollSeesAMountAndItsUnmountThroughTheMirror() throws IOException {
        Path target = Files.createTempDirectory("procsys-poll-target-");
        try {
            Commands.Result r = Commands.throughMirror(mounted.path, "sh", "-c", "findmnt --poll --timeout 5000 -n -o ACTION,TARGET,FSTYPE & sleep 1; "
                    + "mount -t tmpfs procsys-poll " + target + "; sleep 0.5; umount " + target + "; wait");
            assertEquals(0, r.exit(), r.all());
            List<String> actions = r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
            assertEquals(List.of("mount " + target + " tmpfs", "umount " + target + " tmpfs"), actions, r.all());
        } finally {
            Files.deleteIfExists(target);
        }
    }

    /** The events Python's select.poll sees at once on each file (POLLIN|POLLPRI asked), under {@code root}. */
    static List<String> readiness(Path root, List<String> files) {
        String script = "import select, sys\n"
                + "for name in sys.argv[2:]:\n"
                + "    f = open(sys.argv[1] + '/' + name)\n"
                + "    p = select.poll(); p.register(f, select.POLLIN | select.POLLPRI)\n"
                + "    print(name, p.poll(0)[0][1])\n";
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", script, root.toString()));
        command.addAll(files);
        Commands.Result r = Commands.run(command, 30);
        assertEquals(0, r.exit(), r.all());
        return r.out().lines().toList();
    }

    @Test
    void aReadinessCheckAnswersAsProcDoes() {
        List<String> files = new ArrayList<>(List.of("stat", "meminfo", "self/mountinfo", "sys/kernel/hostname", "self/status"));
        if (Files.exists(Path.of("/proc/pressure/cpu"))) {
            files.add("pressure/cpu"); // PSI: POLLPRI|POLLERR without a trigger
        } else {
            System.out.println("# PollIT: no /proc/pressure on this machine (a kernel without CONFIG_PSI, or booted with psi=0): pressure/cpu not compared");
        }
        assertEquals(readiness(Path.of("/proc"), files), readiness(mounted.path, files));
    }

    @Test
    void pollersThatGiveUpLeaveNoDescriptorBehind() throws IOException {
        long before = PeerFaultsIT.openFileDescriptors();
        String script = "import select, sys\n"
                + "for i in range(40):\n"
                + "    f = open(sys.argv[1] + '/self/mountinfo')\n"
                + "    p = select.poll(); p.register(f, select.POLLPRI)\n"
                + "    assert p.poll(50) == []\n" // nothing changes: the mount keeps a watch until the file is released
                + "    f.close()\n";
        Commands.Result r = Commands.run(List.of("/usr/bin/python3", "-c", script, mounted.path.toString()), 60);
        assertEquals(0, r.exit(), r.all());
        long after = PeerFaultsIT.openFileDescriptors();
        assertTrue(after <= before + 1, "descriptors of the mount's JVM: " + before + " before, " + after + " after 40 pollers gave up");
    }
}
