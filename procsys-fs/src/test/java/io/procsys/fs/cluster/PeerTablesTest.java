package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.procsys.net.protocol.TableBundle;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One reply per tree node per listing, whatever the number of hosts below it. */
class PeerTablesTest {
    final AtomicLong clock = new AtomicLong(1_000);
    final List<CompletableFuture<ByteBuf>> sent = new ArrayList<>();
    final List<Map<String, Boolean>> told = new ArrayList<>();
    final PeerTables tables = new PeerTables(() -> "rack", (threads, parts) -> {
        CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
        sent.add(reply);
        return reply;
    }, Duration.ofSeconds(2), clock::get, told::add);

    static ByteBuf text(String s) {
        return Unpooled.directBuffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    static ByteBuf reply() {
        ByteBuf composite = TableBundle.write(ByteBufAllocator.DEFAULT, List.of(TableBundle.Part.of("", text("\1rack")),
                TableBundle.Part.of("hosts/a", text("\1a")), TableBundle.Part.failed("hosts/b", Errno.ETIMEDOUT, "b late at rack")));
        ByteBuf flat = Unpooled.directBuffer().writeBytes(composite);
        composite.release();
        return flat;
    }

    static String taken(CompletableFuture<ByteBuf> f) {
        ByteBuf b = f.join();
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void theHostsBelowANodeShareItsReplyWithinOneListing() {
        long listing = clock.get();
        CompletableFuture<ByteBuf> rack = tables.table("", false, 1, listing);
        clock.addAndGet(5);
        CompletableFuture<ByteBuf> a = tables.table("hosts/a", false, 1, listing); // joins the fetch in flight
        assertEquals(1, sent.size());
        sent.getFirst().complete(reply());
        assertEquals("\1rack", taken(rack));
        assertEquals("\1a", taken(a));
        assertEquals(List.of(Map.of("", true, "hosts/a", true, "hosts/b", false)), told, "told the paths, and which came without a table");
        CompletionException late = assertThrows(CompletionException.class, () -> tables.table("hosts/b", false, 1, listing).join());
        assertEquals(Errno.ETIMEDOUT, assertInstanceOf(ErrnoException.class, late.getCause()).errno());
        assertEquals(true, late.getCause().getMessage().startsWith("b late at rack"), late.getCause().getMessage());
        assertEquals(1, sent.size(), "a host listed after the reply came takes it, in the same listing");
        CompletionException absent = assertThrows(CompletionException.class, () -> tables.table("hosts/gone", false, 1, listing).join());
        assertEquals(Errno.EHOSTUNREACH, assertInstanceOf(ErrnoException.class, absent.getCause()).errno());

        clock.addAndGet(150); // top's second sample: a new listing, a new reply
        CompletableFuture<ByteBuf> again = tables.table("hosts/a", false, 1, clock.get());
        assertEquals(2, sent.size());
        sent.get(1).complete(text("\1only the node's own table: no longer a tree node"));
        assertEquals(Map.of("", true), told.get(1));
        assertThrows(CompletionException.class, again::join, "a is no longer below it");
    }

    @Test
    void aStaleReplyIsDroppedAndItsBytesFreed() {
        CompletableFuture<ByteBuf> rack = tables.table("", false, 1, clock.get());
        ByteBuf bytes = reply();
        sent.getFirst().complete(bytes);
        taken(rack);
        assertEquals(2, bytes.refCnt(), "held by the kept reply's two tables");
        clock.addAndGet(Duration.ofSeconds(3).toNanos());
        tables.releaseIfStale(0);
        assertEquals(0, bytes.refCnt());
    }
}
