package dev.litestack.system;

import dev.litestack.replicator.util.FileTrees;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's life on Fly, without Docker: boot on an empty data folder (restore finds nothing),
 * use the app, stop, lose the machine's disk, boot again from the bucket, and find every todo. Runs
 * the two packaged jars with the image's own config/litestream.yml against a real S3 server.
 */
class BootCycleTest {

    private static final Path REPLICATOR_JAR = Path.of(System.getProperty("replicator.jar"));
    private static final Path APP_JAR = Path.of(System.getProperty("app.jar"));
    private static S3ProxyServer s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        assertTrue(Files.isRegularFile(REPLICATOR_JAR), "build the jars first (mvnw package): " + REPLICATOR_JAR);
        assertTrue(Files.isRegularFile(APP_JAR), "build the jars first (mvnw package): " + APP_JAR);
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    /** The image's config, with the metrics listener on a free port instead of :9090. */
    private Path config() throws IOException {
        Path repoConfig = Path.of(System.getProperty("user.dir")).getParent().resolve("config/litestream.yml");
        String text = Files.readString(repoConfig).replace("addr: \":9090\"", "addr: \"127.0.0.1:0\"");
        assertTrue(text.contains("127.0.0.1:0"), "config/litestream.yml no longer sets addr: \":9090\"");
        Path out = dir.resolve("litestream.yml");
        Files.writeString(out, text);
        return out;
    }

    private Map<String, String> env(String bucket, Path data) {
        Map<String, String> env = new HashMap<>();
        env.put("DATA_DIR", data.toString());
        env.put("BUCKET_NAME", bucket);
        env.put("REPLICA_PREFIX", "todo-app");
        env.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
        env.put("AWS_REGION", S3ProxyServer.REGION);
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("APP_SECRET", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        env.put("MICRONAUT_ENVIRONMENTS", "prod");
        env.put("PORT", "-1");
        return env;
    }

    /** Creates, toggles and deletes todos; returns what the page must show afterwards. */
    private static Map<String, Boolean> useTheApp(Http http, String base, String tag) throws Exception {
        for (String t : new String[] {"buy milk", "write docs", "ship it", "<b>not bold</b>"}) {
            http.submit(base, "POST", "/todos", Map.of("title", tag + " " + t));
        }
        http.submit(base, "PATCH", "/todos/" + http.id(base, tag + " write docs"), Map.of("completed", "true"));
        http.submit(base, "DELETE", "/todos/" + http.id(base, tag + " buy milk"), Map.of());
        Map<String, Boolean> want = new LinkedHashMap<>();
        want.put(tag + " write docs", true);
        want.put(tag + " ship it", false);
        want.put(tag + " &lt;b&gt;not bold&lt;/b&gt;", false);
        return want;
    }

    private static void assertShows(Map<String, Boolean> want, Map<String, Boolean> page) {
        for (Map.Entry<String, Boolean> e : want.entrySet()) {
            assertTrue(page.containsKey(e.getKey()), "missing after reboot: " + e.getKey() + " in " + page);
            assertEquals(e.getValue(), page.get(e.getKey()), "completed state of " + e.getKey());
        }
        assertFalse(page.keySet().stream().anyMatch(t -> t.endsWith("buy milk")), "a deleted todo came back: " + page);
    }

    @Test
    void gracefulStopThenNewMachineRestoresEverything() throws Exception {
        String bucket = s3.createBucket();
        Path data = dir.resolve("data");
        Path config = config();
        Http http = new Http();
        Map<String, Boolean> want;
        try (Container first = Container.boot(REPLICATOR_JAR, APP_JAR, config, env(bucket, data))) {
            long coldMs = first.awaitReady(http);
            System.out.println("cold start on an empty bucket: " + coldMs + " ms");
            want = useTheApp(http, first.base(), "graceful");
            assertShows(want, http.todos(first.base()));
            assertEquals(0, first.stop(), first.output());
            assertTrue(first.output().contains("exec process"), first.output());
        }
        FileTrees.delete(data);
        try (Container second = Container.boot(REPLICATOR_JAR, APP_JAR, config, env(bucket, data))) {
            long bootMs = second.awaitReady(http);
            System.out.println("boot with restore: " + bootMs + " ms");
            assertTrue(second.output().contains("database restored before replicating"), second.output());
            assertShows(want, http.todos(second.base()));
            http.submit(second.base(), "POST", "/todos", Map.of("title", "after reboot"));
            assertTrue(http.todos(second.base()).containsKey("after reboot"));
            assertEquals(0, second.stop(), second.output());
        }
    }

    @Test
    void killedMachineComesBackWithWhatWasSynced() throws Exception {
        String bucket = s3.createBucket();
        Path data = dir.resolve("data");
        Path config = config();
        Http http = new Http();
        Map<String, Boolean> want;
        Map<String, String> env = env(bucket, data);
        try (Container first = Container.boot(REPLICATOR_JAR, APP_JAR, config, env)) {
            first.awaitReady(http);
            want = useTheApp(http, first.base(), "killed");
            Path probe = dir.resolve("probe.db");
            await("the last change is in the bucket").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> restoredHasTodos(env, probe, want.size()));
            first.kill();
        }
        FileTrees.delete(data);
        try (Container second = Container.boot(REPLICATOR_JAR, APP_JAR, config, env)) {
            second.awaitReady(http);
            assertShows(want, http.todos(second.base()));
            assertEquals(0, second.stop(), second.output());
        }
    }

    /** Restores todos.db from the bucket with the replicator jar and checks it holds {@code n} todos. */
    private static boolean restoredHasTodos(Map<String, String> env, Path out, int n) throws Exception {
        Files.deleteIfExists(out);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-jar", REPLICATOR_JAR.toString(), "restore", "-o", out.toString(),
                "-config", writeProbeConfig(env, out.resolveSibling("probe.yml")).toString(), out.resolveSibling("data-probe.db").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            return false;
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + out);
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM todos")) {
            return rs.next() && rs.getInt(1) == n;
        }
    }

    private static Path writeProbeConfig(Map<String, String> env, Path file) throws IOException {
        String yaml = "dbs:\n  - path: " + file.resolveSibling("data-probe.db") + "\n    replicas:\n"
                + "      - type: s3\n        bucket: " + env.get("BUCKET_NAME") + "\n        path: todo-app/todos.db\n"
                + "        endpoint: " + env.get("AWS_ENDPOINT_URL_S3") + "\n        region: us-east-1\n"
                + "        access-key-id: " + env.get("AWS_ACCESS_KEY_ID") + "\n        secret-access-key: "
                + env.get("AWS_SECRET_ACCESS_KEY") + "\n";
        Files.writeString(file, yaml);
        return file;
    }
}
