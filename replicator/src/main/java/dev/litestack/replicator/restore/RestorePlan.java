package dev.litestack.replicator.restore;

import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.util.Log;
import java.util.List;

/**
 * What a restore will read: one snapshot and the WAL segments to apply after it, in (index,
 * offset) order, covering every index from the snapshot's index to the last one.
 */
public record RestorePlan(
        String replicaName,
        ReplicaClient client,
        String generation,
        SnapshotInfo snapshot,
        List<WalSegmentInfo> segments,
        String newerWithoutSnapshot) {

    /** Warns when a newer generation was passed over: its WAL has no snapshot to start from (Litestream fails). */
    public void warnIfNewerSkipped(Log log) {
        if (newerWithoutSnapshot != null) {
            log.warn(
                    "a newer generation has WAL but no snapshot and cannot be restored; restoring an older one",
                    "newer_generation",
                    newerWithoutSnapshot,
                    "generation",
                    generation);
        }
    }

    public long maxIndex() {
        return segments.isEmpty()
                ? snapshot.index()
                : segments.get(segments.size() - 1).index();
    }
}
