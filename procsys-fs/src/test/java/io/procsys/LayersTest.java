package io.procsys;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency arrows of docs/architecture.md, checked on the compiled classes of the three
 * modules: a class names every class it uses in its constant pool, so a package that must not
 * use another must not hold that package's name.
 */
class LayersTest {
    static final List<Path> CLASSES = List.of(Path.of("../native-bindings/target/classes"),
            Path.of("../procsys-net/target/classes"), Path.of("target/classes"));

    /** package (as in a class file) → the packages its classes must not name. */
    static final Map<String, List<String>> FORBIDDEN = Map.ofEntries(
            Map.entry("io/procsys/posix/", List.of("io/procsys/fuse/", "io/procsys/metrics/", "io/procsys/tree/", "io/procsys/scope/", "io/procsys/net/", "io/procsys/fs/")),
            Map.entry("io/procsys/metrics/", List.of("io/procsys/fuse/bindings/", "io/procsys/tree/", "io/procsys/scope/", "io/procsys/net/", "io/procsys/fs/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/tree/", List.of("io/procsys/fuse/", "io/procsys/scope/", "io/procsys/net/", "io/procsys/fs/")),
            Map.entry("io/procsys/scope/", List.of("io/procsys/fuse/", "io/procsys/net/", "io/procsys/fs/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/net/", List.of("io/procsys/fuse/", "io/procsys/fs/", "io/procsys/history/")),
            Map.entry("io/procsys/history/", List.of("io/procsys/fuse/", "io/procsys/fs/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/fs/identity/", List.of("io/procsys/fuse/", "io/procsys/fs/cluster/", "io/procsys/fs/combine/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/fs/combine/", List.of("io/procsys/fuse/", "io/procsys/fs/cluster/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/fs/access/", List.of("io/procsys/fuse/bindings/", "io/procsys/fs/cluster/", "io/procsys/fs/combine/",
                    "io/procsys/fs/identity/", "io/procsys/fs/history/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/fs/cluster/", List.of("io/procsys/fuse/bindings/", "io/procsys/daemon/", "io/procsys/cli/", "io/procsys/fs/history/")),
            Map.entry("io/procsys/fs/history/", List.of("io/procsys/fuse/bindings/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/fs/", List.of("io/procsys/fuse/bindings/", "io/procsys/fs/cluster/", "io/procsys/fs/combine/", "io/procsys/fs/history/", "io/procsys/daemon/", "io/procsys/cli/")),
            Map.entry("io/procsys/daemon/", List.of("io/procsys/fuse/bindings/", "io/procsys/cli/")),
            Map.entry("io/procsys/cli/", List.of("io/procsys/fuse/bindings/")));

    /** Every compiled class of the modules, by its path relative to its classes directory. */
    static Map<String, byte[]> classes() {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        for (Path root : CLASSES) {
            assertTrue(Files.isDirectory(root), root + " is built");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    out.put(root.relativize(p).toString(), Files.readAllBytes(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The most specific rule for a class: the longest package prefix in FORBIDDEN. */
    static List<String> rulesFor(String classPath) {
        return FORBIDDEN.entrySet().stream().filter(e -> classPath.startsWith(e.getKey()))
                .max(java.util.Comparator.comparingInt(e -> e.getKey().length()))
                .map(Map.Entry::getValue).orElse(List.of());
    }

    @Test
    void arrowsPointOneWay() {
        Map<String, byte[]> classes = classes();
        assertTrue(classes.size() > 150, "all three modules' classes found: " + classes.size());
        List<String> violations = new ArrayList<>();
        classes.forEach((path, bytes) -> {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String forbidden : rulesFor(path)) {
                if (text.contains(forbidden)) violations.add(path + " names " + forbidden);
            }
        });
        assertEquals(List.of(), violations);
    }

    @Test
    void theGeneratedBindingsAreUsedByTheFuseApiOnly() {
        List<String> users = classes().entrySet().stream()
                .filter(e -> !e.getKey().startsWith("io/procsys/fuse/"))
                .filter(e -> new String(e.getValue(), StandardCharsets.ISO_8859_1).contains("io/procsys/fuse/bindings/"))
                .map(Map.Entry::getKey).toList();
        assertEquals(List.of(), users);
    }

    @Test
    void theRuleCatchesAViolation() {
        // io.procsys.fuse.FileInfo reads the generated fuse_file_info: under a rule that forbids it, it would be caught
        byte[] fileInfo = classes().get("io/procsys/fuse/FileInfo.class");
        assertTrue(new String(fileInfo, StandardCharsets.ISO_8859_1).contains("io/procsys/fuse/bindings/"));
        assertEquals(List.of("io/procsys/fuse/bindings/", "io/procsys/daemon/", "io/procsys/cli/", "io/procsys/fs/history/"),
                rulesFor("io/procsys/fs/cluster/ClusterFs.class"));
    }
}
