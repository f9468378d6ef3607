package io.procsys.cli;

import io.procsys.daemon.ControlBounds;
import io.procsys.daemon.MountEndpoints;
import io.procsys.daemon.MountService;
import io.procsys.daemon.StopSignals;
import io.procsys.daemon.UserError;
import io.procsys.daemon.Users;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Certificates;
import io.procsys.net.Tls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a demo cluster on this machine and show its combined view.",
                "N agents, each in its own pid and network namespace (so each has a real /proc of its own), "
                        + "are joined over veth links with mutual TLS, and their combined view is mounted together "
                        + "with this host's. It shows free, uptime and ps -ef through it, then serves until "
                        + "interrupted, and removes every namespace, agent and mount it made. Needs root."})
final class DemoCommand implements Callable<Integer> {
    private static final String NAMESPACE = "procsys-demo-";

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "3", description = "Number of namespaced hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--mount", paramLabel = "DIR", defaultValue = "/tmp/procsys-demo", description = "Mount point (default: ${DEFAULT-VALUE}).")
    Path mountpoint;

    @Option(names = "--serve-seconds", paramLabel = "S", defaultValue = "0",
            description = "Stop by itself after S seconds (default: 0, serve until Ctrl-C).")
    long serveSeconds;

    private final List<Process> agents = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private Process showing;
    private boolean cleaningUp;

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || hosts > 50) throw new UserError("--hosts must be between 1 and 50", 2);
        if (!Users.isRoot()) throw new UserError("procsys demo needs root: it makes network and pid namespaces");
        String launcher = System.getenv("PROCSYS_HOME");
        if (launcher == null) throw new UserError("run the demo through the ./procsys launcher");
        Path procsys = Path.of(launcher, "procsys");
        Files.createDirectories(mountpoint);
        Path certs = Files.createTempDirectory("procsys-demo-certs-");
        MountService service = null;
        MountEndpoints endpoints = null; // procsys status, which, kill and exec's supervisor, as on any mount
        // Ctrl-C, SIGTERM and SIGHUP (a closed terminal) interrupt whatever this thread waits
        // for; the finally block below then removes everything, and the demo exits 0
        Thread demo = Thread.currentThread();
        StopSignals signals = StopSignals.install(() -> {
            synchronized (this) {
                if (!cleaningUp) demo.interrupt();
            }
        });
        try {
            say("making a CA and certificates in " + certs);
            Instant now = Instant.now().minus(Duration.ofMinutes(5));
            Certificates ca = Certificates.newAuthority("procsys demo CA", now, Duration.ofDays(1));
            Path caPem = ca.writeAuthority(certs);
            Tls.Credentials local = ca.issue("here", List.of("here"), now, Duration.ofDays(1)).write(certs, caPem);
            List<Cluster.PeerAddress> peers = new ArrayList<>();
            for (int i = 1; i <= hosts; i++) {
                String name = "demo" + i;
                Tls.Credentials files = ca.issue(name, List.of(name, address(i, 2)), now, Duration.ofDays(1)).write(certs, caPem);
                startHost(procsys, i, name, files);
                peers.add(new Cluster.PeerAddress(name, new InetSocketAddress(address(i, 2), 7070)));
            }
            Cluster cluster = new Cluster("here", peers, Tls.client(local), Duration.ofMillis(1000));
            service = MountService.mount(Path.of("/proc"), mountpoint, List.of(), cluster);
            endpoints = MountEndpoints.start(service, Path.of("/proc"), false, new ControlBounds(ControlBounds.Limits.DEFAULT));
            service.serveInBackground(MountService.DEFAULT_THREADS);
            say("mounted the combined view on " + mountpoint + "; waiting for the agents");
            long end = System.currentTimeMillis() + 60_000;
            while (cluster.peers().stream().anyMatch(p -> p.status().state() != Peer.State.UP) && System.currentTimeMillis() < end) {
                Thread.sleep(100);
            }
            for (Peer p : cluster.peers()) say(p.name() + " at " + p.status().address() + ": " + p.status().state());
            show(procsys, "ls", mountpoint + "/hosts");
            show(procsys, "status", mountpoint.toString());
            show(procsys, "exec", "--mount", mountpoint.toString(), "--", "free", "-h");
            show(procsys, "exec", "--mount", mountpoint.toString(), "--", "uptime");
            show(procsys, "exec", "--mount", mountpoint.toString(), "--", "ps", "-ef");
            say("serving; try: " + procsys + " exec --mount " + mountpoint + " -- top"
                    + (serveSeconds > 0 ? " (stopping in " + serveSeconds + " s)" : " (Ctrl-C stops and cleans up)"));
            if (serveSeconds > 0) signals.await(serveSeconds, TimeUnit.SECONDS);
            else signals.await();
            return 0;
        } catch (Exception e) {
            if (signals.received() == null) throw e;
            return 0; // whatever the interrupt broke on its way: the signal asked to stop
        } finally {
            synchronized (this) {
                cleaningUp = true;
                Thread.interrupted(); // the waits below must not end at once
            }
            if (signals.received() != null) say(signals.received() + " received");
            say("cleaning up");
            if (showing != null) showing.destroy();
            if (endpoints != null) endpoints.close();
            if (service != null) service.close();
            // unshare --fork ignores SIGTERM while it waits: stop the agents themselves
            for (Process p : agents) p.descendants().forEach(ProcessHandle::destroy);
            for (Process p : agents) {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
            for (int i = 1; i <= namespaces.size(); i++) run("ip", "link", "del", "psdemo" + i);
            for (String ns : namespaces) run("ip", "netns", "del", ns);
            try (var files = Files.list(certs)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(certs);
        }
    }

    static String address(int host, int end) {
        return "10.231." + host + "." + end;
    }

    /** A namespace with a veth link to this host, and an agent in a new pid namespace (its own /proc) inside it. */
    private void startHost(Path procsys, int i, String name, Tls.Credentials files) throws IOException, InterruptedException {
        String ns = NAMESPACE + i, hostSide = "psdemo" + i;
        run("ip", "link", "del", hostSide); // leftovers of an interrupted demo
        run("ip", "netns", "del", ns);
        namespaces.add(ns); // before it exists: a stop signal may end the wait for `ip netns add`
        check(run("ip", "netns", "add", ns), "ip netns add " + ns);
        check(run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns), "veth for " + ns);
        check(run("ip", "addr", "add", address(i, 1) + "/24", "dev", hostSide), "address of " + hostSide);
        check(run("ip", "link", "set", hostSide, "up"), "link up");
        check(run("ip", "netns", "exec", ns, "sh", "-c",
                "ip addr add " + address(i, 2) + "/24 dev eth0 && ip link set eth0 up && ip link set lo up"), "addresses in " + ns);
        say("host " + name + ": network namespace " + ns + ", " + address(i, 2) + ", own pid namespace and /proc");
        Process agent = new ProcessBuilder("ip", "netns", "exec", ns, "unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                procsys.toString(), "agent", "--listen", address(i, 2) + ":7070", "--name", name,
                "--cert", files.certificate().toString(), "--key", files.key().toString(), "--ca", files.trustedCa().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        agents.add(agent);
    }

    private static void check(int status, String what) {
        if (status != 0) throw new UserError("demo: " + what + " failed (exit " + status + ")");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** Runs a command for the user to see; a stop signal meanwhile ends the wait (and cleanup ends the command). */
    private void show(Path procsys, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (args[0].equals("ls")) {
            command.addAll(List.of(args));
        } else {
            command.add(procsys.toString());
            command.addAll(List.of(args));
        }
        System.out.println();
        System.out.println("$ " + String.join(" ", command).replace(procsys.toString(), "procsys"));
        System.out.flush();
        showing = new ProcessBuilder(command).inheritIO().start();
        showing.waitFor();
        showing = null;
    }

    private static void say(String line) {
        System.out.println("procsys demo: " + line);
        System.out.flush();
    }
}
