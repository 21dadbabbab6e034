package dev.litestack.replicator.restore;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * Reads one large object and yields its bytes in order, over one connection or several, whichever
 * the link calls for.
 *
 * <p>It starts with one GET of the whole object and reads its first {@code chunk} bytes. If they
 * arrived at {@code singleStreamMinRate} bytes/s or more, the rest comes from that same stream:
 * on a fast link (loopback, a bucket in the same data centre) more connections only add requests
 * and CPU. Otherwise that stream is closed and the rest comes as consecutive ranges fetched in
 * parallel (at most {@code window} at once, each {@code chunk} bytes), as a single connection is
 * the limit on S3 over a real network. Memory stays at {@code window × chunk} either way.
 *
 * <p>The rate is timed from the response's start (the SDK returns the stream once the headers are
 * in) to the chunk's end: the request's latency is no measure of what one connection streams, and
 * every range request pays it too. Timed from the request, a cold JVM on loopback measured
 * 118-183 MiB/s, around the threshold, and took ranges in half its restores (91-95 ms for the
 * snapshot of a 30 MB database against 61-68 ms on one stream).
 */
final class RangedDownload extends InputStream {

    /**
     * Above this rate the first chunk's connection is kept for the whole object: well above what one
     * connection to S3 gives over a real network (about 50-100 MB/s), well below loopback.
     */
    static final long SINGLE_STREAM_MIN_RATE = 160L << 20;

    /** Opens a byte range of the object. */
    @FunctionalInterface
    interface RangeOpener {
        InputStream open(long offset, long length) throws IOException;
    }

    /** The first chunk of the whole-object GET, its stream positioned after it, and how long it took. */
    private record Probe(InputStream stream, byte[] head, long nanos) {}

    private final ExecutorService pool;
    private final RangeOpener opener;
    private final long size;
    private final int chunk;
    private final int window;
    private final long singleStreamMinRate;
    private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
    private Future<Probe> probe;
    /** The rest of the whole-object GET, once its first chunk came fast enough. */
    private InputStream single;
    /** The whole-object stream as soon as the probe has it, so close() can close it whatever state it is in. */
    private InputStream whole;

    private boolean closed;
    private boolean rangesRequested;
    private double firstChunkRate = Double.NaN;

    private long next;
    private long delivered;
    private byte[] current = new byte[0];
    private int pos;

    RangedDownload(
            ExecutorService pool,
            RangeOpener opener,
            long size,
            int chunk,
            int window,
            long singleStreamMinRate,
            LongSupplier nanos) {
        this.pool = pool;
        this.opener = opener;
        this.size = size;
        this.chunk = chunk;
        this.window = Math.max(1, window);
        this.singleStreamMinRate = singleStreamMinRate;
        this.probe = pool.submit(() -> probe(nanos));
    }

    /** Whether ranges were requested after the first chunk (known once the first byte was read). */
    boolean ranged() {
        return rangesRequested;
    }

    /** The first chunk's rate in bytes/s from the response's start (NaN until the first byte was read). */
    double firstChunkRate() {
        return firstChunkRate;
    }

    private Probe probe(LongSupplier nanos) throws IOException {
        InputStream in = opener.open(0, size);
        long t0 = nanos.getAsLong();
        try {
            byte[] head = readExactly(in, 0, (int) Math.min(chunk, size));
            synchronized (this) {
                if (closed) {
                    throw new IOException("closed"); // no one will take the stream
                }
                whole = in;
            }
            return new Probe(in, head, nanos.getAsLong() - t0);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads {@code length} bytes at {@code offset} of the object from {@code in}, straight into one array. */
    private byte[] readExactly(InputStream in, long offset, int length) throws IOException {
        byte[] b = new byte[length];
        int n = in.readNBytes(b, 0, length);
        if (n != length) {
            throw endedEarly(offset + n);
        }
        return b;
    }

    private EOFException endedEarly(long at) {
        return new EOFException("object ended at " + at + " of " + size + " bytes (it changed during the restore)");
    }

    /** Takes the probe's first chunk and picks one stream or ranges for the rest. */
    private void start() throws IOException {
        Probe p = await(probe);
        probe = null;
        current = p.head();
        pos = 0;
        double rate = p.head().length * 1e9 / Math.max(1, p.nanos());
        firstChunkRate = rate;
        if (current.length < size && rate >= singleStreamMinRate) {
            single = p.stream();
            return;
        }
        synchronized (this) {
            whole = null;
        }
        p.stream().close();
        next = current.length;
        refill();
    }

    private void refill() {
        while (pending.size() < window && next < size) {
            long offset = next;
            int length = (int) Math.min(chunk, size - offset);
            next += length;
            rangesRequested = true;
            pending.add(pool.submit(() -> {
                try (InputStream in = opener.open(offset, length)) {
                    return readExactly(in, offset, length);
                }
            }));
        }
    }

    private static <T> T await(Future<T> f) throws IOException {
        return Tasks.await(
                f, c -> c instanceof IOException io ? io : new IOException(String.valueOf(c.getMessage()), c));
    }

    /** Whether bytes remain; leaves them in {@code current}, or in {@code single} once it is exhausted. */
    private boolean advance() throws IOException {
        if (probe != null) {
            start();
        }
        while (pos >= current.length) {
            if (single != null) {
                return delivered < size;
            }
            Future<byte[]> f = pending.pollFirst();
            if (f == null) {
                return false;
            }
            current = await(f);
            pos = 0;
            refill();
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n;
        if (pos < current.length) {
            n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
        } else {
            n = single.read(b, off, (int) Math.min(len, size - delivered));
            if (n < 0) {
                throw endedEarly(delivered);
            }
        }
        delivered += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        pending.forEach(f -> f.cancel(true));
        pending.clear();
        InputStream first;
        synchronized (this) {
            closed = true;
            first = whole;
        }
        if (probe != null) {
            probe.cancel(false); // a probe already reading closes its stream itself when it sees closed
            probe = null;
        }
        if (first != null) {
            first.close();
        }
    }
}
