package dev.litestack.replicator.bench;

import dev.litestack.replicator.util.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lost committed rows under a max-rate writer: frequent checkpoints (min-checkpoint-page-count 100)
 * plus the writer's own PASSIVE checkpoints; then stop the writer, let the tool sync, SIGTERM it,
 * restore with the same tool and count rows committed but missing from the restore.
 */
final class CorrectnessBench {

    private CorrectnessBench() {}

    static void run(ReplicatorBench b) throws Exception {
        int runs = b.quick ? 3 : 10;
        Duration d = Duration.ofSeconds(b.quick ? 5 : 10);
        Map<String, Integer> lossRuns = new HashMap<>();
        Map<String, Integer> failed = new HashMap<>();
        Map<String, Long> rowsChecked = new HashMap<>();
        List<String> notes = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            for (Tool t : b.order(run)) {
                lossRuns.putIfAbsent(t.label(), 0);
                failed.putIfAbsent(t.label(), 0);
                Path dir = b.dir("correct-" + run + "-" + t);
                Path db = dir.resolve("db.sqlite");
                Writers.open(db).close();
                Path replica = dir.resolve("replica");
                Path cfg =
                        BenchConfig.write(dir.resolve("litestream.yml"), db, BenchConfig.fileReplica(replica), 0, 100);
                Writers.Result w;
                int code;
                try (ToolProcess p = ToolProcess.start(t, Tool.replicate(cfg), dir.resolve(t + ".log"))) {
                    p.awaitReady(() -> BenchConfig.hasSnapshot(replica), Duration.ofSeconds(60));
                    w = Writers.maxRate(db, d, 500);
                    ReplicatorBench.sleep(Duration.ofSeconds(3));
                    code = p.stop(Duration.ofSeconds(60));
                }
                Path out = dir.resolve("restored.sqlite");
                ProcessBuilder pb = new ProcessBuilder(t.command(Tool.restore(cfg, db, out)));
                t.environment(pb.environment());
                int rc = pb.redirectErrorStream(true)
                        .redirectOutput(dir.resolve("restore.log").toFile())
                        .start()
                        .waitFor();
                String result;
                if (rc != 0 || !Files.exists(out)) {
                    failed.merge(t.label(), 1, Integer::sum);
                    result = "restore failed (exit " + rc + "): "
                            + Files.readString(dir.resolve("restore.log")).strip();
                    notes.add("run " + run + " " + t + ": " + result);
                } else {
                    long have = Writers.countUpTo(out, w.lastId());
                    rowsChecked.merge(t.label(), w.lastId(), Long::sum);
                    if (have != w.lastId()) {
                        lossRuns.merge(t.label(), 1, Integer::sum);
                        result = (w.lastId() - have) + " of " + w.lastId() + " committed rows missing";
                        notes.add("run " + run + " " + t + ": " + result + " (replicate exit " + code + ")");
                    } else {
                        result = "all " + w.lastId() + " rows present";
                    }
                }
                ReplicatorBench.log("correctness run " + run + " " + t + ": " + result + ", replicate exit " + code);
                if (result.startsWith("all")) {
                    FileTrees.delete(dir);
                } else {
                    Path keep = Files.createDirectories(
                                    Path.of(System.getProperty("java.io.tmpdir"), "replicator-bench-failures"))
                            .resolve(dir.getFileName());
                    Files.move(dir, keep);
                    ReplicatorBench.log("kept " + keep + " for inspection");
                }
            }
        }
        int o = lossRuns.get("ours") + failed.get("ours");
        b.report.row(
                "runs losing committed rows or failing restore (max-rate, frequent checkpoints)",
                lossRuns.get("ours") + " + " + failed.get("ours") + " of " + runs,
                lossRuns.get("litestream") + " + " + failed.get("litestream") + " of " + runs,
                "0 (bar: ~1 in 30 runs)",
                o == 0 ? "met" : "missed");
        List<List<String>> rows = new ArrayList<>();
        for (String n : List.of("ours", "litestream")) {
            rows.add(List.of(
                    n,
                    String.valueOf(runs),
                    String.valueOf(rowsChecked.getOrDefault(n, 0L)),
                    String.valueOf(lossRuns.get(n)),
                    String.valueOf(failed.get(n))));
        }
        b.report.section(
                "Correctness under max-rate writes",
                runs + " runs per tool, interleaved: max-rate writer for " + d.toSeconds() + " s with "
                        + "`min-checkpoint-page-count: 100` and the writer's own `PRAGMA wal_checkpoint(PASSIVE)` every "
                        + "500 commits; then 3 s for the tool to sync, SIGTERM, and `restore` with the same tool (file "
                        + "replica). A run loses rows if any committed id ≤ the writer's last id is missing.\n\n"
                        + Report.table(
                                List.of(
                                        "tool",
                                        "runs",
                                        "committed rows checked",
                                        "runs with missing rows",
                                        "failed restores"),
                                rows)
                        + (notes.isEmpty()
                                ? ""
                                : "\n"
                                        + String.join(
                                                "\n",
                                                notes.stream()
                                                        .map(s -> "- " + s)
                                                        .toList()) + "\n"));
    }
}
