package dev.litestack.replicator.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsDescribedInWordsWithItsPath() {
        Path wal = dir.resolve("app.db-wal");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Files.size(wal));
        assertEquals("no such file: " + wal, Log.describe(e));
        IOException wrapped = IoErrors.wrap("cannot read wal", wal, e);
        assertEquals("cannot read wal " + wal + ": no such file", wrapped.getMessage());
        assertSame(e, wrapped.getCause());
    }

    @Test
    void theOperatingSystemsReasonIsKept() throws Exception {
        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> Files.writeString(file.resolve("child"), "y"));
        assertEquals("not a directory", IoErrors.reason(e));
        assertEquals("not a directory: " + file.resolve("child"), Log.describe(e));
    }

    @Test
    void otherExceptionsKeepTheirMessageOrType() {
        assertEquals("boom", Log.describe(new IOException("boom")));
        assertEquals("NullPointerException", Log.describe(new NullPointerException()));
    }
}
