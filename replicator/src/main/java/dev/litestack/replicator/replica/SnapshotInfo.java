package dev.litestack.replicator.replica;

import java.time.Instant;

/** A snapshot object on a replica. {@code size} is the stored (compressed) size. */
public record SnapshotInfo(String generation, long index, long size, Instant createdAt) {}
