package dev.litestack.replicator.db;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.config.DbConfig;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.sqlite.WalHeader;
import dev.litestack.replicator.util.BoundedInputStream;
import dev.litestack.replicator.util.ChannelInputStream;
import dev.litestack.replicator.util.Fingerprint;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One watched SQLite database: keeps a shadow copy of every committed WAL frame, decides when a
 * new generation must start, and checkpoints the WAL so that no committed frame can be lost
 * between two copies (see docs/architecture.md for the argument).
 *
 * <p>SQLite's locks are POSIX advisory locks, which belong to the process: closing <em>any</em>
 * descriptor of the database file drops every lock the process holds on it, SQLite's shared lock
 * included. Another process's last close would then checkpoint and delete the WAL under our
 * connections, which later checkpoint stale frames into the file (SQLite's "POSIX advisory locks
 * cancelled" corruption). So the database file is read only through one descriptor, opened after
 * the connections and closed after them; nothing else in the process may open it.
 */
public final class Database implements AutoCloseable {

    /** The TRUNCATE threshold of Litestream 0.3.13, in pages (not configurable there either). */
    static final long TRUNCATE_PAGE_N = 500_000;

    /**
     * While the app is writing, a page-count checkpoint takes the write lock again only after
     * this many times as long as it held it the last time: the app loses at most about 1/20 of
     * its time to the replicator's checkpoints (see {@link #maybeCheckpoint()}).
     */
    static final int WRITE_LOCK_SPACING = 20;

    /** A page-count checkpoint waits at most this long for its write-lock step while the app writes. */
    static final Duration MAX_WRITE_LOCK_SPACING = Duration.ofSeconds(5);
    /** At most this many backfill passes before a checkpoint takes the write lock. */
    static final int BACKFILL_PASSES = 3;
    /** A pass after which the app has committed fewer frames than this is the last one. */
    static final int SMALL_TAIL_FRAMES = 256;
    /** How long a checkpoint under the write lock waits for another connection's checkpoint to end. */
    static final Duration CHECKPOINT_BUSY_WAIT = Duration.ofMillis(200);

    /** Per-database settings. */
    public record Options(
            Path path,
            Path metaPath,
            Duration monitorInterval,
            Duration checkpointInterval,
            int minCheckpointPageCount,
            int maxCheckpointPageCount) {
        /** The settings of a database configured with nothing but its path (see {@link DbConfig}). */
        public static Options defaults(Path path) {
            Path abs = path.toAbsolutePath().normalize();
            return new Options(
                    abs,
                    DbConfig.defaultMetaPath(abs),
                    DbConfig.DEFAULT_MONITOR_INTERVAL,
                    DbConfig.DEFAULT_CHECKPOINT_INTERVAL,
                    DbConfig.DEFAULT_MIN_CHECKPOINT_PAGE_COUNT,
                    DbConfig.DEFAULT_MAX_CHECKPOINT_PAGE_COUNT);
        }
    }

    private final Options opt;
    private final Path path;
    /** Beside the file the path leads to, as SQLite names it; found again at every open (a link may change). */
    private Path walPath;

    private final ShadowWal shadow;
    private final Clock clock;
    private final Log log;
    private final DbStats stats = new DbStats();
    private final ReentrantLock lock = new ReentrantLock();
    /** Snapshots hold the read side; checkpoints try the write side and skip while a snapshot runs. */
    private final ReentrantReadWriteLock checkpointLock = new ReentrantReadWriteLock();

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, Long> readerIndexes = new java.util.concurrent.ConcurrentHashMap<>();

    private final ShadowCopy copy;
    private SqliteConnections conns;
    /** The read descriptor and file identities while the connections are open; see the class comment. */
    private DbFiles files;
    /** Why the next sync must start a new generation, set when the files were replaced under us. */
    private String forcedGeneration;

    private volatile String syncError;
    private volatile Instant failingSince;
    private int pageSize;
    private volatile Pos position;
    private volatile boolean closed;
    /** When the last checkpoint released the write lock, and how long it held it (System.nanoTime). */
    private long lastLockedEnd;

    private long lastLockedNanos;
    /** When {@link #copyFrames()} last found new frames (System.nanoTime). */
    private long lastCopiedNanos;
    /** Whether page-count checkpoints wait while the app writes; see {@link #checkpointLocked}. */
    private volatile boolean deferWhileWriting = true;

    public Database(Options options, Clock clock, Log log) {
        this.opt = options;
        this.path = options.path();
        this.walPath = SqliteFiles.wal(path);
        this.shadow = new ShadowWal(options.metaPath());
        this.clock = clock;
        this.log = log;
        this.copy = new ShadowCopy(path, shadow, stats, log);
    }

    public Path path() {
        return path;
    }

    public Options options() {
        return opt;
    }

    /** The database's counters and gauges now. */
    public DbStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** The current position (end of the shadow WAL), or null before the first generation exists. */
    public Pos position() {
        return position;
    }

    public int pageSize() {
        return pageSize;
    }

    /** Called (on the sync thread) after every sync that changed the position or generation. */
    public void addListener(Runnable r) {
        listeners.add(r);
    }

    /**
     * Copies newly committed frames into the shadow WAL, starting a new generation or index where
     * needed, and checkpoints when a rule says so. Returns true if anything changed. A database
     * file that does not exist yet is not an error: nothing happens until it does.
     */
    public boolean sync() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            long t0 = System.nanoTime();
            boolean changed;
            boolean failed = false;
            try {
                if (!reopenIfReplaced() || conns == null && !initIfPresent()) {
                    syncSucceeded();
                    return false;
                }
                changed = syncLocked();
                changed |= maybeCheckpoint();
                syncSucceeded();
            } catch (IOException | RuntimeException e) {
                failed = true;
                if (failingSince == null) {
                    failingSince = clock.instant();
                }
                syncError = Log.describe(e);
                throw e;
            } finally {
                stats.sync(System.nanoTime() - t0, failed);
            }
            return published(changed);
        } finally {
            lock.unlock();
        }
    }

    private void syncSucceeded() {
        syncError = null;
        failingSince = null;
    }

    /** The reason the last sync failed, or null if it succeeded. */
    public String syncError() {
        return syncError;
    }

    /** Since when syncs have kept failing, or null if the last one succeeded. */
    public Instant failingSince() {
        return failingSince;
    }

    private boolean syncLocked() throws IOException {
        ensureWalHeader();
        files.noteWal();
        boolean changed = false;
        String reason = forcedGeneration != null ? forcedGeneration : copy.verify(conns.holdsReadLock(), pageSize);
        if (reason != null) {
            ensureWalHeader(); // the WAL may have been emptied since (a TRUNCATE checkpoint of the app's)
            copy.newGeneration(reason);
            forcedGeneration = null;
            readerIndexes.replaceAll((k, v) -> -1L);
            changed = true;
        }
        changed |= copyFrames();
        return changed;
    }

    private boolean copyFrames() throws IOException {
        boolean changed = copy.copyFrames(files::committedFrames);
        if (changed) {
            lastCopiedNanos = System.nanoTime();
            publish();
        }
        return changed;
    }

    /** Opens the connections and the read descriptor if the database file exists; returns whether it does. */
    private boolean initIfPresent() throws IOException {
        if (!Files.exists(path)) {
            return false;
        }
        init();
        return true;
    }

    private void init() throws IOException {
        walPath = SqliteFiles.wal(path);
        copy.useWal(walPath);
        try {
            conns = SqliteConnections.open(path);
            pageSize = conns.pageSize();
            if (conns.switchedFrom() != null) {
                log.warn(
                        "database was not in WAL mode; switched it to WAL, which replication needs (an application"
                                + " that sets another journal_mode at every open will find the database locked)",
                        "db",
                        path,
                        "journal_mode_was",
                        conns.switchedFrom());
            }
        } catch (SQLException e) {
            closeConnections();
            throw new IOException("cannot open database " + path + ": " + Log.describe(e), e);
        }
        try {
            files = DbFiles.open(path, walPath);
        } catch (IOException e) {
            closeConnections();
            throw e;
        }
        Files.createDirectories(shadow.metaDir());
        shadow.removeTempFiles();
        copy.resume();
        publish();
    }

    /**
     * Checks that the database file and the WAL are still the ones the connections opened. While
     * our connections hold their locks no other process deletes the WAL, but a file replaced
     * anyway (deleted by hand, a database moved into place, a process that opened the file without
     * locking) must never be checkpointed through the stale connections: they are closed, opened
     * again, and a new generation starts, because the database file then holds every committed
     * page. Returns false if the database file is gone (nothing to sync until it is back).
     */
    private boolean reopenIfReplaced() throws IOException {
        if (conns == null) {
            return true;
        }
        String reason = files.replaced();
        if (reason == null) {
            return true;
        }
        if (!checkpointLock.writeLock().tryLock()) {
            throw new IOException(reason + ": reopening the database after the snapshot being read");
        }
        try {
            log.warn("sync: database files changed under the replicator, reopening", "db", path, "reason", reason);
            boolean oldWal = files.walOutlivedDatabase();
            long uncopied = oldWal ? Math.max(0, copy.walSize() - copy.size()) : 0;
            closeConnections();
            forcedGeneration = reason;
            if (oldWal) {
                setOldWalAside(uncopied);
            }
        } finally {
            checkpointLock.writeLock().unlock();
        }
        return initIfPresent();
    }

    /**
     * The database file was replaced while its WAL, the old database's, stayed ({@link OldWal}): moved aside before
     * SQLite opens the new file, unless another process has it open and so reads the new file through it already.
     */
    private void setOldWalAside(long uncopied) throws IOException {
        Path shm = SqliteFiles.shm(path);
        if (OldWal.inUseElsewhere(shm)) {
            log.warn(
                    "sync: the database file was replaced but its WAL, the old database's, is open in another process,"
                            + " which reads the new file through it; left as it is, and replicated as that process sees it",
                    "db",
                    path,
                    "wal",
                    walPath);
            return;
        }
        Path aside = OldWal.moveAside(walPath, shm, clock.instant());
        log.warn(
                "sync: the database file was replaced but its WAL was the old database's; moved it aside so that"
                        + " SQLite does not apply it to the new file",
                "db",
                path,
                "moved_to",
                aside,
                "unreplicated_bytes",
                uncopied);
    }

    /** Closes the SQLite connections first and the read descriptor last (see the class comment). */
    private void closeConnections() {
        if (conns != null) {
            conns.close();
            conns = null;
        }
        if (files != null) {
            files.close();
            files = null;
        }
    }

    private void ensureWalHeader() throws IOException {
        if (copy.walSize() < WalHeader.SIZE) {
            conns.bumpSeq();
        }
    }

    private void publish() {
        position = copy.pos();
    }

    private boolean maybeCheckpoint() throws IOException {
        if (copy.generation() == null) {
            return false;
        }
        long frames = copy.frames(pageSize);
        long walFrames = Math.max(0, (copy.walSize() - WalHeader.SIZE) / (pageSize + 24));
        CheckpointMode mode = null;
        boolean deferrable = true;
        if (walFrames >= TRUNCATE_PAGE_N) {
            mode = CheckpointMode.TRUNCATE;
            deferrable = false;
        } else if (opt.maxCheckpointPageCount() > 0 && frames >= opt.maxCheckpointPageCount()) {
            mode = CheckpointMode.RESTART;
        } else if (frames >= opt.minCheckpointPageCount()) {
            mode = CheckpointMode.PASSIVE;
        } else if (!opt.checkpointInterval().isZero()
                && frames > 1
                && dbFileAge().compareTo(opt.checkpointInterval()) > 0) {
            mode = CheckpointMode.PASSIVE;
        }
        return mode != null && checkpointLocked(mode, true, deferrable);
    }

    private Duration dbFileAge() throws IOException {
        return Duration.between(Files.getLastModifiedTime(path).toInstant(), clock.instant());
    }

    /**
     * Makes page-count checkpoints run as soon as a sync finds them due, even while the app writes,
     * instead of spacing them out: for callers that write and sync in turns and expect a WAL
     * restart at each threshold (tests that drive the replicator step by step).
     */
    public void checkpointAtEveryThreshold() {
        deferWhileWriting = false;
    }

    /** Checkpoints now (used before snapshots and by operators); returns true if anything changed. */
    public boolean checkpoint(CheckpointMode mode) throws IOException {
        lock.lock();
        try {
            if (conns == null || copy.generation() == null) {
                return false;
            }
            boolean changed = checkpointLocked(mode, true, false);
            return published(changed);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The checkpoint procedure, in two steps.
     *
     * <p>First, with the app free to write: every committed frame is copied and the read
     * transaction moves to the end of the WAL ({@link #moveReadMark()}), then a PASSIVE checkpoint
     * copies the WAL into the database file up to that mark. That is the bulk of the work (two
     * fsyncs and the page writes), and it is safe without the write lock: the read transaction,
     * held throughout, keeps SQLite from restarting the WAL.
     *
     * <p>Then, under the write lock, the frames committed meanwhile are copied, the read lock is
     * released, the WAL checkpointed to its end and the read lock retaken, so no commit can slip
     * between the last copy and a WAL restart. The restart itself happens at the next write (ours:
     * the sequence bump) and is picked up by {@link #copyFrames()} as index+1.
     *
     * @param refresh    move the read transaction onto the restarted WAL afterwards (see
     *                   {@link #moveReadMark()}); false leaves it on read mark 0 after a complete
     *                   checkpoint, which keeps every checkpoint, the app's included, out of the file
     * @param deferrable a page-count checkpoint: while the app is writing, it waits until {@link
     *                   #WRITE_LOCK_SPACING} times its last write-lock time has passed (at most {@link
     *                   #MAX_WRITE_LOCK_SPACING}), so a max-rate writer keeps nearly all its speed
     */
    private boolean checkpointLocked(CheckpointMode mode, boolean refresh, boolean deferrable) throws IOException {
        if (!checkpointLock.writeLock().tryLock()) {
            return false;
        }
        long t0 = System.nanoTime();
        try {
            boolean moved = copyFrames();
            if (deferrable && deferWhileWriting && lastCopiedNanos - lastLockedEnd > 0 && !writeLockDue()) {
                // frames came since the last checkpoint: the app is writing (a commit during this
                // very copy is too narrow a test: a busy app pauses for its own automatic
                // checkpoints, and each pause let a checkpoint of ours through). The read mark stays
                // where it is, so the app's own automatic checkpoints stay no-ops (no fsyncs in its
                // commits)
                log.debug("checkpoint deferred: the app is writing", "db", path, "mode", mode);
                return moved;
            }
            // the bulk: backfill up to a read mark moved to the end of the WAL, again while the app
            // committed much during the last pass, so that little is left for the write lock
            for (int pass = 0; pass < BACKFILL_PASSES; pass++) {
                long marked = copy.walSize();
                moved |= moveReadMark();
                conns.checkpointPassive();
                if (copy.walSize() - marked < (long) SMALL_TAIL_FRAMES * (pageSize + 24)) {
                    break;
                }
            }
            copyFrames();
            if (!conns.beginWrite()) {
                log.debug("checkpoint skipped: database busy", "db", path);
                return false;
            }
            long locked = System.nanoTime();
            SqliteConnections.CheckpointResult result;
            try {
                copyFrames();
                conns.releaseReadLock();
                try {
                    result = checkpointThroughBusy();
                } finally {
                    conns.acquireReadLock();
                }
            } finally {
                conns.endWrite();
            }
            conns.bumpSeq();
            lastLockedEnd = System.nanoTime();
            lastLockedNanos = lastLockedEnd - locked;
            stats.checkpoint(mode, System.nanoTime() - t0, false);
            log.debug(
                    "checkpoint",
                    "db",
                    path,
                    "mode",
                    mode,
                    "result",
                    result.busy() + "," + result.logFrames() + "," + result.checkpointedFrames(),
                    "write_lock_ms",
                    lastLockedNanos / 1_000_000);
            if (refresh) {
                moveReadMark(); // copy what the WAL restart brought, read from the new WAL
            } else {
                syncLocked();
            }
            return true;
        } catch (SQLException e) {
            stats.checkpoint(mode, System.nanoTime() - t0, true);
            throw new IOException("checkpoint: mode=" + mode + ": " + Log.describe(e), e);
        } finally {
            checkpointLock.writeLock().unlock();
        }
    }

    /**
     * A PASSIVE checkpoint under the write lock. SQLite answers busy at once while another
     * connection runs a checkpoint, typically the app's automatic one after its last commit; that
     * one can only finish now (nothing can commit), so it is waited for, briefly.
     */
    private SqliteConnections.CheckpointResult checkpointThroughBusy() throws SQLException {
        long deadline = System.nanoTime() + CHECKPOINT_BUSY_WAIT.toNanos();
        SqliteConnections.CheckpointResult r = conns.checkpointPassive();
        while (r.busy() != 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            r = conns.checkpointPassive();
        }
        return r;
    }

    /**
     * True once {@link #WRITE_LOCK_SPACING} times the last checkpoint's write-lock time (the
     * checkpoint and the sequence bump after it) has passed, or {@link #MAX_WRITE_LOCK_SPACING}.
     */
    private boolean writeLockDue() {
        long spacing = Math.min(lastLockedNanos * WRITE_LOCK_SPACING, MAX_WRITE_LOCK_SPACING.toNanos());
        return System.nanoTime() - lastLockedEnd >= spacing;
    }

    /**
     * Moves the read transaction to the end of the WAL without ever leaving the WAL unprotected:
     * a second reader opens a read transaction first, every committed frame is copied (at least
     * up to where the new read transaction sees), and only then does the old one end. At every
     * moment one of them holds a read mark, so SQLite cannot restart the WAL over frames not yet
     * copied, and no write lock is needed. Returns true if frames were copied.
     *
     * <p>After a checkpoint that backfilled everything, the read transaction taken under the write
     * lock uses SQLite's read mark 0. That still blocks other checkpoints, so it is safe, but then
     * every app commit past {@code wal_autocheckpoint} makes SQLite build and sort an iterator over
     * the whole WAL before it finds out it cannot checkpoint: tens of microseconds per commit, which
     * cut a max-rate writer to a third of its speed. Taken again once the restarted WAL holds
     * frames, the read transaction gets a read mark of at least 1, and the app's checkpoints become
     * cheap no-ops again.
     */
    private boolean moveReadMark() throws IOException, SQLException {
        if (!conns.holdsReadLock()) {
            // lost after a failure to retake it: nothing protected the WAL meanwhile, so the copy
            // checks continuity first, and the read transaction is taken under the write lock
            if (!conns.beginWrite()) {
                return syncLocked();
            }
            try {
                boolean changed = syncLocked();
                conns.acquireReadLock();
                return changed;
            } finally {
                conns.endWrite();
            }
        }
        conns.beginHandOver();
        boolean ok = false;
        try {
            boolean changed = syncLocked();
            ok = true;
            return changed;
        } finally {
            conns.endHandOver(ok);
        }
    }

    /** A snapshot being read: the database file's bytes and the position they belong to. */
    public interface SnapshotSource extends AutoCloseable {
        Pos pos();

        InputStream stream();

        @Override
        void close() throws IOException;
    }

    /**
     * Opens a snapshot: the whole database file, readable until closed, and the position it
     * belongs to (restoring it needs every WAL index from that position's index on, from offset 0).
     * No checkpoint runs while it is open. Close it on the thread that opened it.
     */
    public SnapshotSource openSnapshot() throws IOException {
        checkpoint(CheckpointMode.PASSIVE);
        checkpointLock.readLock().lock();
        boolean ok = false;
        try {
            Pos pos;
            InputStream in;
            lock.lock();
            try {
                if (conns == null) {
                    throw new IOException("database not open yet: " + path);
                }
                syncLocked();
                updateGauges();
                pos = position;
                in = new ChannelInputStream(files.channel(), 0);
            } finally {
                lock.unlock();
            }
            if (pos == null) {
                throw new IOException("no generation, waiting for data");
            }
            ok = true;
            return new SnapshotSource() {
                @Override
                public Pos pos() {
                    return pos;
                }

                @Override
                public InputStream stream() {
                    return in;
                }

                @Override
                public void close() {
                    checkpointLock.readLock().unlock();
                }
            };
        } finally {
            if (!ok) {
                checkpointLock.readLock().unlock();
            }
        }
    }

    /** The state of the database at the end of a WAL index: what a restore up to that index must produce. */
    public record Checkpointed(String generation, long index, Fingerprint fingerprint) {}

    /**
     * Checkpoints, and if that restarted the WAL, fingerprints the database file, which then holds
     * exactly the state at the end of the previous WAL index. While the file is read, the main lock
     * keeps our own syncs and checkpoints out, and our read transaction stays on read mark 0, which
     * keeps every other checkpoint from writing into the file. Returns null if the WAL could not be
     * restarted now (busy readers or writers); the caller tries again later.
     */
    public Checkpointed checkpointedState() throws IOException {
        lock.lock();
        try {
            Pos before = position;
            if (conns == null || before == null || !checkpointLocked(CheckpointMode.PASSIVE, false, false)) {
                return null;
            }
            try {
                Pos after = position;
                if (after == null
                        || !after.generation().equals(before.generation())
                        || after.index() != before.index() + 1) {
                    return null;
                }
                return new Checkpointed(before.generation(), before.index(), Fingerprint.of(files.channel()));
            } finally {
                moveReadMark(); // copy what the WAL restart brought, read from the new WAL
            }
        } catch (SQLException e) {
            throw new IOException("cannot move the read transaction after validation: " + Log.describe(e), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes the next sync start a new generation, if {@code generation} is still the current one: for a replica whose
     * position the shadow WAL no longer covers (a run of the replicator without that replica moved the shadow WAL on
     * and deleted the files it needed), so that it cannot be continued. Every replica then takes a snapshot.
     */
    public void requireNewGeneration(String generation, String reason) {
        lock.lock();
        try {
            if (generation.equals(copy.generation()) && forcedGeneration == null) {
                forcedGeneration = reason;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Size of shadow file {@code index} of {@code generation}, or -1 if it does not exist. */
    public long shadowSize(String gen, long idx) throws IOException {
        return shadow.size(gen, idx);
    }

    /** Opens bytes [offset, end) of a shadow file; throws NoSuchFileException if it is gone. */
    public InputStream openShadow(String gen, long idx, long offset, long end) throws IOException {
        FileChannel ch = FileChannel.open(shadow.file(gen, idx), StandardOpenOption.READ);
        ch.position(offset);
        InputStream raw = Channels.newInputStream(ch);
        return new BoundedInputStream(raw, end - offset, "shadow wal " + shadow.file(gen, idx));
    }

    /** Registers a replica that reads this database's shadow WAL; its files are kept until it moves past them. */
    public void registerReader(String name) {
        readerIndexes.putIfAbsent(name, -1L);
    }

    /**
     * Records that reader {@code name} no longer needs shadow files of {@code gen} below {@code index},
     * and drops the files that every registered reader has moved past (keeping one extra index, like
     * Litestream).
     */
    public void releaseShadowBelow(String name, String gen, long index) throws IOException {
        lock.lock();
        try {
            if (!gen.equals(copy.generation())) {
                return;
            }
            readerIndexes.put(name, index);
            long min = readerIndexes.values().stream()
                    .mapToLong(Long::longValue)
                    .min()
                    .orElse(-1);
            if (min > 0) {
                shadow.deleteBelow(gen, Math.min(min - 1, copy.index()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refreshes the gauges and, if the position or generation changed, tells the listeners. */
    private boolean published(boolean changed) throws IOException {
        updateGauges();
        if (changed) {
            listeners.forEach(Runnable::run);
        }
        return changed;
    }

    private void updateGauges() throws IOException {
        stats.sizes(Files.exists(path) ? Files.size(path) : 0, copy.walSize(), copy.index(), copy.size());
    }

    /** Final sync, then releases the read lock and closes the connections (the WAL is kept). */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            IOException failure = null;
            if (conns != null) {
                try {
                    if (reopenIfReplaced() && conns != null) {
                        syncLocked();
                    }
                    listeners.forEach(Runnable::run);
                } catch (IOException e) {
                    failure = e;
                }
            }
            closeConnections();
            closed = true;
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }
}
