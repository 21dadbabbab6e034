package dev.litestack.replicator.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplacesTheWholeFile() throws Exception {
        Path f = dir.resolve("generation");
        AtomicFiles.write(f, "a-long-first-content\n".getBytes());
        assertEquals("a-long-first-content\n", Files.readString(f));
        long n = AtomicFiles.write(f, out -> out.write("short\n".getBytes()));
        assertEquals(6, n);
        assertEquals("short\n", Files.readString(f), "replaced whole, no leftover tail");
        assertEquals(List.of("generation"), names(), "no temp file left");
    }

    @Test
    void createsMissingFolders() throws Exception {
        Path f = dir.resolve("a/b/c/00000000.snapshot.lz4");
        assertEquals(3, AtomicFiles.write(f, new ByteArrayInputStream(new byte[] {1, 2, 3})));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    }

    @Test
    void aFailingBodyLeavesTheOldFileAndNoTemp() throws Exception {
        Path f = dir.resolve("generation");
        AtomicFiles.write(f, "old\n".getBytes());
        IOException boom = new IOException("disk full");
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write("half of the new cont".getBytes());
                    throw boom;
                }));
        assertSame(boom, e);
        assertEquals("old\n", Files.readString(f));
        assertEquals(List.of("generation"), names());
    }

    /** A full disk's error names the file (the JDK's "No space left on device" names none). */
    @Test
    void aFullDiskNamesTheFileThatCouldNotBeWritten() throws Exception {
        Path f = dir.resolve("00000001_00000000.wal.lz4");
        IOException full = new IOException("No space left on device");
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write(1);
                    throw full;
                }));
        assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
        assertSame(full, e.getCause());
        assertEquals(List.of(), names(), "neither target nor temp exists");
    }

    @Test
    void aRuntimeFailureAlsoCleansUp() throws Exception {
        Path f = dir.resolve("x");
        assertThrows(
                IllegalStateException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write(1);
                    throw new IllegalStateException("bug");
                }));
        assertEquals(List.of(), names(), "neither target nor temp exists");
    }

    @Test
    void aStaleTempFromACrashIsOverwritten() throws Exception {
        Path f = dir.resolve("x");
        Files.writeString(dir.resolve("x.tmp"), "stale content from a crash, longer than the new one");
        AtomicFiles.write(f, "new".getBytes());
        assertEquals("new", Files.readString(f));
        assertEquals(List.of("x"), names());
    }

    @Test
    void renameMoves() throws Exception {
        Path a = dir.resolve("a.tmp");
        Files.writeString(a, "data");
        Path b = dir.resolve("b");
        Files.writeString(b, "old");
        AtomicFiles.rename(a, b);
        assertEquals("data", Files.readString(b));
        assertEquals(List.of("b"), names());
    }

    @Test
    void writeSharedReplacesTheFileThroughATempFileOfItsOwn() throws Exception {
        Path target = dir.resolve("sub").resolve("lib.so");
        Files.createDirectories(target.getParent());
        Files.writeString(target.resolveSibling("lib.so.tmp"), "another writer's temp file");
        AtomicFiles.writeShared(target, new ByteArrayInputStream("first".getBytes()));
        AtomicFiles.writeShared(target, new ByteArrayInputStream("second".getBytes()));
        assertEquals("second", Files.readString(target));
        assertEquals("another writer's temp file", Files.readString(target.resolveSibling("lib.so.tmp")));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(
                    List.of("lib.so", "lib.so.tmp"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
