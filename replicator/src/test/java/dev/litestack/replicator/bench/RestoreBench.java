package dev.litestack.replicator.bench;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.util.FileTrees;
import dev.litestack.replicator.util.Lz4;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * Restore speed from s3proxy: a large database (snapshot + WAL segments) and a small one, each
 * replicated by each tool into its own bucket and restored by the same tool, against the raw limit:
 * downloading every object of the generation (8 at a time) and LZ4-decoding it in the bench JVM.
 */
final class RestoreBench {

    /** One tool's replica of one database. */
    private record Replicated(Tool tool, Path config, Path db, String bucket, long rows) {}

    private RestoreBench() {}

    static void run(ReplicatorBench b) throws Exception {
        List<Long> bigSizes = b.restoreMib != null
                ? b.restoreMib.stream().map(m -> m << 20).toList()
                : b.quick ? List.of(32L << 20) : List.of(32L << 20, 256L << 20);
        int bigReps = b.restoreReps != null ? b.restoreReps : b.quick ? 1 : 3;
        int smallReps = b.restoreReps != null ? Math.max(3, b.restoreReps) : b.quick ? 3 : 5;
        try (S3ProxyServer s3 = b.startS3();
                S3Client sdk = s3.sdkClient()) {
            List<Replicated> small = prepare(b, s3, 10L << 20);
            Map<String, List<Double>> smallT = measure(b, s3, sdk, small, smallReps, false);
            double so = Stats.median(smallT.get("ours"));
            double sl = Stats.median(smallT.get("litestream"));
            b.report.row(
                    "cold restore 10 MiB from S3, s (process start to exit)",
                    Stats.f(so, 2),
                    Stats.f(sl, 2),
                    "<= 3x Litestream's",
                    so <= 3 * sl ? "met" : "missed");
            List<List<String>> rows = new ArrayList<>();
            for (long bigBytes : bigSizes) {
                List<Replicated> big = prepare(b, s3, bigBytes);
                Map<String, List<Double>> bigT = measure(b, s3, sdk, big, bigReps, true);
                double mib = Files.size(big.get(0).db()) / 1048576.0;
                double rawO = Stats.median(bigT.get("raw ours"));
                double rawL = Stats.median(bigT.get("raw litestream"));
                double ro = rawO / Stats.median(bigT.get("ours"));
                double rl = rawL / Stats.median(bigT.get("litestream"));
                double oursS = Stats.median(bigT.get("ours"));
                double theirsS = Stats.median(bigT.get("litestream"));
                b.report.row(
                        "restore " + Stats.f(mib, 0) + " MiB from S3: ratio to raw download+decode limit; seconds",
                        Stats.f(ro, 2) + "; " + Stats.f(oursS, 2) + " s",
                        Stats.f(rl, 2) + "; " + Stats.f(theirsS, 2) + " s",
                        ">= 0.85 and faster than Litestream",
                        ro >= 0.85 && oursS < theirsS ? "met" : "missed");
                for (Map.Entry<String, List<Double>> e : bigT.entrySet()) {
                    double raw = e.getKey().contains("litestream") ? rawL : rawO;
                    double med = Stats.median(e.getValue());
                    rows.add(List.of(
                            Stats.f(mib, 0) + " MiB",
                            e.getKey(),
                            Stats.spread(e.getValue(), 2),
                            Stats.f(mib / med, 0),
                            e.getKey().startsWith("raw") ? "1.00" : Stats.f(raw / med, 2)));
                }
            }
            for (Map.Entry<String, List<Double>> e : smallT.entrySet()) {
                double med = Stats.median(e.getValue());
                rows.add(List.of("10 MiB", e.getKey(), Stats.spread(e.getValue(), 2), Stats.f(10 / med, 0), ""));
            }
            b.report.section(
                    "Restore from S3 (s3proxy in the bench JVM, loopback)",
                    "Each tool replicates its own copy of the database (a snapshot, then ~2% more rows as WAL segments) "
                            + "into its own bucket, is stopped, and then restores it with `restore -config … -o OUT DB` "
                            + "(ours verifies the result with `PRAGMA integrity_check` by default; `-integrity-check quick` "
                            + "and `none` are shown separately). \"raw\" = GET every object of that generation, 8 at a "
                            + "time, and LZ4-decode it to nowhere, in the bench JVM (after one unmeasured warm-up GET of "
                            + "the bucket, so the bench JVM's own JIT warm-up is not counted). Times are process start to exit; runs interleaved. "
                            + "MiB/s = database size / time; ratio = raw time / tool time of the same replica.\n\n"
                            + Report.table(
                                    List.of("database", "what", "seconds median (min–max, n)", "MiB/s", "ratio to raw"),
                                    rows));
        }
    }

