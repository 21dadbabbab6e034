package dev.litestack.replicator.restore;

import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
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
        List<WalSegmentInfo> segments) {

    public long maxIndex() {
        return segments.isEmpty()
                ? snapshot.index()
                : segments.get(segments.size() - 1).index();
    }
}
