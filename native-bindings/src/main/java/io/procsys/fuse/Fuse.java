package io.procsys.fuse;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that FUSE can work here before any generated binding class is touched. */
public final class Fuse {
    /** The shared object the generated bindings load (the runtime library, not the -dev symlink). */
    public static final String LIBRARY = "libfuse3.so.3";

    private Fuse() {}

    /** Throws a user-facing FuseException when libfuse3 cannot be loaded. */
    public static void requireLibrary() throws FuseException {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(LIBRARY, arena);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            throw new FuseException("libfuse3 is not installed (" + LIBRARY + " not found): install the fuse3 package, e.g. apt-get install -y fuse3");
        }
    }

    /** Throws a user-facing FuseException when /dev/fuse is missing or cannot be opened. */
    public static void requireDevice() throws FuseException {
        Path dev = Path.of("/dev/fuse");
        if (!Files.exists(dev)) {
            throw new FuseException("/dev/fuse does not exist: load the fuse kernel module (modprobe fuse) or, in a container, pass the device in (--device /dev/fuse)");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            throw new FuseException("/dev/fuse is not accessible to this user: run as root or grant access to /dev/fuse");
        }
    }

    /**
     * The libfuse version string, e.g. "3.14.0": the version in the file name of the library this
     * process loaded (libfuse3.so.3 links to libfuse3.so.3.14.0), else fuse_pkgversion(). The file
     * name spares {@code --version} its only downcall: linking the first one costs ~85 ms of a
     * 0.3 s start.
     */
    public static String libraryVersion() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(LIBRARY, arena); // mapped while the arena lives
            String named = versionOfLoadedFile();
            if (named != null) return named;
        }
        return pkgVersion();
    }

    /** What the library itself says: fuse_pkgversion(). */
    static String pkgVersion() {
        return io.procsys.fuse.bindings.fuse_lowlevel_h.fuse_pkgversion().reinterpret(64).getString(0);
    }

    /** "3.14.0" from the mapped libfuse3.so.3.14.0 of /proc/self/maps, or null (not loaded, or a name without it). */
    static String versionOfLoadedFile() {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(path -> path.startsWith("/") && Path.of(path).getFileName().toString().startsWith(LIBRARY + "."))
                    .map(path -> Path.of(path).getFileName().toString().substring(LIBRARY.length() - 1))
                    .filter(version -> version.matches("3\\.[0-9]+\\.[0-9]+"))
                    .findFirst().orElse(null);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }
}
