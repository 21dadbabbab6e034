package dev.litestack.replicator.follow;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.restore.WalCursor;
import dev.litestack.replicator.util.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Properties;

/**
 * What {@code restore -f} has applied to its output, kept in {@code OUT.follow} beside it and
 * replaced atomically after each change: the replica, the WAL cursor to continue from, and whether a
 * swap to a new restore was started (then a restart restores again instead of continuing).
 *
 * <p>It is written after the output's change commits, so after a crash the output may be ahead of
 * the file, never behind: replaying WAL frames from an earlier position is idempotent (frames are
 * whole page images, and one poll applies everything listed, so it ends at least where it was).
 */
record FollowState(String replica, WalCursor cursor, boolean restorePending) {

    static Path fileOf(Path out) {
        return out.resolveSibling(out.getFileName() + ".follow");
    }

    FollowState pendingRestore() {
        return new FollowState(replica, cursor, true);
    }

    void write(Path file) throws IOException {
        Pos p = cursor.pos();
        StringBuilder sb = new StringBuilder();
        sb.append("# restore -f position of ").append(file.getFileName()).append("; do not edit\n");
        sb.append("replica=").append(replica).append('\n');
        sb.append("generation=").append(p.generation()).append('\n');
        sb.append("index=").append(Pos.hex8(p.index())).append('\n');
        sb.append("offset=").append(p.offset()).append('\n');
        sb.append("wal_header=")
                .append(cursor.header() == null ? "" : HexFormat.of().formatHex(cursor.header()))
                .append('\n');
        sb.append("checksum=")
                .append(Integer.toUnsignedString(cursor.checksum1()))
                .append(',')
                .append(Integer.toUnsignedString(cursor.checksum2()))
                .append('\n');
        sb.append("restore_pending=").append(restorePending).append('\n');
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a state file; a damaged one is an error that names the file and the field. */
    static FollowState read(Path file) throws IOException {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(
                    "damaged follow position " + file
                            + " (not text); delete the output and this file to restore afresh",
                    e);
        }
        try {
            String gen = Pos.requireGeneration(field(p, "generation"));
            long index = Long.parseLong(field(p, "index"), 16);
            long offset = Long.parseLong(field(p, "offset"));
            String hdr = field(p, "wal_header");
            String[] sum = field(p, "checksum").split(",");
            if (sum.length != 2) {
                throw new IllegalArgumentException("checksum: want two numbers");
            }
            byte[] header = hdr.isEmpty() ? null : HexFormat.of().parseHex(hdr);
            WalCursor c = new WalCursor(
                    new Pos(gen, index, offset),
                    header,
                    Integer.parseUnsignedInt(sum[0]),
                    Integer.parseUnsignedInt(sum[1]));
            return new FollowState(field(p, "replica"), c, Boolean.parseBoolean(field(p, "restore_pending")));
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "damaged follow position " + file + " (" + e.getMessage()
                            + "); delete the output and this file to restore afresh",
                    e);
        }
    }

    private static String field(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v.trim();
    }
}
