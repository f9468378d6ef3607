package io.procsys.daemon;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGINT, SIGTERM and SIGHUP as a request to stop: the command's own thread then cleans up and
 * the process exits 0. The JVM's default instead runs shutdown hooks and halts with 128 + the
 * signal (143 for SIGTERM), which systemd counts as a failed stop, and its halt does not wait for
 * the command's {@code finally} blocks (so `procsys demo` used to leave agents behind).
 *
 * <p>A signal the process was started with ignored (nohup's SIGHUP) stays ignored. A second
 * signal while stopping changes nothing: cleanup is already under way.
 */
public final class StopSignals {
    private static final String[] SIGNALS = {"INT", "TERM", "HUP"};

    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String received;

    private StopSignals() {}

    /**
     * Handles the stop signals from now on: the first one counts {@link #await} down and runs
     * {@code onStop} (on the JVM's signal thread: it must not block for long).
     */
    public static StopSignals install(Runnable onStop) {
        StopSignals signals = new StopSignals();
        SignalHandler handler = signal -> {
            synchronized (signals) {
                if (signals.received != null) return;
                signals.received = "SIG" + signal.getName();
            }
            signals.stop.countDown();
            onStop.run();
        };
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            if (Signal.handle(signal, handler) == SignalHandler.SIG_IGN) Signal.handle(signal, SignalHandler.SIG_IGN);
        }
        return signals;
    }

    /** As {@link #install(Runnable)}, with nothing to run but the count-down. */
    public static StopSignals install() {
        return install(() -> {});
    }

    /** Blocks until a stop signal arrives. */
    public void await() throws InterruptedException {
        stop.await();
    }

    /** Blocks until a stop signal arrives or the time is up; whether a signal arrived. */
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return stop.await(time, unit);
    }

    /** The signal that asked to stop ("SIGTERM", ...), or null. */
    public String received() {
        return received;
    }
}
