package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.util.AgeCodec;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A replica with an {@code age} block: objects are stored age-encrypted around their LZ4 frame,
 * as Litestream 0.3.13 stores them. Everything else is the wrapped client's.
 */
public final class AgeReplicaClient implements ReplicaClient {

    private final ReplicaClient inner;
    private final AgeCodec age;

    public AgeReplicaClient(ReplicaClient inner, AgeCodec age) {
        this.inner = inner;
        this.age = age;
    }

    @Override
    public InputStream seal(InputStream lz4) throws IOException {
        if (!age.canEncrypt()) {
            throw new IOException("cannot write to " + inner.describe() + ": age identities are set but no age "
                    + "recipients (the public keys to encrypt to)");
        }
        return age.encrypt(lz4);
    }

    @Override
    public InputStream unseal(InputStream stored, String name) throws IOException {
        try {
            return age.decrypt(stored, name);
        } catch (IOException e) {
            stored.close();
            throw e;
        }
    }

    @Override
    public ReplicaClient unwrap() {
        return inner.unwrap();
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
