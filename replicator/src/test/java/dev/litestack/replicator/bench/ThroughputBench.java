package dev.litestack.replicator.bench;

import dev.litestack.replicator.util.FileTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A max-rate writer (one ~200-byte INSERT per transaction) with no replicator, with ours and with
 * Litestream (file replica, default intervals), interleaved; also the replicator's CPU and peak RSS
 * under that load.
 */
final class ThroughputBench {

    private ThroughputBench() {}

    /** The last lines of a log, for a message. */
    static String tail(Path log) throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    /**
     * A positive integer from the environment, or {@code dflt}: BENCH_TP_SECONDS and BENCH_TP_REPS
     * lengthen the runs or add repetitions (noisy machines) without changing the defaults.
     */
    static int envInt(String name, int dflt) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive integer, got '" + v + "'");
    }

    /** Copies a tool's log to $BENCH_LOG_DIR when set (the run's folder is deleted after each run). */
    static void keepLog(Path log, String name) throws java.io.IOException {
        String dir = System.getenv("BENCH_LOG_DIR");
        if (dir != null && !dir.isBlank()) {
            Path to = Path.of(dir);
            java.nio.file.Files.createDirectories(to);
            java.nio.file.Files.copy(log, to.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Samples the size of a database's WAL every 10 ms on a daemon thread and keeps the largest. */
    static final class WalWatch implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        private final Thread thread;
        private volatile boolean stop;

        WalWatch(Path db) {
            Path wal = db.resolveSibling(db.getFileName() + "-wal");
            thread = new Thread(
                    () -> {
                        while (!stop) {
                            try {
                                peak.accumulateAndGet(java.nio.file.Files.size(wal), Math::max);
                            } catch (java.io.IOException e) {
                                // no WAL yet
                            }
                            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                        }
                    },
                    "wal-watch");
            thread.setDaemon(true);
            thread.start();
        }

        long peak() {
            return peak.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    static void run(ReplicatorBench b) throws Exception {
        Duration d = Duration.ofSeconds(envInt("BENCH_TP_SECONDS", b.quick ? 4 : 8));
        int reps = envInt("BENCH_TP_REPS", b.quick ? 2 : 3);
        Path warm = b.dir("tp-warmup").resolve("db.sqlite");
        Writers.maxRate(warm, Duration.ofSeconds(1), 0); // JIT-warm the writer before measuring
        Map<String, List<Double>> rate = new HashMap<>();
        Map<String, List<Double>> cpu = new HashMap<>();
        Map<String, List<Double>> rss = new HashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            List<Tool> order = b.order(rep);
            List<Tool> variants = new ArrayList<>();
            variants.add(null);
            variants.addAll(order);
            java.util.Collections.rotate(variants, rep); // baseline position rotates too
            for (Tool t : variants) {
                String name = t == null ? "none" : t.label();
                Path dir = b.dir("tp-" + rep + "-" + name);
                Path db = dir.resolve("db.sqlite");
                Writers.open(db).close();
                ToolProcess p = null;
                if (t != null) {
                    ReplicatorBench.BenchReplica replica = b.replica(dir);
                    Path cfg = BenchConfig.write(dir.resolve("litestream.yml"), db, replica.yaml(), 0, 0);
                    p = ToolProcess.start(t, Tool.replicate(cfg), dir.resolve(name + ".log"));
                    p.awaitReady(replica.hasSnapshot(), Duration.ofSeconds(60));
                    ReplicatorBench.sleep(Duration.ofMillis(500));
                }
                double c0 = p == null ? 0 : p.cpuSeconds();
                Writers.Result r;
                long walPeak;
                try (WalWatch wal = new WalWatch(db)) {
                    r = Writers.maxRate(db, d, 0);
                    walPeak = wal.peak();
                }
                if (p != null) {
                    cpu.computeIfAbsent(name, k -> new ArrayList<>()).add((p.cpuSeconds() - c0) / r.seconds() * 100);
                    rss.computeIfAbsent(name, k -> new ArrayList<>()).add(p.peakRssMiB());
                    int code = p.stop(Duration.ofSeconds(60));
                    keepLog(p.log, "tp-" + rep + "-" + name + ".log");
                    if (code != 0) {
                        ReplicatorBench.log(name + " exited " + code + " after the throughput run: " + tail(p.log));
                    }
                }
                rate.computeIfAbsent(name, k -> new ArrayList<>()).add(r.rate());
                ReplicatorBench.log(String.format(
                        "throughput rep %d %s: %.0f txn/s (%d errors, %.2f s in commits over 1 ms, WAL peak %.1f MiB)",
                        rep, name, r.rate(), r.errors(), r.stalledSeconds(), walPeak / 1048576.0));
                FileTrees.delete(dir);
            }
        }
        double base = Stats.median(rate.get("none"));
        double o = Stats.median(rate.get("ours")) / base;
        double l = Stats.median(rate.get("litestream")) / base;
        b.report.row(
                "max-rate writer speed, ratio to no replicator",
                Stats.f(o, 2),
                Stats.f(l, 2),
                ">= 0.90",
                o >= 0.90 ? "met" : "missed");
        double oc = Stats.median(cpu.get("ours"));
        double lc = Stats.median(cpu.get("litestream"));
        b.report.row(
                "CPU under max-rate load, % of one core",
                Stats.f(oc, 1), Stats.f(lc, 1), "<= half of Litestream's", oc <= lc / 2 ? "met" : "missed");
        double orss = Stats.median(rss.get("ours"));
        b.report.row(
                "peak RSS under max-rate load, MiB",
                Stats.f(orss, 1),
                Stats.f(Stats.median(rss.get("litestream")), 1),
                "<= 64",
                orss <= 64 ? "met" : "missed");
        List<List<String>> rows = new ArrayList<>();
        for (String n : List.of("none", "ours", "litestream")) {
            double m = Stats.median(rate.get(n));
            rows.add(List.of(
                    n,
                    Stats.spread(rate.get(n), 0),
                    Stats.f(m / base, 2),
                    cpu.containsKey(n) ? Stats.spread(cpu.get(n), 1) : "–",
                    rss.containsKey(n) ? Stats.spread(rss.get(n), 1) : "–"));
        }
        b.report.section(
                "Writer throughput and load (" + b.replicaKind + " replica, default intervals)",
                "One INSERT of ~200 bytes per transaction, WAL, synchronous=NORMAL, for " + d.toSeconds()
                        + " s per run; " + reps + " repetitions, the three variants interleaved with a rotating order. "
                        + "CPU is the replicator process's utime+stime over the writer's run; RSS is its VmHWM.\n\n"
                        + Report.table(
                                List.of(
                                        "replicator",
                                        "txn/s median (min–max, n)",
                                        "ratio to none",
                                        "replicator CPU % of a core",
                                        "replicator peak RSS MiB"),
                                rows));
    }
}
