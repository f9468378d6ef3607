package io.procsys.bench;

import io.procsys.tree.ProcTree;
import io.procsys.fs.ProcMirror;

import io.procsys.fuse.ReplySink;
import io.procsys.fuse.UpcallDispatcher;
import io.procsys.fuse.UpcallFailures;
import io.procsys.fuse.bindings.fuse_ctx;
import io.procsys.fuse.bindings.fuse_entry_param;
import io.procsys.fuse.bindings.fuse_file_info;
import io.procsys.fuse.bindings.fuse_lowlevel_ops;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Java side of each operation without the kernel: the ops struct's function pointers are
 * called from Java through a downcall, so every call goes native → upcall stub → guard → the
 * mirror → a reply sink that records instead of calling fuse_reply_*. This is what procsys adds
 * on top of libfuse for one request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatchBenchmark {
    /** Keeps what a reply would have sent, so nothing is optimised away. */
    static final class RecordingSink implements ReplySink {
        final MemorySegment context;
        long lastNode;
        long lastFileHandle;
        long bytes;
        int errors;

        RecordingSink(Arena arena) {
            context = arena.allocate(fuse_ctx.layout());
            fuse_ctx.pid(context, (int) ProcessHandle.current().pid());
        }

        public int err(MemorySegment req, int errno) { if (errno != 0) errors++; return 0; }
        public void none(MemorySegment req) {}
        public int entry(MemorySegment req, MemorySegment e) { lastNode = fuse_entry_param.ino(e); return 0; }
        public int attr(MemorySegment req, MemorySegment stat, double timeout) { bytes += stat.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8); return 0; }
        public int readlink(MemorySegment req, MemorySegment link) { bytes++; return 0; }
        public int open(MemorySegment req, MemorySegment fi) { lastFileHandle = fuse_file_info.fh(fi); return 0; }
        public int buf(MemorySegment req, MemorySegment data, long size) { bytes += size; return 0; }
        public int statfs(MemorySegment req, MemorySegment statvfs) { return 0; }
        public int poll(MemorySegment req, int revents) { return 0; }
        public MemorySegment context(MemorySegment req) { return context; }
    }

    /** on: every reply is timed into the metrics histogram (as with --metrics-listen); off: no timer, as without it. */
    @Param({"off", "on"})
    public String metrics;

    private Arena arena;
    private ProcTree tree;
    private RecordingSink sink;
    private MemorySegment ops, req, fileInfo, meminfoName, selfName;
    private long meminfoNode;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        tree = ProcTree.open(Path.of("/proc"));
        sink = new RecordingSink(arena);
        ops = new UpcallDispatcher(new ProcMirror(tree), new UpcallFailures(), sink,
                metrics.equals("on") ? io.procsys.metrics.Metrics.create().fuseOperations() : null).operations(arena);
        req = arena.allocate(8); // never dereferenced: the sink stands in for libfuse
        fileInfo = arena.allocate(fuse_file_info.layout());
        meminfoName = arena.allocateFrom("meminfo");
        selfName = arena.allocateFrom("self");
        // keep one kernel-style reference to meminfo for the whole trial
        fuse_lowlevel_ops.lookup.invoke(fuse_lowlevel_ops.lookup(ops), req, 1L, meminfoName);
        meminfoNode = sink.lastNode;
        if (sink.errors > 0 || meminfoNode == 0) throw new IllegalStateException("lookup of meminfo failed");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sink.errors > 0) throw new IllegalStateException(sink.errors + " requests answered with an error");
        tree.close();
    }

    @Benchmark
    public long lookup() {
        fuse_lowlevel_ops.lookup.invoke(fuse_lowlevel_ops.lookup(ops), req, 1L, meminfoName);
        fuse_lowlevel_ops.forget.invoke(fuse_lowlevel_ops.forget(ops), req, sink.lastNode, 1L);
        return sink.lastNode;
    }

    @Benchmark
    public long getattr() {
        fuse_lowlevel_ops.getattr.invoke(fuse_lowlevel_ops.getattr(ops), req, meminfoNode, MemorySegment.NULL);
        return sink.bytes;
    }

    /** open (renders the file into native memory) + one 128 KiB read + release. */
    @Benchmark
    public long openReadRelease() {
        fileInfo.fill((byte) 0);
        fuse_lowlevel_ops.open.invoke(fuse_lowlevel_ops.open(ops), req, meminfoNode, fileInfo);
        fuse_lowlevel_ops.read.invoke(fuse_lowlevel_ops.read(ops), req, meminfoNode, 128 * 1024L, 0L, fileInfo);
        fuse_lowlevel_ops.release.invoke(fuse_lowlevel_ops.release(ops), req, meminfoNode, fileInfo);
        return sink.bytes;
    }

    @Benchmark
    public long readlinkSelf() {
        fuse_lowlevel_ops.lookup.invoke(fuse_lowlevel_ops.lookup(ops), req, 1L, selfName);
        long self = sink.lastNode;
        fuse_lowlevel_ops.readlink.invoke(fuse_lowlevel_ops.readlink(ops), req, self);
        fuse_lowlevel_ops.forget.invoke(fuse_lowlevel_ops.forget(ops), req, self, 1L);
        return sink.bytes;
    }
}
