package dev.litestack.system;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One boot of the container, played on this machine: {@code java -jar replicator.jar replicate
 * -config litestream.yml -exec "java -jar todo-app.jar"} with the image's environment. Its output
 * (the replicator's and the app's) is collected to find the app's port and for diagnostics.
 */
final class Container implements AutoCloseable {

    private static final Pattern APP_PORT = Pattern.compile("Server Running: http://[^:]+:(\\d+)");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final long startedNanos = System.nanoTime();
    private volatile int appPort;
    private long readyMillis;

    private Container(Process process) {
        this.process = process;
        Thread reader = new Thread(this::pump, "container-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Container boot(Path replicatorJar, Path appJar, Path config, Map<String, String> env) throws IOException {
        return boot(replicatorJar, appJar, config, env, List.of(), List.of());
    }

    /** Boots with extra JVM options for the replicator and for the app (e.g. class-data sharing archives). */
    static Container boot(Path replicatorJar, Path appJar, Path config, Map<String, String> env,
                          List<String> replicatorJvm, List<String> appJvm) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String exec = java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m " + String.join(" ", appJvm)
                + " -jar " + appJar;
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
        cmd.addAll(replicatorJvm);
        cmd.addAll(List.of("-jar", replicatorJar.toString(), "replicate", "-config", config.toString(), "-exec", exec));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new Container(pb.start());
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                Matcher m = APP_PORT.matcher(line);
                if (m.find()) {
                    appPort = Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Waits until the app answers {@code /health}; returns the milliseconds since the boot began. */
    long awaitReady(Http http) {
        await("app up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("container exited early with " + process.exitValue() + ":\n" + output());
            }
            return appPort > 0 && http.status(base() + "/health") == 200;
        });
        readyMillis = (System.nanoTime() - startedNanos) / 1_000_000;
        return readyMillis;
    }

    /** Milliseconds from process start until {@code /health} first answered 200. */
    long readyMillis() {
        return readyMillis;
    }

    String base() {
        return "http://127.0.0.1:" + appPort;
    }

    /** SIGTERM, as Fly sends it; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("container did not stop within 90 s:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL to the replicator and the app: a machine that vanishes. */
    void kill() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            c.onExit().join();
        }
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
