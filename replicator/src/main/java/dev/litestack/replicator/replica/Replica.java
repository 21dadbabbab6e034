package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.config.ReplicaConfig;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.util.CompressingInputStream;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.Lz4;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Ships one database's shadow WAL to one replica: a snapshot when a generation has none (and at
 * {@code snapshot-interval}), then one WAL segment per index with new data on each sync, each
 * ending on a commit. Also enforces retention. Not thread-safe: one thread drives each replica.
 */
public final class Replica {

    /** Per-replica settings. */
    public record Options(
            String name,
            Duration syncInterval,
            Duration snapshotInterval,
            Duration retention,
            Duration retentionCheckInterval,
            Duration validationInterval) {
        /** Options without validation. */
        public Options(
                String name,
                Duration syncInterval,
                Duration snapshotInterval,
                Duration retention,
                Duration retentionCheckInterval) {
            this(name, syncInterval, snapshotInterval, retention, retentionCheckInterval, Duration.ZERO);
        }

        /** The settings of a replica configured with nothing but its location (see {@link ReplicaConfig}). */
        public static Options defaults(String name) {
            return new Options(
                    name,
                    ReplicaConfig.DEFAULT_SYNC_INTERVAL,
                    Duration.ZERO,
                    ReplicaConfig.DEFAULT_RETENTION,
                    ReplicaConfig.DEFAULT_RETENTION_CHECK_INTERVAL);
        }
    }

    private final Database db;
    private final ReplicaClient client;
    private final Options opt;
    private final Clock clock;
    private final Log log;
    private final ReplicaStats stats = new ReplicaStats();
    private volatile Pos pos;
    /** The client's {@link ReplicaClient#term()} when {@link #pos} was learned from the replica. */
    private long posTerm;
    /** The position last logged at INFO when learned from the replica. */
    private Pos lastLoggedPosition;

    private Instant lastSnapshotAt;

    public Replica(Database db, ReplicaClient client, Options options, Clock clock, Log log) {
        this.db = db;
        this.client = client;
        this.opt = options;
        this.clock = clock;
        this.log = log;
        db.registerReader(options.name());
    }

    public String name() {
        return opt.name();
    }

    public Options options() {
        return opt;
    }

    public ReplicaClient client() {
        return client;
    }

    public Database db() {
        return db;
    }

