package io.procsys.bench;

import io.procsys.net.agent.Agent;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * N agents on loopback in one JVM, on ports BASE..BASE+N-1, exporting the given proc roots in
 * turn (plaintext: this measures the combining, not TLS). Prints READY, then serves until killed.
 * The agents share one set of threads (2 for I/O, 2 for files): on a real cluster each has its
 * own machine, and 32 agents with 3 threads each on this machine's 2 cores would mostly measure
 * their own context switches.
 */
public final class AgentFarm {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: AgentFarm COUNT BASE_PORT PROC_ROOT...");
            System.exit(2);
        }
        int count = Integer.parseInt(args[0]);
        int base = Integer.parseInt(args[1]);
        List<Agent> agents = new ArrayList<>();
        Agent.Threads threads = Agent.Threads.create(2, 2);
        for (int i = 0; i < count; i++) {
            Path root = Path.of(args[2 + i % (args.length - 2)]);
            agents.add(Agent.start(new InetSocketAddress("127.0.0.1", base + i), "agent" + i, new ExportedTree(ProcTree.open(root)), null, threads));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agents.forEach(Agent::close);
            threads.close();
        }));
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }
}
