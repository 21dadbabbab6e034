package dev.litestack.replicator.restore;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.util.AtomicFiles;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.Lz4;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rebuilds a database from a {@link RestorePlan}: the snapshot streams to a temp file while WAL
 * segments download in parallel (at most {@code parallelism} at once, in order), then every segment
 * is checked and applied, the result passes {@code PRAGMA integrity_check}, and only then is it
 * renamed to the output path. On any failure nothing is left behind.
 *
 * <p>Objects can change between planning and reading (retention deletes them, a new snapshot of
 * the same index overwrites the snapshot). A missing object fails the restore; so does one that was
 * replaced: every object read must have its planned size, and once everything is read the replica
 * must still list each planned object with its planned size and time. A replaced snapshot would
 * otherwise go unnoticed: the WAL replays over it without error and pages the WAL does not rewrite
 * would come from the other snapshot.
 */
public final class Restorer {

    /** What a finished restore did; {@code end} is where the WAL it applied ends (to follow on from). */
    public record Result(Path output, long transactions, long segments, long bytes, WalCursor end) {}

    private final int parallelism;
    private final IntegrityCheck integrityCheck;
    private final Log log;
    private final long singleStreamMinRate;

    public Restorer(int parallelism, IntegrityCheck integrityCheck, Log log) {
        this(parallelism, integrityCheck, log, RangedDownload.SINGLE_STREAM_MIN_RATE);
    }

    /** {@code singleStreamMinRate}: see {@link RangedDownload}; 0 keeps one stream, {@code Long.MAX_VALUE} forces ranges. */
    Restorer(int parallelism, IntegrityCheck integrityCheck, Log log, long singleStreamMinRate) {
        this.parallelism = Math.max(1, parallelism);
        this.integrityCheck = integrityCheck;
        this.log = log;
        this.singleStreamMinRate = singleStreamMinRate;
    }

    /** {@code integrityCheck} true is {@link IntegrityCheck#FULL}, false {@link IntegrityCheck#NONE}. */
    public Restorer(int parallelism, boolean integrityCheck, Log log) {
        this(parallelism, integrityCheck ? IntegrityCheck.FULL : IntegrityCheck.NONE, log);
    }

    public Result restore(RestorePlan plan, Path output) throws IOException {
        // through a link, as SQLite opens it: a dangling /data/app.db -> /volume/app.db restores /volume/app.db
        Path out = SqliteFiles.resolve(output);
        if (SqliteFiles.holdsDatabase(out)) {
            throw new RestoreException("cannot restore, output path already exists: " + out);
        }
        if (Files.exists(out)) {
            log.info("output is an empty file: the restored database takes its place", "path", out);
        }
        refuseLeftovers(out);
        Files.createDirectories(out.getParent());
        try (WorkFolder work = WorkFolder.create(out)) {
            return restore(plan, out, work);
        }
    }

