package dev.litestack.todo.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The benchmark's Markdown report, with litestack's published figures and this targets beside ours. */
final class Report {

    private record Row(String part, String measure, double value) {}

    private static final Map<String, String[]> REFERENCE = Map.ofEntries(
            Map.entry(
                    "no-op jobs/s, enqueued one by one while 4 workers run (end to end)",
                    new String[] {">= 5K", "litejob 1.6K (threads) / 4.9K (fibers); Sidekiq 1.4K"}),
            Map.entry(
                    "reads/s, 1 thread, 100 B values, 10K keys",
                    new String[] {">= 100K", "litecache 90.7K (100 B), 69.4K (10 B)"}),
            Map.entry("writes/s, 1 thread, 100 B values", new String[] {">= 10K", "litecache 4.7K (100 B)"}),
            Map.entry("increments/s, 1 thread, 100 counters", new String[] {"-", "litecache 16.9K"}),
            Map.entry("cross-process latency p50 ms, 100 subscribers", new String[] {"<= 30", "-"}),
            Map.entry("cross-process latency p99 ms, 100 subscribers", new String[] {"<= 100", "-"}),
            Map.entry(
                    "cross-process latency mean ms, 100 subscribers",
                    new String[] {"-", "Solid Cable SQLite 0.1 s polling: 135.82 ms avg (100 VUs)"}),
            Map.entry("cross-process latency p50 ms, 500 subscribers", new String[] {"<= 30", "-"}),
            Map.entry("cross-process latency p99 ms, 500 subscribers", new String[] {"<= 100", "-"}),
            Map.entry(
                    "cross-process latency mean ms, 500 subscribers",
                    new String[] {"-", "Solid Cable SQLite 0.1 s polling: 271.79 ms avg (500 VUs)"}));

    private final int runs;
    private final List<Row> rows = new ArrayList<>();

    Report(int runs) {
        this.runs = runs;
    }

    void add(String part, String measure, double value) {
        rows.add(new Row(part, measure, value));
        System.err.printf("%-6s %-75s %,.1f%n", part, measure, value);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# todo-app foundations: benchmark results\n\n");
        b.append("Run by `bench/todo-app/run.sh` on ")
                .append(LocalDate.now())
                .append(": ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ")
                .append(System.getProperty("java.version"))
                .append(", load average at the end ")
                .append(String.format(
                        "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append(". Each figure is the median of ")
                .append(runs)
                .append(
                        " runs (cable: of at least 3 runs of 20 rounds), after one warm-up run, each on fresh temp-file WAL ")
                .append(
                        "databases with the no-configuration defaults (queue: 4 workers, prefetch 8, synchronous NORMAL; cache: synchronous OFF; ")
                .append("cable: 20 ms polling, subscriber in a second JVM).\n\n");
        b.append("| part | measure | median | target (issue 5) | published |\n|---|---|---:|---|---|\n");
        for (Row r : rows) {
            String[] ref = REFERENCE.getOrDefault(r.measure(), new String[] {"-", "-"});
            String value =
                    r.measure().contains(" ms") ? String.format("%.1f", r.value()) : String.format("%,.0f", r.value());
            b.append("| ")
                    .append(r.part())
                    .append(" | ")
                    .append(r.measure())
                    .append(" | ")
                    .append(value)
                    .append(" | ")
                    .append(ref[0])
                    .append(" | ")
                    .append(ref[1])
                    .append(" |\n");
        }
        b.append(
                        "\nPublished figures: litestack BENCHMARKS.md (8-core laptop in a VM, Ruby) and the Solid Cable README ")
                .append("(k6 websocket round trip on a Hetzner CCX13); see shared/docs/app-reference.md §1f. ")
                .append("They are different machines and harnesses: read them as orders of magnitude, not a race.\n");
        return b.toString();
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
