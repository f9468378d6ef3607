package io.procsys.daemon;

import io.procsys.fs.cluster.Cluster;
import io.procsys.posix.Errno;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link RemoteActions} through a mount's control socket ({@link ControlEndpoint}): one
 * connection per call. The mount takes the caller's uid from the kernel (SO_PEERCRED); a
 * {@code callerUid} other than this process's own uid is sent as the uid to act for, which the
 * mount accepts from root only (the `procsys exec` supervisor) and refuses (EPERM) otherwise.
 * {@link #inProcess} asks the same questions of a cluster in this process (the mount's daemon
 * supervising an exec's calls), with this process's uid as the asker's.
 */
public final class MountControl implements RemoteActions {
    private final Function<ControlEndpoint.Request, ControlEndpoint.Reply> asker;
    private final int ownUid;

    private MountControl(Function<ControlEndpoint.Request, ControlEndpoint.Reply> asker, int ownUid) {
        this.asker = asker;
        this.ownUid = ownUid;
    }

    /** The control of the procsys mount at {@code mountpoint}; UserError if it is none (or runs no control socket). */
    public static MountControl connect(Path mountpoint) {
        Path target = mountpoint.toAbsolutePath().normalize();
        if (!Mounts.isProcsysMount(target)) throw new UserError(target + " is not a procsys mount");
        Path socket = ControlEndpoint.socketFor(target);
        if (!Files.exists(socket)) throw new UserError("the procsys mount at " + target + " has no control socket (" + socket + "): restart it with this release");
        return at(socket);
    }

    /** The actions of {@code cluster}, served by this process: what its control socket would answer this process. */
    public static MountControl inProcess(Cluster cluster) {
        int uid = Users.uid();
        return new MountControl(request -> ControlEndpoint.answer(cluster, request, uid).exceptionally(ControlEndpoint::failure).join(), uid);
    }

    /** A client of the socket at {@code socket} (tests). */
    static MountControl at(Path socket) {
        return new MountControl(request -> ask(socket, request), Users.uid());
    }

    @Override
    public int signal(int callerUid, long clusterPid, int signal) {
        return errnoOf(asker.apply(new ControlEndpoint.Request("signal", clusterPid, signal, null, as(callerUid))));
    }

    @Override
    public int setPriority(int callerUid, long clusterPid, int nice) {
        return errnoOf(asker.apply(new ControlEndpoint.Request("setpriority", clusterPid, null, nice, as(callerUid))));
    }

    @Override
    public int ioprioGet(int callerUid, long clusterPid) {
        ControlEndpoint.Reply r = asker.apply(new ControlEndpoint.Request("ioprio", clusterPid, null, null, as(callerUid)));
        return r.errno() != 0 ? -r.errno() : r.value() == null ? -Errno.EPROTO : r.value();
    }

    /** 0 or the errno (positive), as RemoteActions answers signal and setPriority. */
    private static int errnoOf(ControlEndpoint.Reply r) {
        return r.errno();
    }

    /** Where {@code clusterPid} lives: its host's name and its pid there; fails with ErrnoException (ESRCH for no such host). */
    public ControlEndpoint.Reply which(long clusterPid) {
        return asker.apply(new ControlEndpoint.Request("which", clusterPid, null, null, null));
    }

    @Override
    public String hostOf(long clusterPid) {
        ControlEndpoint.Reply r = which(clusterPid);
        return r.errno() == 0 ? r.host() : null;
    }

    private Integer as(int callerUid) {
        return callerUid == ownUid ? null : callerUid;
    }

    /** How long a request may take, connection to answer: the mount answers within its action deadline (default 5 s) and a margin. */
    static final Duration ASK_DEADLINE = Duration.ofSeconds(20);

    /** One request, its reply; a socket that cannot be reached or answers nonsense is EIO, one that answers nothing in time EAGAIN (reply's errno). */
    static ControlEndpoint.Reply ask(Path socket, ControlEndpoint.Request request) {
        return ask(socket, request, ASK_DEADLINE);
    }

    static ControlEndpoint.Reply ask(Path socket, ControlEndpoint.Request request, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, 0);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                await(selector, key, SelectionKey.OP_CONNECT, end);
                channel.finishConnect();
            }
            ByteBuffer out = ByteBuffer.wrap((ControlEndpoint.JSON.writeValueAsString(request) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) await(selector, key, SelectionKey.OP_WRITE, end);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (bytes.size() < 65536) {
                int n = channel.read(in.clear());
                if (n < 0) break;
                if (n == 0) await(selector, key, SelectionKey.OP_READ, end);
                else bytes.write(in.array(), 0, n);
            }
            return ControlEndpoint.JSON.readValue(bytes.toByteArray(), ControlEndpoint.Reply.class);
        } catch (TimedOut e) {
            return new ControlEndpoint.Reply(Errno.EAGAIN, null, null, null, "control socket " + socket + ": no answer within " + deadline.toSeconds() + " s");
        } catch (IOException e) {
            return new ControlEndpoint.Reply(e instanceof java.net.SocketException && e.getMessage() != null && e.getMessage().contains("ermission")
                    ? Errno.EACCES : Errno.EIO, null, null, null, "control socket " + socket + ": " + e.getMessage());
        }
    }

    /** The deadline passed before the socket was ready. */
    private static final class TimedOut extends IOException {
        TimedOut() {
            super(null, null);
        }
    }

    /** Waits until {@code key}'s channel is ready for {@code operation}, or throws TimedOut at {@code end} (System.nanoTime). */
    private static void await(Selector selector, SelectionKey key, int operation, long end) throws IOException {
        key.interestOps(operation);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) throw new TimedOut();
            selector.select(left);
            boolean ready = selector.selectedKeys().remove(key);
            if (ready) return;
        }
    }
}
