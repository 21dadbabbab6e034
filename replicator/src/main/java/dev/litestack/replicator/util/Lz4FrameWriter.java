package dev.litestack.replicator.util;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Writes one LZ4 frame (lz4.github.io/lz4/lz4_Frame_format.html): independent blocks of at most
 * 256 KiB, no block checksums, a content checksum, no content size. Byte for byte what lz4-java's
 * {@code LZ4FrameOutputStream} writes with those settings, which Litestream reads; lz4-java's own
 * stream also zeroes its whole output buffer before every block, which was a tenth of a busy
 * replicator's CPU. Blocks are compressed with lz4-java's block compressor, and a block handed
 * over whole by the caller is compressed straight from the caller's array.
 */
final class Lz4FrameWriter extends OutputStream {

    static final int BLOCK_SIZE = 256 * 1024;

    private static final int MAGIC = 0x184D2204;
    /** Version 01, independent blocks, content checksum. */
    private static final int FLG = 0x64;
    /** Block maximum size 256 KiB. */
    private static final int BD = 0x50;

    private static final int UNCOMPRESSED = 0x80000000;

    private final OutputStream out;
    private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
    private final StreamingXXHash32 contentHash =
            XXHashFactory.fastestInstance().newStreamingHash32(0);
    private final byte[] block = new byte[BLOCK_SIZE];
    private final byte[] compressed = new byte[4 + compressor.maxCompressedLength(BLOCK_SIZE)];
    private int buffered;
    private boolean closed;

    Lz4FrameWriter(OutputStream out) throws IOException {
        this.out = out;
        byte[] header = new byte[7];
        putIntLE(header, 0, MAGIC);
        header[4] = (byte) FLG;
        header[5] = (byte) BD;
        header[6] = (byte) ((XXHashFactory.fastestInstance().hash32().hash(header, 4, 2, 0) >> 8) & 0xff);
        out.write(header);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (buffered == 0 && len >= BLOCK_SIZE) {
                writeBlock(b, off, BLOCK_SIZE);
                off += BLOCK_SIZE;
                len -= BLOCK_SIZE;
                continue;
            }
            int n = Math.min(len, BLOCK_SIZE - buffered);
            System.arraycopy(b, off, block, buffered, n);
            buffered += n;
            off += n;
            len -= n;
            if (buffered == BLOCK_SIZE) {
                writeBuffered();
            }
        }
    }

    /** Ends the current block early (as lz4-java's flush does) and flushes the sink. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        writeBuffered();
        out.flush();
    }

    /** Writes the last block, the end mark and the content checksum, and closes the sink. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            writeBuffered();
            byte[] end = new byte[8];
            putIntLE(end, 4, contentHash.getValue());
            out.write(end);
        } finally {
            closed = true;
            contentHash.close();
            out.close();
        }
    }

    private void writeBuffered() throws IOException {
        if (buffered > 0) {
            writeBlock(block, 0, buffered);
            buffered = 0;
        }
    }

    private void writeBlock(byte[] src, int off, int len) throws IOException {
        contentHash.update(src, off, len);
        int size = compressor.compress(src, off, len, compressed, 4, compressed.length - 4);
        if (size >= len) {
            putIntLE(compressed, 0, len | UNCOMPRESSED);
            out.write(compressed, 0, 4);
            out.write(src, off, len);
        } else {
            putIntLE(compressed, 0, size);
            out.write(compressed, 0, 4 + size);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("LZ4 frame already closed");
        }
    }

    private static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
