package io.procsys.scope;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What kubelet tells of a node's pods without its API: {@code pods/<namespace>_<pod>_<uid>/} for
 * every pod and {@code containers/<pod>_<namespace>_<container>-<id>.log} for every container,
 * under its log root ({@code /var/log}). Names only: nothing is read or followed.
 */
final class PodLogs {
    /** Most entries read from one directory (a node runs at most a few hundred pods). */
    static final int MAX_ENTRIES = 65_536;
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{12,64}");

    /** A pod as its log directory names it. */
    record Pod(String namespace, String name, String uid) {}

    private final Path root;

    PodLogs(Path root) {
        this.root = root;
    }

    /** Every pod of {@code pods/}, or none when it is missing. */
    List<Pod> pods() {
        List<Pod> pods = new ArrayList<>();
        for (String name : names(root.resolve("pods"))) {
            String[] parts = name.split("_", -1);
            if (parts.length == 3 && !parts[0].isEmpty() && !parts[1].isEmpty() && !parts[2].isEmpty()) {
                pods.add(new Pod(parts[0], parts[1], parts[2].toLowerCase(java.util.Locale.ROOT)));
            }
        }
        return pods;
    }

    /** The ids of container {@code container} of pod {@code pod} in {@code namespace} (several after restarts). */
    List<String> containerIds(String namespace, String pod, String container) {
        List<String> ids = new ArrayList<>();
        String prefix = pod + "_" + namespace + "_" + container + "-";
        for (String name : names(root.resolve("containers"))) {
            if (!name.startsWith(prefix) || !name.endsWith(".log")) continue;
            String id = name.substring(prefix.length(), name.length() - 4);
            if (CONTAINER_ID.matcher(id).matches()) ids.add(id);
        }
        return ids;
    }

    private static List<String> names(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (names.size() >= MAX_ENTRIES) break;
                names.add(p.getFileName().toString());
            }
        } catch (IOException | SecurityException e) {
            return List.of(); // no kubelet here
        }
        return names;
    }
}
