package dev.litestack.replicator.engine;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * Decides when a database needs a sync: a cheap stat of the WAL every poll (so a commit reaches
 * the shadow WAL within one poll), and a full sync at least every {@code monitor-interval}. With
 * {@code monitor-interval: 0} it does nothing: syncs happen only when asked ({@code replicate -once},
 * shutdown).
 */
final class DbMonitor {

    private final Database db;
    private final Path wal;
    private final Log log;
    private long lastSize = -1;
    private long lastModified = -1;
    private long lastSyncNanos;
    private boolean failing;

    DbMonitor(Database db, Log log) {
        this.db = db;
        this.wal = SqliteFiles.wal(db.path());
        this.log = log;
    }

    /** False with {@code monitor-interval: 0}: as in Litestream, nothing syncs the database in the background. */
    boolean backgroundSync() {
        return !db.options().monitorInterval().isZero();
    }

    /** Polls while the database is busy; after this long without a change, polls slow down. */
    static final long IDLE_AFTER_NANOS = Duration.ofSeconds(5).toNanos();

    private long lastChangeNanos = System.nanoTime();

    /** Polls, and returns how long to wait before the next poll: 50 ms while busy, 250 ms when idle. */
    Duration pollAndNext() {
        poll();
        boolean idle = System.nanoTime() - lastChangeNanos > IDLE_AFTER_NANOS;
        return idle ? ReplicationService.IDLE_POLL : ReplicationService.POLL;
    }

    void poll() {
        Duration interval = db.options().monitorInterval();
        if (interval.isZero()) {
            return;
        }
        long size;
        long modified;
        try {
            BasicFileAttributes a = Files.readAttributes(wal, BasicFileAttributes.class);
            size = a.size();
            modified = a.lastModifiedTime().toMillis();
        } catch (NoSuchFileException e) {
            size = 0;
            modified = 0;
        } catch (IOException e) {
            size = -2;
            modified = -2;
        }
        boolean changed = size != lastSize || modified != lastModified;
        boolean due = System.nanoTime() - lastSyncNanos >= interval.toNanos();
        if (changed) {
            lastChangeNanos = System.nanoTime();
        }
        if (!changed && !due) {
            return;
        }
        lastSize = size;
        lastModified = modified;
        lastSyncNanos = System.nanoTime();
        try {
            db.sync();
            if (failing) {
                log.info("sync recovered", "db", db.path());
                failing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                log.error("sync error", "db", db.path(), "error", e);
                failing = true;
            }
            lastSize = -3;
        }
    }
}
