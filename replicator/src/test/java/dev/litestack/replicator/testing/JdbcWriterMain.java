package dev.litestack.replicator.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.sqlite.SQLiteConfig;

/**
 * A writer process for durability tests: opens the database through JDBC, inserts rows
 * {@code FIRST..FIRST+COUNT-1} of table {@code t} one transaction each, at most {@code RATE} rows a
 * second (0: as fast as it can), prints {@code COMMITTED <next id>} and closes its connection, so
 * SQLite's last-close logic runs as it does for any short-lived application process.
 *
 * <p>Arguments: {@code DB_PATH FIRST COUNT RATE}.
 */
public final class JdbcWriterMain {

    private JdbcWriterMain() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        int first = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(10_000);
        long start = System.nanoTime();
        int next = first;
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + db)) {
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                for (int i = 0; i < count; i++) {
                    if (rate > 0) {
                        // pacing of the workload itself (a steady writer), not a wait for async work
                        long due = start + (long) i * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                    ps.setInt(1, next);
                    ps.setString(2, AppDb.value(next));
                    ps.executeUpdate();
                    next++;
                }
            }
        }
        System.out.println("COMMITTED " + next);
    }
}
