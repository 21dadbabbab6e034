package dev.litestack.replicator.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.litestack.replicator.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flags of {@code restore -f} that cannot work get a message and exit code, never a stack trace or a hang. */
class FollowCliTest {

    private static final String NL = System.lineSeparator();
    private static final String URL = "file:///nonexistent/replica";

    @TempDir
    Path dir;

    static Stream<Arguments> badFlags() {
        return Stream.of(
                Arguments.of(
                        new String[] {"restore", "-f", URL},
                        "-f needs -o PATH: the output that readers open (never the primary's database)"),
                Arguments.of(
                        new String[] {"restore", "-f", "-o", "/tmp/x.db", "-timestamp", "2026-01-01T00:00:00Z", URL},
                        "cannot use -timestamp with -f: a point in time does not move"),
                Arguments.of(
                        new String[] {"restore", "-f", "-o", "/tmp/x.db", "-index", "3", URL},
                        "cannot use -index with -f: a fixed WAL index does not move"),
                Arguments.of(
                        new String[] {"restore", "-f", "-o", "/tmp/x.db", "-generation", "0123456789abcdef", URL},
                        "cannot use -generation with -f: it follows the generation a restore picks, and the next one"),
                Arguments.of(
                        new String[] {"restore", "-f", "-o", "/tmp/x.db", "-if-db-not-exists", URL},
                        "cannot use -if-db-not-exists with -f: an existing output written by -f is resumed"),
                Arguments.of(
                        new String[] {"restore", "-follow-interval", "1s", "-o", "/tmp/x.db", URL},
                        "-follow-interval only goes with -f (follow)"),
                Arguments.of(
                        new String[] {"restore", "-addr", ":9090", "-o", "/tmp/x.db", URL},
                        "-addr only goes with -f (follow)"),
                Arguments.of(
                        new String[] {"restore", "-f", "-follow-interval", "0s", "-o", "/tmp/x.db", URL},
                        "invalid -follow-interval 0s: must be greater than 0"),
                Arguments.of(
                        new String[] {"restore", "-f", "-follow-interval", "soon", "-o", "/tmp/x.db", URL},
                        "invalid -follow-interval soon: want a duration such as 500ms, 1s or 1m"),
                Arguments.of(
                        new String[] {"restore", "-f", "-addr", "localhost", "-o", "/tmp/x.db", URL},
                        "invalid -addr localhost: want HOST:PORT such as :9090 or 127.0.0.1:9090"));
    }

    @ParameterizedTest
    @MethodSource("badFlags")
    void badFlagsAreUsageErrors(String[] args, String message) {
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.code(), r.toString());
        assertEquals("error: " + message + NL, r.err());
    }

    @Test
    void anOutputNotWrittenByFollowIsRefusedUntouched() throws Exception {
        Path out = dir.resolve("app.db");
        Files.writeString(out, "mine");
        Files.createDirectories(dir.resolve("rep"));
        Cli.Result r = Cli.run("restore", "-f", "-o", out.toString(), "file://" + dir.resolve("rep"));
        assertEquals(1, r.code(), r.toString());
        assertEquals(
                "error: restore -f failed: output path already exists and was not written by restore -f (no "
                        + "app.db.follow beside it): " + out + "; remove it or choose another -o" + NL,
                r.err());
        assertEquals("mine", Files.readString(out));
    }

    @Test
    void aHotJournalLeftWhereTheOutputWillBeIsRefused() throws Exception {
        Path out = dir.resolve("app.db");
        Path journal = dir.resolve("app.db-journal");
        Files.write(journal, FollowedDb.JOURNAL_MAGIC);
        Files.createDirectories(dir.resolve("rep"));
        Cli.Result r = Cli.run("restore", "-f", "-o", out.toString(), "file://" + dir.resolve("rep"));
        assertEquals(1, r.code(), r.toString());
        assertEquals(
                "error: restore -f failed: cannot restore to " + out + ": " + journal + " is left from an earlier "
                        + "database, and SQLite would apply it to the restored one; move it away or delete it first"
                        + NL,
                r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void theConfigsOwnDatabaseIsRefusedAsOutput() throws Exception {
        Path db = dir.resolve("app.db");
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(
                cfg,
                "dbs:\n  - path: " + db + "\n    replicas:\n      - type: file\n        path: " + dir.resolve("rep")
                        + "\n");
        Cli.Result r = Cli.run("restore", "-f", "-config", cfg.toString(), "-o", db.toString(), db.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals("error: -o " + db + " is the primary database of the config: -f needs another path" + NL, r.err());
    }

    @Test
    void noBackupIsAnError() throws Exception {
        Files.createDirectories(dir.resolve("rep"));
        Path out = dir.resolve("app.db");
        Cli.Result r = Cli.run("restore", "-f", "-o", out.toString(), "file://" + dir.resolve("rep"));
        assertEquals(1, r.code(), r.toString());
        assertEquals("error: restore -f failed: no matching backups found" + NL, r.err());
        assertFalse(Files.exists(out));
    }
}
