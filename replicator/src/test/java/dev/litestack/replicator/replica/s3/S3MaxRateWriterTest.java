package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.testing.AppDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app that commits as fast as it can, with its own automatic checkpoints after every commit
 * (which restart the WAL whenever nothing holds it), while the replicator ships to s3proxy: the replicator's checkpoints (the backfill without the write lock, the hand-over of the
 * read transaction between its two readers, the write-locked tail) must keep restarting the WAL,
 * so it stays bounded, and must never let SQLite restart it over a frame not yet copied: one
 * generation throughout, and the restore holds every committed row.
 */
@Tag("integration")
class S3MaxRateWriterTest {

    @TempDir
    Path dir;

    @Test
    void checkpointsKeepRestartingTheWalAndLoseNothingUnderAMaxRateWriter() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start()) {
            S3Settings settings = server.settings(server.createBucket(), "app");
            try (S3ReplicationHarness h = new S3ReplicationHarness(dir, settings, 1000)) {
                Database db = h.replica().db();
                Pos first = db.position();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger committed = new AtomicInteger();
                AtomicReference<Exception> failure = new AtomicReference<>();
                Thread writer = new Thread(() -> writeUntil(h.app, stop, committed, failure), "max-rate-writer");
                writer.start();
                try {
                    await("three WAL restarts while the app writes at full speed")
                            .atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(50))
                            .until(() -> failure.get() != null || db.position().index() >= first.index() + 3);
                } finally {
                    stop.set(true);
                    writer.join();
                }
                assertNull(failure.get(), () -> "the app failed: " + failure.get());
                Pos last = db.position();
                assertEquals(first.generation(), last.generation(), "no new generation: " + h.logLines("generation"));
                assertTrue(last.index() >= first.index() + 3, "the WAL restarted: " + first + " -> " + last);
                assertTrue(committed.get() > 1000, "the app committed " + committed.get() + " rows");

                h.service.syncAll(Duration.ofSeconds(60));
                assertEquals(db.position(), h.replica().position());
                Path restored = h.restore("restored.db");
                assertEquals(AppDb.range(0, committed.get()), AppDb.ids(restored));
                assertEquals("ok", integrityCheck(restored));
            }
        }
    }

    /** Inserts rows 0, 1, 2, ... one transaction each, as fast as it can, until {@code stop}. */
    private static void writeUntil(
            AppDb app, AtomicBoolean stop, AtomicInteger committed, AtomicReference<Exception> failure) {
        Connection c = app.connection();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
            while (!stop.get()) {
                int i = committed.get();
                ps.setInt(1, i);
                ps.setString(2, AppDb.value(i));
                ps.executeUpdate();
                committed.set(i + 1);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private static String integrityCheck(Path db) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
