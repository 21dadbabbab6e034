package dev.litestack.replicator.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.AgeReplicaClient;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.replica.s3.S3ReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner.Target;
import dev.litestack.replicator.testing.AgeKeys;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.util.AgeCodec;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * age-encrypted replicas both ways with the real Litestream v0.3.13, on a folder and on S3
 * (s3proxy): the same {@code litestream.yml} drives both tools, the identity comes from
 * {@code $AGE_IDENTITY}, and a wrong or missing identity fails the restore with a clear message,
 * exit 1 and no output file.
 */
@Tag("integration")
class InteropAgeTest {

    private static final String PREFIX = "enc/app.db";

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.INFO, false, System.out);
    private final AgeKeys key = AgeKeys.generate();
    private final AgeKeys other = AgeKeys.generate();

    /** One backend: the replica's YAML lines and a raw (unencrypted-view) client on it. */
    private interface Backend {
        List<String> replicaLines(String name);

        ReplicaClient raw(String name) throws Exception;

        Map<String, String> env();
    }

    @Test
    void fileReplicasBothWays() throws Exception {
        bothWays(new Backend() {
            public List<String> replicaLines(String name) {
                return List.of("path: " + Litestream.quote(dir.resolve(name).toString()));
            }

            public ReplicaClient raw(String name) {
                return new FileReplicaClient(dir.resolve(name));
            }

            public Map<String, String> env() {
                return Map.of();
            }
        });
    }

    @Test
    void s3ReplicasBothWays() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start()) {
            String bucket = server.createBucket();
            bothWays(new Backend() {
                public List<String> replicaLines(String name) {
                    return List.of(
                            "type: s3",
                            "bucket: " + bucket,
                            "path: " + PREFIX + "/" + name,
                            "endpoint: " + server.endpoint(),
                            "region: " + S3ProxyServer.REGION,
                            "force-path-style: true");
                }

                public ReplicaClient raw(String name) throws Exception {
                    return S3ReplicaClient.open(server.settings(bucket, PREFIX + "/" + name), Map.of());
                }

                public Map<String, String> env() {
                    return Map.of(
                            "LITESTREAM_ACCESS_KEY_ID",
                            S3ProxyServer.ACCESS_KEY,
                            "LITESTREAM_SECRET_ACCESS_KEY",
                            S3ProxyServer.SECRET_KEY);
                }
            });
        }
    }

    private Path config(String file, Path db, Backend b, String replica, String identityLine) throws IOException {
        List<String> lines = new ArrayList<>(b.replicaLines(replica));
        lines.addAll(List.of(
                "sync-interval: 100ms",
                "age:",
                "  identities:",
                "    - " + identityLine,
                "  recipients:",
                "    - " + key.recipient()));
        return Litestream.writeConfig(dir.resolve(file), db, List.of("monitor-interval: 100ms"), lines);
    }

    private Map<String, String> env(Backend b, String identity) {
        Map<String, String> env = new java.util.HashMap<>(b.env());
        env.put("AGE_IDENTITY", identity);
        return env;
    }

    private void bothWays(Backend b) throws Exception {
        Litestream litestream = new Litestream(dir, env(b, key.identity()));

        // We write (two -once runs: the second reads its position back through the identity), Litestream restores.
        Path ours = dir.resolve("ours.db");
        Path cfg = config("ours.yml", ours, b, "ours", "\"${AGE_IDENTITY}\"");
        try (AppDb app = new AppDb(ours)) {
            app.insert(0, 40);
            Cli.Result r1 = Cli.exec(dir, env(b, key.identity()), "replicate", "-config", cfg.toString(), "-once");
            assertEquals(0, r1.code(), r1.toString());
            app.insert(40, 90);
            Cli.Result r2 = Cli.exec(dir, env(b, key.identity()), "replicate", "-config", cfg.toString(), "-once");
            assertEquals(0, r2.code(), r2.toString());
        }
        try (ReplicaClient raw = b.raw("ours")) {
            assertEveryObjectEncrypted(raw);
        }
        Path theirRestore = dir.resolve("litestream-of-ours.db");
        litestream
                .restore(theirRestore, ours.toString(), "-config", cfg.toString())
                .requireSuccess("litestream restore of our age replica");
        assertEquals(AppDb.range(0, 90), AppDb.ids(theirRestore));
        Path ourRestore = dir.resolve("ours-of-ours.db");
        Cli.Result restored = Cli.exec(
                dir,
                env(b, key.identity()),
                "restore",
                "-config",
                cfg.toString(),
                "-o",
                ourRestore.toString(),
                ours.toString());
        assertEquals(0, restored.code(), restored.toString());
        Interop.assertSameBytes(theirRestore, ourRestore, "both restores of our age replica");

        // Litestream writes, we restore.
        Path theirs = dir.resolve("theirs.db");
        Path cfg2 = config("theirs.yml", theirs, b, "theirs", "\"${AGE_IDENTITY}\"");
        int rows = 60;
        try (AppDb app = new AppDb(theirs);
                ReplicaClient raw = b.raw("theirs")) {
            app.insert(0, 30);
            Litestream.Running running = litestream.replicate(cfg2);
            try {
                app.insert(30, rows);
                ReplicaClient decrypting = new AgeReplicaClient(raw, AgeCodec.of(List.of(key.identity()), List.of()));
                await("Litestream's age replica holds all " + rows + " rows")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(300))
                        .ignoreExceptions()
                        .until(() -> restoredIds(decrypting).size() == rows);
            } finally {
                assertEquals(0, running.stop(Duration.ofSeconds(30)), running.output());
            }
            assertEveryObjectEncrypted(raw);
        }
        Path ourOfTheirs = dir.resolve("ours-of-theirs.db");
        Cli.Result r = Cli.exec(
                dir,
                env(b, key.identity()),
                "restore",
                "-config",
                cfg2.toString(),
                "-o",
                ourOfTheirs.toString(),
                theirs.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, rows), AppDb.ids(ourOfTheirs));
        Path theirOfTheirs = dir.resolve("litestream-of-theirs.db");
        litestream
                .restore(theirOfTheirs, theirs.toString(), "-config", cfg2.toString())
                .requireSuccess("litestream restore of its age replica");
        Interop.assertSameBytes(theirOfTheirs, ourOfTheirs, "both restores of Litestream's age replica");

        // A wrong identity, a missing one, and no age block at all: exit 1, a clear message, no file.
        Path wrongOut = dir.resolve("wrong.db");
        Cli.Result wrong = Cli.exec(
                dir,
                env(b, other.identity()),
                "restore",
                "-config",
                cfg2.toString(),
                "-o",
                wrongOut.toString(),
                theirs.toString());
        assertEquals(1, wrong.code(), wrong.toString());
        assertTrue(wrong.err().contains("none of the age identities matches its recipients (wrong key?)"), wrong.err());
        assertFalse(Files.exists(wrongOut));
        Cli.Result unset = Cli.exec(
                dir, env(b, ""), "restore", "-config", cfg2.toString(), "-o", wrongOut.toString(), theirs.toString());
        assertEquals(1, unset.code(), unset.toString());
        assertTrue(unset.err().contains("dbs[0].replicas[0].age: identities[0] holds no key"), unset.err());
        Path plainCfg = Litestream.writeConfig(dir.resolve("plain.yml"), theirs, List.of(), b.replicaLines("theirs"));
        Cli.Result noAge = Cli.exec(
                dir, b.env(), "restore", "-config", plainCfg.toString(), "-o", wrongOut.toString(), theirs.toString());
        assertEquals(1, noAge.code(), noAge.toString());
        assertTrue(noAge.err().contains("is age-encrypted: give this replica age identities to read it"), noAge.err());
        assertFalse(Files.exists(wrongOut));
        assertFalse(
                wrong.err().contains(other.identity()) || unset.err().contains(key.identity()), "keys never logged");
    }

    private int polls;

    /** The ids of a fresh restore of the latest state through our planner and restorer. */
    private List<Integer> restoredIds(ReplicaClient client) throws Exception {
        Path out = dir.resolve("poll-" + (++polls) + ".db");
        try {
            return AppDb.ids(Interop.restore(client, Target.latest(), out, log));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void assertEveryObjectEncrypted(ReplicaClient raw) throws IOException {
        int n = 0;
        for (String g : raw.generations()) {
            for (SnapshotInfo s : raw.snapshots(g)) {
                try (InputStream in = raw.openSnapshot(g, s.index())) {
                    assertAge(in, g + " snapshot " + s.index());
                }
                n++;
            }
            for (WalSegmentInfo w : raw.walSegments(g)) {
                try (InputStream in = raw.openWalSegment(w.pos())) {
                    assertAge(in, g + " wal " + w.pos());
                }
                n++;
            }
        }
        assertTrue(n >= 2, "objects on " + raw.describe() + ": " + n);
    }

    private static void assertAge(InputStream in, String what) throws IOException {
        assertEquals("age-encryption.org/v1\n", new String(in.readNBytes(22), StandardCharsets.US_ASCII), what);
    }
}
