package dev.litestack.replicator.replica;

import java.io.IOException;

/**
 * Where a replica keeps its lease object ({@link ReplicaLayout#LEASE}, outside
 * {@code generations/}, so Litestream's listings and restores never see it). Writes are
 * compare-and-swap: {@link #create} succeeds only if no lease exists, {@link #replace} only if the
 * stored lease is still the version read. Both return null when the condition failed.
 */
public interface LeaseStore {

    /** A stored lease and its version (an S3 ETag, a file version number). */
    record Stored(Lease lease, String version) {}

    /** The current lease, or null if none was ever written. */
    Stored read() throws IOException;

    /** Writes {@code lease} if no lease exists; its new version, or null if one exists. */
    String create(Lease lease) throws IOException;

    /** Writes {@code lease} if the stored version is still {@code version}; the new version, or null. */
    String replace(Lease lease, String version) throws IOException;

    /** Where the lease lives, for messages. */
    String describe();
}
