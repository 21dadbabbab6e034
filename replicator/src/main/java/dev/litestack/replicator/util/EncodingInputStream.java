package dev.litestack.replicator.util;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Pulls raw bytes from a source, pushes them through an encoding {@link OutputStream} (LZ4,
 * age) and yields what it writes, a chunk at a time, so an upload can stream a snapshot or
 * segment of any size with memory bounded by one chunk. Closing the encoder ends the output.
 */
class EncodingInputStream extends InputStream {

    /** Wraps the sink the encoded bytes go to. */
    @FunctionalInterface
    interface Encoder {
        OutputStream wrap(OutputStream sink) throws IOException;
    }

    private static final int CHUNK = 256 * 1024;

    private final InputStream raw;
    private final Exposed buf = new Exposed();
    private final OutputStream encoder;
    private final byte[] chunk = new byte[CHUNK];
    private int pos;
    private boolean finished;
    private long rawBytes;

    EncodingInputStream(InputStream raw, Encoder encoder) throws IOException {
        this.raw = raw;
        this.encoder = encoder.wrap(buf);
    }

    /** Source bytes consumed so far. */
    public long rawBytes() {
        return rawBytes;
    }

    private boolean fill() throws IOException {
        while (pos >= buf.size()) {
            if (finished) {
                return false;
            }
            buf.reset();
            pos = 0;
            int n = raw.readNBytes(chunk, 0, CHUNK);
            if (n > 0) {
                rawBytes += n;
                encoder.write(chunk, 0, n);
                encoder.flush();
            }
            if (n < CHUNK) {
                encoder.close();
                finished = true;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buf.array()[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, buf.size() - pos);
        System.arraycopy(buf.array(), pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    private static final class Exposed extends ByteArrayOutputStream {
        Exposed() {
            super(CHUNK + 1024);
        }

        byte[] array() {
            return buf;
        }

        @Override
        public void close() {
            // the encoder closes this buffer at the end of its output; keep its bytes readable
        }
    }
}
