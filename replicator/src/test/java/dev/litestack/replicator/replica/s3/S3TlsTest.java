package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.cli.Main;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Litestream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 endpoint over HTTPS with a self-signed certificate (a MinIO or s3proxy of one's own):
 * {@code skip-verify: true} replicates and restores through it, in both tools; without it the
 * certificate is refused with a message that says so and how to accept it.
 */
@Tag("integration")
class S3TlsTest {

    private static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.startTls();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true)));
        return new Run(code, out.toString(), err.toString());
    }

    private Path config(Path db, String bucket, boolean skipVerify) throws Exception {
        Path file = dir.resolve(skipVerify ? "litestream.yml" : "strict.yml");
        Files.writeString(
                file,
                """
                dbs:
                  - path: %s
                    replicas:
                      - name: offsite
                        type: s3
                        bucket: %s
                        path: backups/app
                        endpoint: %s
                        region: us-east-1
                        access-key-id: %s
                        secret-access-key: %s
                """.formatted(db, bucket, server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                        + (skipVerify ? "        skip-verify: true\n" : ""));
        return file;
    }

    @Test
    void skipVerifyReplicatesAndBothToolsRestore() throws Exception {
        assertTrue(server.endpoint().startsWith("https://"), server.endpoint());
        Path db = dir.resolve("app.db");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 300);
        }
        String bucket = server.createBucket();
        Path config = config(db, bucket, true);
        Run rep = cli("replicate", "-once", "-config", config.toString());
        assertEquals(0, rep.code(), rep.err());
        assertTrue(server.keys(bucket).stream().anyMatch(k -> k.endsWith(".snapshot.lz4")), "" + server.keys(bucket));

        Path ours = dir.resolve("ours.db");
        Run restore = cli("restore", "-config", config.toString(), "-o", ours.toString(), db.toString());
        assertEquals(0, restore.code(), restore.err());
        assertEquals(AppDb.range(0, 300), AppDb.ids(ours));

        Litestream litestream = new Litestream(dir, Map.of());
        Path theirs = dir.resolve("theirs.db");
        litestream
                .run(
                        Duration.ofSeconds(60),
                        "restore",
                        "-config",
                        config.toString(),
                        "-o",
                        theirs.toString(),
                        db.toString())
                .requireSuccess("litestream restore with skip-verify");
        assertEquals(-1L, Files.mismatch(ours, theirs), "both tools restore the same bytes");
    }

    @Test
    void aSelfSignedCertificateIsRefusedWithoutSkipVerify() throws Exception {
        Path db = dir.resolve("app.db");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 10);
        }
        String bucket = server.createBucket();
        Path strict = config(db, bucket, false);
        Run rep = cli("replicate", "-once", "-config", strict.toString());
        assertEquals(ExitCodes.ERROR, rep.code(), rep.err());
        assertTrue(rep.err().contains("offsite"), rep.err());
        assertTrue(rep.err().contains("certificate"), rep.err());
        assertTrue(rep.err().contains("skip-verify"), rep.err());
        assertFalse(rep.err().contains("\tat "), "no stack trace: " + rep.err());
        assertTrue(server.keys(bucket).isEmpty(), "nothing written: " + server.keys(bucket));

        Run restore = cli(
                "restore",
                "-config",
                strict.toString(),
                "-o",
                dir.resolve("out.db").toString(),
                db.toString());
        assertEquals(ExitCodes.ERROR, restore.code(), restore.err());
        assertTrue(restore.err().contains("certificate"), restore.err());
        assertFalse(Files.exists(dir.resolve("out.db")));
    }
}
