package io.procsys.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What one user may ask of a control socket at once and a second; root is never bounded. */
class ControlBoundsTest {
    long now = 0;
    final ControlBounds bounds = new ControlBounds(new ControlBounds.Limits(2, 3, Duration.ofSeconds(1)), () -> now);

    @Test
    void connectionsAreCountedPerUserAndRootIsNot() {
        assertTrue(bounds.connect(1000));
        assertTrue(bounds.connect(1000));
        assertFalse(bounds.connect(1000), "a third of the same user");
        assertTrue(bounds.connect(1001), "another user is not affected");
        for (int i = 0; i < 100; i++) assertTrue(bounds.connect(0), "root");
        bounds.disconnect(1000);
        assertTrue(bounds.connect(1000), "one closed: one more");
    }

    @Test
    void requestsAreRatedPerUser() {
        for (int i = 0; i < 3; i++) assertTrue(bounds.request(1000));
        assertFalse(bounds.request(1000), "past the rate");
        assertTrue(bounds.request(1001));
        assertTrue(bounds.request(0));
        now += 400_000_000L;
        assertTrue(bounds.request(1000), "0.4 s at 3 a second: one more");
        assertFalse(bounds.request(1000));
    }
}
