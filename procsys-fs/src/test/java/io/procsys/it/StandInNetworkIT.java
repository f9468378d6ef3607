package io.procsys.it;

import io.procsys.daemon.Mounts;
import io.procsys.daemon.StandInNetwork;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mount's stand-in network namespace goes with the mount even when the stop comes as an
 * interrupt (a SIGTERM to procsys demo interrupts the thread that then closes the mount): a pin
 * left behind keeps a namespace and its links alive, and a temporary mountpoint never clears it.
 */
class StandInNetworkIT {
    static final String NET_DEV = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
            h1-eth0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
            """;

    @Test
    void anInterruptedStopStillRemovesTheNamespace() throws Exception {
        Path mountpoint = Files.createTempDirectory("procsys-standin-");
        try {
            StandInNetwork network = StandInNetwork.start(mountpoint, () -> CompletableFuture.completedFuture(NET_DEV), () -> "no change");
            assertTrue(Mounts.isMountPoint(network.pin()), "pinned while the mount lives");
            Thread.currentThread().interrupt(); // the stop signal
            network.close();
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
            assertFalse(Files.exists(network.pin()), "and the namespace is gone");
        } finally {
            Files.deleteIfExists(mountpoint);
        }
    }
}
