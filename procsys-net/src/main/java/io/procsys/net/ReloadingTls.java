package io.procsys.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSessionContext;

/**
 * The TLS files of one node, re-read when they change, so that renewed certificates are used
 * without a restart (cert-manager rewrites a Secret, the kubelet swaps its `..data` symlink).
 *
 * <p>{@link #check()} (every few seconds once {@link #start started}) reads the three files,
 * following symlinks, and compares their contents with the last ones it saw: a symlink swap, a
 * `mv` over and a `cp` over are all seen. New contents are parsed and checked (every file parses,
 * the key is the certificate's); only then do they replace the current credentials. Anything else
 * keeps the current ones and is logged once for those contents, without a stack trace (a file
 * caught half-written is read again at the next check).
 *
 * <p>{@link #server()} and {@link #client()} are contexts that stay the same objects: each new
 * connection (an agent's accepted channel, a peer's connect or reconnect) takes its handler from
 * the credentials current at that moment. Connections already open keep the session they made,
 * but not the trust: after a change, and once a minute, those told with {@link #onCheck} check
 * their open connections' peers again ({@link #problem}: a CA no longer trusted, a certificate
 * revoked by a list in the CA file, or expired) and close those that fail. New files whose own
 * certificate has expired, or is not valid yet, are not used.
 *
 * <p>Expiry: {@link #notAfter()} and {@link #secondsUntilExpiry()} of this node's own
 * certificate; within {@link #WARN_BEFORE} of the end, {@link #expiryWarning()} says so and the
 * log repeats it once a day (and at each reload).
 */
