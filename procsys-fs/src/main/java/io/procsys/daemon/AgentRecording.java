package io.procsys.daemon;

import io.netty.buffer.PooledByteBufAllocator;
import io.procsys.history.HostCapture;
import io.procsys.history.Recorder;
import io.procsys.net.agent.ProcessTableBuilder;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An agent's recording of its host (agent --record): frames taken through the tree it exports
 * (the same export policy as for any peer) into ROOT/NODE (docs/history.md); RunningAgent answers
 * History requests from ROOT.
 */
final class AgentRecording implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.history");
    private final Recorder recorder;

    private AgentRecording(Recorder recorder) {
        this.recorder = recorder;
    }

    static AgentRecording start(ProcTree tree, String node, Path root, Recorder.Settings settings, Path archive) {
        if (!node.matches(io.procsys.fs.cluster.Cluster.NODE_NAME)) throw new UserError("cannot record under the node name '" + node + "': use --name");
        ExportedTree exported = new ExportedTree(tree);
        HostCapture capture = new HostCapture(exported, () -> new ProcessTableBuilder(exported, false, HostCapture.TABLE_PARTS)
                .build(PooledByteBufAllocator.DEFAULT, "", new int[1]), settings.interval().toMillis());
        Recorder recorder;
        try {
            recorder = new Recorder(capture, root.resolve(node), settings, System::currentTimeMillis);
        } catch (IOException e) {
            throw new UserError("cannot record into " + root.resolve(node) + ": " + e.getMessage());
        }
        if (archive != null) {
            try {
                recorder.archiveTo(archive.resolve(node));
            } catch (IOException e) {
                recorder.close();
                throw new UserError("cannot archive into " + archive.resolve(node) + ": " + e.getMessage());
            }
        }
        recorder.start();
        LOG.log(System.Logger.Level.INFO, "recording " + node + " every " + settings.interval().toMillis() + " ms into " + root.resolve(node)
                + (archive == null ? "" : ", copied to " + archive.resolve(node)));
        return new AgentRecording(recorder);
    }

    Recorder recorder() {
        return recorder;
    }

    @Override
    public void close() {
        recorder.close();
    }
}
