package dev.litestack.replicator.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The WAL a replaced database file left behind: a database file moved into place while the old one's WAL stayed
 * beside it (the replicator's connections kept it from being removed at its writer's last close). Opened through
 * SQLite, it would be applied to the new file, pages of one database over another, and the new generation's
 * snapshot would ship that corrupt result.
 */
final class OldWal {

    /** The -shm byte on which every open SQLite connection holds a shared lock (the unix VFS's DMS lock). */
    private static final long DMS_LOCK = 128;

    private OldWal() {}

    /**
     * Whether another process has the WAL open (a shared lock on the -shm's DMS byte). Only called once the
     * replicator's own connections are closed: closing this descriptor of the -shm then drops no lock of ours.
     */
    static boolean inUseElsewhere(Path shm) throws IOException {
        try (FileChannel ch = FileChannel.open(shm, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock(DMS_LOCK, 1, false);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Renames the WAL aside (kept, not deleted: whatever of it was not yet replicated is in there) and removes its
     * -shm (an index of that WAL, rebuilt from a WAL at every open); returns where the WAL went.
     */
    static Path moveAside(Path wal, Path shm, Instant now) throws IOException {
        Path aside = wal.resolveSibling(wal.getFileName() + ".before-replace-" + now.getEpochSecond());
        Files.move(wal, aside);
        Files.deleteIfExists(shm);
        return aside;
    }
}
