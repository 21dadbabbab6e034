package dev.litestack.replicator.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The output's change protocol against crashes: at each step of {@link FollowedDb#apply} the files
 * are copied as a crash would leave them, and SQLite (the JDBC driver and the real {@code sqlite3}
 * shell) must find the old state or the new one, whole, passing integrity_check.
 */
@Tag("integration")
class FollowedDbCrashTest {

    @TempDir
    Path dir;

    /** Builds a database of {@code rows} rows in rollback-journal mode, as the follower keeps it. */
    private Path database(String name, int rows) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, txn INTEGER, body TEXT)");
            st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<" + rows + ") "
                    + "INSERT INTO t(txn, body) SELECT " + rows + ", hex(randomblob(300)) FROM n");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            st.execute("PRAGMA journal_mode=DELETE");
        }
        FollowedDb.toRollbackMode(db);
        return db;
    }

    private static long rows(Path db, String mode) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + mode);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1), "integrity_check of " + db);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String sqlite3(Path db, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("sqlite3"));
        cmd.addAll(java.util.List.of(args));
        cmd.add(db.toString());
        cmd.add("SELECT count(*) FROM t; PRAGMA integrity_check;");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out.trim();
    }

    /** Applies the bigger database's pages to the smaller one (and back), stopping at {@code step}. */
    @ParameterizedTest
    @EnumSource(FollowedDb.Step.class)
    void aCrashAtEachStepLeavesTheOldOrTheNewStateWhole(FollowedDb.Step step) throws Exception {
        for (int[] sizes : new int[][] {{50, 400}, {400, 50}}) {
            Path out = database("out-" + sizes[0] + ".db", sizes[0]);
            Path next = database("next-" + sizes[1] + ".db", sizes[1]);
            Path crash = Files.createDirectories(dir.resolve("crash-" + step + "-" + sizes[0]));
            Path copy = crash.resolve("out.db");
            try (FollowedDb db = FollowedDb.open(out, Duration.ofSeconds(5));
                    FileChannel src = FileChannel.open(next, StandardOpenOption.READ)) {
                db.faultHook(s -> {
                    if (s == step) {
                        Files.copy(out, copy);
                        Path j = FollowedDb.journalOf(out);
                        if (Files.exists(j)) {
                            Files.copy(j, FollowedDb.journalOf(copy));
                        }
                    }
                });
                db.apply(PageBatch.wholeFile(src, db.pageSize()));
            }
            boolean committed = step == FollowedDb.Step.JOURNAL_DELETED;
            assertEquals(!committed, Files.exists(FollowedDb.journalOf(copy)), "journal left by a crash at " + step);
            assertFalse(Files.exists(FollowedDb.journalOf(out)), "journal after a finished change");
            assertEquals(sizes[1], rows(out, ""), "the finished change");
            if (!committed) {
                // a read-only reader refuses a hot journal instead of reading half a change
                String ro = sqlite3(copy, "-readonly");
                assertFalse(ro.startsWith(sizes[0] + "\nok") || ro.startsWith(sizes[1] + "\nok"), ro);
                // a second copy checks the JDBC driver's rollback too
                Path copy2 = crash.resolve("out2.db");
                Files.copy(copy, copy2);
                Files.copy(FollowedDb.journalOf(copy), FollowedDb.journalOf(copy2));
                assertEquals(sizes[0], rows(copy2, ""), "JDBC read-write open after a crash at " + step);
                assertFalse(Files.exists(FollowedDb.journalOf(copy2)));
            }
            // the real sqlite3 shell, read-write, rolls a hot journal back: the old state whole
            assertEquals((committed ? sizes[1] : sizes[0]) + "\nok", sqlite3(copy), "sqlite3 after a crash at " + step);
            assertFalse(Files.exists(FollowedDb.journalOf(copy)));
        }
    }

    @Test
    void everyChangeMovesTheCounterThatReadersCompare() throws Exception {
        Path out = database("out.db", 10);
        Path next = database("next.db", 20);
        int before = header(out).getInt(24);
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:file:" + out + "?mode=ro");
                Statement st = reader.createStatement()) {
            assertEquals(10, count(st));
            try (FollowedDb db = FollowedDb.open(out, Duration.ofSeconds(5));
                    FileChannel src = FileChannel.open(next, StandardOpenOption.READ)) {
                db.apply(PageBatch.wholeFile(src, db.pageSize()));
            }
            // the same long-lived read-only connection sees the new state
            assertEquals(20, count(st));
        }
        ByteBuffer h = header(out);
        assertNotEquals(before, h.getInt(24));
        assertEquals(h.getInt(24), h.getInt(92));
        assertEquals(1, h.get(18));
        assertEquals(1, h.get(19));
        assertEquals(Files.size(out) / 4096, h.getInt(28));
        assertFalse(Files.exists(out.resolveSibling("out.db-wal")));
    }

    private static long count(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ByteBuffer header(Path db) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(db), 0, 100);
    }
}
