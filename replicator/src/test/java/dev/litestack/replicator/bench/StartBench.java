package dev.litestack.replicator.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Start-up: wall time of {@code version} (process start to exit), both tools interleaved. */
final class StartBench {

    private StartBench() {}

    static void run(ReplicatorBench b) throws Exception {
        int reps = b.quick ? 7 : 15;
        List<Double> ours = new ArrayList<>();
        List<Double> ls = new ArrayList<>();
        Path dir = b.dir("start");
        for (int i = 0; i < reps + 1; i++) {
            for (Tool t : b.order(i)) {
                long t0 = System.nanoTime();
                ProcessBuilder pb = new ProcessBuilder(t.command(List.of("version")));
                t.environment(pb.environment());
                Process p = pb.redirectErrorStream(true)
                        .redirectOutput(dir.resolve("version.log").toFile())
                        .start();
                int code = p.waitFor();
                double ms = (System.nanoTime() - t0) / 1e6;
                if (code != 0) {
                    throw new IllegalStateException(t + " version exited " + code);
                }
                if (i > 0) { // the first round only warms the page cache
                    (t.isOurs() ? ours : ls).add(ms);
                }
            }
        }
        double o = Stats.median(ours);
        b.report.row(
                "`version` wall time, ms (median of " + reps + ")",
                Stats.f(o, 0),
                Stats.f(Stats.median(ls), 0),
                "< 250 ms",
                o < 250 ? "met" : "missed");
        b.report.section(
                "Start-up (`version`)",
                "Process start to exit, after one warm-up round; "
                        + reps + " runs each, interleaved.\n\n"
                        + Report.table(
                                List.of("tool", "median ms (min–max, n)"),
                                List.of(
                                        List.of("ours", Stats.spread(ours, 0)),
                                        List.of("litestream", Stats.spread(ls, 0)))));
    }
}
