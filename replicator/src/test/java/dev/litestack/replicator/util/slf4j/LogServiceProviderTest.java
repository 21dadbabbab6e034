package dev.litestack.replicator.util.slf4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Library logging (the AWS SDK's, through SLF4J) comes out in the replicator's own format and level. */
class LogServiceProviderTest {

    private final Log before = Log.get();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Log.configure(before);
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private Logger sdkLogger(Log.Level level, boolean json) {
        Log.configure(new Log(level, json, new PrintStream(out, true, StandardCharsets.UTF_8)));
        return LoggerFactory.getLogger("software.amazon.awssdk.core.RetryTest");
    }

    @Test
    void slf4jFindsOurProviderAndWritesJsonLines() {
        Logger l = sdkLogger(Log.Level.INFO, true);
        assertInstanceOf(LogAdapter.class, l, "the only SLF4J provider on the class path is ours");
        l.warn("retrying {} after {}", "PutObject", "503", new java.io.IOException("connection reset"));
        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        String line = lines.get(0);
        assertTrue(line.startsWith("{\"time\":\""), line);
        assertTrue(line.contains("\"level\":\"WARN\",\"msg\":\"retrying PutObject after 503\""), line);
        assertTrue(line.contains("\"logger\":\"software.amazon.awssdk.core.RetryTest\""), line);
        assertTrue(line.contains("\"error\":\"connection reset\""), line);
        assertFalse(line.contains("\"stack\""), "no stack trace below debug: " + line);
    }

    @Test
    void levelsFollowTheReplicatorsLevel() {
        Logger l = sdkLogger(Log.Level.WARN, false);
        l.info("not shown");
        l.error("shown");
        assertEquals(1, lines().size(), lines().toString());
        assertTrue(
                lines().get(0).contains("level=ERROR msg=shown logger=software.amazon.awssdk.core.RetryTest"),
                lines().get(0));
    }

    @Test
    void libraryDebugStaysOffEvenAtDebugButStackTracesShow() {
        Logger l = sdkLogger(Log.Level.DEBUG, false);
        assertFalse(l.isDebugEnabled());
        l.debug("wire: GET /bucket");
        l.trace("wire: headers");
        assertTrue(lines().isEmpty(), lines().toString());
        l.error("request failed", new IllegalStateException("boom"));
        String line = lines().get(0);
        assertTrue(line.contains("error=boom stack=\"java.lang.IllegalStateException: boom\\n\\tat "), line);
    }
}
