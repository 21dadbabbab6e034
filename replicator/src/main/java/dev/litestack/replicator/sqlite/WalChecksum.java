package dev.litestack.replicator.sqlite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** SQLite's WAL checksum: a running pair over 8-byte chunks read as two uint32 in the header's byte order. */
final class WalChecksum {

    private static final VarHandle BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private WalChecksum() {}

    /**
     * Continues the checksum {@code from} over {@code len} bytes (a multiple of 8) and returns the new
     * pair (each sum wraps at 32 bits, as SQLite's unsigned arithmetic does).
     */
    static Checksum compute(boolean bigEndian, byte[] b, int off, int len, Checksum from) {
        if ((len & 7) != 0) {
            throw new IllegalArgumentException("checksum length must be a multiple of 8: " + len);
        }
        VarHandle vh = bigEndian ? BE : LE;
        int a = from.s0();
        int c = from.s1();
        int end = off + len;
        for (int i = off; i < end; i += 8) {
            a += (int) vh.get(b, i) + c;
            c += (int) vh.get(b, i + 4) + a;
        }
        return new Checksum(a, c);
    }
}
