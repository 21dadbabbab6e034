package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/** Counters and gauges of one replica, kept by the replica; others read a {@link Snapshot}. */
final class ReplicaStats {

    /**
     * The counters and gauges at one moment, read by metrics and health.
     *
     * @param shipped         the end of the last WAL data known to be on the replica, or null if none
     *                        yet. Unlike {@link Replica#position()}, which is forgotten after a failed
     *                        sync until the replica is listed again, this keeps its value through an
     *                        outage (for the position gauges).
     * @param lastSyncAt      when the replica last caught up with the database, or null if never
     * @param lastSyncedDbPos the database position the replica had caught up with at its last successful sync
     */
    public record Snapshot(
            long walBytes, long snapshots, long syncErrors, Pos shipped, Instant lastSyncAt, Pos lastSyncedDbPos) {}

    private final LongAdder walBytes = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final LongAdder syncErrors = new LongAdder();
    private volatile Instant lastSyncAt;
    private volatile Pos lastSyncedDbPos;
    private volatile Pos shipped;

    void uploaded(long bytes) {
        walBytes.add(bytes);
    }

    void snapshotTaken() {
        snapshots.increment();
    }

    void syncFailed() {
        syncErrors.increment();
    }

    void markSynced(Instant at, Pos dbPos) {
        lastSyncAt = at;
        lastSyncedDbPos = dbPos;
    }

    void markShipped(Pos pos) {
        shipped = pos;
    }

    Snapshot snapshot() {
        return new Snapshot(walBytes.sum(), snapshots.sum(), syncErrors.sum(), shipped, lastSyncAt, lastSyncedDbPos);
    }
}
