package io.procsys.fuse;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The version --version prints from the library's file name is the one the library reports. */
class FuseVersionTest {
    @Test
    void theLoadedFilesNameCarriesTheVersionTheLibrarySays() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(Fuse.LIBRARY, arena);
            assertEquals(Fuse.pkgVersion(), Fuse.versionOfLoadedFile());
        }
        assertEquals(Fuse.pkgVersion(), Fuse.libraryVersion());
    }
}
