package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3proxy on its filesystem store, as operators run it (stock: it refuses the SDK's DeleteObjects, so deletes go key
 * by key), keeps folders and lists them as keys ending in {@code /}, before the files in them. Deleting such a marker
 * while its folder still held files took 10 s each: retention spent 20 s per generation.
 */
class S3FilesystemStoreTest {

    private static final String G1 = "0123456789abcdef";
    private static final String G2 = "fedcba9876543210";

    @TempDir
    Path dir;

    @Test
    void aGenerationIsDeletedWithItsFoldersAndFoldersAfterTheirFiles() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        try (S3ProxyServer server = S3ProxyServer.startOnFilesystem(store)) {
            String bucket = server.createBucket();
            try (S3ReplicaClient client = S3ReplicaClient.open(server.settings(bucket, "backups/app.db"), Map.of())) {
                for (String g : List.of(G1, G2)) {
                    client.writeSnapshot(g, 0, body());
                    client.writeSnapshot(g, 2, body());
                    client.writeWalSegment(new Pos(g, 0, 0), body());
                    client.writeWalSegment(new Pos(g, 1, 0), body());
                }
                Path generation = store.resolve(bucket)
                        .resolve("backups/app.db/generations")
                        .resolve(G1);
                assertTrue(Files.isDirectory(generation.resolve("snapshots")), "the store keeps folders");

                client.deleteGeneration(G1);

                assertEquals(List.of(G2), client.generations());
                assertTrue(
                        client.snapshots(G1).isEmpty() && client.walSegments(G1).isEmpty());
                assertFalse(Files.exists(generation), "the generation's folders are deleted too");
                assertEquals(2, client.snapshots(G2).size());
                assertEquals(2, client.walSegments(G2).size());
            }
        }
    }

    @Test
    void folderMarkersGoAfterEverythingElseTheDeepestFirst() {
        assertEquals(
                List.of(
                        "p/generations/g/snapshots/00000000.snapshot.lz4",
                        "p/generations/g/wal/00000000/00000000.wal.lz4",
                        "p/generations/g/wal/00000000/",
                        "p/generations/g/snapshots/",
                        "p/generations/g/wal/",
                        "p/generations/g/"),
                S3ReplicaClient.contentsBeforeFolders(List.of(
                        "p/generations/g/",
                        "p/generations/g/snapshots/",
                        "p/generations/g/snapshots/00000000.snapshot.lz4",
                        "p/generations/g/wal/",
                        "p/generations/g/wal/00000000/",
                        "p/generations/g/wal/00000000/00000000.wal.lz4")));
    }

    private static ByteArrayInputStream body() {
        return new ByteArrayInputStream(new byte[] {1, 2, 3});
    }
}
