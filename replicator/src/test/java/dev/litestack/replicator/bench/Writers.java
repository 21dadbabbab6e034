package dev.litestack.replicator.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.sqlite.SQLiteConfig;

/** The application side of the benchmark: SQLite writers running in the bench JVM. */
final class Writers {

    /** What a writer did: committed transactions, the last committed row id, errors and seconds. */
    record Result(long txns, long lastId, long errors, double seconds, double stalledSeconds) {
        double rate() {
            return txns / seconds;
        }
    }

    private static final String FILLER =
            "the quick brown fox jumps over the lazy dog; ".repeat(3).substring(0, 100);

    private Writers() {}

    /** A connection as an app would open it: WAL, synchronous=NORMAL, a busy timeout, autocommit. */
    static Connection open(Path db) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(10_000);
        Connection c = cfg.createConnection("jdbc:sqlite:" + db.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        }
        return c;
    }

    /** A ~200-byte value: 100 random hex characters and 100 of repetitive text. */
    static String value() {
        byte[] b = new byte[50];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b) + FILLER;
    }

    /**
     * Inserts one row per transaction as fast as possible for {@code d}; every {@code checkpointEvery}
     * commits (0 = never) also runs the app's own {@code PRAGMA wal_checkpoint(PASSIVE)}.
     */
    static Result maxRate(Path db, Duration d, int checkpointEvery) throws SQLException {
        try (Connection c = open(db);
                PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)");
                Statement ck = c.createStatement()) {
            long t0 = System.nanoTime();
            long end = t0 + d.toNanos();
            long n = 0;
            long errors = 0;
            long stalled = 0;
            while (System.nanoTime() < end) {
                ps.setString(1, value());
                try {
                    long s0 = System.nanoTime();
                    ps.executeUpdate();
                    long took = System.nanoTime() - s0;
                    if (took > 1_000_000) {
                        stalled += took; // a commit that waited (busy handler, fsync, I/O) for over 1 ms
                    }
                    n++;
                } catch (SQLException e) {
                    errors++;
                }
                if (checkpointEvery > 0 && n % checkpointEvery == 0) {
                    // the result set must be closed: an open statement would keep the connection
                    // inside one transaction, and none of the following INSERTs would commit
                    try (var rs = ck.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                        rs.next();
                    } catch (SQLException e) {
                        errors++;
                    }
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(n, maxId(c), errors, secs, stalled / 1e9);
        }
    }

    /** The highest row id this connection sees: with one writer and no deletes, the last committed row. */
    private static long maxId(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM t")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Inserts {@code perSecond} single-row transactions a second, evenly spaced, for {@code d}. */
    static Result steady(Path db, double perSecond, Duration d) throws SQLException, InterruptedException {
        try (Connection c = open(db);
                PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
            long t0 = System.nanoTime();
            long step = (long) (1e9 / perSecond);
            long n = 0;
            while (System.nanoTime() - t0 < d.toNanos()) {
                ps.setString(1, value());
                ps.executeUpdate();
                n++;
                long wait = t0 + n * step - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            return new Result(n, maxId(c), 0, (System.nanoTime() - t0) / 1e9, 0);
        }
    }

    /**
     * Grows a database to about {@code bytes} with ~1 KiB rows (half random hex, half repetitive
     * text, so LZ4 compresses it moderately), then checkpoints and truncates its WAL.
     */
    static void fill(Path db, long bytes) throws SQLException {
        try (Connection c = open(db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA synchronous=OFF");
            c.setAutoCommit(false);
            String filler = FILLER.repeat(5);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                long rows = bytes / 1060;
                byte[] b = new byte[250];
                for (long i = 0; i < rows; i++) {
                    ThreadLocalRandom.current().nextBytes(b);
                    ps.setString(1, HexFormat.of().formatHex(b) + filler);
                    ps.executeUpdate();
                    if (i % 20_000 == 19_999) {
                        c.commit();
                    }
                }
            }
            c.commit();
            c.setAutoCommit(true);
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    /** Number of rows with {@code id <= lastId} in a (restored) database, read-only. */
    static long countUpTo(Path db, long lastId) throws SQLException {
        try (Connection c =
                        java.sql.DriverManager.getConnection("jdbc:sqlite:file:" + db.toAbsolutePath() + "?mode=ro");
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM t WHERE id <= ?")) {
            ps.setLong(1, lastId);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
