package io.procsys.it;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Tls;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped DaemonSet's case: an agent in a pid namespace of its own reading the host's /proc
 * (hostPID unset). Its pids are not the ones it would act on (the host's pid 1 is the agent there),
 * so it says so at start and refuses every action, even with --allow-signals=root.
 */
class AgentPidNamespaceIT {
    @Test
    void anAgentOutsideItsProcRootsPidNamespaceRefusesEveryAction() throws Exception {
        Path certs = Files.createTempDirectory("procsys-pidns-");
        Files.delete(certs);
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "--allow-signals", "viewer", "viewer", "h1");
        assertEquals(0, made.exit(), made.all());
        int port = ClusterMountIT.freePortBelowEphemeralRange() + 77;
        Path log = certs.resolve("agent.log");
        // --pid --fork and no --mount-proc: the agent's own namespace, this host's /proc (/host/proc in a pod)
        Process agent = new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", Commands.launcher().toString(), "agent",
                "--listen", "127.0.0.1:" + port, "--name", "h1", "--certs-dir", certs.toString(), "--warmup", "0", "--allow-signals=root")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path mount = Files.createTempDirectory("procsys-pidns-view-");
        Files.setPosixFilePermissions(mount, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process target = Commands.sleeper();
        MountService service = null;
        try {
            ClusterMountIT.waitFor(() -> read(log).contains("not in the pid namespace"), 30_000, "the agent saying at start that it acts on nothing");
            var tls = Tls.client(new Tls.Credentials(certs.resolve("viewer.pem"), certs.resolve("viewer-key.pem"), certs.resolve("ca.pem")));
            Cluster cluster = new Cluster("viewer", List.of(new Cluster.PeerAddress("h1", new InetSocketAddress("127.0.0.1", port))), tls,
                    Duration.ofMillis(2000));
            service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
            service.serveInBackground(4);
            service.closeFirst(ControlEndpoint.start(service.mountpoint(), cluster, false));
            for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 30_000, "h1 up");
            long clusterPid = ClusterPids.listed(cluster, mount, "h1", target.pid());
            Commands.Result killed = Commands.procsys("kill", "--mount", mount.toString(), clusterPid + "");
            assertEquals(1, killed.exit(), killed.all());
            assertTrue(killed.err().contains("Operation not permitted"), killed.all());
            assertTrue(target.isAlive(), "the host's process lives on");
            Commands.Result one = Commands.procsys("kill", "--mount", mount.toString(), ClusterPids.listed(cluster, mount, "h1", 1) + "");
            assertEquals(1, one.exit(), "the host's pid 1, which is the agent in its own namespace: " + one.all());
            assertTrue(agent.isAlive(), "the agent lives on");
        } finally {
            if (service != null) service.close();
            target.destroy();
            agent.descendants().forEach(ProcessHandle::destroy); // unshare --fork ignores SIGTERM while it waits: stop the agent itself
            agent.destroy();
            if (!agent.waitFor(10, TimeUnit.SECONDS)) agent.destroyForcibly();
            Commands.run("rm", "-rf", certs.toString(), mount.toString());
        }
    }

    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
