package dev.litestack.replicator.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.sqlite.SQLiteConfig;

/**
 * An application writing a mix of transactions to a WAL database: mostly one small row, sometimes
 * a batch of rows spanning many pages, sometimes a blob of 20-60 KB (overflow pages). Row ids of
 * table {@code t} are dense, so "rows 0..k-1" describes every committed state; a blob row of
 * table {@code big} carries the id of the first {@code t} row of its transaction.
 */
public final class Workload implements AutoCloseable {

    /** What a database holds: the ids of {@code t} and a digest over {@code t} and {@code big}. */
    public record Content(List<Integer> ids, List<Integer> blobIds, String digest) {

        public int rows() {
            return ids.size();
        }

        /** Asserts rows 0..k-1 with no holes, {@code min <= k <= max}, and no blob past them. */
        public void assertPrefix(int min, int max, String what) {
            int k = ids.size();
            assertEquals(AppDb.range(0, k), ids, what + ": rows are not a dense prefix");
            assertTrue(k >= min && k <= max, what + ": " + k + " rows, expected between " + min + " and " + max);
            assertTrue(blobIds.stream().allMatch(id -> id < k), what + ": a blob outlives its rows");
        }
    }

    private final Path path;
    private final Random random;
    private Connection conn;
    private volatile int committed;
    private int transactions;

    public Workload(Path path, long seed) throws SQLException {
        this.path = path;
        this.random = new Random(seed);
        open();
        exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        exec("CREATE TABLE IF NOT EXISTS big (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
    }

    private void open() throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(10_000);
        conn = cfg.createConnection("jdbc:sqlite:" + path);
    }

    /** Rows {@code 0..committed()-1} of {@code t} are committed. */
    public int committed() {
        return committed;
    }

    public int transactions() {
        return transactions;
    }

    /** Commits one transaction of a randomly chosen kind. */
    public void step() throws SQLException {
        int r = random.nextInt(100);
        if (r < 82) {
            transaction(1, 0);
        } else if (r < 94) {
            transaction(30 + random.nextInt(170), 0);
        } else {
            transaction(1 + random.nextInt(4), 20_000 + random.nextInt(40_000));
        }
    }

    /** Commits transactions until {@code duration} has passed or {@code maxTransactions} were made. */
    public int runFor(Duration duration, int maxTransactions) throws SQLException {
        long end = System.nanoTime() + duration.toNanos();
        int n = 0;
        while (n < maxTransactions && System.nanoTime() < end) {
            step();
            n++;
        }
        return n;
    }

    private void transaction(int rows, int blobBytes) throws SQLException {
        int first = committed;
        conn.setAutoCommit(false);
        try {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                for (int i = first; i < first + rows; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, AppDb.value(i));
                    ps.executeUpdate();
                }
            }
            if (blobBytes > 0) {
                try (PreparedStatement ps =
                        conn.prepareStatement("INSERT INTO big (id, b) VALUES (?, randomblob(?))")) {
                    ps.setInt(1, first);
                    ps.setInt(2, blobBytes);
                    ps.executeUpdate();
                }
            }
            conn.commit();
            committed = first + rows;
            transactions++;
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    public void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * Runs {@code PRAGMA wal_checkpoint(mode)} with a short busy timeout and returns SQLite's row
     * (busy, log frames, checkpointed frames), or null if SQLite refused with SQLITE_BUSY.
     */
    public int[] checkpoint(String mode, int busyTimeoutMs) throws SQLException {
        exec("PRAGMA busy_timeout = " + busyTimeoutMs);
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            return new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)};
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("BUSY")
                    || String.valueOf(e.getMessage()).contains("locked")) {
                return null;
            }
            throw e;
        } finally {
            exec("PRAGMA busy_timeout = 10000");
        }
    }

    /** Closes the connection (the last one out checkpoints and deletes the WAL) and opens a new one. */
    public void reopen() throws SQLException {
        conn.close();
        open();
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }

    /** Reads a restored (or otherwise closed) database file without touching it. */
    public static Content readImmutable(Path db) throws SQLException {
        return read("jdbc:sqlite:" + db.toUri() + "?immutable=1");
    }

    /** Reads a live database through SQLite, WAL included. */
    public static Content readLive(Path db) throws SQLException {
        return read("jdbc:sqlite:" + db);
    }

    private static Content read(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1), "integrity_check of " + url);
            }
            MessageDigest md = sha256();
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id, v FROM t ORDER BY id")) {
                while (rs.next()) {
                    int id = rs.getInt(1);
                    assertEquals(AppDb.value(id), rs.getString(2), "value of row " + id + " in " + url);
                    ids.add(id);
                    md.update(ByteBuffer.allocate(4).putInt(id).array());
                    md.update(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                }
            }
            List<Integer> blobIds = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id, b FROM big ORDER BY id")) {
                while (rs.next()) {
                    blobIds.add(rs.getInt(1));
                    md.update(ByteBuffer.allocate(4).putInt(rs.getInt(1)).array());
                    md.update(rs.getBytes(2));
                }
            }
            return new Content(ids, blobIds, HexFormat.of().formatHex(md.digest()));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
