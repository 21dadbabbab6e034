package dev.litestack.replicator.follow;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.Litestream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a follow test: a primary written in transactions of {@link #ROWS} rows that share a
 * transaction id, a {@code restore -f} child process, and a {@code sqlite3 -readonly} reader loop
 * (another process) that records, for each read, the row count and the number of transactions
 * seen with a wrong row count (which only a half-applied transaction could show).
 */
final class FollowHarness {

    static final int ROWS = 25;

    private FollowHarness() {}

    /** Creates the primary (WAL mode) with its table. */
    static void createPrimary(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, txn INTEGER NOT NULL, body TEXT)");
        }
    }

    /** Creates the primary {@code db} and starts {@code litestream replicate} to a file replica (100 ms syncs). */
    static Litestream.Running litestreamPrimary(Path dir, Path db, Path replica, String... replicaSettings)
            throws Exception {
        createPrimary(db);
        Litestream litestream = new Litestream(dir, java.util.Map.of());
        List<String> settings = new java.util.ArrayList<>(
                List.of("type: file", "path: " + Litestream.quote(replica.toString()), "sync-interval: 100ms"));
        settings.addAll(List.of(replicaSettings));
        return litestream.replicate(Litestream.writeConfig(
                dir.resolve("litestream.yml"), db, List.of("min-checkpoint-page-count: 8"), settings));
    }

    /** Waits until the file replica has its first generation, with a snapshot. */
    static void awaitGeneration(Path replica) {
        await("first generation")
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> {
                    try (var gens = Files.list(replica.resolve("generations"))) {
                        List<Path> g = gens.toList();
                        try (var snaps = Files.list(g.get(0).resolve("snapshots"))) {
                            return g.size() == 1
                                    && snaps.anyMatch(p -> p.toString().endsWith(".snapshot.lz4"));
                        }
                    }
                });
    }

    /** Writes transactions {@code from..to} (inclusive), each {@link #ROWS} rows with the same txn id. */
    static void write(Path db, int from, int to) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout=10000");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO t(txn, body) VALUES (?, hex(randomblob(200)))")) {
                for (int k = from; k <= to; k++) {
                    for (int i = 0; i < ROWS; i++) {
                        ps.setInt(1, k);
                        ps.executeUpdate();
                    }
                    c.commit();
                }
            }
        }
    }

    /** The count of rows in {@code out}, read as a reader would (read-only), after an integrity check. */
    static long rows(Path out) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + out + "?mode=ro");
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=10000");
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Waits until a read-only reader of {@code out} sees {@code rows} rows. */
    static void awaitRows(Path out, long rows, Duration within) {
        await("output has " + rows + " rows")
                .atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> rows(out) == rows);
    }

    /** As {@link #awaitRows(Path, long, Duration)}; a timeout shows the follower's log. */
    static void awaitRows(Path out, long rows, Duration within, FollowerProcess follower) throws IOException {
        try {
            awaitRows(out, rows, within);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nrestore -f log:\n" + follower.log(), e);
        }
    }

    /** A {@code sqlite3 -readonly} loop on {@code out}, writing one line per read to {@code log}. */
    record Reader(Process process, Path log, Path stopFile) {

        static Reader start(Path out, Path dir) throws IOException {
            Path log = dir.resolve("reader.log");
            Path stop = dir.resolve("reader.stop");
            Files.deleteIfExists(stop);
            String sql =
                    "SELECT count(*) || ' ' || (SELECT count(*) FROM (SELECT txn FROM t GROUP BY txn HAVING count(*) != "
                            + ROWS + ")) FROM t;";
            String script = "while [ ! -e '" + stop + "' ]; do sqlite3 -readonly -cmd '.timeout 10000' '" + out + "' \""
                    + sql + "\"; sleep 0.02; done";
            Process p = new ProcessBuilder("bash", "-c", script)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new Reader(p, log, stop);
        }

        /** Stops the loop and checks every read: whole transactions only. Returns the number of reads. */
        int stopAndCheck() throws Exception {
            Files.createFile(stopFile);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "reader loop did not stop");
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            Pattern p = Pattern.compile("(\\d+) (\\d+)");
            for (String l : lines) {
                Matcher m = p.matcher(l);
                assertTrue(
                        m.matches(),
                        "reader saw an error or garbage: " + l + "\nall reads:\n" + String.join("\n", lines));
                assertEquals("0", m.group(2), "reader saw a partial transaction: " + l);
                assertEquals(0, Long.parseLong(m.group(1)) % ROWS, "reader saw a partial transaction: " + l);
            }
            Files.delete(stopFile);
            return lines.size();
        }
    }

    /** {@code restore -f} as a child process; its log goes to {@code dir}/cli.err. */
    record FollowerProcess(Process process, Path dir) {

        static FollowerProcess start(Path dir, String... args) throws IOException {
            Files.createDirectories(dir);
            return new FollowerProcess(Cli.start(dir, args), dir);
        }

        String log() throws IOException {
            return Cli.output(dir);
        }

        /** The port of its {@code -addr} listener, once it logs it. */
        int metricsPort() {
            Pattern p = Pattern.compile("serving metrics.*port=(\\d+)");
            int[] port = new int[1];
            await("metrics port").atMost(Duration.ofSeconds(60)).until(() -> {
                Matcher m = p.matcher(log());
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            });
            return port[0];
        }

        /** SIGTERM; returns the exit code. */
        int terminate() throws Exception {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("restore -f did not stop on SIGTERM:\n" + log());
            }
            return process.exitValue();
        }
    }
}