    /** The replica's counters and gauges now. */
    public ReplicaStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** Counts a failed sync attempt (the runner's, which retries it). */
    public void countSyncError() {
        stats.syncFailed();
    }

    /** The replica's position: the end of the last segment it holds, or null if not yet known. */
    public Pos position() {
        return pos;
    }

    /**
     * Uploads everything the shadow WAL has beyond the replica's position. On any error the
     * position is forgotten and recomputed from the replica on the next call.
     */
    public void sync() throws IOException {
        try {
            syncOnce();
        } catch (LeaseTakenAnewException e) {
            // the lease was taken anew just before an upload, which was not made: the position is forgotten, and
            // learned again from the replica now (with a snapshot if its files are gone)
            syncOnce();
        }
    }

    private void syncOnce() throws IOException {
        Pos dbPos = db.position();
        if (dbPos == null) {
            return;
        }
        try {
            if (pos != null && (client.term() != posTerm || client.generationMissing(pos.generation()))) {
                // the generation's files are gone (its folder deleted), or the lease was taken anew: the files may be
                // gone with it, or another replicator wrote; learn the position again, with a snapshot if the
                // generation has none
                log.info(
                        "replica's generation gone or its lease taken anew; checking the generation again",
                        "db",
                        db.path(),
                        "replica",
                        name(),
                        "generation",
                        pos.generation());
                pos = null;
            }
            if (pos == null || !pos.generation().equals(dbPos.generation())) {
                startGeneration(dbPos.generation());
                dbPos = db.position();
                if (pos == null || dbPos == null || !pos.generation().equals(dbPos.generation())) {
                    pos = null;
                    return;
                }
            }
            while (true) {
                long end = pos.index() == dbPos.index() ? dbPos.offset() : db.shadowSize(pos.generation(), pos.index());
                if (end < 0 || pos.offset() > end) {
                    throw cannotContinue(
                            pos.generation(),
                            end < 0
                                    ? "shadow wal missing for replica position " + pos
                                    : "replica position " + pos + " is past the shadow wal end " + end);
                }
                if (pos.offset() < end) {
                    upload(end);
                } else if (pos.index() < dbPos.index()) {
                    pos = Pos.start(pos.generation(), pos.index() + 1);
                } else {
                    break;
                }
            }
            stats.markSynced(clock.instant(), dbPos);
            db.releaseShadowBelow(name(), pos.generation(), pos.index());
        } catch (IOException | RuntimeException e) {
            pos = null;
            throw e;
        }
    }

    /**
     * {@code generation} cannot be continued on this replica: the shadow files it needs were deleted (by a run of the
     * replicator whose configuration did not have this replica), the shadow WAL is behind the replica, or the
     * replica's generation lost its snapshot. Retrying cannot help, so the database starts a new generation at its
     * next sync, which this replica then begins with a snapshot.
     */
    private IOException cannotContinue(String generation, String problem) {
        Pos now = db.position();
        if (now == null || !now.generation().equals(generation)) {
            // another replica's sync, or the database's own checks, started a new generation meanwhile (and deleted
            // this one's shadow files): the next sync begins the new one
            return new IOException(problem + " (generation " + generation + " has ended)");
        }
        db.requireNewGeneration(generation, "replica " + name() + ": " + problem);
        log.warn(
                "replica cannot continue its generation, starting a new one",
                "db",
                db.path(),
                "replica",
                name(),
                "reason",
                problem);
        return new IOException(problem + "; a new generation starts at the next sync");
    }

    private void upload(long end) throws IOException {
        Pos at = pos;
        try (InputStream raw = db.openShadow(at.generation(), at.index(), at.offset(), end);
                CompressingInputStream body = new CompressingInputStream(raw)) {
            WalSegmentInfo info = client.writeWalSegment(at, client.seal(body));
            stats.uploaded(end - at.offset());
            log.debug(
                    "wal segment written",
                    "db",
                    db.path(),
                    "replica",
                    name(),
                    "position",
                    at,
                    "size",
                    end - at.offset(),
                    "stored",
                    info.size());
        }
        pos = at.withOffset(end);
        stats.markShipped(pos);
    }

    /**
     * Makes sure the replica has a snapshot of {@code generation}, then learns its position from the replica. A
     * generation that holds WAL segments but no snapshot lost files (its snapshots deleted, or the replica's folder
     * deleted while segments were being written): it cannot be continued, since a snapshot added now would sit
     * beside segments whose start is gone, so the database begins a new generation.
     */
    private void startGeneration(String generation) throws IOException {
        long term = client.term();
        List<WalSegmentInfo> segs = client.walSegments(generation);
        List<SnapshotInfo> snaps = client.snapshots(generation);
        if (snaps.isEmpty() && !segs.isEmpty()) {
            throw cannotContinue(
                    generation, "generation " + generation + " has WAL segments but no snapshot (files deleted?)");
        }
        if (snaps.isEmpty()) {
            SnapshotInfo info = snapshot();
            if (!info.generation().equals(generation)) {
                pos = null;
                return;
            }
            snaps = List.of(info);
        }
        lastSnapshotAt = snaps.stream()
                .map(SnapshotInfo::createdAt)
                .max(Instant::compareTo)
                .orElse(null);
        pos = positionFromReplica(generation, snaps.get(snaps.size() - 1).index(), segs);
        posTerm = term;
        stats.markShipped(pos);
        if (pos.equals(lastLoggedPosition)) {
            // learned again after a failed sync, where it was: one line per outage is the failure's own
            log.debug("replica position", "db", db.path(), "replica", name(), "position", pos);
        } else {
            log.info("replica position", "db", db.path(), "replica", name(), "position", pos);
            lastLoggedPosition = pos;
        }
    }

    private Pos positionFromReplica(String generation, long snapshotIndex, List<WalSegmentInfo> segs)
            throws IOException {
        if (segs.isEmpty() || segs.get(segs.size() - 1).index() < snapshotIndex) {
            return Pos.start(generation, snapshotIndex);
        }
        WalSegmentInfo last = segs.get(segs.size() - 1);
        long len;
        String name = client.describe() + "/" + ReplicaLayout.walSegmentKey(generation, last.index(), last.offset());
        try (InputStream in = Lz4.decompress(client.unseal(client.openWalSegment(last.pos()), name))) {
            len = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return last.pos().withOffset(last.offset() + len);
    }

    /** Takes a snapshot of the database now and uploads it. */
    public SnapshotInfo snapshot() throws IOException {
        try (Database.SnapshotSource src = db.openSnapshot();
                CompressingInputStream body = new CompressingInputStream(src.stream())) {
            Pos at = src.pos();
            if (pos != null && pos.generation().equals(at.generation())) {
                // Upload the WAL through the snapshot's index first: a replica whose newest snapshot
                // index is above its last WAL index makes Litestream 0.3.13's restore panic.
                sync();
            }
            SnapshotInfo info = client.writeSnapshot(at.generation(), at.index(), client.seal(body));
            lastSnapshotAt = info.createdAt();
            stats.snapshotTaken();
            log.info(
                    "snapshot written",
                    "db",
                    db.path(),
                    "replica",
                    name(),
                    "position",
                    at,
                    "size",
                    body.rawBytes(),
                    "stored",
                    info.size());
            return info;
        }
    }

    /** True if a snapshot-interval snapshot is due now. */
    public boolean snapshotDue() {
        if (opt.snapshotInterval().isZero() || opt.snapshotInterval().isNegative() || lastSnapshotAt == null) {
            return false;
        }
        return !clock.instant().isBefore(lastSnapshotAt.plus(opt.snapshotInterval()));
    }

    /** How a retention pass ended. */
    public enum RetentionOutcome {
        /** Everything past retention was deleted. */
        DONE,
        /** Asked to stop between two deletions: the rest waits for the next pass. */
        STOPPED,
        /** No snapshot is within retention: one must be taken (on the replica's thread) before anything is deleted. */
        NEEDS_SNAPSHOT,
        /** Nothing was checked: the database has not been synced yet (it may not exist yet). */
        NOT_YET
    }

    /**
     * Retention: keeps every snapshot newer than {@code retention} (taking one if none is), deletes
     * generations with no retained snapshot, and in the others deletes snapshots and WAL segments
     * below the lowest retained snapshot's index. Runs on the replica's thread.
     */
    public void enforceRetention() throws IOException {
        if (enforceRetention(() -> false) == RetentionOutcome.NEEDS_SNAPSHOT) {
            snapshot();
            enforceRetention(() -> false);
        }
    }

    /**
     * One retention pass that may run on another thread while this replica syncs: it reads the replica and deletes
     * through the (thread-safe) client, and touches none of the sync's state. What it deletes is never what a sync
     * writes or needs: generations other than the one current when the pass began and the one current at the
     * deletion (a new generation's snapshot may not be written yet), and, within a generation, snapshots and WAL
     * segments below its lowest retained snapshot (a sync writes at or above its newest). {@code stop} is asked
     * before each deletion. Takes no snapshot: if none is within retention it deletes nothing and says so.
     */
    public RetentionOutcome enforceRetention(BooleanSupplier stop) throws IOException {
        if (opt.retention().isZero() || opt.retention().isNegative()) {
            return RetentionOutcome.DONE;
        }
        Pos atStart = db.position();
        if (atStart == null) {
            // not synced yet (the database may not exist yet): no snapshot could be taken, nor is anything known
            // to be current
            return RetentionOutcome.NOT_YET;
        }
        Instant cutoff = clock.instant().minus(opt.retention());
        List<String> generations = client.generations();
        List<SnapshotInfo> retained = new ArrayList<>();
        for (String g : generations) {
            for (SnapshotInfo s : client.snapshots(g)) {
                if (!s.createdAt().isBefore(cutoff)) {
                    retained.add(s);
                }
            }
        }
        if (retained.isEmpty()) {
            return RetentionOutcome.NEEDS_SNAPSHOT;
        }
        for (String g : generations) {
            long min = retained.stream()
                    .filter(s -> s.generation().equals(g))
                    .mapToLong(SnapshotInfo::index)
                    .min()
                    .orElse(-1);
            if (min < 0) {
                Pos now = db.position();
                if (g.equals(atStart.generation()) || (now != null && g.equals(now.generation()))) {
                    continue; // never delete the generation being written
                }
                if (stop.getAsBoolean()) {
                    return RetentionOutcome.STOPPED;
                }
                client.deleteGeneration(g);
                log.info("generation deleted", "db", db.path(), "replica", name(), "generation", g);
                continue;
            }
            for (SnapshotInfo s : client.snapshots(g)) {
                if (s.index() < min) {
                    if (stop.getAsBoolean()) {
                        return RetentionOutcome.STOPPED;
                    }
                    client.deleteSnapshot(g, s.index());
                    log.info(
                            "snapshot deleted",
                            "db",
                            db.path(),
                            "replica",
                            name(),
                            "generation",
                            g,
                            "index",
                            s.index());
                }
            }
            List<Pos> old = new ArrayList<>();
            for (WalSegmentInfo w : client.walSegments(g)) {
                if (w.index() < min) {
                    old.add(w.pos());
                }
            }
            if (!old.isEmpty()) {
                if (stop.getAsBoolean()) {
                    return RetentionOutcome.STOPPED;
                }
                // each index's first segment last: a deletion cut short (a kill, a failed request) must leave every
                // index that is still listed starting at offset 0, which Litestream's restore checks of every index,
                // even those below the snapshot it restores from ("missing initial wal segment")
                List<Pos> later = old.stream().filter(p -> p.offset() > 0).toList();
                List<Pos> initial = old.stream().filter(p -> p.offset() == 0).toList();
                for (List<Pos> part : List.of(later, initial)) {
                    if (!part.isEmpty()) {
                        client.deleteWalSegments(part);
                    }
                }
                log.info(
                        "wal segments deleted",
                        "db",
                        db.path(),
                        "replica",
                        name(),
                        "generation",
                        g,
                        "before_index",
                        min,
                        "n",
                        old.size());
            }
        }
        return RetentionOutcome.DONE;
    }
}
