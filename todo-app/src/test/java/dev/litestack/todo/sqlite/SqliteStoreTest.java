package dev.litestack.todo.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on a real temp-file WAL database, checked through a second, independent connection. */
class SqliteStoreTest {

    @TempDir
    Path dir;

    private SqliteStore store;
    private Path file;

    @BeforeEach
    void open() {
        file = dir.resolve("cable.db");
        store = SqliteStore.open(
                "cable", StoreSettings.defaults(file).withBusy(Duration.ofMillis(20), Duration.ofSeconds(30)));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Connection second() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM messages")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void insert(Session s, String channel) throws SQLException {
        s.update("insert", channel, "payload", "test", 1L);
    }

    @Test
    void opensInWalModeWithTunedPragmasAndRunsMigrations() {
        store.write(s -> {
            assertEquals("wal", s.pragma("PRAGMA journal_mode"));
            assertEquals("1", s.pragma("PRAGMA synchronous"));
            assertEquals("1", s.pragma("PRAGMA foreign_keys"));
            assertEquals("20", s.pragma("PRAGMA busy_timeout"));
            assertEquals(String.valueOf(128L * 1024 * 1024), s.pragma("PRAGMA mmap_size"));
            assertEquals("1", s.pragma("PRAGMA user_version"));
            return null;
        });
        store.read(s -> {
            assertEquals("1", s.pragma("PRAGMA query_only"));
            assertThrows(SQLException.class, () -> insert(s, "x"), "readers are read-only");
            return null;
        });
    }

    @Test
    void reopeningDoesNotRerunMigrationsAndKeepsData() throws SQLException {
        store.write(s -> {
            insert(s, "a");
            return null;
        });
        store.close();
        store = SqliteStore.open("cable", StoreSettings.defaults(file));
        assertEquals(1L, (long) store.read(s -> s.queryLong("count")));
        try (Connection c = second()) {
            assertEquals(1L, count(c));
        }
    }

    @Test
    void writesAreInvisibleToOtherConnectionsUntilCommit() throws SQLException {
        try (Connection other = second()) {
            store.write(s -> {
                insert(s, "a");
                assertEquals(0L, count(other), "uncommitted row must not be visible to a second connection");
                assertEquals(
                        1L, (long) store.read(r -> r.queryLong("count")), "a read inside the write sees its own rows");
                return null;
            });
            assertEquals(1L, count(other));
        }
    }

    @Test
    void failedWriteRollsBackAndSkipsAfterCommitHooks() throws SQLException {
        List<String> ran = new ArrayList<>();
        assertThrows(
                IllegalStateException.class,
                () -> store.write(s -> {
                    insert(s, "a");
                    store.afterCommit(() -> ran.add("rolled-back"));
                    throw new IllegalStateException("boom");
                }));
        store.write(s -> {
            insert(s, "b");
            store.afterCommit(() -> ran.add("committed:" + store.inTransaction()));
            assertTrue(ran.isEmpty(), "hook must wait for the commit");
            return null;
        });
        assertEquals(List.of("committed:false"), ran);
        try (Connection c = second()) {
            assertEquals(1L, count(c));
        }
        store.afterCommit(() -> ran.add("no transaction: now"));
        assertEquals("no transaction: now", ran.get(1));
    }

    /**
     * Work after the commit (a job enqueued in another file, say) that fails does not make the committed write look
     * failed: its caller would answer an error and retry it, and write it twice. The hooks after it still run.
     */
    @Test
    void aFailingHookAfterTheCommitDoesNotFailTheCommittedWrite() throws SQLException {
        List<String> ran = new ArrayList<>();
        String result = store.write(s -> {
            insert(s, "a");
            store.afterCommit(() -> {
                throw new IllegalStateException("job queue is closed");
            });
            store.afterCommit(() -> ran.add("next hook"));
            return "written";
        });
        assertEquals("written", result);
        assertEquals(List.of("next hook"), ran);
        try (Connection c = second()) {
            assertEquals(1L, count(c));
        }
    }

    @Test
    void writeWaitsForAnotherProcessWriterInsteadOfFailingWithBusy() throws Exception {
        try (Connection other = second();
                Statement st = other.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO messages (channel, payload, origin, created_at) VALUES ('x', 'y', 'other', 1)");
            CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> store.write(s -> {
                insert(s, "mine");
                return s.queryLong("count");
            }));
            assertFalse(write.isDone(), "the write cannot finish while another connection holds the write lock");
            st.execute("COMMIT");
            assertEquals(2L, write.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void nestedWritesJoinTheOuterTransaction() throws SQLException {
        assertThrows(
                IllegalStateException.class,
                () -> store.write(s -> {
                    insert(s, "outer");
                    store.write(inner -> {
                        insert(inner, "inner");
                        return null;
                    });
                    throw new IllegalStateException("undo both");
                }));
        try (Connection c = second()) {
            assertEquals(0L, count(c));
        }
    }

    @Test
    void closedStoreRefusesWork() {
        store.close();
        SqliteStoreException e = assertThrows(SqliteStoreException.class, () -> store.read(s -> 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void checkpointsRunInTheBackgroundNotInCommits() throws Exception {
        store.write(s -> {
            assertEquals(
                    "4000", s.pragma("PRAGMA wal_autocheckpoint"), "commits only checkpoint past 4x the threshold");
            return null;
        });
        long before = java.nio.file.Files.size(file);
        String page = "x".repeat(4000);
        // 300 commits of about two pages each: far below the writer's backstop (4000 pages), past the background
        // checkpointer's trigger (1000 / 4 = 250 commits). Only a checkpoint writes pages into the database file.
        for (int i = 0; i < 300; i++) {
            store.write(s -> s.update("insert", "c", page, "test", 1L));
        }
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> java.nio.file.Files.size(file) > before + 250L * 4096);
    }
}
