package dev.litestack.replicator.db;

import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.sqlite.WalIndexHeader;
import dev.litestack.replicator.util.IoErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The files behind one open database, as the replicator's connections see them: the one read
 * descriptor of the database file, opened after the SQLite connections and closed after them
 * (closing any descriptor of the file drops SQLite's POSIX locks for the whole process; see
 * {@link Database}), the same for the WAL index ({@code -shm}, where SQLite keeps its WAL locks),
 * and the identities (device and inode) of the database file and the WAL, so that a file replaced
 * under the connections is noticed before anything checkpoints through them.
 */
final class DbFiles implements AutoCloseable {

    private final Path db;
    private final Path wal;
    private final Path shm;
    private final FileChannel channel;
    private final Object dbKey;
    private Object walKey;
    /** The WAL index, opened the first time it is read and closed only with the database descriptor. */
    private FileChannel shmChannel;

    private Object shmKey;
    private final byte[] indexHeader = new byte[WalIndexHeader.SIZE];

    private DbFiles(Path db, Path wal, FileChannel channel, Object dbKey) {
        this.db = db;
        this.wal = wal;
        this.shm = SqliteFiles.shm(db);
        this.channel = channel;
        this.dbKey = dbKey;
    }

    /** Opens the read descriptor; call once the SQLite connections are open. */
    static DbFiles open(Path db, Path wal) throws IOException {
        try {
            return new DbFiles(db, wal, FileChannel.open(db, StandardOpenOption.READ), key(db));
        } catch (IOException e) {
            throw IoErrors.wrap("cannot open database", db, e);
        }
    }

    /** The database file, for positional reads only; never close it. */
    FileChannel channel() {
        return channel;
    }

    /** Remembers the WAL's identity the first time it exists (after the connections made it). */
    void noteWal() throws IOException {
        if (walKey == null) {
            walKey = key(wal);
        }
    }

    /**
     * How many frames of the WAL whose header is {@code walHeader} SQLite's index counts as
     * committed, or -1 if it cannot say (no index yet, one being updated, replaced, or about
     * another WAL). Read through one descriptor that stays open as long as the connections do.
     */
    long committedFrames(byte[] walHeader) throws IOException {
        try {
            Object now = key(shm);
            if (now == null) {
                return -1;
            }
            if (shmChannel == null) {
                shmChannel = FileChannel.open(shm, StandardOpenOption.READ);
                shmKey = now;
            }
            if (!shmKey.equals(now)) {
                return -1; // another file at the path: what this descriptor reads is no one's index
            }
            ByteBuffer b = ByteBuffer.wrap(indexHeader);
            while (b.hasRemaining() && shmChannel.read(b, b.position()) > 0) {
                // read on: the index is memory the writers share, so a short read only means a short file
            }
            return WalIndexHeader.committedFrames(indexHeader, b.position(), walHeader);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw IoErrors.wrap("cannot read the wal index", shm, e);
        }
    }

    /**
     * Whether the database file was replaced (moved into place, copied over) while the WAL beside it is still the
     * one the connections opened: that WAL is the old database's, and SQLite would apply it to the new file at
     * the next open (its pages over another database's).
     */
    boolean walOutlivedDatabase() throws IOException {
        Object now = key(db);
        return now != null
                && !now.equals(dbKey)
                && walKey != null
                && walKey.equals(key(wal))
                && SqliteFiles.wal(db).equals(wal);
    }

    /** Why the files are no longer the ones the connections opened, or null if they still are. */
    String replaced() throws IOException {
        if (!SqliteFiles.wal(db).equals(wal)) {
            // a symbolic link on the way now leads elsewhere: the database and its WAL are other files
            return "database path now leads to another file (a symbolic link changed)";
        }
        Object now = key(db);
        if (now == null) {
            return "database file deleted by another process";
        }
        if (!now.equals(dbKey)) {
            return "database file replaced by another process";
        }
        if (walKey == null) {
            return null;
        }
        Object w = key(wal);
        if (w == null) {
            return "wal deleted by another process";
        }
        return w.equals(walKey) ? null : "wal replaced by another process";
    }

    /**
     * The file's identity, or null if it does not exist. On a file system that has no file keys
     * every existing file gets the same stand-in, so only deletion is noticed.
     */
    private static Object key(Path p) throws IOException {
        try {
            Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
            return key != null ? key : "exists";
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw IoErrors.wrap("cannot stat", p, e);
        }
    }

    /** Closes the read descriptors: only after the SQLite connections are closed. */
    @Override
    public void close() {
        for (FileChannel c : new FileChannel[] {channel, shmChannel}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException ignored) {
                // a read-only descriptor: nothing was written through it
            }
        }
    }
}
