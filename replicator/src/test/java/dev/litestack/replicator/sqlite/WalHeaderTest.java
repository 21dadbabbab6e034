package dev.litestack.replicator.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.testing.SqliteWal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalHeaderTest {

    @TempDir
    Path dir;

    private byte[] wal;

    @BeforeEach
    void realWal() throws Exception {
        wal = SqliteWal.write(dir.resolve("app.db"), 3);
    }

    @Test
    void parsesTheHeaderSqliteWrote() throws Exception {
        WalHeader h = WalHeader.parse(wal);
        assertEquals(WalHeader.MAGIC_LE, h.magic(), "x86 SQLite writes the little-endian-checksum magic");
        assertFalse(h.bigEndianChecksums());
        assertEquals(3007000, h.version());
        assertEquals(4096, h.pageSize());
        assertEquals(4096 + 24, h.frameSize());
        ByteBuffer bb = ByteBuffer.wrap(wal);
        assertEquals(bb.getInt(16), h.salt1());
        assertEquals(bb.getInt(20), h.salt2());
        assertEquals(bb.getInt(24), h.checksum1());
        assertEquals(bb.getInt(28), h.checksum2());
    }

    @Test
    void parsesAtAnOffset() throws Exception {
        byte[] shifted = new byte[wal.length + 7];
        System.arraycopy(wal, 0, shifted, 7, wal.length);
        assertEquals(WalHeader.parse(wal), WalHeader.parse(shifted, 7));
    }

    @Test
    void parsesABigEndianMagicHeader() throws Exception {
        byte[] be = SqliteWal.rechecksum(wal, WalHeader.MAGIC_BE);
        WalHeader h = WalHeader.parse(be);
        assertTrue(h.bigEndianChecksums());
        assertEquals(4096, h.pageSize());
    }

    @Test
    void rejectsBadMagic() {
        byte[] b = wal.clone();
        ByteBuffer.wrap(b).putInt(0, 0x377f0684);
        WalFormatException e = assertThrows(WalFormatException.class, () -> WalHeader.parse(b));
        assertEquals("invalid wal header magic: 377f0684", e.getMessage());
    }

    @Test
    void rejectsBadVersion() {
        byte[] b = withChecksum(wal, 4, 3007001);
        WalFormatException e = assertThrows(WalFormatException.class, () -> WalHeader.parse(b));
        assertEquals("unsupported wal format version: 3007001", e.getMessage());
    }

    @Test
    void rejectsBadPageSizes() {
        for (int ps : new int[] {0, 256, 1000, 4097, 131072}) {
            byte[] b = withChecksum(wal, 8, ps);
            WalFormatException e = assertThrows(WalFormatException.class, () -> WalHeader.parse(b), "page size " + ps);
            assertEquals("invalid wal page size: " + ps, e.getMessage());
        }
    }

    @Test
    void pageSizeOneMeans64KiB() throws Exception {
        WalHeader h = WalHeader.parse(withChecksum(wal, 8, 1));
        assertEquals(65536, h.pageSize());
        assertEquals(65536 + 24, h.frameSize());
    }

    @Test
    void rejectsBadChecksum() {
        for (int at : new int[] {12, 16, 20, 24, 28}) {
            byte[] b = wal.clone();
            b[at + 3] ^= 1;
            WalFormatException e = assertThrows(WalFormatException.class, () -> WalHeader.parse(b), "byte " + (at + 3));
            assertEquals("wal header checksum mismatch", e.getMessage());
        }
    }

    @Test
    void rejectsAShortHeader() {
        byte[] b = java.util.Arrays.copyOf(wal, 31);
        WalFormatException e = assertThrows(WalFormatException.class, () -> WalHeader.parse(b));
        assertEquals("short wal header: 31 bytes", e.getMessage());
    }

    @Test
    void restartIsSaltOnePlusOne() throws Exception {
        WalHeader h = WalHeader.parse(wal);
        WalHeader next = new WalHeader(h.magic(), h.version(), 4096, h.checkpointSeq() + 1, h.salt1() + 1, 12345, 0, 0);
        assertTrue(h.isRestartedBy(next));
        assertFalse(h.isRestartedBy(new WalHeader(h.magic(), h.version(), 4096, 0, h.salt1(), 1, 0, 0)));
        assertFalse(h.isRestartedBy(new WalHeader(h.magic(), h.version(), 8192, 0, h.salt1() + 1, 1, 0, 0)));
    }

    /** Sets a header field and fixes the header checksum, so only that field is wrong. */
    private static byte[] withChecksum(byte[] wal, int at, int value) {
        byte[] b = java.util.Arrays.copyOf(wal, 32);
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putInt(at, value);
        int[] s = SqliteWal.sum(false, b, 0, 24, 0, 0);
        bb.putInt(24, s[0]);
        bb.putInt(28, s[1]);
        return b;
    }
}
