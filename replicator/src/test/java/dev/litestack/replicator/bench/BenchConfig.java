package dev.litestack.replicator.bench;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** litestream.yml files that both tools read the same way, and readiness checks on replicas. */
final class BenchConfig {

    private BenchConfig() {}

    /** One database with one replica; {@code metricsPort} 0 = no addr; {@code minCheckpointPages} 0 = default. */
    static Path write(Path file, Path db, String replicaYaml, int metricsPort, int minCheckpointPages)
            throws IOException {
        StringBuilder y = new StringBuilder();
        if (metricsPort > 0) {
            y.append("addr: \"127.0.0.1:").append(metricsPort).append("\"\n");
        }
        y.append("dbs:\n  - path: ").append(db.toAbsolutePath()).append('\n');
        if (minCheckpointPages > 0) {
            y.append("    min-checkpoint-page-count: ")
                    .append(minCheckpointPages)
                    .append('\n');
        }
        y.append("    replicas:\n").append(replicaYaml);
        Files.writeString(file, y.toString());
        return file;
    }

    static String fileReplica(Path dir) {
        return "      - type: file\n        path: " + dir.toAbsolutePath() + "\n";
    }

    static String s3Replica(S3ProxyServer s3, String bucket, String prefix) {
        return "      - type: s3\n"
                + "        bucket: " + bucket + "\n"
                + "        path: " + prefix + "\n"
                + "        endpoint: " + s3.endpoint() + "\n"
                + "        region: " + S3ProxyServer.REGION + "\n"
                + "        force-path-style: true\n"
                + "        access-key-id: " + S3ProxyServer.ACCESS_KEY + "\n"
                + "        secret-access-key: " + S3ProxyServer.SECRET_KEY + "\n"
                + (s3.tls() ? "        skip-verify: true\n" : "");
    }

    /** True once a file replica holds a snapshot. */
    static boolean hasSnapshot(Path replicaDir) {
        Path gens = replicaDir.resolve("generations");
        if (!Files.isDirectory(gens)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(gens, 3)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".snapshot.lz4"));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** True once an S3 replica holds a snapshot. */
    static boolean hasSnapshot(S3ProxyServer s3, String bucket) {
        return s3.keys(bucket).stream().anyMatch(k -> k.endsWith(".snapshot.lz4"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
