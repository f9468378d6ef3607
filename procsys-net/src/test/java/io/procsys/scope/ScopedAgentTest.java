package io.procsys.scope;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.procsys.net.Transport;
import io.procsys.net.agent.Agent;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent over a made host (ScopedHostV2Test's web.service) serving a scoped connection
 * (protocol 8): the table, listings and lookups hold the scope's processes only, the scoped files
 * are the scope's, actions on others are ESRCH; an unscoped connection to the same agent sees the
 * host as before.
 */
class ScopedAgentTest {
    /** How long each request of these tests waits for the agent. */
    private static final long WAIT = 5_000;
    static EventLoopGroup loops;

    @BeforeAll
    static void start() {
        loops = Transport.eventLoops(1);
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static int errno(java.util.concurrent.CompletableFuture<?> f) {
        return ((ErrnoException) assertThrows(CompletionException.class, f::join).getCause()).errno();
    }

    static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    @Test
    void aScopedConnectionSeesTheScopeOnly() throws Exception {
        try (CgroupFixture f = ScopedHostV2Test.web(); ProcTree proc = ProcTree.open(f.dir.resolve("proc"))) {
            ExportedTree tree = new ExportedTree(proc);
            try (Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "g1", tree, null)) {
                agent.serveScopes(tree, f.dir.resolve("cgroup"), f.dir.resolve("log"));
                try (AgentClient scoped = AgentClient.connect(loops, agent.address(), null, "m", Duration.ofSeconds(5)).join();
                     AgentClient whole = AgentClient.connect(loops, agent.address(), null, "m", Duration.ofSeconds(5)).join()) {
                    ScopeState state = scoped.scope(List.of("web.service"), WAIT).join();
                    assertEquals(new ScopeState(ScopeState.Outcome.PRESENT, "v2", List.of("0::/system.slice/web.service"), 2, ""), state);
                    ByteBuf bytes = scoped.table("", false, WAIT).join();
                    ProcessTable table = ProcessTable.read(bytes);
                    try {
                        assertEquals(List.of("101", "102"), table.root().stream().map(ExportedTree.Entry::name).filter(n -> n.matches("\\d+")).sorted().toList());
                    } finally {
                        table.release();
                    }
                    assertEquals(Errno.ENOENT, errno(scoped.stat("1", WAIT)), "another process is not there");
                    assertEquals(Errno.ENOENT, errno(scoped.read("1/stat", WAIT)));
                    assertTrue(scoped.stat("103", WAIT).join().mode() != 0, "a member's thread id is looked up as /proc does");
                    assertEquals(204800, ScopedMemory.hostValue(text(scoped.read("meminfo", WAIT).join()), "MemTotal"));
                    assertEquals("2.00 2.00 2.00 1/3 103", text(scoped.read("loadavg", WAIT).join()).trim());
                    assertEquals(Errno.ESRCH, errno(scoped.signal(1, 100, 0, "root", 0, WAIT)), "no action outside the scope");
                    assertEquals(24683784, ScopedMemory.hostValue(text(whole.read("meminfo", WAIT).join()), "MemTotal"), "an unscoped connection as before");
                    assertTrue(whole.stat("1", WAIT).join().mode() != 0);
                    assertEquals(ScopeState.Outcome.ABSENT, scoped.scope(List.of("db.service"), WAIT).join().outcome(), "another scope replaces it");
                    assertEquals(Errno.ENOENT, errno(scoped.read("meminfo", WAIT)), "an absent scope renders nothing: never the host's");
                    assertEquals(List.of(), scoped.list("", WAIT).join().stream().map(ExportedTree.Entry::name).filter(n -> n.matches("\\d+")).toList());
                    assertEquals(Errno.EINVAL, errno(scoped.scope(List.of("/a/../b"), WAIT)), "a spec the agent refuses");
                }
            }
        }
    }

    @Test
    void aCapturedTreeWithoutCgroupsRefusesToBeScoped() throws Exception {
        try (CgroupFixture f = ScopedHostV2Test.web(); ProcTree proc = ProcTree.open(f.dir.resolve("proc"));
             Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "g1", new ExportedTree(proc), null);
             AgentClient client = AgentClient.connect(loops, agent.address(), null, "m", Duration.ofSeconds(5)).join()) {
            ScopeState state = client.scope(List.of("web.service"), WAIT).join();
            assertEquals(ScopeState.Outcome.UNREADABLE, state.outcome());
            assertTrue(state.detail().contains("--cgroup-root"), state.detail());
            assertEquals(Errno.ENOENT, errno(client.read("meminfo", WAIT)));
        }
    }
}
