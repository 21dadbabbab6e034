package dev.litestack.replicator.follow;

import dev.litestack.replicator.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The output database of {@code restore -f}, kept in rollback-journal mode so that other processes
 * can read it with a plain read-only open (no {@code -shm}, no {@code -wal}).
 *
 * <p>Pages change only inside SQLite's own write protocol (sqlite.org/fileformat2.html, "The
 * Rollback Journal"; sqlite.org/lockingv3.html, "hot journals"): this process's SQLite connection
 * takes the EXCLUSIVE lock ({@code BEGIN EXCLUSIVE}, waiting for readers), the original content of
 * every page about to change goes to {@code OUT-journal} and is fsynced, the new pages are written,
 * the file is fsynced, and deleting the journal is the commit point. Readers are locked out for the
 * whole change; a crash in the middle leaves a hot journal that SQLite rolls back on the next
 * read-write open (this class opens read-write and reads first, so a restart repairs the file before
 * anything else), while read-only readers get an error, never half of a change.
 *
 * <p>All page I/O goes through ONE channel kept open for the life of this object: POSIX locks
 * belong to the process, so closing any other descriptor of the file would drop SQLite's locks.
 */
final class FollowedDb implements AutoCloseable {

    /** The rollback journal's magic number (sqlite.org/fileformat2.html). */
    static final byte[] JOURNAL_MAGIC = {
        (byte) 0xd9, (byte) 0xd5, 0x05, (byte) 0xf9, 0x20, (byte) 0xa1, 0x63, (byte) 0xd7
    };
    /** The journal header occupies one sector; records start after it. */
    static final int SECTOR = 512;

    /** The points of {@link #apply} where a test can stop it, as a crash would. */
    enum Step {
        JOURNAL_SYNCED,
        PAGES_WRITTEN,
        DB_SYNCED,
        JOURNAL_DELETED
    }

    /** Called at each {@link Step}; a test's hook copies the files or throws. */
    interface FaultHook {
        void at(Step step) throws IOException;
    }

    /** The pages of one change: the database size after it, and page images by number. */
    interface PageSource {
        /** Database size in pages after the change. */
        int pages();

        /** Numbers of the pages the change may write, ascending; pages past {@link #pages()} are ignored. */
        int[] pageNumbers() throws IOException;

        /** Reads page {@code pgno} into {@code dst} (pageSize bytes). */
        void read(int pgno, ByteBuffer dst) throws IOException;
    }

    private final Path path;
    private final Path journal;
    private final Connection conn;
    private final FileChannel ch;
    private final int pageSize;
    private final SecureRandom random = new SecureRandom();
    private volatile FaultHook hook = step -> {};

    private FollowedDb(Path path, Connection conn, FileChannel ch, int pageSize) {
        this.path = path;
        this.journal = journalOf(path);
        this.conn = conn;
        this.ch = ch;
        this.pageSize = pageSize;
    }

    static Path journalOf(Path db) {
        return db.resolveSibling(db.getFileName() + "-journal");
    }

