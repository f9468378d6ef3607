package io.procsys.cli;

import io.procsys.daemon.UserError;
import io.procsys.fs.combine.SysBlockView;
import io.procsys.fs.combine.SysCpuView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The parts of /sys that `procsys exec` replaces on a cluster view, made from the mount's
 * combined files when the command starts (hosts that join later are not in them):
 * <ul>
 *   <li>{@code /sys/devices/system/cpu}: the files of {@link SysCpuView} (CPU counts and
 *       topology of the combined cpuinfo and stat);</li>
 *   <li>{@code /sys/block}: a directory with a {@code stat} for every remote disk of
 *       {@link SysBlockView}, so iostat reports them (a snapshot: see there).</li>
 * </ul>
 * Each lives in {@code <root>/<name>/} with a link into {@code .host/} for every other entry of
 * this host's directory (cpufreq, vulnerabilities, this host's disks, ...): the exec script
 * binds the real directory at {@code .host} and the view over the real one.
 */
final class SysViews {
    /** Directories replaced, and their names under the root ('/' as '_'). */
    static final Map<String, Path> REPLACED = Map.of("devices_system_cpu", Path.of("/sys/devices/system/cpu"), "block", Path.of("/sys/block"));
    private static final Pattern CPU_N = Pattern.compile("cpu[0-9]+");

    /** Runs first in the command's namespace: each view over its directory, this host's kept at .host. */
    static final String MOUNT_SCRIPT = """
            if [ -n "$PROCSYS_SYS_VIEWS" ]; then
              for v in "$PROCSYS_SYS_VIEWS"/*; do
                d=/sys/$(basename "$v" | tr _ /)
                mount --bind "$d" "$v/.host" && mount --rbind "$v" "$d" || exit 125
              done
            fi
            unset PROCSYS_SYS_VIEWS
            """;

    private SysViews() {}

    static Path create(Path mirror) throws IOException {
        String cpuinfo = read(mirror, "cpuinfo"), stat = read(mirror, "stat"), diskstats = read(mirror, "diskstats");
        Path root = Files.createTempDirectory("procsys-sys-");
        try {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, String> cpuFiles = SysCpuView.files(cpuinfo, stat);
            Path cpu = view(root, "devices_system_cpu", name -> CPU_N.matcher(name).matches() || cpuFiles.containsKey(name));
            for (var file : cpuFiles.entrySet()) {
                Path path = cpu.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue(), StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--r--r--"));
            }
            Set<String> hostDisks = names(REPLACED.get("block"));
            Path block = view(root, "block", name -> false);
            for (var disk : SysBlockView.remoteDevices(diskstats, hostDisks).entrySet()) {
                Path diskStat = Files.createDirectory(block.resolve(disk.getKey())).resolve("stat");
                Files.writeString(diskStat, disk.getValue(), StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(diskStat, PosixFilePermissions.fromString("r--r--r--"));
            }
            return root;
        } catch (IOException | RuntimeException e) {
            delete(root);
            throw e;
        }
    }

    private static String read(Path mirror, String file) {
        try {
            return Files.readString(mirror.resolve(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UserError("cannot read the combined " + file + " of " + mirror + ": " + e.getMessage());
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return Set.of();
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /** {@code root/name/} with .host/ and a link into it for every entry of the real directory that {@code replaced} does not claim. */
    private static Path view(Path root, String name, java.util.function.Predicate<String> replaced) throws IOException {
        Path view = Files.createDirectory(root.resolve(name));
        Files.createDirectory(view.resolve(".host"));
        Path real = REPLACED.get(name);
        for (String entry : names(real)) {
            if (replaced.test(entry)) continue;
            Path original = real.resolve(entry);
            // a link there (/sys/block/vda -> ../devices/...) points to where it leads, as a relative
            // link would resolve against the view; anything else is reached through .host
            Path target = Files.isSymbolicLink(original)
                    ? real.resolve(Files.readSymbolicLink(original)).normalize() : Path.of(".host", entry);
            Files.createSymbolicLink(view.resolve(entry), target);
        }
        return view;
    }

    /** Removes the views (links are removed, never followed). */
    static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("procsys: could not remove " + root + ": " + e.getMessage());
        }
    }
}
