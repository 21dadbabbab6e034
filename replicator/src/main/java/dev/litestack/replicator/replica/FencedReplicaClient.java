package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Refuses every write and delete unless this process holds the replica's lease ({@link
 * LeaseKeeper#valid()}): a replicator that lost its lease, or could not renew it in time,
 * writes nothing. Each write first lets the keeper renew or take back its lease when that is due
 * ({@link LeaseKeeper#beforeWrite()}). Reads pass.
 */
public final class FencedReplicaClient extends ForwardingReplicaClient {

    private final LeaseKeeper lease;
    private final dev.litestack.replicator.util.Log log;

    public FencedReplicaClient(ReplicaClient inner, LeaseKeeper lease, dev.litestack.replicator.util.Log log) {
        super(inner);
        this.lease = lease;
        this.log = log;
    }

    public LeaseKeeper lease() {
        return lease;
    }

    /** Changes each time the lease is taken from nobody or from another holder ({@link LeaseKeeper#takings()}). */
    @Override
    public long term() {
        return lease.takings();
    }

    /** Releases the lease (after the final sync, which runs before clients close), then closes the client. */
    @Override
    public void close() throws IOException {
        try {
            boolean held = lease.held();
            lease.release();
            if (held) {
                log.info("lease released", "replica", inner.describe());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot release lease (it expires on its own)", "replica", inner.describe(), "error", e);
        } finally {
            inner.close();
        }
    }

    private void check() throws IOException {
        long term = lease.takings();
        lease.beforeWrite();
        if (!lease.valid()) {
            Lease other = lease.lostTo();
            throw new LeaseNotHeldException(
                    "not writing to " + inner.describe() + ": this replicator does not hold its lease "
                            + (other != null ? "(taken by " + other.who() + ")" : "(not renewed in time)"),
                    lease.pollInterval());
        }
        if (lease.takings() != term) {
            // taken from nobody (the replica's files deleted with it) or from another holder just now: what this
            // write continues may be gone, so it is not made; the writer learns the replica again first
            throw new LeaseTakenAnewException("the lease of " + inner.describe()
                    + " was just taken anew; the replica is read again before writing to it");
        }
    }

    @Override
    public SnapshotInfo writeSnapshot(String generation, long index, InputStream body) throws IOException {
        check();
        return inner.writeSnapshot(generation, index, body);
    }

    @Override
    public WalSegmentInfo writeWalSegment(Pos pos, InputStream body) throws IOException {
        check();
        return inner.writeWalSegment(pos, body);
    }

    @Override
    public void deleteSnapshot(String generation, long index) throws IOException {
        check();
        inner.deleteSnapshot(generation, index);
    }

    @Override
    public void deleteWalSegments(List<Pos> positions) throws IOException {
        check();
        inner.deleteWalSegments(positions);
    }

    @Override
    public void deleteGeneration(String generation) throws IOException {
        check();
        inner.deleteGeneration(generation);
    }
}
