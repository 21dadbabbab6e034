package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** A client that passes every call to another one; wrappers override what they change. */
public abstract class ForwardingReplicaClient implements ReplicaClient {

    protected final ReplicaClient inner;

    protected ForwardingReplicaClient(ReplicaClient inner) {
        this.inner = inner;
    }

    @Override
    public InputStream seal(InputStream lz4) throws IOException {
        return inner.seal(lz4);
    }

    @Override
    public InputStream unseal(InputStream stored, String name) throws IOException {
        return inner.unseal(stored, name);
    }

    @Override
    public LeaseStore leaseStore() {
        return inner.leaseStore();
    }

    @Override
    public void verify() throws IOException {
        inner.verify();
    }

    @Override
    public java.util.Optional<OperationStats> operationStats() {
        return inner.operationStats();
    }

    @Override
    public long term() {
        return inner.term();
    }

    @Override
    public boolean generationMissing(String generation) {
        return inner.generationMissing(generation);
    }

    @Override
    public String type() {
        return inner.type();
    }

    @Override
    public List<String> generations() throws IOException {
        return inner.generations();
    }

    @Override
    public List<SnapshotInfo> snapshots(String generation) throws IOException {
        return inner.snapshots(generation);
    }

    @Override
    public List<WalSegmentInfo> walSegments(String generation) throws IOException {
        return inner.walSegments(generation);
    }

    @Override
    public SnapshotInfo writeSnapshot(String generation, long index, InputStream body) throws IOException {
        return inner.writeSnapshot(generation, index, body);
    }

    @Override
    public WalSegmentInfo writeWalSegment(Pos pos, InputStream body) throws IOException {
        return inner.writeWalSegment(pos, body);
    }

    @Override
    public InputStream openSnapshot(String generation, long index) throws IOException {
        return inner.openSnapshot(generation, index);
    }

    @Override
    public InputStream openSnapshotRange(String generation, long index, long offset, long length) throws IOException {
        return inner.openSnapshotRange(generation, index, offset, length);
    }

    @Override
    public InputStream openWalSegment(Pos pos) throws IOException {
        return inner.openWalSegment(pos);
    }

    @Override
    public void deleteSnapshot(String generation, long index) throws IOException {
        inner.deleteSnapshot(generation, index);
    }

    @Override
    public void deleteWalSegments(List<Pos> positions) throws IOException {
        inner.deleteWalSegments(positions);
    }

    @Override
    public void deleteGeneration(String generation) throws IOException {
        inner.deleteGeneration(generation);
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
