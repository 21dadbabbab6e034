package dev.litestack.replicator.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/** The "application" side of a test: a real SQLite connection writing numbered rows in WAL mode. */
public final class AppDb implements AutoCloseable {

    private static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";

    private final Connection conn;

    public AppDb(Path path) throws SQLException {
        this(path, 0);
    }

    /**
     * With {@code pageSize} > 0, a database that does not exist yet is created with that page size (SQLite's
     * default otherwise): set before its first table, since a database in WAL mode cannot change it.
     */
    public AppDb(Path path, int pageSize) throws SQLException {
        if (pageSize > 0) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
                    Statement st = c.createStatement()) {
                st.execute("PRAGMA page_size = " + pageSize);
                st.execute(CREATE_TABLE);
            }
        }
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(10_000);
        conn = cfg.createConnection("jdbc:sqlite:" + path);
        try (Statement st = conn.createStatement()) {
            st.execute(CREATE_TABLE);
        }
    }

    public Connection connection() {
        return conn;
    }

    /** Inserts rows {@code from..to-1}, one transaction each. */
    public void insert(int from, int to) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
            for (int i = from; i < to; i++) {
                ps.setInt(1, i);
                ps.setString(2, value(i));
                ps.executeUpdate();
            }
        }
    }

    /** Inserts rows {@code from..to-1} in one transaction. */
    public void insertBatch(int from, int to) throws SQLException {
        conn.setAutoCommit(false);
        try {
            insert(from, to);
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
    }

    public void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    public static String value(int i) {
        return "row-" + i + "-" + "x".repeat(i % 300);
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }

    /** Row ids of table t in a closed database file (read as immutable), checked with integrity_check first. */
    public static List<Integer> ids(Path db) throws SQLException {
        return ids("jdbc:sqlite:" + db.toUri() + "?immutable=1");
    }

    /** Row ids of table t in a live database, read through SQLite with its WAL, checked with integrity_check first. */
    public static List<Integer> liveIds(Path db) throws SQLException {
        return ids("jdbc:sqlite:" + db);
    }

    private static List<Integer> ids(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                if (!"ok".equals(rs.getString(1))) {
                    throw new AssertionError("integrity_check: " + rs.getString(1));
                }
            }
            List<Integer> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id, v FROM t ORDER BY id")) {
                while (rs.next()) {
                    if (!value(rs.getInt(1)).equals(rs.getString(2))) {
                        throw new AssertionError("row " + rs.getInt(1) + " has a wrong value");
                    }
                    out.add(rs.getInt(1));
                }
            }
            return out;
        }
    }

    public static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }
}
