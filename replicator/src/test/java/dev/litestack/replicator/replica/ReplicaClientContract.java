package dev.litestack.replicator.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ReplicaClient} must have. Each backend's test extends this class
 * and supplies a fresh, empty replica per test.
 */
public abstract class ReplicaClientContract {

    protected static final String GEN_A = "0123456789abcdef";
    protected static final String GEN_B = "fedcba9876543210";

    protected ReplicaClient client;

    /** A new client on an empty replica root. */
    protected abstract ReplicaClient newClient() throws Exception;

    /** Stores an object under a key relative to the replica root, bypassing the client (for foreign names). */
    protected abstract void putRaw(String relativeKey, byte[] body) throws Exception;

    @BeforeEach
    void openClient() throws Exception {
        client = newClient();
    }

    @AfterEach
    void closeClient() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    protected static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void emptyReplicaListsNothing() throws Exception {
        assertEquals(List.of(), client.generations());
        assertEquals(List.of(), client.snapshots(GEN_A));
        assertEquals(List.of(), client.walSegments(GEN_A));
    }

    @Test
    void snapshotRoundTrip() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        byte[] body = bytes(10_000, 1);
        SnapshotInfo info = client.writeSnapshot(GEN_A, 3, new ByteArrayInputStream(body));
        assertEquals(GEN_A, info.generation());
        assertEquals(3, info.index());
        assertEquals(body.length, info.size());

