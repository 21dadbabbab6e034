package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.replica.OperationStats;
import dev.litestack.replicator.replica.OperationStats.Operation;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operation and byte counters of one S3 replica client, by operation type. They feed
 * {@code litestream_replica_operation_total{replica_type="s3",operation=...}} and
 * {@code litestream_replica_operation_bytes}. Thread-safe.
 *
 * <p>What counts, as in Litestream 0.3.13: a successful upload is one {@code PUT} whatever the
 * number of parts; each listing page is one {@code LIST}; each GetObject one {@code GET}; each
 * DeleteObject/DeleteObjects request one {@code DELETE}. {@code PUT} bytes grow as each part or
 * object is sent; {@code GET} bytes are the content length of each opened object.
 */
final class S3Stats {

    private final Map<Operation, LongAdder> operations = new EnumMap<>(Operation.class);
    private final Map<Operation, LongAdder> bytes = new EnumMap<>(Operation.class);

    S3Stats() {
        for (Operation op : Operation.values()) {
            operations.put(op, new LongAdder());
            bytes.put(op, new LongAdder());
        }
    }

    void countOperation(Operation op) {
        operations.get(op).increment();
    }

    void countBytes(Operation op, long n) {
        bytes.get(op).add(n);
    }

    long operations(Operation op) {
        return operations.get(op).sum();
    }

    long bytes(Operation op) {
        return bytes.get(op).sum();
    }

    /** The counts now. */
    OperationStats snapshot() {
        Map<Operation, Long> ops = new EnumMap<>(Operation.class);
        Map<Operation, Long> b = new EnumMap<>(Operation.class);
        for (Operation op : Operation.values()) {
            ops.put(op, operations(op));
            b.put(op, bytes(op));
        }
        return new OperationStats(ops, b);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("S3Stats[");
        for (Operation op : Operation.values()) {
            sb.append(op)
                    .append('=')
                    .append(operations(op))
                    .append('/')
                    .append(bytes(op))
                    .append("B ");
        }
        return sb.append(']').toString();
    }
}
