package io.procsys.bench;

import io.procsys.net.agent.Agent;
import io.procsys.net.agent.SignalMode;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * N agents on loopback in one JVM, on ports BASE..BASE+N-1 of 127.0.0.1, or, given ADDRESS:PORT,
 * on PORT of N consecutive IPv4 addresses from ADDRESS (one address per host, as DNS discovery
 * needs: every record of a name is an agent on one port), exporting the given proc roots in turn
 * (plaintext: this measures the combining, not TLS). Prints READY, then serves until killed.
 * The agents share one set of threads (2 for I/O, 2 for files): on a real cluster each has its
 * own machine, and 32 agents with 3 threads each on this machine's 2 cores would mostly measure
 * their own context switches.
 * With --tables-once (the scale simulation), each agent builds its process table once at start
 * and answers every table request with it ({@link TablesBuiltOnce}); READY then says how many
 * processes and table bytes the agents hold.
 */
public final class AgentFarm {
    public static void main(String[] args) throws Exception {
        boolean tablesOnce = args.length > 0 && args[0].equals("--tables-once");
        int first = tablesOnce ? 1 : 0;
        if (args.length - first < 3) {
            System.err.println("usage: AgentFarm [--tables-once] COUNT BASE_PORT|FIRST_ADDRESS:PORT PROC_ROOT...");
            System.exit(2);
        }
        int count = Integer.parseInt(args[first]);
        String where = args[first + 1];
        int colon = where.lastIndexOf(':');
        int firstAddress = colon < 0 ? 0 : ipv4(where.substring(0, colon));
        int port = Integer.parseInt(where.substring(colon + 1));
        int roots = args.length - first - 2;
        List<Agent> agents = new ArrayList<>();
        Agent.Threads threads = Agent.Threads.create(2, 2);
        long processes = 0, tableBytes = 0;
        for (int i = 0; i < count; i++) {
            ExportedTree tree = new ExportedTree(ProcTree.open(Path.of(args[first + 2 + i % roots])));
            TablesBuiltOnce tables = tablesOnce ? new TablesBuiltOnce(tree) : null;
            if (tables != null) {
                processes += tables.processes();
                tableBytes += tables.bytes();
            }
            agents.add(Agent.start(colon < 0 ? new InetSocketAddress("127.0.0.1", port + i) : new InetSocketAddress(address(firstAddress + i), port), "agent" + i, tree, null, threads, SignalMode.OFF, tables));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agents.forEach(Agent::close);
            threads.close();
        }));
        System.out.println(tablesOnce ? "READY processes=" + processes + " table_bytes=" + tableBytes : "READY");
        System.out.flush();
        Thread.currentThread().join();
    }

    private static int ipv4(String dotted) throws UnknownHostException {
        return ByteBuffer.wrap(InetAddress.getByName(dotted).getAddress()).getInt();
    }

    private static InetAddress address(int ipv4) throws UnknownHostException {
        return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(ipv4).array());
    }
}
