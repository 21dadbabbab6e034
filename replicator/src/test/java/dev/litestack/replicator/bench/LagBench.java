package dev.litestack.replicator.bench;

import dev.litestack.replicator.util.FileTrees;
import dev.litestack.replicator.util.Lz4;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Replication lag at the default 1 s sync interval: a marker transaction every ~100 ms, and a
 * watcher that polls the file replica every 5 ms, decompresses each new object and records when
 * each marker first appears there. Lag = first seen − commit returned.
 */
final class LagBench {

    private static final Pattern SEQ = Pattern.compile("SEQ:(\\d{6}):");

    private LagBench() {}

    /** Polls a file replica and records the first time each marker shows up in any object. */
    static final class Watcher extends Thread {
        final Map<Integer, Long> seen = new ConcurrentHashMap<>();
        private final Path replica;
        private final Set<String> done = new HashSet<>();
        private volatile boolean stop;

        Watcher(Path replica) {
            super("lag-watcher");
            this.replica = replica;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    scan();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // a file vanished mid-scan (retention, rename): next round
                }
            }
        }

        private void scan() throws IOException {
            long t = System.nanoTime();
            Path gens = replica.resolve("generations");
            if (!Files.isDirectory(gens)) {
                return;
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(gens, 3)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".lz4"))
                        .toList();
            }
            for (Path f : files) {
                String key = f + "@" + Files.size(f) + "@"
                        + Files.getLastModifiedTime(f).toMillis();
                if (done.contains(key)) {
                    continue;
                }
                byte[] raw = Lz4.decompress(new ByteArrayInputStream(Files.readAllBytes(f)))
                        .readAllBytes();
                Matcher m = SEQ.matcher(new String(raw, StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    seen.putIfAbsent(Integer.parseInt(m.group(1)), t);
                }
                done.add(key);
            }
        }

        void finish() throws InterruptedException {
            stop = true;
            join(5000);
        }
    }

    /** A tool replicating a new database (with a marker table) to a file replica, watched from its first snapshot on. */
    private record Watched(Path db, ToolProcess process, Watcher watcher) implements AutoCloseable {

        static Watched start(Path dir, Tool t) throws Exception {
            Path db = dir.resolve("db.sqlite");
            Path replica = dir.resolve("replica");
            try (Connection c = Writers.open(db);
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE marker (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            }
            Path cfg = BenchConfig.write(dir.resolve("litestream.yml"), db, BenchConfig.fileReplica(replica), 0, 0);
            ToolProcess p = ToolProcess.start(t, Tool.replicate(cfg), dir.resolve(t + ".log"));
            try {
                p.awaitReady(() -> BenchConfig.hasSnapshot(replica), Duration.ofSeconds(60));
                ReplicatorBench.sleep(Duration.ofSeconds(1));
            } catch (Exception | Error e) {
                p.close();
                throw e;
            }
            Watcher w = new Watcher(replica);
            w.start();
            return new Watched(db, p, w);
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    static void run(ReplicatorBench b) throws Exception {
        Duration d = Duration.ofSeconds(b.quick ? 10 : 20);
        int reps = b.quick ? 1 : 2;
        Map<String, List<Double>> lags = new HashMap<>();
        Map<String, Integer> missing = new HashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (Tool t : b.order(rep)) {
                Path dir = b.dir("lag-" + rep + "-" + t);
                try (Watched run = Watched.start(dir, t)) {
                    ToolProcess p = run.process();
                    Watcher w = run.watcher();
                    Map<Integer, Long> committed = markers(run.db(), d);
                    long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                    int last = committed.size();
                    while (!w.seen.containsKey(last) && System.nanoTime() < until) {
                        Thread.sleep(10);
                    }
                    w.finish();
                    p.stop(Duration.ofSeconds(30));
                    List<Double> l = lags.computeIfAbsent(t.label(), k -> new ArrayList<>());
                    int miss = 0;
                    for (Map.Entry<Integer, Long> e : committed.entrySet()) {
                        Long s = w.seen.get(e.getKey());
                        if (s == null) {
                            miss++;
                        } else {
                            l.add(Math.max(0, s - e.getValue()) / 1e6);
                        }
                    }
                    missing.merge(t.label(), miss, Integer::sum);
                    ReplicatorBench.log(String.format(
                            "lag rep %d %s: p50 %.0f ms over %d markers, %d not seen",
                            rep, t, Stats.median(l), committed.size(), miss));
                }
                FileTrees.delete(dir);
            }
        }
        List<Double> o = lags.get("ours");
        List<Double> l = lags.get("litestream");
        b.report.row(
                "lag at 1 s sync interval, p50 ms (markers every 100 ms)",
                Stats.f(Stats.median(o), 0),
                Stats.f(Stats.median(l), 0),
                "< " + Stats.f(Stats.median(l), 0) + " (bar 570)",
                Stats.median(o) < Stats.median(l) ? "met" : "missed");
        b.report.row(
                "lag p90 / max, ms",
                Stats.f(Stats.pct(o, 90), 0) + " / " + Stats.f(Stats.max(o), 0),
                Stats.f(Stats.pct(l, 90), 0) + " / " + Stats.f(Stats.max(l), 0),
                "",
                "");
        List<List<String>> rows = new ArrayList<>();
        for (String n : List.of("ours", "litestream")) {
            List<Double> x = lags.get(n);
            rows.add(List.of(
                    n,
                    String.valueOf(x.size()),
                    Stats.f(Stats.median(x), 0),
                    Stats.f(Stats.pct(x, 90), 0),
                    Stats.f(Stats.pct(x, 99), 0),
                    Stats.f(Stats.max(x), 0),
                    String.valueOf(missing.get(n))));
        }
        b.report.section(
                "Replication lag (file replica, sync-interval 1 s)",
                "A marker INSERT every 100 ms for " + d.toSeconds() + " s, " + reps
                        + " run(s) per tool, interleaved. A watcher thread lists the replica every 5 ms, LZ4-decodes each "
                        + "new object and records when each marker first appears. Lag = first seen − commit returned.\n\n"
                        + Report.table(
                                List.of("tool", "markers", "p50 ms", "p90 ms", "p99 ms", "max ms", "never seen"),
                                rows));
    }

    /**
     * Catch-up after a burst: a max-rate writer for a few seconds, then one marker commit; the
     * time from that commit until the marker shows up in the (file) replica is how long the tool
     * needs to ship the whole burst.
     */
    static void catchUp(ReplicatorBench b) throws Exception {
        Duration burst = Duration.ofSeconds(b.quick ? 4 : 8);
        int reps = b.quick ? 1 : 3;
        Map<String, List<Double>> secs = new HashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (Tool t : b.order(rep)) {
                Path dir = b.dir("catchup-" + rep + "-" + t);
                try (Watched run = Watched.start(dir, t)) {
                    ToolProcess p = run.process();
                    Watcher w = run.watcher();
                    Writers.Result r = Writers.maxRate(run.db(), burst, 0);
                    long committed;
                    try (Connection c = Writers.open(run.db());
                            PreparedStatement ps = c.prepareStatement("INSERT INTO marker (v) VALUES (?)")) {
                        ps.setString(1, "SEQ:999999:");
                        ps.executeUpdate();
                        committed = System.nanoTime();
                    }
                    long until = committed + Duration.ofSeconds(120).toNanos();
                    while (!w.seen.containsKey(999999) && System.nanoTime() < until) {
                        Thread.sleep(10);
                    }
                    w.finish();
                    p.stop(Duration.ofSeconds(60));
                    Long seen = w.seen.get(999999);
                    double s = seen == null ? Double.NaN : Math.max(0, seen - committed) / 1e9;
                    secs.computeIfAbsent(t.label(), k -> new ArrayList<>()).add(s);
                    ReplicatorBench.log(String.format(
                            "catch-up rep %d %s: %.0f txn/s burst, last commit in the replica " + "after %.2f s",
                            rep, t, r.rate(), s));
                }
                FileTrees.delete(dir);
            }
        }
        double o = Stats.median(secs.get("ours"));
        double l = Stats.median(secs.get("litestream"));
        b.report.row(
                "catch-up after a " + burst.toSeconds() + " s max-rate burst, s (file replica)",
                Stats.f(o, 2),
                Stats.f(l, 2),
                "<= Litestream's",
                o <= l ? "met" : "missed");
        List<List<String>> rows = new ArrayList<>();
        for (String n : List.of("ours", "litestream")) {
            rows.add(List.of(n, Stats.spread(secs.get(n), 2)));
        }
        b.report.section(
                "Catch-up after a burst (file replica, sync-interval 1 s)",
                "A max-rate writer for " + burst.toSeconds() + " s, then one marker commit; seconds from that commit "
                        + "until the marker is in the replica (the watcher of the lag test). " + reps
                        + " run(s) per tool, interleaved.\n\n"
                        + Report.table(List.of("tool", "seconds median (min–max, n)"), rows));
    }

    /** Commits {@code INSERT 'SEQ:nnnnnn:'} every 100 ms for {@code d}; returns each marker's commit time (nanoTime). */
    private static Map<Integer, Long> markers(Path db, Duration d) throws Exception {
        Map<Integer, Long> out = new HashMap<>();
        try (Connection c = Writers.open(db);
                PreparedStatement ps = c.prepareStatement("INSERT INTO marker (v) VALUES (?)")) {
            long t0 = System.nanoTime();
            for (int seq = 1; System.nanoTime() - t0 < d.toNanos(); seq++) {
                ps.setString(1, String.format("SEQ:%06d:", seq));
                ps.executeUpdate();
                out.put(seq, System.nanoTime());
                long wait = t0 + seq * 100_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        }
        return out;
    }
}
