package dev.litestack.replicator.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A replicator or Litestream run as a subprocess: its CPU time and peak RSS from /proc, its
 * Prometheus metrics, and a graceful stop with SIGTERM.
 */
final class ToolProcess implements AutoCloseable {

    /** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK is 100 on Linux). */
    static final double CLK_TCK = 100.0;

    private static final Pattern OP =
            Pattern.compile("^litestream_replica_operation_total\\{([^}]*)}\\s+([0-9.eE+]+)", Pattern.MULTILINE);
    private static final Pattern OP_LABEL = Pattern.compile("operation=\"([A-Z]+)\"");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Tool tool;
    final Process process;
    final Path log;

    private ToolProcess(Tool tool, Process process, Path log) {
        this.tool = tool;
        this.process = process;
        this.log = log;
    }

    static ToolProcess start(Tool tool, List<String> args, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(tool.command(args));
        tool.environment(pb.environment());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new ToolProcess(tool, pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU time of the whole process so far, in seconds. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state is field 3 → index 0; utime field 14 → index 11; stime 15 → 12
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
    }

    /**
     * CPU time of the process's live threads (the sum of {@code /proc/PID/task/TID/schedstat}), in
     * nanoseconds' precision where {@link #cpuSeconds()} counts clock ticks (10 ms): for windows
     * where a process uses a few milliseconds. Threads that ended are not counted.
     */
    double cpuSecondsPrecise() throws IOException {
        long ns = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid() + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    ns += Long.parseLong(
                            Files.readString(t.resolve("schedstat")).split(" ")[0]);
                } catch (java.nio.file.NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return ns / 1e9;
    }

    /** Peak resident set size (VmHWM) in MiB. */
    double peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** Current resident set size (VmRSS) in MiB. */
    double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** {@code litestream_replica_operation_total} by operation, scraped from {@code http://127.0.0.1:port/metrics}. */
    static Map<String, Double> operations(int port) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build();
        String body = HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> out = new TreeMap<>();
        Matcher m = OP.matcher(body);
        while (m.find()) {
            Matcher l = OP_LABEL.matcher(m.group(1));
            if (l.find()) {
                out.merge(l.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return out;
    }

    /** Waits until {@code ready} holds; fails if the process died or the time ran out. */
    void awaitReady(BooleanSupplier ready, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IOException(tool + " exited early (" + process.exitValue() + "), see " + log);
            }
            if (System.nanoTime() > end) {
                throw new IOException(tool + " not ready after " + timeout + ", see " + log);
            }
            Thread.sleep(20);
        }
    }

    /** SIGTERM, then waits (killing it after {@code timeout}); returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            return -9;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(30));
        }
    }
}
