package dev.litestack.replicator.bench;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * S3 requests per hour against an in-process s3proxy, idle and under a steady 5 txn/s, read from
 * each tool's own {@code litestream_replica_operation_total}. Both tools run at the same time (own
 * bucket, own database, own writer thread): request counts do not depend on CPU contention.
 */
final class S3OpsBench {

    private static final List<String> OPS = List.of("GET", "PUT", "LIST", "DELETE");

    private S3OpsBench() {}

    static void run(ReplicatorBench b) throws Exception {
        Duration d = Duration.ofSeconds(b.quick ? 20 : 60);
        double rate = 5;
        List<Tool> tools = b.order(0);
        int n = tools.size();
        Path[] dbs = new Path[n];
        int[] ports = new int[n];
        Map<String, Map<String, Double>> idle = new TreeMap<>();
        Map<String, Map<String, Double>> loaded = new TreeMap<>();
        List<ToolProcess> procs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try (S3ProxyServer s3 = b.startS3()) {
            for (int i = 0; i < n; i++) {
                Tool t = tools.get(i);
                Path dir = b.dir("s3ops-" + t);
                dbs[i] = dir.resolve("db.sqlite");
                Writers.fill(dbs[i], 1L << 20);
                String bucket = s3.createBucket();
                ports[i] = BenchConfig.freePort();
                Path cfg = BenchConfig.write(
                        dir.resolve("litestream.yml"),
                        dbs[i],
                        BenchConfig.s3Replica(s3, bucket, "bench/db.sqlite"),
                        ports[i],
                        0);
                ToolProcess p = ToolProcess.start(t, Tool.replicate(cfg), dir.resolve(t + ".log"));
                procs.add(p);
                p.awaitReady(() -> BenchConfig.hasSnapshot(s3, bucket), Duration.ofSeconds(60));
            }
            ReplicatorBench.sleep(Duration.ofSeconds(5));
            List<Map<String, Double>> m0 = scrape(ports);
            ReplicatorBench.sleep(d);
            List<Map<String, Double>> m1 = scrape(ports);
            List<Future<Writers.Result>> writers = new ArrayList<>();
            for (Path db : dbs) {
                writers.add(pool.submit(() -> Writers.steady(db, rate, d)));
            }
            for (Future<Writers.Result> f : writers) {
                f.get();
            }
            List<Map<String, Double>> m2 = scrape(ports);
            for (int i = 0; i < n; i++) {
                idle.put(tools.get(i).label(), perHour(m0.get(i), m1.get(i), d));
                loaded.put(tools.get(i).label(), perHour(m1.get(i), m2.get(i), d));
            }
        } finally {
            pool.shutdownNow();
            for (ToolProcess p : procs) {
                p.close();
            }
        }
        Map<String, Double> oi = idle.get("ours");
        Map<String, Double> ol = loaded.get("ours");
        double oIdle = oi.values().stream().mapToDouble(Double::doubleValue).sum();
        b.report.row(
                "S3 requests/h idle (all operations)",
                Stats.f(oIdle, 0),
                Stats.f(
                        idle.get("litestream").values().stream()
                                .mapToDouble(Double::doubleValue)
                                .sum(),
                        0),
                "0 (no scheduled work in the window)",
                oIdle == 0 ? "met" : "missed");
        double oPut = ol.getOrDefault("PUT", 0.0);
        b.report.row(
                "S3 PUT/h at 5 txn/s",
                Stats.f(oPut, 0),
                Stats.f(loaded.get("litestream").getOrDefault("PUT", 0.0), 0),
                "≤ 3600 (one per 1 s sync interval)",
                oPut <= 3600 * 1.02 ? "met" : "missed");
        List<List<String>> rows = new ArrayList<>();
        for (String phase : List.of("idle", "5 txn/s")) {
            Map<String, Map<String, Double>> src = phase.equals("idle") ? idle : loaded;
            for (String tool : List.of("ours", "litestream")) {
                List<String> r = new ArrayList<>(List.of(phase, tool));
                for (String op : OPS) {
                    r.add(Stats.f(src.get(tool).getOrDefault(op, 0.0), 0));
                }
                rows.add(r);
            }
        }
        List<String> headers = new ArrayList<>(List.of("phase", "tool"));
        OPS.forEach(op -> headers.add(op + "/h"));
        b.report.section(
                "S3 requests per hour (s3proxy on loopback)",
                "1 MiB database, default intervals (sync 1 s, no snapshot interval, retention check 1 h). After the "
                        + "first snapshot and 5 s, each tool's `litestream_replica_operation_total` is read before and "
                        + "after a " + d.toSeconds() + " s idle window and a " + d.toSeconds() + " s window of "
                        + Stats.f(rate, 0) + " single-row txn/s, and the difference is scaled to one hour. "
                        + "Both tools ran at the same time (own bucket, database and writer). While writing, ours "
                        + "also renews its replica's lease (one GET and one PUT once 10 s, a third of `lease.duration`, "
                        + "have passed since the last renewal); Litestream has no lease.\n\n"
                        + Report.table(headers, rows));
    }

    private static List<Map<String, Double>> scrape(int[] ports) throws Exception {
        List<Map<String, Double>> out = new ArrayList<>();
        for (int port : ports) {
            out.add(ToolProcess.operations(port));
        }
        return out;
    }

    private static Map<String, Double> perHour(Map<String, Double> a, Map<String, Double> b, Duration d) {
        Map<String, Double> out = new TreeMap<>();
        for (String op : OPS) {
            out.put(op, (b.getOrDefault(op, 0.0) - a.getOrDefault(op, 0.0)) * 3600.0 / d.toSeconds());
        }
        return out;
    }
}