    /**
     * Opens {@code path} read-write. The first read rolls back a hot journal left by a crash, so
     * the file holds a committed state when this returns.
     */
    static FollowedDb open(Path path, Duration busyTimeout) throws IOException {
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + path);
        } catch (SQLException e) {
            throw new IOException("cannot open " + path + ": " + e.getMessage(), e);
        }
        FileChannel ch = null;
        try {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout=" + busyTimeout.toMillis());
                st.executeQuery("SELECT count(*) FROM sqlite_master").close();
            }
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer hdr = ByteBuffer.allocate(100);
            ch.read(hdr, 0);
            byte[] b = hdr.array();
            if (b[18] != 1 || b[19] != 1) {
                throw new IOException(path + " is not in rollback-journal mode (header bytes 18/19 are " + b[18] + "/"
                        + b[19] + "): it was not written by restore -f");
            }
            return new FollowedDb(path, c, ch, pageSizeOf(hdr));
        } catch (SQLException | IOException | RuntimeException e) {
            // the connection first: closing the channel before it would drop the connection's locks
            closeQuietly(c);
            if (ch != null) {
                ch.close();
            }
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    int pageSize() {
        return pageSize;
    }

    Path path() {
        return path;
    }

    void faultHook(FaultHook h) {
        this.hook = h;
    }

    /**
     * Turns a freshly restored (WAL-mode) database file into what this class keeps: header bytes
     * 18/19 = 1 and a database size that SQLite trusts. Only for a file no one else has open.
     */
    static void toRollbackMode(Path db) throws IOException {
        try (FileChannel c = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer p = ByteBuffer.allocate(100);
            c.read(p, 0);
            patchHeader(p, p.getInt(24) + 1, (int) (c.size() / pageSizeOf(p)));
            p.flip();
            c.write(p, 0);
            c.force(true);
        }
    }

    /** The page size in a database header (offset 16, big-endian; 1 means 65536). */
    static int pageSizeOf(ByteBuffer header) {
        int ps = ((header.get(16) & 0xff) << 8) | (header.get(17) & 0xff);
        return ps == 1 ? 65536 : ps;
    }

    /** Rollback-journal mode, a new change counter (which readers compare to drop their cache) and the size. */
    private static void patchHeader(ByteBuffer page1, int counter, int pages) {
        page1.put(18, (byte) 1).put(19, (byte) 1);
        page1.putInt(24, counter);
        page1.putInt(28, pages);
        page1.putInt(92, counter);
    }

    /**
     * Applies one change atomically for readers and across crashes (see the class comment). Pages
     * whose content does not change are neither journaled nor written. Throws if readers kept the
     * database locked past the busy timeout; nothing changed then.
     */
    void apply(PageSource src) throws IOException {
        try {
            exec("BEGIN EXCLUSIVE", "cannot lock " + path + " for writing (readers kept it busy)");
        } catch (IOException e) {
            try (Statement st = conn.createStatement()) {
                st.execute("ROLLBACK");
            } catch (SQLException ignored) {
                // no transaction was started: the lock was never taken
            }
            throw e;
        }
        boolean committed = false;
        try {
            long oldPages = ch.size() / pageSize;
            int newPages = src.pages();
            BitSet changed = new BitSet();
            ByteBuffer page1 = ByteBuffer.allocate(pageSize);
            ByteBuffer oldPage1 = readPage(1);
            int[] numbers = src.pageNumbers();
            if (Arrays.binarySearch(numbers, 1) >= 0) {
                src.read(1, page1);
            } else {
                page1.put(oldPage1.array());
            }
            patchHeader(page1, Math.max(oldPage1.getInt(24), page1.getInt(24)) + 1, newPages);
            writeJournal(src, numbers, (int) oldPages, newPages, changed);
            hook.at(Step.JOURNAL_SYNCED);
            ByteBuffer buf = ByteBuffer.allocate(pageSize);
            for (int pgno = changed.nextSetBit(2); pgno >= 0 && pgno <= newPages; pgno = changed.nextSetBit(pgno + 1)) {
                buf.clear();
                src.read(pgno, buf);
                writePage(pgno, buf);
            }
            writePage(1, page1);
            hook.at(Step.PAGES_WRITTEN);
            long size = (long) newPages * pageSize;
            if (ch.size() > size) {
                ch.truncate(size);
            } else if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
            ch.force(true);
            hook.at(Step.DB_SYNCED);
            Files.delete(journal);
            AtomicFiles.fsyncDirectory(path.toAbsolutePath().getParent());
            committed = true;
            hook.at(Step.JOURNAL_DELETED);
        } finally {
            if (committed) {
                exec("COMMIT", "cannot end the write transaction on " + path);
            } else {
                rollBack();
            }
        }
    }

    /**
     * Journals the original of every page that changes (page 1 always, pages cut off by a shrink,
     * and each source page that differs), marks them in {@code changed}, and makes the journal durable.
     */
    private void writeJournal(PageSource src, int[] numbers, int oldPages, int newPages, BitSet changed)
            throws IOException {
        int nonce = random.nextInt();
        long records = 0;
        ByteBuffer fresh = ByteBuffer.allocate(pageSize);
        try (FileChannel j = FileChannel.open(
                journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long at = SECTOR;
            ByteBuffer rec = ByteBuffer.allocate(4 + pageSize + 4);
            for (int pgno : numbers) {
                if (pgno > newPages || pgno == 1) {
                    continue;
                }
                fresh.clear();
                src.read(pgno, fresh);
                if (pgno <= oldPages) {
                    ByteBuffer old = readPage(pgno);
                    if (old.equals(fresh.flip())) {
                        continue;
                    }
                    at += record(j, at, rec, pgno, old, nonce);
                    records++;
                }
                changed.set(pgno);
            }
            if (oldPages >= 1) {
                at += record(j, at, rec, 1, readPage(1), nonce);
                records++;
            }
            for (int pgno = Math.max(newPages + 1, 2); pgno <= oldPages; pgno++) {
                if (!changed.get(pgno)) {
                    at += record(j, at, rec, pgno, readPage(pgno), nonce);
                    records++;
                }
            }
            ByteBuffer hdr = ByteBuffer.allocate(SECTOR);
            hdr.put(JOURNAL_MAGIC)
                    .putInt((int) records)
                    .putInt(nonce)
                    .putInt(oldPages)
                    .putInt(SECTOR)
                    .putInt(pageSize);
            hdr.clear();
            while (hdr.hasRemaining()) {
                j.write(hdr, hdr.position());
            }
            j.force(true);
        }
        AtomicFiles.fsyncDirectory(path.toAbsolutePath().getParent());
    }

    /** Writes one journal record (page number, original page, checksum) at {@code at}; returns its length. */
    private int record(FileChannel j, long at, ByteBuffer rec, int pgno, ByteBuffer page, int nonce)
            throws IOException {
        rec.clear();
        rec.putInt(pgno).put(page.duplicate().clear()).putInt(checksum(page, nonce));
        rec.flip();
        int len = rec.remaining();
        while (rec.hasRemaining()) {
            j.write(rec, at + rec.position());
        }
        return len;
    }

    /** SQLite's journal record checksum: the nonce plus every 200th byte, from the end of the page backwards. */
    static int checksum(ByteBuffer page, int nonce) {
        int sum = nonce;
        for (int i = page.capacity() - 200; i > 0; i -= 200) {
            sum += page.get(i) & 0xff;
        }
        return sum;
    }

    private ByteBuffer readPage(int pgno) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(pageSize);
        long at = (long) (pgno - 1) * pageSize;
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                break;
            }
        }
        return b.clear();
    }

    private void writePage(int pgno, ByteBuffer page) throws IOException {
        page.clear();
        long at = (long) (pgno - 1) * pageSize;
        while (page.hasRemaining()) {
            ch.write(page, at + page.position());
        }
    }

    /**
     * Ends a failed change: the connection's transaction is rolled back (releasing the lock) and a
     * read makes SQLite roll back the journal, if one was written, before anyone else can use it.
     */
    private void rollBack() throws IOException {
        try (Statement st = conn.createStatement()) {
            st.execute("ROLLBACK");
            st.executeQuery("SELECT count(*) FROM sqlite_master").close();
        } catch (SQLException e) {
            throw new IOException(
                    "cannot roll back an unfinished change of " + path + ": " + e.getMessage()
                            + " (the next start of restore -f rolls it back)",
                    e);
        }
    }

    private void exec(String sql, String what) throws IOException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // closing after a failure: the first error is the one reported
        }
    }

    @Override
    public void close() throws IOException {
        // the connection first: the channel's close drops the process's locks on the file
        closeQuietly(conn);
        ch.close();
    }
}
