package io.procsys.fs;

import io.procsys.fs.access.AsReader;
import io.procsys.fs.access.HidePid;
import io.procsys.fs.access.ProcfsRules;
import io.procsys.fs.access.ReaderMasks;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.TextBytes;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.NativeBytes;
import io.procsys.tree.ProcTree;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A local proc tree read for each reader as procfs would answer that reader (docs/security.md):
 * every open, read, link and listing is made with the reader's credentials ({@link AsReader}), so
 * the kernel checks ptrace access, kallsyms' and modules' CAP_SYSLOG, /proc/sys and hidepid for it;
 * lookups and attributes too when the proc mount hides pids (hidepid=), else as the daemon (the
 * answers are the same for everyone). One exception the kernel cannot see: this daemon's own
 * process, whose threads pass every ptrace check on themselves, gets the rule of a process the
 * reader does not own ({@link ProcfsRules}).
 */
final class LocalReads {
    private static final ThreadLocal<MemorySegment> STAT = ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate(io.procsys.posix.Stat.LAYOUT));
    private final ProcTree tree;
    private final HidePid hidePid;
    private final String ownPid = Long.toString(ProcessHandle.current().pid());

    LocalReads(ProcTree tree) {
        this.tree = tree;
        this.hidePid = tree.isLive() ? HidePid.of(tree.root()) : HidePid.OFF;
    }

    HidePid hidePid() {
        return hidePid;
    }

    /** Whether what a reader sees of pid directories depends on the reader (then nothing of them may be cached). */
    boolean perReader() {
        return hidePid.hides();
    }

    /** lstat of {@code path} (a node's, or a child's in the thread's path buffer): 0 or -errno. */
    int stat(Reader reader, MemorySegment path, MemorySegment st) {
        return hidePid.hides() ? AsReader.call(reader, () -> tree.stat(path, st)) : tree.stat(path, st);
    }

    /** The text of symlink {@code node} into {@code buffer}: its length or -errno. */
    long readlink(Reader reader, Node node, MemorySegment buffer) {
        ProcfsRules.InProcess at = ownProcess(reader, node.path());
        if (at != null && ProcfsRules.processLink(at.rest())) return -Errno.EACCES;
        return AsReader.callLong(reader, () -> tree.readlink(node.cPath(), buffer));
    }

    /** Lists directory {@code node} as the reader. */
    ProcTree.Dirents list(Reader reader, Node node) {
        ProcfsRules.InProcess at = ownProcess(reader, node.path());
        if (at != null && ProcfsRules.processDirectory(at.rest())) return new ProcTree.Dirents(java.util.List.of(), Errno.EACCES);
        return AsReader.get(reader, () -> tree.list(node.cPath()), () -> new ProcTree.Dirents(java.util.List.of(), Errno.EACCES));
    }

    /** What an open gives: the open file, or the errno that refused it. */
    record Opened(OpenFile file, int errno) {}

    /**
     * Opens file {@code node} for reading as the reader, and renders it (the first read's text);
     * every rendering's text rewritten by {@code rewrite} (null: as the source has it).
     */
    Opened open(Reader reader, Node node, UnaryOperator<String> rewrite) {
        ProcfsRules.InProcess at = ownProcess(reader, node.path());
        ProcfsRules.Check check = at == null ? ProcfsRules.Check.NONE : ProcfsRules.processFile(at.rest());
        if (check != ProcfsRules.Check.NONE) {
            if (ReaderMasks.masked(check, "") == null) return new Opened(null, ReaderMasks.errno(check));
            return new Opened(masked(node, check, reader, rewrite), 0); // this daemon's stat or wchan, as an unpermitted reader reads it
        }
        return AsReader.get(reader, () -> {
            int fd = tree.openForReading(node.cPath());
            return fd < 0 ? new Opened(null, -fd) : new Opened(OpenFiles.of(fd, node, tree.isLive(), reader, rewrite), 0);
        }, () -> new Opened(null, Errno.EACCES));
    }

    /** A handle on this daemon's own {@code node}, masked by {@code check} for every reader but root. */
    private OpenFile masked(Node node, ProcfsRules.Check check, Reader opener, UnaryOperator<String> rewrite) {
        int fd = tree.openForReading(node.cPath());
        if (fd < 0) return new OpenFile.Failed(-fd);
        RenderedFile.Renderer masked = new Masked(new OpenFiles.FromSource(fd), check);
        RenderedFile.Renderer renderer = rewrite == null ? masked : new Rewritten(masked, rewrite);
        NativeBytes first = renderer.render(opener).exceptionally(e -> null).join();
        if (first == null) {
            renderer.close();
            return new OpenFile.Failed(Errno.ESRCH);
        }
        return new RenderedFile(first, renderer, opener);
    }

    /**
     * {@code path} in a directory of this daemon's own process, for a reader other than root; null
     * otherwise. The daemon's threads are its pid's tasks, and each is also reachable as /proc/TID.
     */
    private ProcfsRules.InProcess ownProcess(Reader reader, String path) {
        if (reader.privileged() || !tree.isLive()) return null;
        ProcfsRules.InProcess at = ProcfsRules.InProcess.of(path);
        if (at == null) return null;
        String pid = Integer.toString(at.pid());
        if (pid.equals(ownPid)) return at;
        return tree.stat(ProcTree.cPath(ownPid + "/task/" + pid), STAT.get()) == 0 ? at : null;
    }

    /** Renderings masked for every reader but root, by {@code check}. */
    record Masked(RenderedFile.Renderer inner, ProcfsRules.Check check) implements RenderedFile.Renderer {
        @Override
        public CompletableFuture<? extends NativeBytes> render(Reader reader) {
            CompletableFuture<? extends NativeBytes> made = inner.render(reader);
            if (reader.privileged()) return made;
            return made.thenApply(content -> {
                String text = ReaderMasks.masked(check, TextBytes.text(content.bytes()));
                if (text == null) {
                    content.release();
                    throw new ErrnoException(ReaderMasks.errno(check), "refused");
                }
                content.release();
                return TextBytes.of(text);
            });
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public int pollSource() {
            return inner.pollSource();
        }
    }
}
