package dev.litestack.replicator.restore;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Reads one object as consecutive ranges fetched in parallel (at most {@code window} at once,
 * each {@code chunk} bytes) and yields its bytes in order, so a large snapshot downloads at the
 * speed of several connections while memory stays at {@code window × chunk}.
 */
final class RangedDownload extends InputStream {

    /** Opens a byte range of the object. */
    @FunctionalInterface
    interface RangeOpener {
        InputStream open(long offset, long length) throws IOException;
    }

    private final ExecutorService pool;
    private final RangeOpener opener;
    private final long size;
    private final int chunk;
    private final int window;
    private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
    private long next;
    private byte[] current = new byte[0];
    private int pos;

    RangedDownload(ExecutorService pool, RangeOpener opener, long size, int chunk, int window) {
        this.pool = pool;
        this.opener = opener;
        this.size = size;
        this.chunk = chunk;
        this.window = Math.max(1, window);
        refill();
    }

    private void refill() {
        while (pending.size() < window && next < size) {
            long offset = next;
            int length = (int) Math.min(chunk, size - offset);
            next += length;
            pending.add(pool.submit(() -> {
                try (InputStream in = opener.open(offset, length)) {
                    // read straight into the chunk (readNBytes(int) would gather small buffers and copy them)
                    byte[] b = new byte[length];
                    int n = in.readNBytes(b, 0, length);
                    if (n != length) {
                        throw new EOFException("object ended at " + (offset + n) + " of " + size
                                + " bytes (it changed during the restore)");
                    }
                    return b;
                }
            }));
        }
    }

    private boolean advance() throws IOException {
        while (pos >= current.length) {
            Future<byte[]> f = pending.pollFirst();
            if (f == null) {
                return false;
            }
            try {
                current = f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof IOException io ? io : new IOException(String.valueOf(c.getMessage()), c);
            }
            pos = 0;
            refill();
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return advance() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        pending.forEach(f -> f.cancel(true));
        pending.clear();
    }
}
