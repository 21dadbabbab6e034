package dev.litestack.replicator.replica;

import java.util.EnumMap;
import java.util.Map;

/**
 * A read-only snapshot of a replica client's operation and byte counts by operation type. They feed
 * {@code litestream_replica_operation_total{replica_type=...,operation=...}} and
 * {@code litestream_replica_operation_bytes}.
 */
public record OperationStats(Map<Operation, Long> operations, Map<Operation, Long> bytes) {

    /** The operation label values. */
    public enum Operation {
        GET,
        PUT,
        LIST,
        DELETE
    }

    /** No operation yet. */
    public static final OperationStats NONE = new OperationStats(Map.of(), Map.of());

    public OperationStats {
        operations = Map.copyOf(operations);
        bytes = Map.copyOf(bytes);
    }

    public long operations(Operation op) {
        return operations.getOrDefault(op, 0L);
    }

    public long bytes(Operation op) {
        return bytes.getOrDefault(op, 0L);
    }

    /** The sum of two clients' counts. */
    public OperationStats plus(OperationStats other) {
        Map<Operation, Long> ops = new EnumMap<>(Operation.class);
        Map<Operation, Long> b = new EnumMap<>(Operation.class);
        for (Operation op : Operation.values()) {
            ops.put(op, operations(op) + other.operations(op));
            b.put(op, bytes(op) + other.bytes(op));
        }
        return new OperationStats(ops, b);
    }
}
