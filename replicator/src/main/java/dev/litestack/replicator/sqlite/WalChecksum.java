package dev.litestack.replicator.sqlite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SQLite's WAL checksum: a running pair over 8-byte chunks read as two uint32 in the header's byte
 * order. The words are first converted in bulk into an int array (a byte-swapping memory copy
 * inside the JDK), then summed from that array: the replicator runs with C1 only, which neither
 * inlines a byte-array view {@code VarHandle} nor removes the bounds checks of eight byte loads
 * per chunk, and the checksum of every copied frame was the largest CPU cost of a busy
 * {@code replicate} (the array loop is about 2.7 times as fast under C1).
 */
final class WalChecksum {

    private WalChecksum() {}

    /**
     * Continues the checksum {@code from} over {@code len} bytes (a multiple of 8) and returns the new
     * pair (each sum wraps at 32 bits, as SQLite's unsigned arithmetic does).
     */
    static Checksum compute(boolean bigEndian, byte[] b, int off, int len, Checksum from) {
        return compute(bigEndian, b, off, len, from, new int[Math.max(0, len) >>> 2]);
    }

    /**
     * As {@link #compute(boolean, byte[], int, int, Checksum)}, converting the words into
     * {@code words} (at least {@code len / 4} long), a scratch array the caller reuses.
     */
    static Checksum compute(boolean bigEndian, byte[] b, int off, int len, Checksum from, int[] words) {
        if ((len & 7) != 0) {
            throw new IllegalArgumentException("checksum length must be a multiple of 8: " + len);
        }
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException("checksum range " + off + "+" + len + " of " + b.length);
        }
        int n = len >>> 2;
        if (words.length < n) {
            throw new IllegalArgumentException("scratch of " + words.length + " words for " + n);
        }
        ByteBuffer.wrap(b, off, len)
                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer()
                .get(words, 0, n);
        int a = from.s0();
        int c = from.s1();
        for (int i = 0; i < n; i += 2) {
            a += words[i] + c;
            c += words[i + 1] + a;
        }
        return new Checksum(a, c);
    }
}
