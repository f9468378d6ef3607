package io.procsys.daemon;

import io.procsys.posix.Libc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Where a mount's daemon keeps its sockets and its network pin: under /run/procsys, named by a hash
 * of the mountpoint's absolute path (64-bit FNV-1a, 16 hex digits). Two mountpoints never share a
 * name (/mnt/a_b and /mnt/a/b did when '/' became '_'), every name fits sun_path (108 bytes) however
 * long the path, and the launcher computes the same name in bash with no process
 * ({@code procsys_run_hash}, checked against {@link #hash} by LauncherExecTest). A daemon never takes
 * a socket another one still serves ({@link #claim}).
 */
public final class RunFiles {
    public static final Path DIRECTORY = Path.of("/run/procsys");
    /** sun_path of struct sockaddr_un holds 108 bytes, its NUL included. */
    static final int SUN_PATH_MAX = 107;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L, FNV_PRIME = 0x100000001b3L;

    private RunFiles() {}

    /** The hash that names {@code mountpoint}'s files: 16 hex digits of FNV-1a over its absolute, normalized path. */
    public static String hash(Path mountpoint) {
        long h = FNV_OFFSET;
        for (byte b : mountpoint.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return String.format("%016x", h);
    }

    /** The socket of kind {@code kind} ("control", "status", "intercept") beside the mount at {@code mountpoint}. */
    public static Path socket(String kind, Path mountpoint) {
        return DIRECTORY.resolve(kind + "-" + hash(mountpoint) + ".sock");
    }

    /** Where the stand-in network of the cluster view at {@code mountpoint} is pinned. */
    public static Path networkPin(Path mountpoint) {
        return DIRECTORY.resolve("netns").resolve(hash(mountpoint));
    }

    /**
     * Makes {@code socket}'s path free for a new listener: IOException if a daemon still answers
     * there (a mount at another path whose hash is the same, or a second daemon for this one) or
     * the path is too long for a socket; a socket nobody answers (its daemon died) is removed.
     */
    public static void claim(Path socket) throws IOException {
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > SUN_PATH_MAX) {
            throw new IOException("socket path " + socket + " is longer than a unix socket's " + SUN_PATH_MAX + " bytes");
        }
        Files.createDirectories(socket.getParent());
        if (!Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException(socket + " exists and is not a socket: left as it is");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another daemon serves " + socket + ": not taken over");
        } catch (java.net.ConnectException | java.nio.file.NoSuchFileException gone) {
            Files.deleteIfExists(socket); // its daemon is gone
        } catch (java.net.SocketException e) {
            if (e.getMessage() == null || !e.getMessage().contains("refused")) throw e;
            Files.deleteIfExists(socket);
        }
    }

    /** Runs {@code bind} (which creates a socket file) under umask 077: no one else may connect before its mode is set. */
    public static <T> T bindPrivately(Callable<T> bind) throws Exception {
        synchronized (RunFiles.class) {
            int before = Libc.umask(0077);
            try {
                return bind.call();
            } finally {
                Libc.umask(before);
            }
        }
    }
}
