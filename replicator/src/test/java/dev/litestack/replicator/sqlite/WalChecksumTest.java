package dev.litestack.replicator.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.litestack.replicator.testing.SqliteWal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalChecksumTest {

    @TempDir
    Path dir;

    /** Walks every frame and checks its stored checksum equals the chain WalChecksum computes. */
    private static int checkChain(byte[] wal, boolean bigEndian) {
        ByteBuffer bb = ByteBuffer.wrap(wal);
        Checksum s = WalChecksum.compute(bigEndian, wal, 0, 24, new Checksum(0, 0));
        assertEquals(bb.getInt(24), s.s0(), "header checksum-1");
        assertEquals(bb.getInt(28), s.s1(), "header checksum-2");
        int frameSize = 24 + bb.getInt(8);
        int frames = 0;
        for (int off = 32; off + frameSize <= wal.length; off += frameSize) {
            s = WalChecksum.compute(bigEndian, wal, off, 8, s);
            s = WalChecksum.compute(bigEndian, wal, off + 24, frameSize - 24, s);
            assertEquals(bb.getInt(off + 16), s.s0(), "frame " + frames + " checksum-1");
            assertEquals(bb.getInt(off + 20), s.s1(), "frame " + frames + " checksum-2");
            frames++;
        }
        return frames;
    }

    @Test
    void matchesEveryFrameSqliteWrote() throws Exception {
        byte[] wal = SqliteWal.write(dir.resolve("app.db"), 20);
        int frames = checkChain(wal, false);
        assertEquals(0, (wal.length - 32) % (4096 + 24), "whole frames");
        assertEquals((wal.length - 32) / (4096 + 24), frames);
        assertEquals(22, frames, "CREATE TABLE (2 pages) + 20 single-page inserts");
    }

    @Test
    void bigEndianMagicChainIsConsistent() throws Exception {
        byte[] le = SqliteWal.write(dir.resolve("app.db"), 5);
        byte[] be = SqliteWal.rechecksum(le, WalHeader.MAGIC_BE);
        assertEquals(checkChain(le, false), checkChain(be, true));
        assertNotEquals(ByteBuffer.wrap(le).getInt(24), ByteBuffer.wrap(be).getInt(24), "byte order changes the sums");
        WalScanner scanner = new WalScanner(WalHeader.parse(be));
        for (int off = 32; off < be.length; off += scanner.frameSize()) {
            assertEquals(true, scanner.accept(be, off), "frame at " + off);
        }
        assertEquals(7, scanner.committedFrames(), "2 CREATE TABLE frames + 5 inserts");
    }

    @Test
    void wrapsAt32Bits() {
        byte[] b = new byte[8];
        ByteBuffer.wrap(b).putInt(0xFFFFFFFF).putInt(0x80000000);
        Checksum s = WalChecksum.compute(true, b, 0, 8, new Checksum(1, 0));
        // s0 = 1 + 0xFFFFFFFF + 0 = 0 (wrap); s1 = 0 + 0x80000000 + 0 = 0x80000000
        assertEquals(new Checksum(0, 0x80000000), s);
        assertEquals(0x80000000L, Integer.toUnsignedLong(s.s1()), "the unsigned value SQLite stores");
    }

    @Test
    void littleEndianReadsWordsReversed() {
        byte[] b = {1, 0, 0, 0, 2, 0, 0, 0};
        assertEquals(new Checksum(1, 3), WalChecksum.compute(false, b, 0, 8, new Checksum(0, 0)));
        assertEquals(new Checksum(0x01000000, 0x03000000), WalChecksum.compute(true, b, 0, 8, new Checksum(0, 0)));
    }

    @Test
    void rejectsLengthsThatAreNotMultiplesOfEight() {
        assertThrows(
                IllegalArgumentException.class,
                () -> WalChecksum.compute(false, new byte[16], 0, 12, new Checksum(0, 0)));
    }

    @Test
    void matchesAByteBufferReadingOfRandomBytesInBothOrders() {
        byte[] b = new byte[4096 + 24];
        new java.util.Random(12).nextBytes(b); // every byte value, high bits included
        for (java.nio.ByteOrder order :
                java.util.List.of(java.nio.ByteOrder.BIG_ENDIAN, java.nio.ByteOrder.LITTLE_ENDIAN)) {
            ByteBuffer bb = ByteBuffer.wrap(b).order(order);
            int s0 = 7;
            int s1 = -3;
            for (int i = 8; i < b.length; i += 8) {
                s0 += bb.getInt(i) + s1;
                s1 += bb.getInt(i + 4) + s0;
            }
            boolean big = order == java.nio.ByteOrder.BIG_ENDIAN;
            assertEquals(
                    new Checksum(s0, s1),
                    WalChecksum.compute(big, b, 8, b.length - 8, new Checksum(7, -3)),
                    order.toString());
        }
    }

    @Test
    void aReusedScratchArrayGivesTheSameSumsAsAFreshOne() {
        byte[] b = new byte[4096 + 24];
        new java.util.Random(5).nextBytes(b);
        int[] words = new int[2048]; // larger than needed, and dirty from the previous call
        for (boolean big : new boolean[] {true, false}) {
            for (int off : new int[] {0, 8, 24}) {
                int len = (b.length - off) & ~7;
                assertEquals(
                        WalChecksum.compute(big, b, off, len, new Checksum(1, 2)),
                        WalChecksum.compute(big, b, off, len, new Checksum(1, 2), words),
                        "big=" + big + " off=" + off);
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> WalChecksum.compute(false, b, 0, 4096, new Checksum(0, 0), new int[1023]));
    }
}
