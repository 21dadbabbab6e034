package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.time.Instant;

/**
 * A WAL segment object on a replica: a byte range of one index's WAL that starts at
 * {@code offset}. {@code size} is the stored (compressed) size.
 */
public record WalSegmentInfo(String generation, long index, long offset, long size, Instant createdAt) {

    public Pos pos() {
        return new Pos(generation, index, offset);
    }
}
