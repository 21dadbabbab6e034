package dev.litestack.replicator.bench;

import dev.litestack.replicator.util.FileTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Idle cost: a database with data and no writes. Both tools run at the same time on their own
 * database (idle processes barely compete), after a warm-up that covers the first snapshot.
 */
final class IdleBench {

    private IdleBench() {}

    static void run(ReplicatorBench b) throws Exception {
        // idle is a steady state: after the warm-up both tools have left their start-up work behind
        // (our JIT compiles the poll path in the first seconds), and the window is long enough for
        // a few milliseconds of CPU to show
        Duration d = Duration.ofSeconds(b.quick ? 30 : 60);
        Duration warm = Duration.ofSeconds(10);
        int reps = b.quick ? 1 : 2;
        Map<String, List<Double>> cpu = new HashMap<>();
        Map<String, List<Double>> peak = new HashMap<>();
        Map<String, List<Double>> now = new HashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            List<ToolProcess> procs = new ArrayList<>();
            List<Path> dirs = new ArrayList<>();
            try {
                for (Tool t : b.order(rep)) {
                    Path dir = b.dir("idle-" + rep + "-" + t);
                    dirs.add(dir);
                    Path db = dir.resolve("db.sqlite");
                    Writers.fill(db, 4L << 20);
                    ReplicatorBench.BenchReplica replica = b.replica(dir);
                    Path cfg = BenchConfig.write(dir.resolve("litestream.yml"), db, replica.yaml(), 0, 0);
                    ToolProcess p = ToolProcess.start(t, Tool.replicate(cfg), dir.resolve(t + ".log"));
                    procs.add(p);
                    p.awaitReady(replica.hasSnapshot(), Duration.ofSeconds(60));
                }
                ReplicatorBench.sleep(warm);
                double[] c0 = new double[procs.size()];
                for (int i = 0; i < procs.size(); i++) {
                    c0[i] = procs.get(i).cpuSecondsPrecise();
                }
                long t0 = System.nanoTime();
                ReplicatorBench.sleep(d);
                double secs = (System.nanoTime() - t0) / 1e9;
                for (int i = 0; i < procs.size(); i++) {
                    ToolProcess p = procs.get(i);
                    String n = p.tool.label();
                    cpu.computeIfAbsent(n, k -> new ArrayList<>()).add((p.cpuSecondsPrecise() - c0[i]) / secs * 100);
                    peak.computeIfAbsent(n, k -> new ArrayList<>()).add(p.peakRssMiB());
                    now.computeIfAbsent(n, k -> new ArrayList<>()).add(p.rssMiB());
                }
            } finally {
                for (ToolProcess p : procs) {
                    p.close();
                }
                for (Path dir : dirs) {
                    FileTrees.delete(dir);
                }
            }
        }
        double oc = Stats.median(cpu.get("ours"));
        double lc = Stats.median(cpu.get("litestream"));
        b.report.row(
                "idle CPU, % of one core",
                Stats.f(oc, 2), Stats.f(lc, 2), "<= Litestream + 0.05", oc <= lc + 0.05 ? "met" : "missed");
        double op = Stats.median(peak.get("ours"));
        b.report.row(
                "idle RSS now / peak, MiB",
                Stats.f(Stats.median(now.get("ours")), 1) + " / " + Stats.f(op, 1),
                Stats.f(Stats.median(now.get("litestream")), 1) + " / "
                        + Stats.f(Stats.median(peak.get("litestream")), 1),
                "peak <= 40",
                op <= 40 ? "met" : "missed");
        List<List<String>> rows = new ArrayList<>();
        for (String n : List.of("ours", "litestream")) {
            rows.add(
                    List.of(n, Stats.spread(cpu.get(n), 2), Stats.spread(now.get(n), 1), Stats.spread(peak.get(n), 1)));
        }
        b.report.section(
                "Idle CPU and memory (" + b.replicaKind + " replica, 4 MiB database, no writes)",
                "Both tools run side by side on their own database; after the first snapshot and a "
                        + warm.toSeconds()
                        + " s warm-up, CPU (the sum of the threads' `schedstat` run time, ns precision) is measured over "
                        + d.toSeconds() + " s; "
                        + reps + " repetition(s).\n\n"
                        + Report.table(List.of("tool", "CPU % of a core", "RSS now MiB", "peak RSS MiB"), rows));
    }
}
