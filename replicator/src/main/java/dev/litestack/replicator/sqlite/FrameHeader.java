package dev.litestack.replicator.sqlite;

import java.nio.ByteBuffer;

/** The 24-byte header of one WAL frame: page number, db size after commit (0 if not a commit), salts, checksums. */
public record FrameHeader(int pageNo, int commitSize, int salt1, int salt2, int checksum1, int checksum2) {

    public static final int SIZE = 24;

    public static FrameHeader parse(byte[] b, int off) {
        ByteBuffer bb = ByteBuffer.wrap(b, off, SIZE);
        return new FrameHeader(bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt());
    }

    public boolean isCommit() {
        return commitSize != 0;
    }
}
