package dev.litestack.replicator.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Lz4Test {

    private static final int BLOCK = 256 * 1024;

    /**
     * A snapshot object written by Litestream v0.3.13 itself (pierrec/lz4: FLG 64, BD 70, one
     * compressed block, content checksum): a 2048-byte database with 512-byte pages.
     */
    private static final String LITESTREAM_SNAPSHOT = "04224d186470b920010000f61253514c69746520666f726d6174203300020002"
            + "020040202000000003000000040001000c100015011a000f020007ff0403002e6ad00d0000000301180001df017001182d0007"
            + "0f020079fc0e560306172d2d01617461626c655f6c69746573747265616d5f6c6f636b1000ec04435245415445205441424c"
            + "45201e00fd072028696420494e5445474552296d0207172b2b01811159003873657168004f73657103570006387365715600"
            + "f502205052494d415259204b45592c207365716f00f9011f0106170f0f012f7461626c657474025200ef742876290d000000"
            + "0101ec0001ec7d01780f0200ff45a61201022d68656c6c6f2068026f0d00000000027001ff440f0200910f0002ffda000200"
            + "000200c00000000000000000000000000000000099427cb1";

    private static final String LITESTREAM_SNAPSHOT_SHA256 =
            "ef39be96e06b6a85876c962ab5585a22bd18392f97b3e89c0da0a5661c0b8a78";

    static byte[] compress(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = Lz4.compress(bos)) {
            out.write(raw);
        }
        return bos.toByteArray();
    }

    static byte[] decompress(byte[] frame) throws IOException {
        try (InputStream in = Lz4.decompress(new ByteArrayInputStream(frame))) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] compressible(int n) {
        byte[] b = new byte[n];
        byte[] word = "SQLite page row-0042 ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            b[i] = word[i % word.length];
        }
        return b;
    }

    @Test
    void frameHeaderIsLitestreamCompatible() throws Exception {
        byte[] f = compress("hello".getBytes(StandardCharsets.US_ASCII));
        // magic 0x184D2204 (LE), FLG 0x64 = version 01 | block independence | content checksum, no block checksum
        assertArrayEquals(
                new byte[] {0x04, 0x22, 0x4D, 0x18, 0x64, 0x50},
                Arrays.copyOf(f, 6),
                "magic, FLG 0x64, BD 0x50 (256 KiB blocks)");
        assertEquals(0, f[4] & 0x10, "block checksum bit must be off: Litestream's reader rejects it");
        assertEquals(0, f[4] & 0x08, "no content size");
        assertEquals(0, f[4] & 0x01, "no dictionary id");
        ByteBuffer le = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, le.getInt(f.length - 8), "end mark before the content checksum");
    }

    @Test
    void emptyInputIsOneEmptyFrame() throws Exception {
        byte[] f = compress(new byte[0]);
        assertEquals(7 + 4 + 4, f.length, "header, end mark, content checksum");
        assertArrayEquals(new byte[0], decompress(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 4120, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17})
    void roundTripsCompressibleData(int n) throws Exception {
        byte[] raw = compressible(n);
        byte[] f = compress(raw);
        if (n > 1000) {
            assertTrue(f.length < n / 4, "compressible data shrinks: " + f.length + " of " + n);
        }
        assertArrayEquals(raw, decompress(f));
    }

    @Test
    void incompressibleDataIsStoredInRawBlocks() throws Exception {
        byte[] raw = random(5 * 1024 * 1024, 42);
        byte[] f = compress(raw);
        int blocks = raw.length / BLOCK;
        assertEquals(7 + blocks * (4 + BLOCK) + 8, f.length, "every block stored as is");
        int firstBlock = ByteBuffer.wrap(f, 7, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(0x80000000 | BLOCK, firstBlock, "high bit = uncompressed block");
        assertArrayEquals(raw, decompress(f));
    }

    @Test
    void decodesAnObjectLitestreamWrote() throws Exception {
        byte[] raw = decompress(HexFormat.of().parseHex(LITESTREAM_SNAPSHOT));
        assertEquals(2048, raw.length);
        assertEquals("SQLite format 3\0", new String(raw, 0, 16, StandardCharsets.US_ASCII));
        assertEquals(
                LITESTREAM_SNAPSHOT_SHA256,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)));
    }

    @Test
    void rejectsTrailingGarbage() throws Exception {
        byte[] f = compress(compressible(10_000));
        byte[] g = Arrays.copyOf(f, f.length + 3);
        IOException e = assertThrows(IOException.class, () -> decompress(g));
        assertEquals("unexpected data after the LZ4 frame", e.getMessage());
    }

    @Test
    void rejectsASecondConcatenatedFrame() throws Exception {
        byte[] a = compress(compressible(5000));
        byte[] b = compress(compressible(7000));
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertThrows(
                IOException.class, () -> decompress(both), "Litestream silently drops the second frame; we refuse it");
    }

    @Test
    void rejectsTruncatedFrames() throws Exception {
        byte[] raw = random(BLOCK + 5000, 7);
        byte[] f = compress(raw);
        int afterFirstBlock = 7 + 4 + BLOCK;
        for (int cut :
                new int[] {3, 6, 9, 100, afterFirstBlock, afterFirstBlock + 2, f.length - 8, f.length - 4, f.length - 1
                }) {
            byte[] t = Arrays.copyOf(f, cut);
            assertThrows(IOException.class, () -> decompress(t), "truncated at " + cut + " of " + f.length);
        }
    }

    @Test
    void rejectsACorruptedContentChecksum() throws Exception {
        byte[] f = compress(compressible(20_000));
        f[f.length - 1] ^= 0x01;
        assertThrows(IOException.class, () -> decompress(f));
    }

    @Test
    void rejectsCorruptedStoredBlockContent() throws Exception {
        byte[] f = compress(random(10_000, 3));
        f[7 + 4 + 500] ^= 0x01;
        assertThrows(IOException.class, () -> decompress(f), "the content checksum catches a flipped raw byte");
    }

    @Test
    void rejectsABadMagic() throws Exception {
        byte[] f = compress(compressible(100));
        f[0] = 0x05;
        IOException e = assertThrows(IOException.class, () -> decompress(f));
        assertEquals("not LZ4 data (bad magic number)", e.getMessage());
    }

    /** lz4-java's own words ("Stream unsupported", an LZ4Exception's class name) never reach a message. */
    @Test
    void failuresSayWhatIsWrongWithTheData() throws Exception {
        byte[] f = compress(compressible(300_000));
        IOException cut = assertThrows(IOException.class, () -> decompress(Arrays.copyOf(f, 9)));
        assertEquals("LZ4 data cut short (truncated object)", cut.getMessage());
        byte[] damaged = f.clone();
        for (int i = 7 + 4 + 10; i < 7 + 4 + 60; i++) {
            damaged[i] = (byte) 0xff; // a compressed block's match offsets and lengths
        }
        IOException bad = assertThrows(IOException.class, () -> decompress(damaged));
        assertTrue(bad.getMessage().startsWith("damaged LZ4 data ("), bad.getMessage());
        assertTrue(!bad.getMessage().contains("Exception"), bad.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4152, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 5 * BLOCK + 333})
    void compressingInputStreamYieldsTheSameFrame(int n) throws Exception {
        byte[] raw = n % 2 == 0 ? compressible(n) : random(n, n);
        byte[] expected = compress(raw);
        byte[] got;
        try (CompressingInputStream in = new CompressingInputStream(new ByteArrayInputStream(raw))) {
            got = in.readAllBytes();
            assertEquals(n, in.rawBytes());
        }
        assertArrayEquals(expected, got);
        assertArrayEquals(raw, decompress(got));
    }

    @Test
    void compressingInputStreamSingleByteReads() throws Exception {
        byte[] raw = compressible(BLOCK + 10);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (CompressingInputStream in = new CompressingInputStream(new ByteArrayInputStream(raw))) {
            for (int c = in.read(); c >= 0; c = in.read()) {
                bos.write(c);
            }
            assertEquals(-1, in.read(), "stays at end");
        }
        assertArrayEquals(compress(raw), bos.toByteArray());
    }

    /** What lz4-java's own frame stream writes with Litestream's settings: the reference for our writer. */
    private static byte[] lz4JavaFrame(byte[] raw, int writeSize) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new net.jpountz.lz4.LZ4FrameOutputStream(
                bos,
                net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE.SIZE_256KB,
                -1L,
                net.jpountz.lz4.LZ4Factory.fastestInstance().fastCompressor(),
                net.jpountz.xxhash.XXHashFactory.fastestInstance().hash32(),
                net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM)) {
            writeIn(out, raw, writeSize);
        }
        return bos.toByteArray();
    }

    private static byte[] ourFrame(byte[] raw, int writeSize) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = Lz4.compress(bos)) {
            writeIn(out, raw, writeSize);
        }
        return bos.toByteArray();
    }

    private static void writeIn(OutputStream out, byte[] raw, int writeSize) throws IOException {
        for (int off = 0; off < raw.length; off += writeSize) {
            int n = Math.min(writeSize, raw.length - off);
            if (n == 1) {
                out.write(raw[off]);
            } else {
                out.write(raw, off, n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12345})
    void framesAreByteForByteWhatLz4JavaWrites(int n) throws Exception {
        byte[] mixed = new byte[n];
        Random r = new Random(n);
        for (int i = 0; i < n; i += 4096) {
            // alternate incompressible and compressible pages, so both block kinds occur
            if ((i / 4096) % 3 == 0) {
                byte[] page = new byte[Math.min(4096, n - i)];
                r.nextBytes(page);
                System.arraycopy(page, 0, mixed, i, page.length);
            } else {
                Arrays.fill(mixed, i, Math.min(n, i + 4096), (byte) (i / 4096));
            }
        }
        for (byte[] raw : new byte[][] {mixed, random(n, 3), new byte[n]}) {
            for (int writeSize : new int[] {Math.max(1, n), BLOCK, 1000, 1}) {
                if (writeSize == 1 && n > BLOCK) {
                    continue; // byte at a time over several blocks: slow, and covered by the smaller sizes
                }
                assertArrayEquals(
                        lz4JavaFrame(raw, writeSize), ourFrame(raw, writeSize), "n=" + n + " writes of " + writeSize);
                assertArrayEquals(raw, decompress(ourFrame(raw, writeSize)));
            }
        }
    }

    @Test
    void aClosedFrameRefusesMoreData() throws Exception {
        OutputStream out = Lz4.compress(new ByteArrayOutputStream());
        out.write(1);
        out.close();
        out.close(); // a second close is a no-op
        IOException e = assertThrows(IOException.class, () -> out.write(2));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
