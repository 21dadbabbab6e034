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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Decides when a database needs a sync: a cheap stat of the WAL every poll. A change is synced at
 * once if the monitor has not synced in the last {@code monitor-interval} (a sporadic commit
 * reaches the shadow WAL within one poll); otherwise when that interval is up, so while the WAL
 * keeps changing a sync runs once per {@code monitor-interval}, the cadence of Litestream. A
 * failed sync is retried the same way (and by each upload, which syncs first). A database file
 * that changed without the WAL (the app checkpointed) is synced once the interval is due. While
 * neither changed, the full sync runs only every {@link #IDLE_SYNC_FACTOR} intervals, as a safety
 * net (an idle replicator then costs almost no CPU). With {@code monitor-interval: 0} it does
 * nothing: syncs happen only when asked ({@code replicate -once}, shutdown).
 */
final class DbMonitor {

    /** While nothing changed, a full sync runs every this many monitor intervals (10 s by default). */
    static final int IDLE_SYNC_FACTOR = 10;

    /** Polls while the database is busy; after this long without a change, polls slow down. */
    static final long IDLE_AFTER_NANOS = Duration.ofSeconds(5).toNanos();

    /**
     * What a stat of a file says: any write changes the size or the modification time, and a file
     * replaced by another has another key. {@code size} is -1 for a missing file, -2 if the stat failed.
     */
    private record FileState(long size, long modifiedNanos, Object key) {
        static final FileState UNKNOWN = new FileState(-3, 0, null);

        /** The same state ({@code fileKey} of the same file): an explicit comparison, cheap in the interpreter. */
        boolean same(FileState o) {
            return size == o.size && modifiedNanos == o.modifiedNanos && Objects.equals(key, o.key);
        }

        static FileState of(Path p) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new FileState(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.fileKey());
            } catch (NoSuchFileException e) {
                return new FileState(-1, 0, null);
            } catch (IOException e) {
                return new FileState(-2, 0, null);
            }
        }
    }

    private final Database db;
    private final Path wal;
    private final Log log;
    private final LongSupplier nanos;
    private FileState lastWal = FileState.UNKNOWN;
    private FileState lastDb = FileState.UNKNOWN;
    private long lastSyncNanos;
    private long lastChangeNanos;
    /** Whether a sync ran yet ({@link #lastSyncNanos} is meaningless before). */
    private boolean synced;

    private boolean failing;

    DbMonitor(Database db, Log log) {
        this(db, log, System::nanoTime);
    }

    /** With {@code nanos} standing in for {@link System#nanoTime()} (tests). */
    DbMonitor(Database db, Log log, LongSupplier nanos) {
        this.db = db;
        this.wal = SqliteFiles.wal(db.path());
        this.log = log;
        this.nanos = nanos;
        this.lastChangeNanos = nanos.getAsLong();
    }

    /**
     * When a poll last saw the WAL differ from its state at the last sync ({@link System#nanoTime()}
     * scale; the monitor's start before any).
     */
    long lastChangeNanos() {
        return lastChangeNanos;
    }

    /** False with {@code monitor-interval: 0}: as in Litestream, nothing syncs the database in the background. */
    boolean backgroundSync() {
        return !db.options().monitorInterval().isZero();
    }

    /**
     * Polls, and returns how long to wait before the next poll: 50 ms while the WAL changed in the
     * last few seconds, else the monitor interval (at most 1 s, at least 50 ms).
     */
    Duration pollAndNext() {
        poll();
        boolean idle = nanos.getAsLong() - lastChangeNanos > IDLE_AFTER_NANOS;
        return idle ? idlePoll() : ReplicationService.POLL;
    }

    private Duration idlePoll() {
        Duration interval = db.options().monitorInterval();
        if (interval.compareTo(ReplicationService.POLL) < 0) {
            return ReplicationService.POLL;
        }
        return interval.compareTo(ReplicationService.IDLE_POLL) < 0 ? interval : ReplicationService.IDLE_POLL;
    }

    void poll() {
        Duration interval = db.options().monitorInterval();
        if (interval.isZero()) {
            return;
        }
        FileState walNow = FileState.of(wal);
        long now = nanos.getAsLong();
        boolean changed = !walNow.same(lastWal);
        long since = now - lastSyncNanos;
        if (changed) {
            lastChangeNanos = now;
            // copied at once if no sync ran in the last interval; while the WAL keeps changing,
            // once per interval, as Litestream does (each copy ends with an fsync of the shadow
            // WAL; one every poll cost a fifth more CPU under a max-rate writer); an upload copies
            // the newest commits itself first
            if (synced && since < interval.toNanos()) {
                return;
            }
        } else {
            if (since < interval.toNanos()) {
                return;
            }
            // nothing was written to the WAL since the last sync: unless the database file changed
            // (a checkpoint, a replaced file), the sync only re-checks what it checked then
            if (FileState.of(db.path()).same(lastDb) && since < interval.toNanos() * IDLE_SYNC_FACTOR) {
                return;
            }
        }
        lastWal = walNow;
        lastSyncNanos = now;
        synced = true;
        try {
            db.sync();
            // after the sync: a checkpoint it ran changed the database file, and the next sync
            // that is due should not run only because of that
            lastDb = FileState.of(db.path());
            if (failing) {
                log.info("sync recovered", "db", db.path());
                failing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                log.error("sync error", "db", db.path(), "error", e);
                failing = true;
            }
            lastWal = FileState.UNKNOWN;
        }
    }
}
