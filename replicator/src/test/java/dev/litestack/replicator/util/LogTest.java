package dev.litestack.replicator.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class LogTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private String logError(Log.Level level, Throwable e) {
        new Log(level, false, new PrintStream(out, true, StandardCharsets.UTF_8))
                .error("replica sync failed", "db", "/data/app.db", "error", e);
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void anExceptionIsItsDescriptionAndAtDebugItsStackTrace() {
        IOException e = new IOException("put s3://b/k: connection refused", new NoSuchFileException("/x"));
        String info = logError(Log.Level.INFO, e);
        assertTrue(info.endsWith("db=/data/app.db error=\"put s3://b/k: connection refused\""), info);
        out.reset();
        String debug = logError(Log.Level.DEBUG, e);
        assertTrue(
                debug.contains("error=\"put s3://b/k: connection refused\" stack=\"java.io.IOException: put s3://b/k"),
                debug);
        assertTrue(debug.contains("Caused by: java.nio.file.NoSuchFileException: /x"), debug);
        assertEquals(1, debug.lines().count(), "still one line per event");
    }

    @Test
    void anExceptionWithoutMessageIsNamedByItsType() {
        String line = logError(Log.Level.INFO, new NullPointerException());
        assertTrue(line.endsWith("error=NullPointerException"), line);
        assertFalse(line.contains("null"), line);
    }
}
