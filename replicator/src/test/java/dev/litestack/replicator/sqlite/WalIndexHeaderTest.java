package dev.litestack.replicator.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The WAL index header as SQLite lays it out (two native-order copies); the index SQLite itself writes is read in
 * {@code DatabaseReplicationTest.framesTheWalIndexDoesNotCountAsCommittedAreNotShipped}.
 */
class WalIndexHeaderTest {

    private static final byte[] WAL_HEADER = walHeader(0x11223344, 0x55667788);

    private static byte[] walHeader(int salt1, int salt2) {
        return ByteBuffer.allocate(WalHeader.SIZE)
                .putInt(WalHeader.MAGIC_LE)
                .putInt(3007000)
                .putInt(4096)
                .putInt(0)
                .putInt(salt1)
                .putInt(salt2)
                .putInt(0)
                .putInt(0)
                .array();
    }

    /** Both copies of a header with {@code mxFrame}, the salts of {@code wal}, a valid checksum. */
    private static byte[] index(long mxFrame, byte[] wal) {
        return index(mxFrame, wal, 1);
    }

    private static byte[] index(long mxFrame, byte[] wal, int isInit) {
        ByteBuffer b = ByteBuffer.allocate(WalIndexHeader.SIZE + 40).order(ByteOrder.nativeOrder());
        b.putInt(0, 3007000).putInt(8, 7).put(12, (byte) isInit).putShort(14, (short) 4096);
        b.putInt(16, (int) mxFrame).putInt(20, 3);
        b.put(32, wal, 16, 8);
        byte[] a = b.array();
        Checksum sum =
                WalChecksum.compute(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN, a, 0, 40, new Checksum(0, 0));
        b.putInt(40, sum.s0()).putInt(44, sum.s1());
        System.arraycopy(a, 0, a, 48, 48);
        return a;
    }

    @Test
    void readsTheCommittedFrameCountOfAValidHeader() {
        assertEquals(5, WalIndexHeader.committedFrames(index(5, WAL_HEADER), WalIndexHeader.SIZE, WAL_HEADER));
        assertEquals(
                0xFFFF_FFF0L,
                WalIndexHeader.committedFrames(index(0xFFFF_FFF0L, WAL_HEADER), WalIndexHeader.SIZE, WAL_HEADER),
                "unsigned");
    }

    @Test
    void saysNothingWhenTheHeaderCannotBeTrusted() {
        byte[] ok = index(5, WAL_HEADER);
        assertEquals(-1, WalIndexHeader.committedFrames(ok, WalIndexHeader.SIZE - 1, WAL_HEADER), "short");

        byte[] torn = ok.clone();
        System.arraycopy(index(6, WAL_HEADER), 0, torn, 0, 48); // a commit between reading the two copies
        assertEquals(-1, WalIndexHeader.committedFrames(torn, WalIndexHeader.SIZE, WAL_HEADER), "copies differ");

        byte[] badSum = ok.clone();
        badSum[40] ^= 1;
        badSum[88] ^= 1;
        assertEquals(-1, WalIndexHeader.committedFrames(badSum, WalIndexHeader.SIZE, WAL_HEADER), "checksum");

        byte[] notInit = index(5, WAL_HEADER, 0);
        assertEquals(-1, WalIndexHeader.committedFrames(notInit, WalIndexHeader.SIZE, WAL_HEADER), "not initialized");

        assertEquals(
                -1,
                WalIndexHeader.committedFrames(ok, WalIndexHeader.SIZE, walHeader(0x11223345, 0x55667788)),
                "the index of another WAL (restarted)");
    }
}
