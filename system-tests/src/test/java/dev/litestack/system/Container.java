package dev.litestack.system;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One boot of the container: the replicator running {@code replicate} with the image's config, and
 * the app as its child. {@link JarContainer} plays it with the two jars on this machine,
 * {@link ImageContainer} runs the real image. The combined output (the replicator's and the app's)
 * is collected to find the app's port, which the kernel picks, and for diagnostics.
 */
abstract class Container implements AutoCloseable {

    private static final Pattern APP_PORT = Pattern.compile("Server Running: http://[^:]+:(\\d+)");

    /** The process whose output is the container's: the replicator, or the attached {@code docker run}. */
    protected final Process process;

    private final List<String> output = new ArrayList<>();
    private final long startedNanos;
    private volatile int appPort;
    private long readyMillis;

    protected Container(Process process, long startedNanos) {
        this.process = process;
        this.startedNanos = startedNanos;
        Thread reader = new Thread(this::pump, "container-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void pump() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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

    /** Waits until the app serves its page; returns the milliseconds since the boot began. */
    long awaitReady(Http http) {
        await("app up")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(
                                "container exited early with " + process.exitValue() + ":\n" + output());
                    }
                    return appPort > 0 && http.status(base() + "/") == 200;
                });
        readyMillis = (System.nanoTime() - startedNanos) / 1_000_000;
        return readyMillis;
    }

    /** Milliseconds from the start until the page first answered 200. */
    long readyMillis() {
        return readyMillis;
    }

    String base() {
        return "http://127.0.0.1:" + appPort;
    }

    /** SIGTERM, as Fly sends it; returns the exit code. */
    abstract int stop() throws InterruptedException;

    /** SIGKILL to the replicator and the app: a machine that vanishes. */
    abstract void kill() throws InterruptedException;

    @Override
    public abstract void close() throws InterruptedException;

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }
}
