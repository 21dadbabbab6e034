package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.OperationStats.Operation;
import dev.litestack.replicator.replica.ReplicaLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** Multipart uploads, listing pagination, DeleteObjects batching and the key layout. */
@Tag("integration")
class S3ReplicaClientLargeTest {

    private static final String GEN = "0123456789abcdef";
    private static final int PART = S3Settings.MIN_PART_SIZE;

    private static S3ProxyServer server;
    private S3Settings settings;
    private S3ReplicaClient client;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void open() throws IOException {
        settings = server.settings(server.createBucket(), "backups/app.db")
                .withTuning(S3Settings.Tuning.DEFAULTS.withPartSize(PART));
        client = S3ReplicaClient.open(settings, Map.of());
    }

    @AfterEach
    void close() {
        client.close();
    }

    /**
     * A deterministic body produced on demand. On every read it checks that the client has not
     * pulled more than one part (plus the one-byte look-ahead) beyond what it has already sent,
     * i.e. that the upload buffers at most one part, whatever the body size.
     */
    private final class GeneratedBody extends InputStream {
        private final long size;
        private long position;
        private long maxAhead;

        GeneratedBody(long size) {
            this.size = size;
        }

        static byte at(long i) {
            return (byte) (i * 31 + (i >>> 11));
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = at(position + i);
            }
            position += n;
            maxAhead = Math.max(
                    maxAhead, position - client.operationStats().orElseThrow().bytes(Operation.PUT));
            return n;
        }
    }

    private static byte[] sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    @Test
    void twentyMebibytesGoUpInPartsWithOnePartBufferedAndReadBackIdentical() throws Exception {
        long size = 20L * 1024 * 1024;
        GeneratedBody body = new GeneratedBody(size);
        assertEquals(size, client.writeSnapshot(GEN, 0, body).size());

        assertTrue(body.maxAhead <= PART + 1, "client read " + body.maxAhead + " bytes ahead of the upload");
        assertTrue(body.maxAhead >= PART, "look-ahead not measured: " + body.maxAhead);
        assertEquals(1, client.operationStats().orElseThrow().operations(Operation.PUT));
        assertEquals(size, client.operationStats().orElseThrow().bytes(Operation.PUT));
        try (S3Client raw = server.sdkClient()) {
            String etag = raw.headObject(
                            r -> r.bucket(settings.bucket()).key(settings.key(ReplicaLayout.snapshotKey(GEN, 0))))
                    .eTag();
            assertTrue(etag.replace("\"", "").endsWith("-4"), "not a 4-part multipart ETag: " + etag);
        }
        assertEquals(size, client.snapshots(GEN).get(0).size());
        assertArrayEquals(sha256(new GeneratedBody(size)), sha256(client.openSnapshot(GEN, 0)));
        assertEquals(size, client.operationStats().orElseThrow().bytes(Operation.GET));
    }

    @Test
    void uploadsAfterALargeOneReuseItsBufferAndStoreOnlyTheirOwnBytes() throws Exception {
        long large = PART + 12_345L;
        client.writeSnapshot(GEN, 0, new GeneratedBody(large));
        byte[] small = {9, 8, 7};
        client.writeSnapshot(GEN, 1, new ByteArrayInputStream(small));
        byte[] medium = new byte[300_000];
        java.util.Arrays.fill(medium, (byte) 5);
        client.writeSnapshot(GEN, 2, new ByteArrayInputStream(medium));

        assertArrayEquals(sha256(new GeneratedBody(large)), sha256(client.openSnapshot(GEN, 0)));
        assertArrayEquals(small, client.openSnapshot(GEN, 1).readAllBytes());
        assertArrayEquals(medium, client.openSnapshot(GEN, 2).readAllBytes());
    }

    @Test
    void aBodyOfExactlyOnePartIsOnePutObject() throws Exception {
        byte[] body = new byte[PART];
        body[PART - 1] = 42;
        client.writeSnapshot(GEN, 1, new ByteArrayInputStream(body));
        try (S3Client raw = server.sdkClient()) {
            String etag = raw.headObject(
                            r -> r.bucket(settings.bucket()).key(settings.key(ReplicaLayout.snapshotKey(GEN, 1))))
                    .eTag();
            assertTrue(!etag.contains("-"), "unexpected multipart ETag: " + etag);
        }
        assertArrayEquals(body, client.openSnapshot(GEN, 1).readAllBytes());
    }

    @Test
    void aFailingBodyAbortsTheMultipartUpload() throws Exception {
        InputStream failing = new InputStream() {
            private long n;

            @Override
            public int read() throws IOException {
                if (n++ > PART + 1000) {
                    throw new IOException("source failed");
                }
                return 7;
            }
        };
        IOException e = assertThrows(IOException.class, () -> client.writeSnapshot(GEN, 0, failing));
        assertEquals("source failed", e.getMessage());
        assertEquals(List.of(), client.snapshots(GEN));
        try (S3Client raw = server.sdkClient()) {
            assertEquals(
                    List.of(),
                    raw.listMultipartUploads(r -> r.bucket(settings.bucket())).uploads());
        }
    }

    /** On a server that takes DeleteObjects as the SDK sends it (AWS S3), keys are deleted 1,000 to a request. */
    @Test
    void moreThanOneThousandSegmentsAreListedInPagesAndDeletedInBatches() throws Exception {
        try (S3ProxyServer aws = S3ProxyServer.startTakingChecksumHeaders();
                S3ReplicaClient c =
                        S3ReplicaClient.open(aws.settings(aws.createBucket(), "backups/app.db"), Map.of())) {
            manySegmentsDeleted(aws, c, 3);
        }
    }

    /**
     * Stock s3proxy answers the SDK's DeleteObjects 501 NotImplemented (for its {@code x-amz-checksum-crc32} header):
     * retention deleted nothing there, and logged an error at every check. Now each key is deleted on its own.
     */
    @Test
    void aServerThatRefusesDeleteObjectsGetsOneDeletePerKey() throws Exception {
        manySegmentsDeleted(server, client, 2101);
    }

    private static void manySegmentsDeleted(S3ProxyServer server, S3ReplicaClient client, long deletes)
            throws Exception {
        S3Settings settings = client.settings();
        List<Pos> positions = new ArrayList<>();
        for (int i = 0; i < 2100; i++) {
            Pos p = new Pos(GEN, i / 1000, (i % 1000) * 4152L);
            positions.add(p);
            server.putBlob(
                    settings.bucket(),
                    settings.key(ReplicaLayout.walSegmentKey(GEN, p.index(), p.offset())),
                    new byte[] {1, 2, 3});
        }
        assertEquals(2100, client.walSegments(GEN).size());
        assertEquals(3, client.operationStats().orElseThrow().operations(Operation.LIST));

        positions.add(new Pos(GEN, 9, 0)); // missing: not an error
        client.deleteWalSegments(positions);
        assertEquals(deletes, client.operationStats().orElseThrow().operations(Operation.DELETE));
        assertEquals(List.of(), client.walSegments(GEN));
        assertEquals(List.of(), server.keys(settings.bucket()));
    }

    @Test
    void deleteGenerationRemovesEveryKeyUnderItAcrossPages() throws Exception {
        try (S3ProxyServer aws = S3ProxyServer.startTakingChecksumHeaders();
                S3ReplicaClient c =
                        S3ReplicaClient.open(aws.settings(aws.createBucket(), "backups/app.db"), Map.of())) {
            generationDeleted(aws, c, 3); // the snapshot first, on its own, then 1,201 keys in two batches
        }
        generationDeleted(server, client, 1202);
    }

    private static void generationDeleted(S3ProxyServer server, S3ReplicaClient client, long deletes) throws Exception {
        S3Settings settings = client.settings();
        for (int i = 0; i < 1200; i++) {
            server.putBlob(settings.bucket(), settings.key(ReplicaLayout.walSegmentKey(GEN, 0, i * 32L)), new byte[1]);
        }
        client.writeSnapshot(GEN, 0, new ByteArrayInputStream(new byte[10]));
        server.putBlob(settings.bucket(), settings.key(ReplicaLayout.generationKey(GEN) + "/stray.tmp"), new byte[1]);
        String other = settings.key(ReplicaLayout.snapshotKey("fedcba9876543210", 0));
        server.putBlob(settings.bucket(), other, new byte[1]);

        client.deleteGeneration(GEN);
        assertEquals(List.of(other), server.keys(settings.bucket()));
        assertEquals(deletes, client.operationStats().orElseThrow().operations(Operation.DELETE));
    }

    @Test
    void objectsLandUnderThePrefixWithLitestreamNames() throws Exception {
        client.writeWalSegment(new Pos(GEN, 0, 0x60b0), new ByteArrayInputStream(new byte[3]));
        client.writeSnapshot(GEN, 0, new ByteArrayInputStream(new byte[3]));
        assertEquals(
                List.of(
                        "backups/app.db/generations/0123456789abcdef/snapshots/00000000.snapshot.lz4",
                        "backups/app.db/generations/0123456789abcdef/wal/00000000_000060b0.wal.lz4"),
                server.keys(settings.bucket()));
        assertEquals("s3://" + settings.bucket() + "/backups/app.db", client.describe());
        assertEquals("s3", client.type());
    }
}
