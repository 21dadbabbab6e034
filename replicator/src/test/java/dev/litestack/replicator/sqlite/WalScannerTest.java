package dev.litestack.replicator.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.testing.SqliteWal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalScannerTest {

    @TempDir
    Path dir;

    private byte[] wal;
    private WalHeader header;
    private int fs;

    @BeforeEach
    void realWal() throws Exception {
        // CREATE TABLE commits 2 frames (pages 1, 2); each insert commits 1 frame
        wal = SqliteWal.write(dir.resolve("app.db"), 4);
        header = WalHeader.parse(wal);
        fs = header.frameSize();
    }

    private int frameOffset(int frame) {
        return WalHeader.SIZE + frame * fs;
    }

    @Test
    void acceptsEveryFrameAndReportsCommitBoundaries() {
        WalScanner s = new WalScanner(header);
        assertEquals(fs, s.frameSize());
        assertTrue(s.accept(wal, frameOffset(0)));
        assertEquals(1, s.frames());
        assertEquals(0, s.committedFrames(), "page 1 of CREATE TABLE is not a commit");
        assertEquals(0, s.lastCommitSize());
        assertTrue(s.accept(wal, frameOffset(1)));
        assertEquals(2, s.committedFrames());
        assertEquals(2, s.lastCommitSize(), "db size in pages after CREATE TABLE");
        for (int f = 2; f < 6; f++) {
            assertTrue(s.accept(wal, frameOffset(f)), "frame " + f);
            assertEquals(f + 1, s.committedFrames());
        }
        ByteBuffer bb = ByteBuffer.wrap(wal);
        assertEquals(
                new Checksum(bb.getInt(frameOffset(5) + 16), bb.getInt(frameOffset(5) + 20)),
                s.committedChecksum(),
                "chain at the last commit is the last frame's stored checksum");
    }

    @Test
    void committedFramesStayAtTheLastCommitUntilTheNextOne() {
        byte[] b = wal.clone();
        ByteBuffer bb = ByteBuffer.wrap(b);
        // make frame 2 a non-commit frame (and fix the chain from there), so frames 2..3 form one transaction
        bb.putInt(frameOffset(2) + 4, 0);
        byte[] fixed = SqliteWal.rechecksum(b, WalHeader.MAGIC_LE);
        WalScanner s = new WalScanner(header);
        assertTrue(s.accept(fixed, frameOffset(0)));
        assertTrue(s.accept(fixed, frameOffset(1)));
        assertTrue(s.accept(fixed, frameOffset(2)));
        assertEquals(3, s.frames());
        assertEquals(2, s.committedFrames(), "frame 2 is not committed yet");
        assertTrue(s.accept(fixed, frameOffset(3)));
        assertEquals(4, s.committedFrames());
    }

    @Test
    void stopsAtASaltMismatch() {
        byte[] b = wal.clone();
        ByteBuffer.wrap(b).putInt(frameOffset(3) + 8, header.salt1() + 1);
        WalScanner s = new WalScanner(header);
        for (int f = 0; f < 3; f++) {
            assertTrue(s.accept(b, frameOffset(f)));
        }
        Checksum before = s.committedChecksum();
        assertFalse(s.accept(b, frameOffset(3)), "salt-1 differs from the header's");
        assertEquals(3, s.frames(), "a rejected frame changes nothing");
        assertEquals(3, s.committedFrames());
        assertEquals(before, s.committedChecksum());
        assertTrue(s.accept(wal, frameOffset(3)), "the chain is intact after a rejected frame");
    }

    @Test
    void stopsAtASalt2Mismatch() {
        byte[] b = wal.clone();
        ByteBuffer.wrap(b).putInt(frameOffset(0) + 12, header.salt2() ^ 1);
        assertFalse(new WalScanner(header).accept(b, frameOffset(0)));
    }

    @Test
    void stopsAtAChecksumMismatchInThePage() {
        byte[] b = wal.clone();
        b[frameOffset(4) + 24 + 100] ^= 0x40;
        WalScanner s = new WalScanner(header);
        for (int f = 0; f < 4; f++) {
            assertTrue(s.accept(b, frameOffset(f)));
        }
        assertFalse(s.accept(b, frameOffset(4)));
        assertEquals(4, s.committedFrames());
    }

    @Test
    void stopsAtAChecksumMismatchInTheStoredSum() {
        byte[] b = wal.clone();
        b[frameOffset(0) + 23] ^= 1;
        assertFalse(new WalScanner(header).accept(b, frameOffset(0)));
    }

    @Test
    void rejectsACommitClaimingADatabaseOf2To31PagesOrMoreEvenWithAValidChecksum() {
        byte[] b = wal.clone();
        ByteBuffer bb = ByteBuffer.wrap(b);
        int off = frameOffset(1); // the commit frame of CREATE TABLE
        bb.putInt(off + 4, 0xFFFF_FFFF);
        boolean be = header.bigEndianChecksums();
        Checksum prev = new Checksum(bb.getInt(frameOffset(0) + 16), bb.getInt(frameOffset(0) + 20));
        Checksum sum = WalChecksum.compute(be, b, off, 8, prev);
        sum = WalChecksum.compute(be, b, off + FrameHeader.SIZE, fs - FrameHeader.SIZE, sum);
        bb.putInt(off + 16, sum.s0()).putInt(off + 20, sum.s1());
        WalScanner s = new WalScanner(header);
        assertTrue(s.accept(b, frameOffset(0)));
        assertFalse(s.accept(b, off), "a commit size that is negative as a Java int");
        assertEquals(0, s.committedFrames());
    }

    @Test
    void rejectsAFrameOutOfChainOrder() {
        WalScanner s = new WalScanner(header);
        assertTrue(s.accept(wal, frameOffset(0)));
        assertFalse(s.accept(wal, frameOffset(2)), "skipping frame 1 breaks the chain");
    }

    @Test
    void continuesAChainFromAGivenChecksum() {
        WalScanner first = new WalScanner(header);
        for (int f = 0; f < 3; f++) {
            assertTrue(first.accept(wal, frameOffset(f)));
        }
        WalScanner rest = new WalScanner(header, first.committedChecksum());
        for (int f = 3; f < 6; f++) {
            assertTrue(rest.accept(wal, frameOffset(f)), "frame " + f);
        }
        assertEquals(3, rest.committedFrames());
    }
}