        assertEquals(List.of(GEN_A), client.generations());
        List<SnapshotInfo> listed = client.snapshots(GEN_A);
        assertEquals(1, listed.size());
        assertEquals(3, listed.get(0).index());
        assertEquals(body.length, listed.get(0).size());
        assertFalse(listed.get(0).createdAt().isBefore(before), "createdAt precedes the write");
        assertArrayEquals(body, readAll(client.openSnapshot(GEN_A, 3)));
    }

    @Test
    void snapshotIsReplacedWhole() throws Exception {
        client.writeSnapshot(GEN_A, 0, new ByteArrayInputStream(bytes(5000, 1)));
        byte[] second = bytes(100, 2);
        client.writeSnapshot(GEN_A, 0, new ByteArrayInputStream(second));
        assertEquals(1, client.snapshots(GEN_A).size());
        assertEquals(100, client.snapshots(GEN_A).get(0).size());
        assertArrayEquals(second, readAll(client.openSnapshot(GEN_A, 0)));
    }

    @Test
    void emptyBodyIsStored() throws Exception {
        client.writeWalSegment(new Pos(GEN_A, 0, 0), new ByteArrayInputStream(new byte[0]));
        assertEquals(0, client.walSegments(GEN_A).get(0).size());
        assertArrayEquals(new byte[0], readAll(client.openWalSegment(new Pos(GEN_A, 0, 0))));
    }

    @Test
    void segmentsAreListedInIndexThenOffsetOrder() throws Exception {
        long[][] order = {{1, 4152}, {0, 0}, {2, 0}, {0, 16512}, {1, 0}, {0, 4120 * 3 + 32}, {0x10, 0}};
        for (long[] io : order) {
            client.writeWalSegment(
                    new Pos(GEN_A, io[0], io[1]),
                    new ByteArrayInputStream(bytes((int) (io[0] + io[1] % 97 + 1), io[1])));
        }
        List<WalSegmentInfo> listed = client.walSegments(GEN_A);
        List<String> got = new ArrayList<>();
        for (WalSegmentInfo s : listed) {
            got.add(s.index() + ":" + s.offset());
        }
        assertEquals(List.of("0:0", "0:12392", "0:16512", "1:0", "1:4152", "2:0", "16:0"), got);
        WalSegmentInfo last = listed.get(listed.size() - 1);
        assertEquals(new Pos(GEN_A, 0x10, 0), last.pos());
        assertEquals(0x10 + 1, last.size());
    }

    @Test
    void generationsAreSortedAndSeparate() throws Exception {
        client.writeSnapshot(GEN_B, 0, new ByteArrayInputStream(bytes(10, 1)));
        client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(bytes(10, 2)));
        client.writeWalSegment(new Pos(GEN_B, 0, 0), new ByteArrayInputStream(bytes(10, 3)));
        assertEquals(List.of(GEN_A, GEN_B), client.generations());
        assertEquals(1, client.snapshots(GEN_A).get(0).index());
        assertEquals(0, client.snapshots(GEN_B).get(0).index());
        assertEquals(List.of(), client.walSegments(GEN_A));
        assertEquals(1, client.walSegments(GEN_B).size());
    }

    @Test
    void foreignNamesAreIgnored() throws Exception {
        client.writeSnapshot(GEN_A, 0, new ByteArrayInputStream(bytes(10, 1)));
        putRaw("generations/" + GEN_A + "/snapshots/00000001.snapshot.lz4.tmp", bytes(10, 1));
        putRaw("generations/" + GEN_A + "/snapshots/0000000A.snapshot.lz4", bytes(10, 1));
        putRaw("generations/" + GEN_A + "/wal/00000000_0000000.wal.lz4", bytes(10, 1));
        putRaw("generations/" + GEN_A + "/wal/00000000_00000000.wal", bytes(10, 1));
        putRaw("generations/0123456789ABCDEF/snapshots/00000000.snapshot.lz4", bytes(10, 1));
        putRaw("generations/0123/snapshots/00000000.snapshot.lz4", bytes(10, 1));
        putRaw("notes.txt", bytes(10, 1));
        assertEquals(List.of(GEN_A), client.generations());
        assertEquals(1, client.snapshots(GEN_A).size());
        assertEquals(List.of(), client.walSegments(GEN_A));
    }

    @Test
    void missingObjectsThrowNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> readAll(client.openSnapshot(GEN_A, 0)));
        assertThrows(NoSuchFileException.class, () -> readAll(client.openWalSegment(new Pos(GEN_A, 0, 0))));
    }

    @Test
    void deletesOfMissingObjectsAreNotErrors() throws Exception {
        client.deleteSnapshot(GEN_A, 7);
        client.deleteWalSegments(List.of(new Pos(GEN_A, 0, 0), new Pos(GEN_A, 1, 32)));
        client.deleteGeneration(GEN_B);
        client.deleteWalSegments(List.of());
        assertEquals(List.of(), client.generations());
    }

    @Test
    void deletesRemoveOnlyWhatIsNamed() throws Exception {
        for (int i = 0; i < 4; i++) {
            client.writeSnapshot(GEN_A, i, new ByteArrayInputStream(bytes(10, i)));
            client.writeWalSegment(new Pos(GEN_A, i, 0), new ByteArrayInputStream(bytes(10, i)));
            client.writeWalSegment(new Pos(GEN_A, i, 4152), new ByteArrayInputStream(bytes(10, i)));
        }
        client.writeSnapshot(GEN_B, 0, new ByteArrayInputStream(bytes(10, 9)));
        client.deleteSnapshot(GEN_A, 0);
        client.deleteWalSegments(List.of(new Pos(GEN_A, 0, 0), new Pos(GEN_A, 0, 4152), new Pos(GEN_A, 1, 0)));
        assertEquals(
                List.of(1L, 2L, 3L),
                client.snapshots(GEN_A).stream().map(SnapshotInfo::index).toList());
        assertEquals(
                List.of("1:4152", "2:0", "2:4152", "3:0", "3:4152"),
                client.walSegments(GEN_A).stream()
                        .map(s -> s.index() + ":" + s.offset())
                        .toList());

        client.deleteGeneration(GEN_A);
        assertEquals(List.of(GEN_B), client.generations());
        assertEquals(List.of(), client.snapshots(GEN_A));
        assertEquals(List.of(), client.walSegments(GEN_A));
        assertEquals(1, client.snapshots(GEN_B).size());
    }

    @Test
    void largeBodyStreamsThrough() throws Exception {
        byte[] body = bytes(12 * 1024 * 1024 + 123, 42);
        SnapshotInfo info = client.writeSnapshot(GEN_A, 0, new ByteArrayInputStream(body));
        assertEquals(body.length, info.size());
        assertEquals(body.length, client.snapshots(GEN_A).get(0).size());
        assertArrayEquals(body, readAll(client.openSnapshot(GEN_A, 0)));
    }

    @Test
    void failedBodyLeavesNoObject() throws Exception {
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 70_000) {
                    throw new IOException("source failed");
                }
                return 7;
            }
        };
        assertThrows(IOException.class, () -> client.writeWalSegment(new Pos(GEN_A, 0, 0), failing));
        assertEquals(List.of(), client.walSegments(GEN_A));
    }

    @Test
    void concurrentWritesAreAllStored() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<WalSegmentInfo>> futures = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                long offset = 32 + i * 4120L;
                futures.add(pool.submit(() -> client.writeWalSegment(
                        new Pos(GEN_A, 0, offset), new ByteArrayInputStream(bytes(4120, offset)))));
            }
            for (Future<WalSegmentInfo> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<WalSegmentInfo> listed = client.walSegments(GEN_A);
        assertEquals(24, listed.size());
        for (WalSegmentInfo s : listed) {
            assertArrayEquals(bytes(4120, s.offset()), readAll(client.openWalSegment(s.pos())));
        }
        assertTrue(listed.get(0).offset() < listed.get(23).offset());
    }

    @Test
    void snapshotRangesReadTheRightBytes() throws Exception {
        byte[] body = bytes(300_000, 7);
        client.writeSnapshot(GEN_A, 2, new ByteArrayInputStream(body));
        long[][] ranges = {{0, 1}, {0, 300_000}, {12_345, 100_000}, {299_999, 1}, {150_000, 150_000}};
        for (long[] r : ranges) {
            byte[] got;
            try (InputStream in = client.openSnapshotRange(GEN_A, 2, r[0], r[1])) {
                got = in.readAllBytes();
            }
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(body, (int) r[0], (int) (r[0] + r[1])),
                    got,
                    "range " + r[0] + "+" + r[1]);
        }
        assertThrows(NoSuchFileException.class, () -> readAll(client.openSnapshotRange(GEN_A, 3, 0, 10)));
        assertThrows(
                java.io.EOFException.class,
                () -> readAll(client.openSnapshotRange(GEN_A, 2, 299_000, 5_000)),
                "a range past the end of the body is an EOFException when read");
    }
}