public final class ReloadingTls implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.net.tls");
    /** How long before its end a certificate is reported as expiring. */
    public static final Duration WARN_BEFORE = Duration.ofDays(14);
    /** How often the log repeats the warning while nothing changes. */
    static final Duration WARN_EVERY = Duration.ofDays(1);
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(5);

    /** What `procsys status` shows about a mount's TLS files. */
    public record Status(String certificate, String subject, String serial, Instant notAfter, long secondsUntilExpiry,
                         String warning, long reloads, Instant lastReload, String lastProblem) {}

    /** The credentials in use and the contexts built from them. */
    private record Current(Tls.Material material, SslContext server, SslContext client) {}

    private final Tls.Credentials files;
    private final Clock clock;
    private volatile Current current;
    /** Digest of the contents last seen (good or bad): a check that finds the same does nothing. */
    private byte[] seen;
    private volatile String lastProblem = "";
    private volatile long reloads;
    private volatile Instant lastReload;
    private Instant lastWarned;
    private ScheduledExecutorService timer;
    private final SslContext server = new CurrentContext(() -> current.server(), false);
    private final SslContext client = new CurrentContext(() -> current.client(), true);
    /** Told after the credentials changed, and once a minute: open connections are checked again. */
    private final List<Runnable> onCheck = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long lastToldNanos = System.nanoTime();
    static final Duration CHECK_OPEN_EVERY = Duration.ofMinutes(1);

    private ReloadingTls(Tls.Credentials files, Clock clock, Current first, byte[] digest) {
        this.files = files;
        this.clock = clock;
        this.current = first;
        this.seen = digest;
    }

    /** Loads the files (throwing with the reason when they cannot be used); does not watch them yet. */
    public static ReloadingTls load(Tls.Credentials files) throws IOException, GeneralSecurityException {
        return load(files, Clock.systemUTC());
    }

    static ReloadingTls load(Tls.Credentials files, Clock clock) throws IOException, GeneralSecurityException {
        files.check();
        byte[][] contents = contents(files);
        ReloadingTls tls = new ReloadingTls(files, clock, build(contents, files), digest(contents));
        tls.warnIfExpiring(true);
        return tls;
    }

    /** Checks the files every {@code period} on a daemon thread of its own (a zero period: never). */
    public synchronized ReloadingTls start(Duration period) {
        if (timer != null || period.isZero()) return this;
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("tls-reload").factory());
        timer.scheduleWithFixedDelay(this::checkQuietly, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkQuietly() {
        try {
            boolean changed = check();
            if (changed || System.nanoTime() - lastToldNanos >= CHECK_OPEN_EVERY.toNanos()) tell();
        } catch (RuntimeException e) {
            problem("checking the TLS files failed: " + e);
        }
    }

    /** {@code action} runs after the credentials changed, and once a minute: it checks the open connections' peers again ({@link #problem}). */
    public void onCheck(Runnable action) {
        onCheck.add(action);
    }

    public void noLongerOnCheck(Runnable action) {
        onCheck.remove(action);
    }

    /** Runs what {@link #onCheck} registered. */
    void tell() {
        lastToldNanos = System.nanoTime();
        for (Runnable r : onCheck) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "checking open connections failed: " + e);
            }
        }
    }

    /** Why a peer presenting {@code chain} is not to be trusted now with the current files, or null when it is (PeerTrust). */
    public String problem(java.security.cert.X509Certificate[] chain) {
        return current.material().trust(clock).problem(chain);
    }

    /**
     * Reads the files once: new contents that can be used become the current credentials (true);
     * unchanged, unreadable or unusable ones leave them as they are (false).
     */
    public synchronized boolean check() {
        byte[][] contents;
        try {
            contents = contents(files);
        } catch (IOException e) {
            problem("cannot read the TLS files (" + e + "); keeping the current certificate");
            seen = null; // whatever is read next is news
            return false;
        }
        byte[] digest = digest(contents);
        if (seen != null && MessageDigest.isEqual(seen, digest)) {
            warnIfExpiring(false);
            return false;
        }
        seen = digest;
        Current next;
        try {
            next = build(contents, files);
        } catch (IOException | GeneralSecurityException e) {
            problem("changed TLS files not used, keeping the current certificate (serial " + serial(current) + "): " + e.getMessage());
            return false;
        }
        String unusable = ownProblem(next.material().certificate());
        if (unusable != null) {
            problem("changed TLS files not used, keeping the current certificate (serial " + serial(current) + "): " + unusable);
            return false;
        }
        if (next.material().chain().equals(current.material().chain()) && next.material().trusted().equals(current.material().trusted())
                && next.material().revocations().equals(current.material().revocations())) {
            lastProblem = "";
            return false; // rewritten with the same certificate and CA (a key in another encoding, say)
        }
        String was = serial(current);
        current = next;
        reloads++;
        lastReload = clock.instant();
        lastProblem = "";
        LOG.log(System.Logger.Level.INFO, "TLS files " + files.certificate() + " changed: new connections use certificate serial "
                + serial(next) + " (was " + was + "), valid until " + notAfter() + ", and trust " + next.material().trusted().size()
                + " CA certificate(s) and " + next.material().revocations().size() + " revocation list(s) of " + files.trustedCa()
                + "; open connections whose peers no longer validate are closed");
        warnIfExpiring(true);
        return true;
    }

    /** Why this node's own certificate may not be used now (expired, or not valid yet), or null. */
    private String ownProblem(java.security.cert.X509Certificate own) {
        try {
            own.checkValidity(java.util.Date.from(clock.instant()));
            return null;
        } catch (java.security.cert.CertificateExpiredException e) {
            return "the certificate in " + files.certificate() + " expired at " + own.getNotAfter().toInstant();
        } catch (java.security.cert.CertificateNotYetValidException e) {
            return "the certificate in " + files.certificate() + " is not valid before " + own.getNotBefore().toInstant();
        }
    }

    private void problem(String message) {
        if (message.equals(lastProblem)) return;
        lastProblem = message;
        LOG.log(System.Logger.Level.WARNING, message);
    }

    private synchronized void warnIfExpiring(boolean now) {
        String warning = expiryWarning();
        if (warning == null) {
            lastWarned = null;
            return;
        }
        Instant at = clock.instant();
        if (now || lastWarned == null || !at.isBefore(lastWarned.plus(WARN_EVERY))) {
            lastWarned = at;
            LOG.log(System.Logger.Level.WARNING, warning);
        }
    }

    private static byte[][] contents(Tls.Credentials files) throws IOException {
        return new byte[][]{read(files.certificate()), read(files.key()), read(files.trustedCa())};
    }

    private static byte[] read(Path file) throws IOException {
        return Files.readAllBytes(file); // follows symlinks: the kubelet's ..data swap reads as new contents
    }

    private static byte[] digest(byte[][] contents) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] c : contents) {
                sha.update(Integer.toString(c.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sha.update((byte) 0);
                sha.update(c);
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Current build(byte[][] contents, Tls.Credentials files) throws IOException, GeneralSecurityException {
        Tls.Material material = Tls.parse(contents[0], contents[1], contents[2], files);
        try {
            return new Current(material, Tls.server(material), Tls.client(material));
        } catch (SSLException e) {
            throw new GeneralSecurityException("the TLS library refused the files: " + e.getMessage(), e);
        }
    }

    private static String serial(Current c) {
        return c.material().certificate().getSerialNumber().toString(16);
    }

    /** The server context: each accepted connection takes the credentials current when it is accepted. */
    public SslContext server() {
        return server;
    }

    /** The client context: each connect (and reconnect) takes the credentials current when it starts. */
    public SslContext client() {
        return client;
    }

    /** The reloading credentials behind {@code context} (one of their {@link #server()} and {@link #client()}), else null. */
    public static ReloadingTls of(SslContext context) {
        return context instanceof ReloadingTls.CurrentContext c ? c.owner() : null;
    }

    public Tls.Credentials files() {
        return files;
    }

    /** This node's own certificate, as currently used. */
    public java.security.cert.X509Certificate certificate() {
        return current.material().certificate();
    }

    /** The CA certificates currently trusted. */
    public List<java.security.cert.X509Certificate> trusted() {
        return current.material().trusted();
    }

    /** When this node's certificate ends. */
    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /** Seconds until this node's certificate ends (negative once it has). */
    public long secondsUntilExpiry() {
        return Duration.between(clock.instant(), notAfter()).getSeconds();
    }

    /** A sentence when the certificate ends within {@link #WARN_BEFORE} (or has ended), else null. */
    public String expiryWarning() {
        long left = secondsUntilExpiry();
        if (left > WARN_BEFORE.getSeconds()) return null;
        String serial = certificate().getSerialNumber().toString(16);
        if (left <= 0) return "the TLS certificate " + files.certificate() + " (serial " + serial + ") expired at " + notAfter()
                + ": peers refuse it; renew it (it is re-read when the file changes)";
        return "the TLS certificate " + files.certificate() + " (serial " + serial + ") expires in " + describe(left) + ", at " + notAfter()
                + ": renew it (it is re-read when the file changes)";
    }

    private static String describe(long seconds) {
        if (seconds >= 2 * 86_400) return seconds / 86_400 + " days";
        if (seconds >= 2 * 3_600) return seconds / 3_600 + " hours";
        return Math.max(1, seconds / 60) + " minutes";
    }

    /** How many times new files replaced the credentials. */
    public long reloads() {
        return reloads;
    }

    public Status status() {
        var c = certificate();
        return new Status(files.certificate().toString(), c.getSubjectX500Principal().getName(), c.getSerialNumber().toString(16),
                notAfter(), secondsUntilExpiry(), expiryWarning(), reloads, lastReload, lastProblem);
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }

    /**
     * A context that hands each new connection a handler of the credentials current at that
     * moment (the handler, and so the connection, keeps them for its whole life).
     */
    private final class CurrentContext extends SslContext {
        private final Supplier<SslContext> current;
        private final boolean client;

        CurrentContext(Supplier<SslContext> current, boolean client) {
            this.current = current;
            this.client = client;
        }

        ReloadingTls owner() {
            return ReloadingTls.this;
        }

        @Override
        public boolean isClient() {
            return client;
        }

        @Override
        public List<String> cipherSuites() {
            return current.get().cipherSuites();
        }

        @Override
        public long sessionCacheSize() {
            return current.get().sessionCacheSize();
        }

        @Override
        public long sessionTimeout() {
            return current.get().sessionTimeout();
        }

        @Override
        public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
            return current.get().applicationProtocolNegotiator();
        }

        @Override
        public SSLEngine newEngine(ByteBufAllocator alloc) {
            return current.get().newEngine(alloc);
        }

        @Override
        public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
            return current.get().newEngine(alloc, peerHost, peerPort);
        }

        @Override
        public SSLSessionContext sessionContext() {
            return current.get().sessionContext();
        }

        @Override
        protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
            return current.get().newHandler(alloc);
        }

        @Override
        public SslHandler newHandler(ByteBufAllocator alloc, Executor delegatedTaskExecutor) {
            return current.get().newHandler(alloc, delegatedTaskExecutor);
        }

        @Override
        protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
            return current.get().newHandler(alloc, executor);
        }

        @Override
        protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls) {
            return current.get().newHandler(alloc, peerHost, peerPort);
        }

        @Override
        public SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, Executor delegatedTaskExecutor) {
            return current.get().newHandler(alloc, peerHost, peerPort, delegatedTaskExecutor);
        }

        @Override
        protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls, Executor executor) {
            return current.get().newHandler(alloc, peerHost, peerPort, executor);
        }
    }
}
