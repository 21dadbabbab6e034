package dev.litestack.replicator.sqlite;

/**
 * SQLite's WAL checksum: a running pair over 8-byte chunks read as two uint32 in the header's byte
 * order. The words are assembled with shifts rather than a byte-array view {@code VarHandle}: the
 * replicator runs with C1 only, which does not inline the view's accessors, and the checksum of
 * every copied frame was then the largest CPU cost of a busy {@code replicate}.
 */
final class WalChecksum {

    private WalChecksum() {}

    /**
     * Continues the checksum {@code from} over {@code len} bytes (a multiple of 8) and returns the new
     * pair (each sum wraps at 32 bits, as SQLite's unsigned arithmetic does).
     */
    static Checksum compute(boolean bigEndian, byte[] b, int off, int len, Checksum from) {
        if ((len & 7) != 0) {
            throw new IllegalArgumentException("checksum length must be a multiple of 8: " + len);
        }
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException("checksum range " + off + "+" + len + " of " + b.length);
        }
        int a = from.s0();
        int c = from.s1();
        int end = off + len;
        if (bigEndian) {
            for (int i = off; i < end; i += 8) {
                a += ((b[i] << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff)) + c;
                c += ((b[i + 4] << 24) | ((b[i + 5] & 0xff) << 16) | ((b[i + 6] & 0xff) << 8) | (b[i + 7] & 0xff)) + a;
            }
        } else {
            for (int i = off; i < end; i += 8) {
                a += ((b[i + 3] << 24) | ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff)) + c;
                c += ((b[i + 7] << 24) | ((b[i + 6] & 0xff) << 16) | ((b[i + 5] & 0xff) << 8) | (b[i + 4] & 0xff)) + a;
            }
        }
        return new Checksum(a, c);
    }
}
