package dev.litestack.replicator.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The replicator's four connections to one database.
 * <ul>
 *   <li>{@code writer}: creates {@code _litestream_seq}, bumps it to force WAL writes, and takes
 *       the write lock around checkpoints;</li>
 *   <li>{@code checkpointer}: runs {@code PRAGMA wal_checkpoint} outside any transaction;</li>
 *   <li>two read-only readers: one of them holds the long-running read transaction that stops
 *       anyone from restarting the WAL past frames not yet copied; the other takes over when the
 *       read transaction moves to the end of the WAL ({@link #beginHandOver()}), so that moving
 *       it never leaves a moment without one. Being read-only, closing them last never
 *       checkpoints or deletes the WAL, so a restart can continue the same generation.</li>
 * </ul>
 */
final class SqliteConnections implements AutoCloseable {

    static final int BUSY_TIMEOUT_MS = 1000;

    private final Connection writer;
    private final Connection checkpointer;
    /** The reader holding the read transaction (when {@link #readLocked}). */
    private Connection reader;
    /** The other reader: idle, or holding the new read transaction during a hand-over. */
    private Connection spare;

    private boolean readLocked;
    private boolean handingOver;
    /** The journal mode the database had before these connections put it in WAL mode, or null if it was in WAL. */
    private String switchedFrom;

    /** The journal mode the database was switched from (null: it was already in WAL mode). */
    String switchedFrom() {
        return switchedFrom;
    }

    private SqliteConnections(Connection writer, Connection checkpointer, Connection reader, Connection spare) {
        this.writer = writer;
        this.checkpointer = checkpointer;
        this.reader = reader;
        this.spare = spare;
    }

    static SqliteConnections open(Path path) throws SQLException {
        Connection w = connect(path, false);
        Connection c = null;
        Connection r = null;
        Connection r2 = null;
        try {
            String before;
            try (Statement st = w.createStatement()) {
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                    before = rs.next() ? rs.getString(1) : "";
                }
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = wal")) {
                    String mode = rs.next() ? rs.getString(1) : "";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new SQLException("enable wal failed: journal_mode is " + mode);
                    }
                }
                st.execute("PRAGMA wal_autocheckpoint = 0");
                // The _litestream_seq upserts need no durability of their own; a WAL restart
                // still syncs the new WAL header (SQLite syncs it at every level but OFF).
                st.execute("PRAGMA synchronous = NORMAL");
                st.execute("CREATE TABLE IF NOT EXISTS _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)");
            }
            c = connect(path, false);
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = 0");
            }
            r = connect(path, true);
            r2 = connect(path, true);
            SqliteConnections conns = new SqliteConnections(w, c, r, r2);
            conns.switchedFrom = "wal".equalsIgnoreCase(before) ? null : before;
            conns.acquireReadLock();
            return conns;
        } catch (SQLException e) {
            closeQuietly(r2);
            closeQuietly(r);
            closeQuietly(c);
            closeQuietly(w);
            throw e;
        }
    }

    private static Connection connect(Path path, boolean readOnly) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.setReadOnly(readOnly);
        return cfg.createConnection("jdbc:sqlite:" + path);
    }

    int pageSize() throws SQLException {
        try (Statement st = writer.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA page_size")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Writes to the database so SQLite appends (and, after a full checkpoint, restarts) the WAL. */
    void bumpSeq() throws java.io.IOException {
        try (Statement st = writer.createStatement()) {
            st.executeUpdate("INSERT INTO _litestream_seq (id, seq) VALUES (1, 1) "
                    + "ON CONFLICT (id) DO UPDATE SET seq = seq + 1");
        } catch (SQLException e) {
            throw new java.io.IOException("cannot write _litestream_seq: " + e.getMessage(), e);
        }
    }

    void acquireReadLock() throws SQLException {
        if (readLocked) {
            return;
        }
        beginRead(reader);
        readLocked = true;
    }

    /** Opens a read transaction on {@code c} and reads, so that it holds a WAL read mark. */
    private static void beginRead(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN");
            try (ResultSet rs = st.executeQuery("SELECT COUNT(1) FROM _litestream_seq")) {
                rs.next();
            }
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw e;
        }
    }

    /**
     * First half of moving the read transaction to the end of the WAL without a gap: the spare
     * reader opens a read transaction (on the WAL as it is now) while the current one stays open,
     * so the WAL still cannot restart. Copy every committed frame, then call {@link
     * #endHandOver(boolean)}: with true the old read transaction ends and the new one takes over.
     */
    void beginHandOver() throws SQLException {
        if (!readLocked || handingOver) {
            throw new IllegalStateException("no read transaction to hand over");
        }
        beginRead(spare);
        handingOver = true;
    }

    /** Ends a hand-over: {@code commit} ends the old read transaction, otherwise the new one. */
    void endHandOver(boolean commit) throws SQLException {
        if (!handingOver) {
            return;
        }
        handingOver = false;
        if (!commit) {
            rollback(spare);
            return;
        }
        Connection old = reader;
        reader = spare;
        spare = old;
        rollback(old);
    }

    private static void rollback(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        }
    }

    void releaseReadLock() throws SQLException {
        if (!readLocked) {
            return;
        }
        readLocked = false;
        rollback(reader);
    }

    boolean holdsReadLock() {
        return readLocked;
    }

    /** Takes the write lock; returns false if another writer kept it past the busy timeout. */
    boolean beginWrite() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            return true;
        } catch (SQLException e) {
            if (e.getMessage() != null
                    && (e.getMessage().contains("SQLITE_BUSY") || e.getMessage().contains("locked"))) {
                return false;
            }
            throw e;
        }
    }

    void endWrite() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("ROLLBACK");
        }
    }

    /** The three columns {@code PRAGMA wal_checkpoint} returns. */
    record CheckpointResult(int busy, int logFrames, int checkpointedFrames) {}

    /** {@code PRAGMA wal_checkpoint(PASSIVE)}. */
    CheckpointResult checkpointPassive() throws SQLException {
        try (Statement st = checkpointer.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next();
            return new CheckpointResult(rs.getInt(1), rs.getInt(2), rs.getInt(3));
        }
    }

    /** Closes the writers first and the read-only readers last, so SQLite keeps the WAL file. */
    @Override
    public void close() {
        try {
            endHandOver(false);
        } catch (SQLException e) {
            // closing anyway
        }
        try {
            releaseReadLock();
        } catch (SQLException e) {
            // closing anyway
        }
        closeQuietly(writer);
        closeQuietly(checkpointer);
        closeQuietly(spare);
        closeQuietly(reader);
    }

    private static void rollbackQuietly(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction was open
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to release
        }
    }
}