    /** Builds one database and lets each tool replicate its own copy, then stops the tools. */
    private static List<Replicated> prepare(ReplicatorBench b, S3ProxyServer s3, long bytes) throws Exception {
        Path dir = b.dir("restore-" + (bytes >> 20) + "m");
        Path base = dir.resolve("base.sqlite");
        Writers.fill(base, bytes);
        List<Replicated> out = new ArrayList<>();
        for (Tool t : b.order(0)) {
            Path tdir = Files.createDirectories(dir.resolve(t.label()));
            Path db = tdir.resolve("db.sqlite");
            Files.copy(base, db);
            String bucket = s3.createBucket();
            Path cfg = BenchConfig.write(
                    tdir.resolve("litestream.yml"), db, BenchConfig.s3Replica(s3, bucket, "bench/db.sqlite"), 0, 0);
            long rows;
            try (ToolProcess p = ToolProcess.start(t, Tool.replicate(cfg), tdir.resolve(t + "-replicate.log"))) {
                p.awaitReady(() -> BenchConfig.hasSnapshot(s3, bucket), Duration.ofMinutes(5));
                try (Connection c = Writers.open(db);
                        PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                    long extra = Math.max(200, bytes / 50 / 1060);
                    for (int txn = 0; txn < 5; txn++) {
                        c.setAutoCommit(false);
                        for (long i = 0; i < extra / 5; i++) {
                            ps.setString(1, Writers.value().repeat(5));
                            ps.executeUpdate();
                        }
                        c.commit();
                        c.setAutoCommit(true);
                        Thread.sleep(300);
                    }
                    try (var st = c.createStatement();
                            var rs = st.executeQuery("SELECT count(*) FROM t")) {
                        rows = rs.next() ? rs.getLong(1) : -1;
                    }
                }
                ReplicatorBench.sleep(Duration.ofSeconds(3));
                int code = p.stop(Duration.ofMinutes(2));
                if (code != 0) {
                    throw new IllegalStateException(t + " replicate exited " + code + ", see " + p.log);
                }
            }
            out.add(new Replicated(t, cfg, db, bucket, rows));
        }
        return out;
    }

    private static Map<String, List<Double>> measure(
            ReplicatorBench b, S3ProxyServer s3, S3Client sdk, List<Replicated> reps, int n, boolean withRaw)
            throws Exception {
        Map<String, List<Double>> t = new LinkedHashMap<>();
        for (int rep = 0; rep < n; rep++) {
            List<Replicated> order = new ArrayList<>(reps);
            if (rep % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (Replicated r : order) {
                String name = r.tool().label();
                if (withRaw && rep == 0) {
                    raw(s3, sdk, r.bucket());
                }
                if (withRaw) {
                    t.computeIfAbsent("raw " + name, k -> new ArrayList<>()).add(raw(s3, sdk, r.bucket()));
                }
                t.computeIfAbsent(name, k -> new ArrayList<>()).add(restore(b, r));
                if (withRaw && r.tool().isOurs()) {
                    t.computeIfAbsent("ours -integrity-check quick", k -> new ArrayList<>())
                            .add(restore(b, r, "-integrity-check", "quick"));
                    t.computeIfAbsent("ours -integrity-check none", k -> new ArrayList<>())
                            .add(restore(b, r, "-integrity-check", "none"));
                }
            }
        }
        return t;
    }

    /** Runs one restore with the tool that made the replica, checks the row count, returns seconds. */
    private static double restore(ReplicatorBench b, Replicated r, String... extra) throws Exception {
        Path dir = b.dir("restore-out-" + r.tool());
        Path out = dir.resolve("restored.sqlite");
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(r.tool().command(Tool.restore(r.config(), r.db(), out, extra)));
        r.tool().environment(pb.environment());
        Path log = dir.resolve("restore.log");
        int code = pb.redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start()
                .waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException(r.tool() + " restore exited " + code + ": " + Files.readString(log));
        }
        long rows = Writers.countUpTo(out, Long.MAX_VALUE);
        if (rows != r.rows()) {
            throw new IllegalStateException(r.tool() + " restored " + rows + " rows, expected " + r.rows());
        }
        ReplicatorBench.log(String.format("restore %s %s: %.2f s", r.tool(), String.join(" ", extra), secs));
        FileTrees.delete(dir);
        return secs;
    }

    /** GETs every object of the bucket's (single) generation, 8 at a time, LZ4-decoding each; returns seconds. */
    private static double raw(S3ProxyServer s3, S3Client sdk, String bucket) throws Exception {
        List<String> keys =
                s3.keys(bucket).stream().filter(k -> k.endsWith(".lz4")).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long t0 = System.nanoTime();
            List<Future<Long>> fs = new ArrayList<>();
            for (String k : keys) {
                fs.add(pool.submit(() -> {
                    try (InputStream in = Lz4.decompress(sdk.getObject(
                            GetObjectRequest.builder().bucket(bucket).key(k).build()))) {
                        return in.transferTo(OutputStream.nullOutputStream());
                    }
                }));
            }
            long total = 0;
            for (Future<Long> f : fs) {
                total += f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            ReplicatorBench.log(String.format(
                    "raw %s: %d objects, %d MiB decoded in %.2f s", bucket, keys.size(), total >> 20, secs));
            return secs;
        } finally {
            pool.shutdownNow();
        }
    }
}
