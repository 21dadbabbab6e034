package dev.litestack.replicator.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;

class NativeLibrariesTest {

    @TempDir
    Path root;

    private static byte[] libraryInJar(String platform) throws Exception {
        try (InputStream in =
                SQLiteJDBCLoader.class.getResourceAsStream("/org/sqlite/native/" + platform + "/libsqlitejdbc.so")) {
            return in.readAllBytes();
        }
    }

    @Test
    void copiesSqliteLibraryOnceIntoAFolderOfItsVersionAndPlatform() throws Exception {
        Optional<String> platform = NativeLibraries.platformFolder();
        assumeTrue(platform.isPresent(), "glibc Linux on x86_64/aarch64 only");

        Path dir = NativeLibraries.cachedSqliteLibrary(root).orElseThrow();
        String version = SQLiteJDBCLoader.getVersion();
        assertEquals(
                root.resolve("sqlite-jdbc-" + version).resolve(platform.get().replace('/', '-')), dir);
        Path lib = dir.resolve("libsqlitejdbc.so");
        assertArrayEquals(libraryInJar(platform.get()), Files.readAllBytes(lib));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(lib), s.toList(), "no temp file left");
        }

        // the next start finds it and does not write it again
        FileTime marked = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(lib, marked);
        assertEquals(Optional.of(dir), NativeLibraries.cachedSqliteLibrary(root));
        assertEquals(marked, Files.getLastModifiedTime(lib));
    }

    @Test
    void aCacheFolderThatCannotBeWrittenLeavesSqliteJdbcItsOwnWay() throws Exception {
        assumeTrue(NativeLibraries.platformFolder().isPresent(), "glibc Linux on x86_64/aarch64 only");
        Path notAFolder = Files.writeString(root.resolve("file"), "x");
        assertEquals(Optional.empty(), NativeLibraries.cachedSqliteLibrary(notAFolder));
        assertTrue(Files.isRegularFile(notAFolder));
    }

    @Test
    void cacheRootIsUnderTheUsersCacheFolder() {
        Path r = NativeLibraries.cacheRoot().orElseThrow();
        assertEquals("litestack-replicator", r.getFileName().toString());
        assertTrue(r.isAbsolute());
    }
}
