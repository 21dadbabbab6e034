package dev.litestack.replicator.replica;

import java.io.IOException;

/**
 * A write not made because the replica's lease was taken anew just before it ({@link ReplicaClient#term()} changed):
 * from nobody, the lease object having been deleted (often with the replica's files), or from another holder. The
 * writer learns its position from the replica again and then writes.
 */
public final class LeaseTakenAnewException extends IOException {

    public LeaseTakenAnewException(String message) {
        super(message);
    }
}
