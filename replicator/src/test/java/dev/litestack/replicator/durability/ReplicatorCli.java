package dev.litestack.replicator.durability;

import dev.litestack.replicator.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real {@code replicate} command in its own JVM, with its output appended to one log file per test. */
final class ReplicatorCli {

    private final Process process;
    private final Path log;

    private ReplicatorCli(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code replicate -config CONFIG [args...]}. */
    static ReplicatorCli start(Path config, Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cli = new ArrayList<>(List.of("replicate", "-config", config.toString()));
        cli.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(
                        Cli.javaCommand("dev.litestack.replicator.cli.Main", cli.toArray(String[]::new)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return new ReplicatorCli(pb.start(), log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM (final sync, then exit); returns the exit code. */
    int stop() throws IOException, InterruptedException {
        process.destroy();
        return waitFor();
    }

    /** Waits for the process to exit by itself (at most two minutes) and returns the exit code. */
    int waitFor() throws IOException, InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("replicate did not exit within 120 s:\n" + output());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
