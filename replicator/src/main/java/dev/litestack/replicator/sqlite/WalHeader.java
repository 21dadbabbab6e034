package dev.litestack.replicator.sqlite;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The 32-byte header of a SQLite WAL file (all fields big-endian). See the SQLite file format:
 * magic, version 3007000, page size, checkpoint sequence, salt-1, salt-2, checksum-1, checksum-2.
 */
public record WalHeader(
        int magic, int version, int pageSize, int checkpointSeq, int salt1, int salt2, int checksum1, int checksum2) {

    public static final int SIZE = 32;
    static final int MAGIC_LE = 0x377f0682;
    static final int MAGIC_BE = 0x377f0683;
    static final int VERSION = 3007000;

    /** Parses a header; throws {@link WalFormatException} if it is not a valid SQLite WAL header. */
    public static WalHeader parse(byte[] b, int off) throws WalFormatException {
        if (b.length - off < SIZE) {
            throw new WalFormatException("short wal header: " + (b.length - off) + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(b, off, SIZE);
        WalHeader h = new WalHeader(
                bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt());
        if (h.magic != MAGIC_LE && h.magic != MAGIC_BE) {
            throw new WalFormatException(String.format("invalid wal header magic: %08x", h.magic));
        }
        if (h.version != VERSION) {
            throw new WalFormatException("unsupported wal format version: " + h.version);
        }
        int ps = h.pageSize();
        if (ps < 512 || ps > 65536 || Integer.bitCount(ps) != 1) {
            throw new WalFormatException("invalid wal page size: " + ps);
        }
        if (!WalChecksum.compute(h.bigEndianChecksums(), b, off, 24, new Checksum(0, 0))
                .equals(h.checksum())) {
            throw new WalFormatException("wal header checksum mismatch");
        }
        return h;
    }

    public static WalHeader parse(byte[] b) throws WalFormatException {
        return parse(b, 0);
    }

    /** The header's own checksum, where the frame chain starts. */
    public Checksum checksum() {
        return new Checksum(checksum1, checksum2);
    }

    boolean bigEndianChecksums() {
        return magic == MAGIC_BE;
    }

    /** The page size in bytes; the header stores 65536 as 1. */
    @Override
    public int pageSize() {
        return pageSize == 1 ? 65536 : pageSize;
    }

    public int frameSize() {
        return FrameHeader.SIZE + pageSize();
    }

    /**
     * True if {@code next} is what SQLite writes when it restarts the WAL that has this header:
     * salt-1 goes up by one (the checkpoint sequence is per connection, so it is not checked).
     */
    public boolean isRestartedBy(WalHeader next) {
        return next.salt1 == salt1 + 1 && next.pageSize == pageSize;
    }

    public static boolean sameBytes(byte[] a, byte[] b) {
        return Arrays.equals(a, 0, SIZE, b, 0, SIZE);
    }
}
