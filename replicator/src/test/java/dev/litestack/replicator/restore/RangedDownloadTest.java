package dev.litestack.replicator.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One stream when the first chunk comes fast, parallel ranges when it is slow; on a fake clock. */
class RangedDownloadTest {

    private static final int CHUNK = 64 * 1024;
    private static final int SIZE = 10 * CHUNK + 123;
    private static final long MIN_RATE = 100L << 20; // a chunk at this rate takes 0.625 ms

    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final byte[] object = new byte[SIZE];
    private final AtomicLong clock = new AtomicLong();
    private final List<String> opened = Collections.synchronizedList(new ArrayList<>());
    private final List<String> closed = Collections.synchronizedList(new ArrayList<>());

    RangedDownloadTest() {
        new Random(7).nextBytes(object);
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /**
     * Serves ranges of {@code served}. Opening the whole object costs {@code latencyNanos} on the
     * clock (the request, up to the response's headers) and its first read {@code wholeNanos} (the
     * body streaming in).
     */
    private RangedDownload.RangeOpener opener(byte[] served, long wholeNanos, long latencyNanos) {
        return (offset, length) -> {
            String range = offset + "+" + length;
            opened.add(range);
            boolean whole = offset == 0 && length == SIZE;
            if (whole) {
                clock.addAndGet(latencyNanos);
            }
            int end = (int) Math.min(served.length, offset + length);
            return new FilterInputStream(new ByteArrayInputStream(served, (int) offset, end - (int) offset)) {
                private boolean charged = !whole;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (!charged) {
                        charged = true;
                        clock.addAndGet(wholeNanos);
                    }
                    return super.read(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    closed.add(range);
                    super.close();
                }
            };
        };
    }

    private RangedDownload download(byte[] served, long wholeNanos) {
        return download(served, wholeNanos, 0);
    }

    private RangedDownload download(byte[] served, long wholeNanos, long latencyNanos) {
        return new RangedDownload(pool, opener(served, wholeNanos, latencyNanos), SIZE, CHUNK, 3, MIN_RATE, clock::get);
    }

    @Test
    void theRequestsLatencyDoesNotCountAgainstTheOneStream() throws Exception {
        try (RangedDownload in = download(object, 100_000, 50_000_000)) {
            assertArrayEquals(object, in.readAllBytes());
            assertFalse(in.ranged(), "50 ms to the headers, then the chunk at 640 MiB/s");
        }
        assertEquals(List.of("0+" + SIZE), opened);
    }

    @Test
    void aFastFirstChunkKeepsTheOneStreamForTheWholeObject() throws Exception {
        try (RangedDownload in = download(object, 100_000)) {
            assertArrayEquals(object, in.readAllBytes());
            assertFalse(in.ranged());
        }
        assertEquals(List.of("0+" + SIZE), opened);
        assertEquals(List.of("0+" + SIZE), closed);
    }

    @Test
    void aSlowFirstChunkClosesThatStreamAndFetchesTheRestAsRanges() throws Exception {
        try (RangedDownload in = download(object, 5_000_000)) {
            assertArrayEquals(object, in.readAllBytes());
            assertTrue(in.ranged());
        }
        List<String> expected = new ArrayList<>(List.of("0+" + SIZE));
        for (int off = CHUNK; off < SIZE; off += CHUNK) {
            expected.add(off + "+" + Math.min(CHUNK, SIZE - off));
        }
        assertEquals(
                expected, opened.stream().sorted(RangedDownloadTest::byOffset).toList());
        assertEquals(opened.size(), closed.size(), "every stream opened was closed");
    }

    @Test
    void singleBytesAndSmallReadsGiveTheSameBytes() throws Exception {
        for (long wholeNanos : new long[] {100_000, 5_000_000}) {
            try (RangedDownload in = download(object, wholeNanos)) {
                assertEquals(object[0] & 0xff, in.read());
                byte[] rest = new byte[SIZE - 1];
                int off = 0;
                while (off < rest.length) {
                    int n = in.read(rest, off, Math.min(1000, rest.length - off));
                    assertTrue(n > 0);
                    off += n;
                }
                assertEquals(-1, in.read());
                for (int i = 1; i < SIZE; i++) {
                    assertEquals(object[i], rest[i - 1]);
                }
            }
        }
    }

    @Test
    void anObjectThatEndsEarlyFailsInEitherMode() {
        byte[] shorter = java.util.Arrays.copyOf(object, SIZE - 5000);
        for (long wholeNanos : new long[] {100_000, 5_000_000}) {
            EOFException e = assertThrows(EOFException.class, () -> {
                try (RangedDownload in = download(shorter, wholeNanos)) {
                    in.readAllBytes();
                }
            });
            assertTrue(e.getMessage().contains("it changed during the restore"), e.getMessage());
        }
    }

    @Test
    void aFailedOpenReachesTheReader() {
        RangedDownload.RangeOpener failing = (offset, length) -> {
            throw new IOException("no such object: snap");
        };
        IOException e = assertThrows(IOException.class, () -> {
            try (RangedDownload in = new RangedDownload(pool, failing, SIZE, CHUNK, 3, MIN_RATE, clock::get)) {
                in.read();
            }
        });
        assertEquals("no such object: snap", e.getMessage());
    }

    @Test
    void closingBeforeReadingClosesTheFirstStream() throws Exception {
        RangedDownload in = download(object, 100_000);
        org.awaitility.Awaitility.await().until(() -> opened.size() == 1);
        in.close();
        org.awaitility.Awaitility.await().until(() -> closed.size() == 1);
    }

    private static int byOffset(String a, String b) {
        return Long.compare(Long.parseLong(a.split("\\+")[0]), Long.parseLong(b.split("\\+")[0]));
    }
}
