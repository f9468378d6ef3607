package io.procsys.cli;

import io.procsys.daemon.MetricsEndpoint;
import io.procsys.daemon.RunningAgent;
import io.procsys.daemon.StopSignals;
import io.procsys.daemon.UserError;
import io.procsys.metrics.Metrics;
import io.procsys.net.Transport;
import io.procsys.net.agent.ActionRules;
import io.procsys.net.agent.SignalMode;
import io.procsys.net.agent.Warmup;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export this host's proc tree, read-only, to procsys mounts on other nodes.",
                "Mutual TLS by default. Never exported: anything outside the proc root, anything reached "
                        + "through a symlink (<pid>/root, cwd, exe, fd/* are link text only), environ, mem, pagemap, "
                        + "kcore, kmsg, kallsyms and every file its owner keeps from others."},
        footer = {"", "Examples:",
                "  procsys certs --out /etc/procsys/certs node-a node-b    once, then copy the files",
                "  procsys agent --listen 0.0.0.0:7070 --name node-a",
                "  procsys agent --listen 127.0.0.1:7070 --insecure --proc-root ./capture"})
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", required = true, description = "Address to listen on.")
    String listen;

    @Option(names = "--name", paramLabel = "NAME", description = "Node name sent to peers (default: the host name).")
    String name;

    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc", description = "Proc tree to export (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + Warmup.REQUESTS,
            description = "Requests the agent sends itself once it is ready, in the background at nice 19, so it soon answers compiled (default: ${DEFAULT-VALUE}; 0: none).")
    int warmup;

    @Option(names = "--allow-signals", paramLabel = "users|root", arity = "0..1", fallbackValue = "users", defaultValue = "off",
            description = "Signal and renice this host's processes for procsys mounts whose certificate carries the signal role "
                    + "(procsys certs --allow-signals), as the viewer's user of the same name, under UNIX rules; =root also lets root "
                    + "there act as root here. Off by default. Needs TLS; the unit needs CAP_KILL (deploy/debian/procsys-agent-signals.conf).")
    String allowSignals;

    @Option(names = "--cgroup-root", paramLabel = "DIR",
            description = "Where this host's cgroup filesystems are, for mounts with --scope (default: /sys/fs/cgroup; a captured proc tree has none unless given).")
    Path cgroupRoot;

    @Option(names = "--log-root", paramLabel = "DIR", description = "Where kubelet's pods/ and containers/ logs are, for --scope k8s=... (default: /var/log).")
    Path logRoot;

    @Option(names = "--act-min-uid", paramLabel = "UID", defaultValue = "" + ActionRules.DEFAULT_MIN_UID,
            description = "Act only for users of this uid and above, here and on the viewer (default: ${DEFAULT-VALUE}): service "
                    + "accounts (www-data, nobody) share names across hosts without being one user. Root acts only with --allow-signals=root.")
    long actMinUid;

    @Mixin
    TlsOptions tls;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    RecordOptions recordOptions;

    @Override
    public Integer call() throws InterruptedException {
        StopSignals stop = StopSignals.install();
        String node = name != null ? name : Hosts.localName();
        SignalMode signals = SignalMode.parse(allowSignals);
        if (signals == null) throw new UserError("--allow-signals takes 'users' (the default) or 'root', not '" + allowSignals + "'", 2);
        if (actMinUid < 1 || actMinUid > 0xfffffffeL) throw new UserError("--act-min-uid must be between 1 and 4294967294", 2);
        if (signals != SignalMode.OFF && tls.insecure) {
            System.err.println("procsys: --allow-signals with --insecure: no client has a certificate, so every signal is refused");
        }
        var context = tls.server(node);
        Metrics metrics = metricsOptions.start(null);
        RunningAgent agent;
        try {
            agent = RunningAgent.start(procRoot, Hosts.parseAddress(listen), listen, node, context, metrics, new ActionRules(signals, (int) actMinUid)).scopesFrom(cgroupRoot, logRoot);
        } catch (UserError e) {
            metrics.close();
            throw e;
        }
        try {
            recordOptions.startOn(agent, tls.client(node));
        } catch (UserError e) {
            agent.close();
            metrics.close();
            throw e;
        }
        MetricsEndpoint.exportExpiry(metrics, agent.credentials());
        System.err.println("procsys: agent " + node + " exporting " + procRoot + " on " + agent.address()
                + (context == null ? " (INSECURE: plaintext, no authentication)" : " (mutual TLS)")
                + (Transport.epoll() ? ", epoll" : ", nio") + MetricsEndpoint.describe(metrics)
                + (signals == SignalMode.OFF ? "" : ", signals allowed" + (signals == SignalMode.ROOT ? " (root too)" : " (users, not root)")));
        if (agent.actionsRefused() != null && signals != SignalMode.OFF) System.err.println("procsys: " + agent.actionsRefused());
        if (warmup > 0) agent.warmUpInBackground(tls.client(node), node, warmup); // after the line above: it answers at once
        RunningAgent.serveUntilSignal(stop, "agent", agent, metrics);
        return 0;
    }
}
