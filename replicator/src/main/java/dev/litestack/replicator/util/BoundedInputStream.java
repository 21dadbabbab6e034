package dev.litestack.replicator.util;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads exactly {@code limit} bytes of the underlying stream: ends there, and fails with an
 * {@link EOFException} naming {@code what} if the underlying stream ends sooner.
 */
public final class BoundedInputStream extends FilterInputStream {

    private final String what;
    private long remaining;

    public BoundedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.remaining = limit;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int r = super.read();
        if (r < 0) {
            throw early();
        }
        remaining--;
        return r;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int r = super.read(b, off, (int) Math.min(len, remaining));
        if (r < 0) {
            throw early();
        }
        remaining -= r;
        return r;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(Math.min(n, remaining));
        remaining -= s;
        return s;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(super.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private EOFException early() {
        return new EOFException(what + " ended " + remaining + " bytes early");
    }
}