    private Result restore(RestorePlan plan, Path out, WorkFolder work) throws IOException {
        Path tmp = work.database();
        Path spill = work.spill();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "restore-download");
            t.setDaemon(true);
            return t;
        });
        ExecutorService snapshotPool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "restore-snapshot");
            t.setDaemon(true);
            return t;
        });
        try {
            Deque<Future<Fetched>> window = new ArrayDeque<>();
            int next = 0;
            while (next < plan.segments().size() && window.size() < parallelism) {
                window.add(fetch(pool, plan, plan.segments().get(next++), spill));
            }
            long bytes;
            long t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                bytes = writeSnapshot(plan, ch, snapshotPool);
                log.debug(
                        "snapshot restored",
                        "generation",
                        plan.generation(),
                        "index",
                        RestorePlanner.hex(plan.snapshot().index()),
                        "bytes",
                        bytes,
                        "ms",
                        millisSince(t0));
                long t1 = System.nanoTime();
                int pageSize = pageSizeOf(ch, plan);
                WalApplier applier = new WalApplier(ch, pageSize);
                for (WalSegmentInfo seg : plan.segments()) {
                    Fetched compressed = await(window.removeFirst(), plan, seg);
                    if (next < plan.segments().size()) {
                        window.add(fetch(pool, plan, plan.segments().get(next++), spill));
                    }
                    try {
                        if (compressed.size() != seg.size()) {
                            throw changed(
                                    objectName(plan, seg),
                                    "it is " + compressed.size() + " bytes, planned " + seg.size());
                        }
                        long n = applySegment(applier, plan, seg, compressed);
                        bytes += n;
                        log.debug(
                                "wal segment applied",
                                "index",
                                RestorePlanner.hex(seg.index()),
                                "offset",
                                seg.offset(),
                                "bytes",
                                n);
                    } finally {
                        compressed.discard();
                    }
                }
                WalCursor end = applier.cursor(plan.generation());
                if (end == null) {
                    end = new WalCursor(
                            Pos.start(plan.generation(), plan.snapshot().index()), null, 0, 0);
                }
                applier.endIndex();
                checkSize(ch, pageSize);
                log.debug("wal applied", "segments", plan.segments().size(), "ms", millisSince(t1));
                if (applier.droppedFrames() > 0) {
                    log.warn(
                            "restore: dropped frames of an uncommitted transaction at the end of a wal index",
                            "frames",
                            applier.droppedFrames());
                }
                // Three things must pass before the rename; they run at once: the replica's listing (did
                // anything change while we read it?) and the fsync on the download threads, the check here.
                Future<?> unchanged = pool.submit(() -> {
                    verifyUnchanged(plan);
                    return null;
                });
                long t2 = System.nanoTime();
                Future<Long> synced = pool.submit(() -> {
                    ch.force(true);
                    return millisSince(t2);
                });
                long t3 = System.nanoTime();
                RestoreException checkFailed = null;
                try {
                    checkIntegrity(tmp, integrityCheck);
                } catch (RestoreException e) {
                    checkFailed = e;
                }
                long checked = millisSince(t3);
                await(
                        unchanged,
                        "cannot check that replica " + plan.replicaName() + " did not change during the restore");
                long syncMs = await(synced, "cannot sync the restored file " + tmp);
                if (checkFailed != null) {
                    throw checkFailed;
                }
                log.debug(
                        "restored file synced and checked",
                        "fsync_ms",
                        syncMs,
                        "integrity_check",
                        integrityCheck.flagValue(),
                        "check_ms",
                        checked);
                if (SqliteFiles.holdsDatabase(out)) {
                    throw new RestoreException(
                            "cannot restore, " + out + " was written by something else during the restore");
                }
                AtomicFiles.rename(tmp, out);
                return new Result(out, applier.transactions(), plan.segments().size(), bytes, end);
            }
        } finally {
            snapshotPool.shutdownNow();
            pool.shutdownNow();
            try {
                pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Fails unless the file is as long as page 1's header says the database is (when that count is
     * valid: its version-valid-for number matches the change counter). SQLite keeps the two equal; a
     * replica whose last commit frame names a far larger size (damaged, or altered with checksums
     * recomputed) would otherwise give a file of up to 8 TiB that passes integrity_check, and the next
     * snapshot would read all of it.
     */
    static void checkSize(FileChannel ch, int pageSize) throws IOException {
        ByteBuffer hdr = ByteBuffer.allocate(100);
        ch.read(hdr, 0);
        long headerPages = Integer.toUnsignedLong(hdr.getInt(28));
        boolean valid = hdr.getInt(24) == hdr.getInt(92) && headerPages > 0;
        long pages = ch.size() / pageSize;
        if (valid && headerPages != pages) {
            throw new RestoreException("restored database is malformed: its header says " + headerPages
                    + " pages, but the replica's last transaction left " + pages + " pages of " + pageSize
                    + " bytes (the replica is damaged)");
        }
    }

    /**
     * Removes what restores to {@code output} that were killed left beside it (their work folders), when no restore
     * runs because the database is already there (-if-db-not-exists, restore-if-db-not-exists). Best effort: a
     * failure is the caller's to log.
     */
    public static void removeAbandonedWork(Path output) throws IOException {
        Path out = SqliteFiles.resolve(output);
        WorkFolder.removeAbandoned(out.getParent(), out);
    }

    /**
     * Refuses a new output {@code out} that has a WAL with content or a hot rollback journal (a non-zero
     * header) beside it: left from an earlier database whose file is gone, SQLite would replay it (or roll
     * it back) into the restored file at its first open, giving a state no replica holds. An empty WAL,
     * or a journal that is empty or zeroed (journal_mode PERSIST or TRUNCATE), is harmless.
     */
    public static void refuseLeftovers(Path out) throws IOException {
        Path wal = SqliteFiles.wal(out);
        Path journal = SqliteFiles.journal(out);
        Path leftover = startsWithData(wal, 1) ? wal : startsWithData(journal, 8) ? journal : null;
        if (leftover != null) {
            throw new RestoreException("cannot restore to " + out + ": " + leftover
                    + " is left from an earlier database, and SQLite would apply it to the restored one;"
                    + " move it away or delete it first");
        }
    }

    /**
     * Whether any of the first {@code n} bytes of {@code file} is not zero (false if it does not exist).
     * Opening and closing a -wal or -journal cannot drop SQLite's locks: they sit on the database file
     * and the -shm, and this database file does not exist yet.
     */
    private static boolean startsWithData(Path file, int n) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(n);
        } catch (NoSuchFileException e) {
            return false;
        }
        for (byte b : head) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The task's result; its IOException as is, anything else as a RestoreException starting with {@code what}. */
    private static <T> T await(Future<T> f, String what) throws IOException {
        return Tasks.await(
                f, c -> c instanceof IOException io ? io : new RestoreException(what + ": " + Log.describe(c), c));
    }

    private static Future<Fetched> fetch(ExecutorService pool, RestorePlan plan, WalSegmentInfo seg, Path spill) {
        return pool.submit(() -> {
            try (InputStream in = plan.client().openWalSegment(seg.pos())) {
                return Fetched.read(in, seg.size(), spill);
            }
        });
    }

    private static Fetched await(Future<Fetched> f, RestorePlan plan, WalSegmentInfo seg) throws IOException {
        return Tasks.await(
                f,
                c -> c instanceof NoSuchFileException
                        ? new RestoreException("wal segment disappeared during restore (deleted by retention?): "
                                + objectName(plan, seg))
                        : new RestoreException(
                                "cannot download wal segment " + objectName(plan, seg) + ": " + Log.describe(c), c));
    }

    private static long applySegment(WalApplier applier, RestorePlan plan, WalSegmentInfo seg, Fetched compressed)
            throws IOException {
        String name = objectName(plan, seg);
        applier.beginSegment(name, seg.index(), seg.offset());
        long n = 0;
        InputStream sealed = unseal(plan, compressed.open(), name);
        try (InputStream in = Lz4.decompress(sealed)) {
            byte[] buf = new byte[256 * 1024];
            int r;
            while ((r = in.read(buf)) > 0) {
                applier.accept(buf, 0, r);
                n += r;
            }
        } catch (RestoreException e) {
            throw e;
        } catch (IOException e) {
            throw new RestoreException("cannot decompress wal segment " + name + ": " + Log.describe(e), e);
        }
        applier.endSegment();
        return n;
    }

    /** The LZ4 frame of a stored object: decrypted for an age replica; a RestoreException names what is wrong. */
    private static InputStream unseal(RestorePlan plan, InputStream stored, String name) throws IOException {
        try {
            return plan.client().unseal(stored, name);
        } catch (RestoreException e) {
            throw e;
        } catch (IOException e) {
            stored.close();
            throw new RestoreException(e.getMessage(), e);
        }
    }

    /**
     * Snapshots above this size go through {@link RangedDownload}: one stream on a fast link,
     * otherwise parallel ranges of {@link #RANGE_CHUNK} bytes.
     */
    static final long RANGED_ABOVE = 8L << 20;

    static final int RANGE_CHUNK = 4 << 20;

    private InputStream openSnapshot(RestorePlan plan, ExecutorService pool) throws IOException {
        long size = plan.snapshot().size();
        if (size <= RANGED_ABOVE || parallelism < 2) {
            return plan.client().openSnapshot(plan.generation(), plan.snapshot().index());
        }
        return new RangedDownload(
                pool,
                (offset, length) -> plan.client()
                        .openSnapshotRange(plan.generation(), plan.snapshot().index(), offset, length),
                size,
                RANGE_CHUNK,
                parallelism,
                singleStreamMinRate,
                System::nanoTime);
    }

    private long writeSnapshot(RestorePlan plan, FileChannel ch, ExecutorService pool) throws IOException {
        String name = plan.client().describe() + "/"
                + ReplicaLayout.snapshotKey(plan.generation(), plan.snapshot().index());
        long stored;
        long written;
        try (CountingInputStream raw = new CountingInputStream(openSnapshot(plan, pool));
                InputStream in = Lz4.decompress(unseal(plan, raw, name))) {
            written = copy(in, ch);
            raw.transferTo(OutputStream.nullOutputStream());
            stored = raw.count();
            if (raw.source() instanceof RangedDownload rd) {
                log.debug(
                        "snapshot downloaded",
                        "bytes",
                        stored,
                        "first_chunk_mib_s",
                        Math.round(rd.firstChunkRate() / (1 << 20)),
                        "ranges",
                        rd.ranged());
            }
        } catch (NoSuchFileException e) {
            throw new RestoreException(
                    "snapshot disappeared during restore (replaced or deleted by retention): " + name);
        } catch (RestoreException e) {
            throw e;
        } catch (IOException e) {
            throw new RestoreException("cannot read snapshot " + name + ": " + e.getMessage(), e);
        }
        if (stored != plan.snapshot().size()) {
            throw changed(
                    "snapshot " + name,
                    "it is " + stored + " bytes, planned " + plan.snapshot().size());
        }
        return written;
    }

    /** Copies {@code in} to the channel at its position in large writes; returns the bytes copied. */
    static long copy(InputStream in, FileChannel ch) throws IOException {
        byte[] buf = new byte[1 << 20];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long total = 0;
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
            bb.clear().limit(n);
            try {
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            } catch (IOException e) {
                // not "cannot read snapshot": a full disk here is the output's, not the replica's
                throw new RestoreException("cannot write the restored database: " + Log.describe(e), e);
            }
            total += n;
        }
        return total;
    }

    /**
     * Fails unless the replica still lists the planned snapshot and segments with their planned
     * sizes and times: an object replaced before it was read shows a new size or time here.
     */
    private static void verifyUnchanged(RestorePlan plan) throws IOException {
        List<SnapshotInfo> snapshots;
        List<WalSegmentInfo> segments;
        try {
            snapshots = plan.client().snapshots(plan.generation());
            segments = plan.client().walSegments(plan.generation());
        } catch (IOException e) {
            throw new RestoreException(
                    "cannot check that replica " + plan.replicaName() + " did not change during the restore: "
                            + e.getMessage(),
                    e);
        }
        SnapshotInfo planned = plan.snapshot();
        SnapshotInfo now = snapshots.stream()
                .filter(s -> s.index() == planned.index())
                .findFirst()
                .orElse(null);
        if (now == null || now.size() != planned.size() || !now.createdAt().equals(planned.createdAt())) {
            throw changed(
                    "snapshot " + plan.client().describe() + "/"
                            + ReplicaLayout.snapshotKey(plan.generation(), planned.index()),
                    describe(now, planned.size(), planned.createdAt()));
        }
        Map<Pos, WalSegmentInfo> listed = new HashMap<>();
        for (WalSegmentInfo s : segments) {
            listed.put(s.pos(), s);
        }
        for (WalSegmentInfo seg : plan.segments()) {
            WalSegmentInfo s = listed.get(seg.pos());
            if (s == null || s.size() != seg.size() || !s.createdAt().equals(seg.createdAt())) {
                throw changed(
                        objectName(plan, seg),
                        s == null
                                ? "it is gone"
                                : "listed as " + s.size() + " bytes at " + s.createdAt() + ", planned " + seg.size()
                                        + " bytes at " + seg.createdAt());
            }
        }
    }

    private static String describe(SnapshotInfo now, long size, Instant createdAt) {
        return now == null
                ? "it is gone"
                : "listed as " + now.size() + " bytes at " + now.createdAt() + ", planned " + size + " bytes at "
                        + createdAt;
    }

    private static RestoreException changed(String object, String how) {
        return new RestoreException(object + " changed during the restore (" + how + "): it was replaced or deleted "
                + "after the restore was planned; run the restore again");
    }

    /** Counts the bytes read through it. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        InputStream source() {
            return in;
        }

        @Override
        public int read() throws IOException {
            int r = super.read();
            if (r >= 0) {
                count++;
            }
            return r;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) {
                count += r;
            }
            return r;
        }
    }

    private static int pageSizeOf(FileChannel ch, RestorePlan plan) throws IOException {
        ByteBuffer hdr = ByteBuffer.allocate(100);
        ch.read(hdr, 0);
        byte[] b = hdr.array();
        String magic = new String(b, 0, 15, java.nio.charset.StandardCharsets.US_ASCII);
        if (hdr.position() < 100 || !"SQLite format 3".equals(magic)) {
            throw new RestoreException("snapshot " + plan.generation() + "/"
                    + RestorePlanner.hex(plan.snapshot().index()) + " is not a SQLite database");
        }
        int ps = ((b[16] & 0xff) << 8) | (b[17] & 0xff);
        return ps == 1 ? 65536 : ps;
    }

    private static String objectName(RestorePlan plan, WalSegmentInfo seg) {
        return plan.client().describe() + "/"
                + ReplicaLayout.walSegmentKey(seg.generation(), seg.index(), seg.offset());
    }

    private static void checkIntegrity(Path db, IntegrityCheck mode) throws IOException {
        if (mode.pragma() == null) {
            return;
        }
        String url = "jdbc:sqlite:" + db.toUri() + "?immutable=1";
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA " + mode.pragma())) {
            StringBuilder problems = new StringBuilder();
            while (rs.next()) {
                String row = rs.getString(1);
                if (!"ok".equals(row)) {
                    problems.append(problems.length() > 0 ? "; " : "").append(row);
                }
            }
            if (problems.length() > 0) {
                throw new RestoreException("restored database fails " + mode.pragma() + ": " + problems);
            }
        } catch (SQLException e) {
            throw new RestoreException("restored database fails " + mode.pragma() + ": " + e.getMessage(), e);
        }
    }
}
