package io.procsys.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The network namespace `procsys exec` runs commands in on a cluster view: one stand-in link per
 * interface of the combined net/dev, so that ifconfig's and netstat -i's per-name ioctls succeed
 * on remote interfaces. One per mount, not one per command: made when the mount starts, pinned
 * by a bind mount of its nsfs file at {@link #pinOf} (as `ip netns add` pins under /run/netns),
 * kept in step with net/dev (missing links added, gone ones deleted) when the hosts of the view
 * change and every {@link #FULL_SYNC_SECONDS}, and removed at {@link #close}. Kernels without the
 * dummy driver get a bridge, failing that a tap; this host's interfaces keep their MTU.
 */
public final class StandInNetwork implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.daemon");
    /** Where the namespaces of the mounts are pinned, one file per mount point. */
    public static final Path PIN_DIRECTORY = Path.of("/run/procsys/netns");
    private static final long FULL_SYNC_SECONDS = 30;
    private static final long CHECK_MILLIS = 500;
    /** A name the kernel takes for a link (IFNAMSIZ) and the shell passes as one word, never an option. */
    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,14}");

    /** Runs in the namespace, the wanted names as arguments: deletes the links not wanted, adds the missing ones. */
    static final String SYNC_LINKS = """
            ip link set lo up || exit 1
            have=" $(ip -o link show | sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p' | tr '\\n' ' ') "
            want=" $* "
            for name in $have; do
              case "$want" in *" $name "*) ;; *) [ "$name" = lo ] || ip link del "$name" || exit 1 ;; esac
            done
            for name in "$@"; do
              case "$have" in *" $name "*) continue ;; esac
              ip link add "$name" type dummy 2>/dev/null || ip link add "$name" type bridge 2>/dev/null \\
                || ip tuntap add dev "$name" mode tap || exit 1
              mtu=$(cat "/sys/class/net/$name/mtu" 2>/dev/null) && ip link set "$name" mtu "$mtu" 2>/dev/null
              ip link set "$name" up || exit 1
            done
            """;

    private final Path pin;
    private final Supplier<CompletableFuture<String>> netDev;
    private final Supplier<Object> membership;
    private final ScheduledExecutorService thread;
    private Object lastMembership;
    private List<String> lastNames = List.of();
    private long lastFullNanos;

    private StandInNetwork(Path pin, Supplier<CompletableFuture<String>> netDev, Supplier<Object> membership) {
        this.pin = pin;
        this.netDev = netDev;
        this.membership = membership;
        this.thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("stand-in-network").factory());
    }

    /** Where the namespace of the mount at {@code mountpoint} is pinned. */
    public static Path pinOf(Path mountpoint) {
        return RunFiles.networkPin(mountpoint);
    }

    /**
     * Makes the namespace of the mount at {@code mountpoint} (replacing one a killed daemon left),
     * with links for {@code netDev} now, and keeps it in step from a thread of its own:
     * {@code membership} is looked at twice a second, and a change syncs the links.
     */
    public static StandInNetwork start(Path mountpoint, Supplier<CompletableFuture<String>> netDev, Supplier<Object> membership)
            throws IOException, InterruptedException {
        Path pin = pinOf(mountpoint);
        Files.createDirectories(PIN_DIRECTORY);
        unpin(pin);
        Files.writeString(pin, "");
        try {
            run(List.of("unshare", "--net=" + pin, "true"));
        } catch (IOException | InterruptedException e) {
            unpinEvenIfInterrupted(pin); // a stop signal during the start must not leave the namespace pinned
            throw e;
        }
        StandInNetwork network = new StandInNetwork(pin, netDev, membership);
        network.syncIfChanged();
        network.thread.scheduleWithFixedDelay(network::syncIfChanged, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        return network;
    }

    public Path pin() {
        return pin;
    }

    /** Syncs the links when the view's hosts changed or the last full sync is old; never throws (a thread's task). */
    private void syncIfChanged() {
        try {
            Object now = membership.get();
            boolean due = System.nanoTime() - lastFullNanos > TimeUnit.SECONDS.toNanos(FULL_SYNC_SECONDS);
            if (now.equals(lastMembership) && !due) return;
            List<String> names = interfaceNames(netDev.get().get(10, TimeUnit.SECONDS));
            if (!names.equals(lastNames)) {
                List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + pin, "/bin/sh", "-c", SYNC_LINKS, "procsys-links"));
                command.addAll(names);
                run(command);
                lastNames = names;
            }
            // only once in step: a failed sync is tried again at the next look
            lastMembership = now;
            lastFullNanos = System.nanoTime();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.log(System.Logger.Level.WARNING, "stand-in links of " + pin + " not synced (tried again at the next look): "
                    + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
        }
    }

    /** The interface names of a net/dev text that can be links (lo and odd names left out), in order. */
    static List<String> interfaceNames(String netDev) {
        List<String> names = new ArrayList<>();
        for (String line : netDev.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).strip();
            if (!name.equals("lo") && LINK_NAME.matcher(name).matches() && !names.contains(name)) names.add(name);
        }
        return names;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int status = p.waitFor();
        if (status != 0) throw new IOException(command.getFirst() + " failed (" + status + ")" + (out.isEmpty() ? "" : ": " + out));
    }

    /** Unmounts and removes a pin (the namespace ends with its last user); nothing if there is none. */
    private static void unpin(Path pin) throws IOException, InterruptedException {
        if (!Files.exists(pin)) return;
        if (Mounts.isMountPoint(pin)) run(List.of("umount", "-l", pin.toString()));
        Files.deleteIfExists(pin);
    }

    /** Stops keeping the links and removes the namespace. */
    @Override
    public void close() {
        thread.shutdownNow();
        boolean interrupted = Thread.interrupted(); // a stop signal's interrupt must not leave the namespace behind
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) Thread.currentThread().interrupt();
        unpinEvenIfInterrupted(pin);
    }

    /**
     * Removes the pin even when this thread is interrupted (the interrupt is kept for the caller):
     * a pin left behind keeps its namespace, and its links, until the next mount on that mountpoint,
     * which for a temporary mountpoint never comes.
     */
    private static void unpinEvenIfInterrupted(Path pin) {
        boolean interrupted = Thread.interrupted();
        try {
            unpin(pin);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) interrupted = true;
            LOG.log(System.Logger.Level.WARNING, "could not remove the stand-in network " + pin + ": " + e.getMessage());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
