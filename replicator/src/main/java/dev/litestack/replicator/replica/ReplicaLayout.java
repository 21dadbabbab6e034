package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only place that builds or parses replica names. The layout (identical for every backend):
 * <pre>
 * generations/&lt;generation&gt;/snapshots/&lt;index %08x&gt;.snapshot.lz4
 * generations/&lt;generation&gt;/wal/&lt;index %08x&gt;_&lt;offset %08x&gt;.wal.lz4
 * </pre>
 */
public final class ReplicaLayout {

    public static final String GENERATIONS = "generations";
    static final String SNAPSHOTS = "snapshots";
    public static final String WAL = "wal";
    /**
     * The single-writer lease, beside {@code generations/} (a folder of versions on a file replica,
     * one object on S3). Litestream lists and restores only under {@code generations/}.
     */
    public static final String LEASE = "lease";

    // An index is at most 0x7FFFFFFF (Litestream starts a new generation there and ignores higher names).
    private static final Pattern SNAPSHOT = Pattern.compile("([0-7][0-9a-f]{7})\\.snapshot\\.lz4");
    private static final Pattern SEGMENT = Pattern.compile("([0-7][0-9a-f]{7})_([0-9a-f]{8})\\.wal\\.lz4");

    private ReplicaLayout() {}

    static String snapshotName(long index) {
        return Pos.hex8(index) + ".snapshot.lz4";
    }

    static String walSegmentName(long index, long offset) {
        return Pos.hex8(index) + "_" + Pos.hex8(offset) + ".wal.lz4";
    }

    /** The index of a snapshot file name, or empty if the name is not a snapshot name. */
    public static OptionalLong parseSnapshotName(String name) {
        Matcher m = SNAPSHOT.matcher(name);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1), 16)) : OptionalLong.empty();
    }

    /** The WAL index and offset a segment file name holds. */
    public record SegmentName(long index, long offset) {}

    /** The index and offset of a WAL segment file name, or empty if the name is not a segment name. */
    public static Optional<SegmentName> parseWalSegmentName(String name) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SegmentName(Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16)));
    }

    /** Relative key of the generation folder, joined with '/'. */
    public static String generationKey(String generation) {
        return GENERATIONS + "/" + Pos.requireGeneration(generation);
    }

    public static String snapshotsKey(String generation) {
        return generationKey(generation) + "/" + SNAPSHOTS;
    }

    public static String walKey(String generation) {
        return generationKey(generation) + "/" + WAL;
    }

    public static String snapshotKey(String generation, long index) {
        return snapshotsKey(generation) + "/" + snapshotName(index);
    }

    public static String walSegmentKey(String generation, long index, long offset) {
        return walKey(generation) + "/" + walSegmentName(index, offset);
    }
}
