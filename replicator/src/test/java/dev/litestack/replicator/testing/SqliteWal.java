package dev.litestack.replicator.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Real WAL bytes written by SQLite (through sqlite-jdbc) with automatic checkpoints off. */
public final class SqliteWal {

    private SqliteWal() {}

    /**
     * Creates {@code db} in WAL mode, runs {@code transactions} single-row inserts (one commit
     * each, after the CREATE TABLE commit) and returns the {@code -wal} file as SQLite left it.
     */
    public static byte[] write(Path db, int transactions) throws SQLException, IOException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_autocheckpoint=0");
            st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            for (int i = 0; i < transactions; i++) {
                st.execute("INSERT INTO t (id, v) VALUES (" + i + ", '" + AppDb.value(i) + "')");
            }
            // read while the connection is open: closing the last connection checkpoints and deletes the WAL
            return Files.readAllBytes(Path.of(db + "-wal"));
        }
    }

    /**
     * Recomputes every checksum of a WAL (header and frame chain) with the byte order of
     * {@code magic}, the way SQLite would have written it on a machine of that byte order.
     * Used to build a big-endian-magic WAL, which x86 SQLite never writes.
     */
    public static byte[] rechecksum(byte[] wal, int magic) {
        byte[] out = wal.clone();
        ByteBuffer bb = ByteBuffer.wrap(out);
        bb.putInt(0, magic);
        boolean big = magic == 0x377f0683;
        int pageSize = bb.getInt(8);
        int[] s = sum(big, out, 0, 24, 0, 0);
        bb.putInt(24, s[0]);
        bb.putInt(28, s[1]);
        int frameSize = 24 + pageSize;
        for (int off = 32; off + frameSize <= out.length; off += frameSize) {
            s = sum(big, out, off, 8, s[0], s[1]);
            s = sum(big, out, off + 24, pageSize, s[0], s[1]);
            bb.putInt(off + 16, s[0]);
            bb.putInt(off + 20, s[1]);
        }
        return out;
    }

    /** An independent, plain implementation of SQLite's walChecksumBytes (not the class under test). */
    public static int[] sum(boolean bigEndian, byte[] b, int off, int len, int s0, int s1) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int i = off; i < off + len; i += 8) {
            s0 += bb.getInt(i) + s1;
            s1 += bb.getInt(i + 4) + s0;
        }
        return new int[] {s0, s1};
    }
}
