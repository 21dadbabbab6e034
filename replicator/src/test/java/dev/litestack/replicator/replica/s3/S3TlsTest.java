package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.Litestream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 endpoint over HTTPS with a self-signed certificate (a MinIO or s3proxy of one's own):
 * {@code skip-verify: true} replicates and restores through it, in both tools; without it the
 * certificate is refused with a message that says so and how to accept it. TLS and request
 * signing go through NSS where the system has it, and through the JDK's own providers with
 * {@code REPLICATOR_NSS=off} (real CLI processes, each way restoring what the other wrote).
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

    /** The CLI in-process ({@link Cli#run}); a hang fails the test after 60 s. */
    private static Cli.Result cli(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run(args));
    }

    /**
     * One database with one S3 replica named {@code offsite} on {@code on}; {@code debug} makes it
     * log at debug level (for the child processes that report their crypto provider).
     */
    private Path config(S3ProxyServer on, Path db, String bucket, boolean skipVerify, boolean debug)
            throws IOException {
        Path file = dir.resolve((debug ? "debug-" : "") + (skipVerify ? "skip-" : "strict-") + on.port() + ".yml");
        Files.writeString(
                file,
                (debug ? "logging:\n  level: debug\n" : "")
                        + """
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
                """.formatted(db, bucket, on.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
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
        Path config = config(server, db, bucket, true, false);
        Cli.Result rep = cli("replicate", "-once", "-config", config.toString());
        assertEquals(0, rep.code(), rep.err());
        assertTrue(server.keys(bucket).stream().anyMatch(k -> k.endsWith(".snapshot.lz4")), "" + server.keys(bucket));

        Path ours = dir.resolve("ours.db");
        Cli.Result restore = cli("restore", "-config", config.toString(), "-o", ours.toString(), db.toString());
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
        Path strict = config(server, db, bucket, false, false);
        Cli.Result rep = cli("replicate", "-once", "-config", strict.toString());
        assertEquals(ExitCodes.ERROR, rep.code(), rep.err());
        assertTrue(rep.err().contains("offsite"), rep.err());
        assertTrue(rep.err().contains("certificate"), rep.err());
        assertTrue(rep.err().contains("skip-verify"), rep.err());
        assertFalse(rep.err().contains("\tat "), "no stack trace: " + rep.err());
        assertTrue(server.keys(bucket).isEmpty(), "nothing written: " + server.keys(bucket));

        Cli.Result restore = cli(
                "restore",
                "-config",
                strict.toString(),
                "-o",
                dir.resolve("out.db").toString(),
                db.toString());
        assertRefused(restore.code(), restore.err(), dir.resolve("out.db"));
    }

    /** A restore that failed on the server's certificate: exit 1, a message that says so, no output file. */
    private static void assertRefused(int code, String err, Path out) {
        assertEquals(ExitCodes.ERROR, code, err);
        assertTrue(err.contains("certificate"), err);
        assertFalse(Files.exists(out), out + " was written");
    }

    /** Whether this machine has NSS's soft token where SunPKCS11 looks for it (the library path). */
    static boolean systemHasNss() throws IOException {
        for (String lib : new String[] {"/usr/lib", "/usr/lib64"}) {
            Path root = Path.of(lib);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(root, 2)) {
                if (s.anyMatch(p -> p.getFileName().toString().equals("libsoftokn3.so"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code restore -config CONFIG -o OUT DB} in a child process, which must succeed. */
    private static Cli.Result restore(Path logs, Map<String, String> env, Path config, Path out, Path db)
            throws Exception {
        return run(logs, env, "restore", "-config", config.toString(), "-o", out.toString(), db.toString());
    }

    private static Cli.Result run(Path logs, Map<String, String> env, String... args) throws Exception {
        Files.createDirectories(logs);
        Cli.Result r = Cli.exec(logs, env, args);
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    @Test
    void nssWhereInstalledTheJdksProvidersWhenTurnedOffAndEachRestoresTheOther() throws Exception {
        Path db = dir.resolve("app.db");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 200);
        }
        String bucket = server.createBucket();
        Path config = config(server, db, bucket, true, true);
        Map<String, String> off = Map.of(NssCrypto.ENV, "off");

        Cli.Result withNss = run(dir.resolve("a"), Map.of(), "replicate", "-once", "-config", config.toString());
        String log = withNss.out() + withNss.err();
        if (systemHasNss()) {
            assertTrue(log.contains("msg=\"crypto: NSS\" provider=SunPKCS11-NSS"), log);
        } else {
            assertTrue(log.contains("msg=\"crypto: the JDK's providers\""), log);
        }
        Path restoredOff = dir.resolve("restored-off.db");
        restore(dir.resolve("b"), off, config, restoredOff, db);
        assertEquals(AppDb.range(0, 200), AppDb.ids(restoredOff));

        try (AppDb app = new AppDb(db)) {
            app.insert(200, 300);
        }
        Cli.Result withoutNss = run(dir.resolve("c"), off, "replicate", "-once", "-config", config.toString());
        assertTrue(
                (withoutNss.out() + withoutNss.err())
                        .contains("msg=\"crypto: the JDK's providers\" reason=\"REPLICATOR_NSS=off\""),
                withoutNss.toString());
        Path restored = dir.resolve("restored.db");
        restore(dir.resolve("d"), Map.of(), config, restored, db);
        assertEquals(AppDb.range(0, 300), AppDb.ids(restored));

        // restore -v shows the same line with a config that logs at info
        Path quiet = config(server, db, bucket, true, false);
        Cli.Result verbose = run(
                dir.resolve("e"),
                off,
                "restore",
                "-v",
                "-config",
                quiet.toString(),
                "-o",
                dir.resolve("restored-v.db").toString(),
                db.toString());
        assertTrue(
                (verbose.out() + verbose.err())
                        .contains("msg=\"crypto: the JDK's providers\" reason=\"REPLICATOR_NSS=off\""),
                verbose.toString());
    }

    /**
     * The production path: the certificate checked against a trust store (no skip-verify), an RSA
     * one as most S3 endpoints have (TLS 1.3 then signs the handshake with RSA-PSS), through NSS and
     * through the JDK's providers; without the trust store the certificate is refused.
     */
    @Test
    void aVerifiedRsaCertificateWorksThroughNssAndThroughTheJdk() throws Exception {
        try (S3ProxyServer rsa = S3ProxyServer.startTls(true)) {
            Path db = dir.resolve("app.db");
            try (AppDb app = new AppDb(db)) {
                app.insert(0, 100);
            }
            Path config = config(rsa, db, rsa.createBucket(), false, true);
            String trust = rsa.trustStoreOptions();
            Cli.Result replicated = run(
                    dir.resolve("a"),
                    Map.of("JAVA_TOOL_OPTIONS", trust),
                    "replicate",
                    "-once",
                    "-config",
                    config.toString());
            if (systemHasNss()) {
                assertTrue(
                        (replicated.out() + replicated.err()).contains("msg=\"crypto: NSS\""), replicated.toString());
            }
            Path restored = dir.resolve("restored.db");
            restore(dir.resolve("b"), Map.of("JAVA_TOOL_OPTIONS", trust, NssCrypto.ENV, "off"), config, restored, db);
            assertEquals(AppDb.range(0, 100), AppDb.ids(restored));

            Path logs = Files.createDirectories(dir.resolve("c"));
            Cli.Result refused = Cli.exec(
                    logs,
                    Map.of(),
                    "restore",
                    "-config",
                    config.toString(),
                    "-o",
                    dir.resolve("no.db").toString(),
                    db.toString());
            assertRefused(refused.code(), refused.err(), dir.resolve("no.db"));
        }
    }
}
