package dev.litestack.replicator.sqlite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The header of SQLite's WAL index (the {@code -shm} file), which says how many frames of the WAL are committed.
 * Frames past that count can carry valid checksums and a commit flag and still not be committed: a writer killed
 * after writing them and before updating the index leaves them, and the next writer overwrites them. The header is
 * two copies of 48 bytes in the host's byte order (version, change counter, init flag, page size, last committed
 * frame, page count, frame checksum, the WAL's salts, a checksum over the first 40 bytes); SQLite writes the second
 * copy, then the first, and a reader trusts them only when both are the same.
 */
public final class WalIndexHeader {

    /** The bytes to read from the start of the index: both copies. */
    public static final int SIZE = 96;

    private static final int COPY = 48;
    private static final int VERSION = 3007000;

    private WalIndexHeader() {}

    /**
     * The number of frames the index counts as committed in the WAL whose 32-byte header is {@code walHeader}, or -1
     * if {@code index} (the first {@code length} bytes of the index) does not say: too short, not initialized, its
     * copies differ (a writer is updating it), its checksum or version is wrong, or its salts are not this WAL's (the
     * WAL was restarted and the index not yet, or the other way round).
     */
    public static long committedFrames(byte[] index, int length, byte[] walHeader) {
        if (length < SIZE || walHeader.length < WalHeader.SIZE) {
            return -1;
        }
        if (!Arrays.equals(index, 0, COPY, index, COPY, 2 * COPY)) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(index, 0, COPY).order(ByteOrder.nativeOrder());
        if (b.getInt(0) != VERSION || index[12] != 1) {
            return -1;
        }
        Checksum sum =
                WalChecksum.compute(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN, index, 0, 40, new Checksum(0, 0));
        if (sum.s0() != b.getInt(40) || sum.s1() != b.getInt(44)) {
            return -1;
        }
        // the index keeps the salts as the WAL header's bytes (copied, not converted)
        if (!Arrays.equals(index, 32, 40, walHeader, 16, 24)) {
            return -1;
        }
        return Integer.toUnsignedLong(b.getInt(16));
    }
}
