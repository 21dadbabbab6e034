package dev.litestack.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real image in a Docker engine: {@code docker run --init} on the host's network (the engine
 * of bin/docker-engine has no bridge), with no volume, so every container starts with an empty
 * {@code /data} like a Fly machine after scale-to-zero. Stopped with {@code docker stop} (SIGTERM,
 * then SIGKILL after the grace period) and killed with {@code docker kill} (SIGKILL).
 */
final class ImageContainer extends Container {

    private final String name;
    private final Duration stopGrace;

    private ImageContainer(Process client, long startedNanos, String name, Duration stopGrace) {
        super(client, startedNanos);
        this.name = name;
        this.stopGrace = stopGrace;
    }

    /** Starts a container of {@code image} with {@code env}; {@code stopGrace} is what {@link #stop()} gives it. */
    static ImageContainer run(String image, Map<String, String> env, Duration stopGrace) throws IOException {
        String name = "lite-stack-test-" + UUID.randomUUID().toString().substring(0, 13);
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--init", "--name", name, "--network", "host"));
        env.forEach((k, v) -> {
            cmd.add("-e");
            cmd.add(k + "=" + v);
        });
        cmd.add(image);
        long t0 = System.nanoTime();
        Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new ImageContainer(client, t0, name, stopGrace);
    }

    /** {@code docker stop -t GRACE}; returns the container's exit code (137 if it had to be killed). */
    @Override
    int stop() throws InterruptedException {
        docker(stopGrace.plusSeconds(30), "stop", "-t", Long.toString(stopGrace.toSeconds()), name);
        return exitCode();
    }

    @Override
    void kill() throws InterruptedException {
        docker(Duration.ofSeconds(30), "kill", name);
        exitCode();
    }

    private int exitCode() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("docker run did not return after the container stopped:\n" + output());
        }
        return Integer.parseInt(docker(Duration.ofSeconds(30), "inspect", "-f", "{{.State.ExitCode}}", name)
                .trim());
    }

    @Override
    public void close() throws InterruptedException {
        docker(Duration.ofSeconds(60), "rm", "-f", name);
        process.destroyForcibly();
    }

    /** Runs the docker CLI; returns its output, or fails with it. */
    static String docker(Duration timeout, String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Path log = null;
        try {
            log = Files.createTempFile("docker-", ".out");
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout);
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }
}
