package dev.litestack.replicator.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Litestream v0.3.13 binary, the oracle of the replica format. Surefire passes its path
 * as the system property {@code litestream.bin} ({@code .tools/} is filled by {@code npm install}
 * in CI). Output of every run goes to a log file, so a full pipe can never stall the process.
 */
public final class Litestream {

    /** Environment variables removed from every run, so only what a test passes counts. */
    private static final List<String> SCRUBBED = List.of(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "LITESTREAM_ACCESS_KEY_ID",
            "LITESTREAM_SECRET_ACCESS_KEY",
            "LITESTREAM_CONFIG");

    /** What a finished run did. */
    public record Result(int exitCode, String output) {
        public Result requireSuccess(String what) {
            assertTrue(exitCode == 0, what + " failed with exit code " + exitCode + ":\n" + output);
            return this;
        }
    }

    private final Path bin;
    private final Path logDir;
    private final Map<String, String> env;
    private int runs;

    /**
     * @param logDir where each run's output is kept (one file per run)
     * @param env    extra environment, e.g. {@code LITESTREAM_ACCESS_KEY_ID}
     */
    public Litestream(Path logDir, Map<String, String> env) {
        String prop = System.getProperty("litestream.bin");
        assertTrue(
                prop != null && Files.isExecutable(Path.of(prop)),
                "Litestream v0.3.13 binary not found (system property litestream.bin = " + prop
                        + "); bin/test installs it, or: npm install --prefix .tools @flydotio/litestream-linux-x64@1.0.1");
        this.bin = Path.of(prop);
        this.logDir = logDir;
        this.env = Map.copyOf(env);
    }

    public Path bin() {
        return bin;
    }

    /** Runs {@code litestream args...} to its end (killed after {@code timeout}). */
    public Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        Path log = nextLog(args[0]);
        Process p = builder(log, args).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("litestream " + String.join(" ", args) + " did not finish within " + timeout
                    + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** {@code litestream restore -o <out> [options...] <source>}: source is a URL or a DB path with -config. */
    public Result restore(Path out, String source, String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("restore", "-o", out.toString()));
        args.addAll(List.of(options));
        args.add(source);
        return run(Duration.ofSeconds(60), args.toArray(String[]::new));
    }

    /** Starts {@code litestream replicate -config <config>} in the background; its output goes to the returned log. */
    public Running replicate(Path config) throws IOException {
        Path log = nextLog("replicate");
        Process p = builder(log, "replicate", "-config", config.toString()).start();
        return new Running(p, log);
    }

    /** A background {@code litestream replicate}. */
    public record Running(Process process, Path log) {

        public String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** SIGTERM (Litestream then runs its final sync), waits for the exit and returns the exit code. */
        public int stop(Duration timeout) throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("litestream replicate did not stop within " + timeout + ":\n" + output());
            }
            return process.exitValue();
        }
    }

    private synchronized Path nextLog(String command) {
        return logDir.resolve("litestream-" + (++runs) + "-" + command + ".log");
    }

    private ProcessBuilder builder(Path log, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        SCRUBBED.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        return pb;
    }

    /** Writes a {@code litestream.yml} with one database and one replica given as YAML lines. */
    public static Path writeConfig(Path file, Path db, List<String> dbSettings, List<String> replica)
            throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("logging:\n  level: debug\n");
        y.append("dbs:\n  - path: ").append(quote(db.toString())).append('\n');
        for (String s : dbSettings) {
            y.append("    ").append(s).append('\n');
        }
        y.append("    replicas:\n");
        String first = "      - ";
        for (String s : replica) {
            y.append(first).append(s).append('\n');
            first = "        ";
        }
        Files.writeString(file, y.toString(), StandardCharsets.UTF_8);
        return file;
    }

    public static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
