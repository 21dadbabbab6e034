package dev.litestack.todo.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The whole app in a JVM of its own, started as production starts it (the JVM options of bin/run, prod
 * environment, a random port, a data folder of the test's), so a test can measure what the process holds (RSS)
 * under a hostile client. Its log goes to {@code app.log} in the data folder.
 */
public final class AppProcess implements AutoCloseable {

    /** The JVM options of bin/run (the production exec line). */
    public static final List<String> PRODUCTION_OPTS =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m", "-Xss512k");

    private final Process process;
    public final URI base;
    public final Path dataDir;

    private AppProcess(Process process, URI base, Path dataDir) {
        this.process = process;
        this.base = base;
        this.dataDir = dataDir;
    }

    public static AppProcess start(Path dataDir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        byte[] secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(PRODUCTION_OPTS);
        command.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.litestack.todo.Application"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("app.log").toFile());
        pb.environment()
                .putAll(Map.of(
                        "PORT",
                        String.valueOf(port),
                        "DATA_DIR",
                        dataDir.toString(),
                        "APP_SECRET",
                        Base64.getEncoder().encodeToString(secret),
                        "MICRONAUT_ENVIRONMENTS",
                        "prod",
                        "LOG_LEVEL",
                        "warn"));
        AppProcess app = new AppProcess(pb.start(), URI.create("http://127.0.0.1:" + port + "/"), dataDir);
        app.awaitUp(Duration.ofSeconds(60));
        return app;
    }

    private void awaitUp(Duration timeout) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(base.resolve("/health"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the app did not answer /health within " + timeout + " (alive="
                + process.isAlive() + "); log: " + Files.readString(dataDir.resolve("app.log")));
    }

    /** The resident set size of the app's process, in MiB (from /proc). */
    public long rssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) >> 10;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(dataDir.resolve("app.log"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
