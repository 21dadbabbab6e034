package dev.litestack.replicator.db;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads at most {@code limit} bytes of the underlying stream; fails if it ends sooner. */
final class BoundedInputStream extends FilterInputStream {

    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
        super(in);
        this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int r = super.read();
        if (r < 0) {
            throw new IOException("shadow wal ended " + remaining + " bytes early");
        }
        remaining--;
        return r;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int r = super.read(b, off, (int) Math.min(len, remaining));
        if (r < 0) {
            throw new IOException("shadow wal ended " + remaining + " bytes early");
        }
        remaining -= r;
        return r;
    }
}
