package dev.litestack.replicator.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.xxhash.XXHashFactory;

/**
 * LZ4 frames as Litestream 0.3.13 writes and reads them: one frame per object, independent
 * blocks, a content checksum, and never a block checksum (Litestream's reader rejects those).
 */
public final class Lz4 {

    private Lz4() {}

    /** A stream that writes one LZ4 frame to {@code out}; closing it ends the frame and closes {@code out}. */
    public static OutputStream compress(OutputStream out) throws IOException {
        return new Lz4FrameWriter(out);
    }

    /**
     * Decodes exactly one LZ4 frame from {@code in}. Data after the frame is an error (Litestream
     * would silently drop it, which hides damage), as is a bad checksum or a truncated frame.
     */
    public static InputStream decompress(InputStream in) throws IOException {
        InputStream source = in;
        InputStream frame;
        try {
            frame = new LZ4FrameInputStream(
                    source,
                    LZ4Factory.fastestInstance().safeDecompressor(),
                    XXHashFactory.fastestInstance().hash32(),
                    true);
        } catch (IOException | RuntimeException e) {
            throw plain(e);
        }
        return new FilterInputStream(frame) {
            private boolean checked;

            @Override
            public int read() throws IOException {
                int r;
                try {
                    r = super.read();
                } catch (IOException | RuntimeException e) {
                    throw plain(e);
                }
                if (r < 0) {
                    checkTrailer();
                }
                return r;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int r;
                try {
                    r = super.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    throw plain(e);
                }
                if (r < 0) {
                    checkTrailer();
                }
                return r;
            }

            private void checkTrailer() throws IOException {
                if (!checked) {
                    checked = true;
                    // the compressed source, not FilterInputStream's own 'in' field (the frame stream)
                    if (source.read() >= 0) {
                        throw new IOException("unexpected data after the LZ4 frame");
                    }
                }
            }
        };
    }

    /**
     * lz4-java's failures in words that say what is wrong with the object ("Stream unsupported" is a bad magic number,
     * and a damaged block came as an LZ4Exception, a RuntimeException whose class name reached the messages).
     */
    static IOException plain(Exception e) {
        Throwable lz4 = e instanceof net.jpountz.lz4.LZ4Exception
                ? e
                : e.getCause() instanceof net.jpountz.lz4.LZ4Exception c ? c : null;
        if (lz4 != null) {
            return new IOException("damaged LZ4 data (" + lz4.getMessage() + ")", e);
        }
        String m = String.valueOf(e.getMessage());
        if (e instanceof IOException io && !m.startsWith("Stream ") && !m.startsWith("Frame ")) {
            return io; // the source's own failure (a download cut off, a disk error): as it is
        }
        String what = switch (m) {
            case "Stream unsupported" -> "not LZ4 data (bad magic number)";
            case "Stream ended prematurely" -> "LZ4 data cut short (truncated object)";
            default -> "damaged LZ4 data (" + m + ")";
        };
        return new IOException(what, e);
    }
}
