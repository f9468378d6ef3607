package io.procsys.fs.history;

import io.procsys.history.StoreReader;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which source a host of the past is asked of first, and what status says of the peers' listings. */
class PastHostsTest {
    /** An agent never dialled: only described. */
    static AgentPast agent(int port) {
        return new AgentPast("", new InetSocketAddress("127.0.0.1", port), null, "here", null);
    }

    static PastSource disk(String dir) {
        return new PastSource() {
            @Override
            public CompletableFuture<StoreReader.Found> segments(long fromMillis, long toMillis) {
                return CompletableFuture.failedFuture(new ErrnoException(Errno.ENODATA, "test"));
            }

            @Override
            public String describe() {
                return dir;
            }
        };
    }

    static long soon() {
        return System.nanoTime() + 1_000_000_000L;
    }

    static String describe(List<PastView.Host> hosts, String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow().source().describe();
    }

    @Test
    void aHostIsAskedOfItsOwnAgentThenOfThePeersListingItThenOfTheDisk() {
        AgentPast a = agent(1), b = agent(2), x = agent(3);
        PastHosts hosts = new PastHosts().add("a", a).add("b", b).add("x", x);
        hosts.addListed("a", a, CompletableFuture.completedFuture(List.of("c", "x", "a")), soon());
        hosts.addListed("b", b, CompletableFuture.completedFuture(List.of("c", "d")), soon());
        hosts.add("c", disk("/archive/c")).add("e", disk("/archive/e"));
        List<PastView.Host> view = hosts.hosts();
        assertEquals(List.of("a", "b", "x", "c", "d", "e"), view.stream().map(PastView.Host::name).toList());
        assertEquals("agent 127.0.0.1:1", describe(view, "a"), "a peer that lists itself is asked once");
        assertEquals("agent 127.0.0.1:3, else agent 127.0.0.1:1 for x", describe(view, "x"), "its own agent first");
        assertEquals("agent 127.0.0.1:1 for c, else agent 127.0.0.1:2 for c, else /archive/c", describe(view, "c"), "peers in --peer order, then the disk");
        assertEquals("agent 127.0.0.1:2 for d", describe(view, "d"));
        assertEquals(List.of("  a (agent 127.0.0.1:1) serves the past of c, x, a", "  b (agent 127.0.0.1:2) serves the past of c, d"), hosts.notes());
    }

    @Test
    void aListingThatFailsOrNeverComesAddsNothingAndStatusSaysWhy() {
        AgentPast evil = agent(1), slow = agent(2), old = agent(3);
        PastHosts hosts = new PastHosts().add("evil", evil).add("slow", slow).add("old", old);
        hosts.addListed("evil", evil, CompletableFuture.failedFuture(new ErrnoException(Errno.EPROTO, "refused its list of hosts: a listing of 9 hosts, over 1024")), soon());
        hosts.addListed("slow", slow, new CompletableFuture<>(), System.nanoTime() + 50_000_000L);
        hosts.addListed("old", old, CompletableFuture.completedFuture(List.of()), soon());
        assertEquals(List.of("evil", "slow", "old"), hosts.hosts().stream().map(PastView.Host::name).toList(), "their own pasts are still shown");
        List<String> notes = hosts.notes();
        assertEquals(2, notes.size(), "an agent that lists nothing (an older one too) is not news: " + notes);
        assertTrue(notes.getFirst().startsWith("  evil: no list of the hosts it serves (agent 127.0.0.1:1): refused its list of hosts: a listing"), notes.getFirst());
        assertEquals("  slow: no list of the hosts it serves (agent 127.0.0.1:2): it did not answer in time", notes.get(1));
    }

    @Test
    void theViewIsBounded() {
        PastHosts hosts = new PastHosts();
        for (int i = 0; i <= PastHosts.MAX_HOSTS; i++) hosts.add("h" + i, disk("/d"));
        assertEquals(PastHosts.MAX_HOSTS, hosts.hosts().size());
        assertEquals(List.of("  h" + PastHosts.MAX_HOSTS + ": left out, the view has " + PastHosts.MAX_HOSTS + " hosts already"), hosts.notes());
    }
}
