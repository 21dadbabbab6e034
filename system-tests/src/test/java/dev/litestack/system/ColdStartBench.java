package dev.litestack.system;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.util.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start of the container as Fly sees it after scale-to-zero: start to the first page served
 * with every todo, on a machine whose disk is empty, with both databases restored from S3 (a local
 * s3proxy). Run by bench/boot/run.sh:
 * <pre>
 *   ColdStartBench jars RUNS TODOS OUT.md           the two jars on this host, without and with the AOT caches
 *                                                   of bin/build (replicator/target/replicator.aot, todo-app/target/todo-app.aot),
 *                                                   with the JVM flags of bin/lib/java.sh (-Dreplicator.opts, -Dapp.opts)
 *   ColdStartBench image RUNS TODOS OUT.md IMAGE... docker run of each image (runs taken round-robin)
 * </pre>
 * Besides the time to the first page, each boot's timeline is read from the container's output:
 * when the last database was restored and the app was started (the replicator's JSON log), and
 * when Micronaut reported its start (the app's log); the report gives the median of each.
 */
public final class ColdStartBench {

    private static final Pattern JSON_TIME = Pattern.compile("^\\{\"time\":\"([^\"]+)\",.*\"msg\":\"([^\"]+)\"");
    private static final Pattern APP_STARTED =
            Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*Startup completed in");
    /** The timeline's milestones, in boot order; the last is the first page. */
    private static final List<String> MILESTONES =
            List.of("last database restored", "app process started", "app: Micronaut started", "first page");

    private ColdStartBench() {}

    /** Starts one machine with this environment (its disk empty). */
    private interface Boot {
        Container start(Map<String, String> env) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int runs = Integer.parseInt(args[1]);
        int todos = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        Map<String, Boot> variants = new LinkedHashMap<>();
        Path work = Files.createTempDirectory("cold-start-");
        try {
            if (mode.equals("jars")) {
                jarVariants(work, variants);
            } else if (mode.equals("image") && args.length > 4) {
                for (int i = 4; i < args.length; i++) {
                    String image = args[i];
                    variants.put(
                            "`docker run` of " + image, env -> ImageContainer.run(image, env, Duration.ofSeconds(30)));
                }
            } else {
                throw new IllegalArgumentException("usage: ColdStartBench jars|image RUNS TODOS OUT.md [IMAGE...]");
            }
            String report = measure(variants, runs, todos);
            Files.writeString(out, report);
            System.out.print(report);
        } finally {
            FileTrees.delete(work);
        }
    }

    /** The jars as the image runs them, without and with the AOT caches that bin/build recorded next to them. */
    private static void jarVariants(Path work, Map<String, Boot> variants) throws Exception {
        Path replicatorJar = Path.of(System.getProperty("replicator.jar"));
        Path appJar = Path.of(System.getProperty("app.jar"));
        Path config = Path.of("config/litestream.yml");
        Path replicatorAot = replicatorJar.resolveSibling("replicator.aot");
        Path appAot = appJar.resolveSibling("todo-app.aot");
        // the flags of bin/lib/java.sh, which the caches were recorded with (a cache needs the same object layout)
        List<String> replicatorOpts = words(System.getProperty("replicator.opts", "-XX:+UseCompactObjectHeaders"));
        List<String> appOpts = words(System.getProperty("app.opts", "-XX:+UseCompactObjectHeaders"));
        int[] machines = {0};
        variants.put(
                "jars, bin/lib/java.sh flags, no AOT cache",
                env -> JarContainer.boot(
                        replicatorJar, appJar, config, onNewDisk(work, env, machines), replicatorOpts, appOpts));
        if (Files.exists(replicatorAot) && Files.exists(appAot)) {
            variants.put(
                    "jars, bin/lib/java.sh flags + the AOT caches of bin/build",
                    env -> JarContainer.boot(
                            replicatorJar,
                            appJar,
                            config,
                            onNewDisk(work, env, machines),
                            plus(replicatorOpts, "-XX:AOTCache=" + replicatorAot),
                            plus(appOpts, "-XX:AOTCache=" + appAot)));
        }
    }

    private static List<String> words(String s) {
        return List.of(s.trim().split("\\s+"));
    }

    private static List<String> plus(List<String> xs, String x) {
        List<String> out = new ArrayList<>(xs);
        out.add(x);
        return out;
    }

    private static Map<String, String> onNewDisk(Path work, Map<String, String> env, int[] machines) {
        Map<String, String> m = new HashMap<>(env);
        m.put("DATA_DIR", work.resolve("machine-" + ++machines[0]).toString());
        return m;
    }

    private static String measure(Map<String, Boot> variants, int runs, int todos) throws Exception {
        StringBuilder report =
                new StringBuilder("| boot | median ms | min ms | max ms | runs |\n|---|---:|---:|---:|---:|\n");
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            Http http = new Http();
            Map<String, Map<String, String>> envs = new LinkedHashMap<>();
            Map<String, List<Long>> times = new LinkedHashMap<>();
            Map<String, Map<String, List<Long>>> timelines = new LinkedHashMap<>();
            for (Map.Entry<String, Boot> v : variants.entrySet()) {
                Map<String, String> env = BootCycle.machineEnv(s3.endpoint(), s3.createBucket());
                try (Container c = v.getValue().start(env)) {
                    long empty = c.awaitReady(http);
                    for (int i = 0; i < todos; i++) {
                        http.submit(
                                c.base(),
                                "POST",
                                "/todos",
                                Map.of("title", "todo number " + i + " " + "x".repeat(i % 80)));
                    }
                    expectExit0(c);
                    report.append("| ")
                            .append(v.getKey())
                            .append(": first boot, empty bucket | ")
                            .append(empty)
                            .append(" | | | 1 |\n");
                }
                envs.put(v.getKey(), env);
                times.put(v.getKey(), new ArrayList<>());
                timelines.put(v.getKey(), new LinkedHashMap<>());
            }
            for (int r = 0; r < runs; r++) {
                for (Map.Entry<String, Boot> v : variants.entrySet()) {
                    Map<String, Long> timeline = bootOnce(v.getValue(), envs.get(v.getKey()), http, todos);
                    times.get(v.getKey()).add(timeline.get("first page"));
                    timeline.forEach((k, ms) -> timelines
                            .get(v.getKey())
                            .computeIfAbsent(k, x -> new ArrayList<>())
                            .add(ms));
                }
            }
            for (Map.Entry<String, List<Long>> t : times.entrySet()) {
                report.append(row(t.getKey() + ": restore of both databases, " + todos + " todos", t.getValue()));
            }
            report.append("\nWhere a restoring boot spends its time: median ms since the boot began\n\n| boot | ")
                    .append(String.join(" | ", MILESTONES))
                    .append(" |\n|---|")
                    .append("---:|".repeat(MILESTONES.size()))
                    .append('\n');
            for (Map.Entry<String, Map<String, List<Long>>> t : timelines.entrySet()) {
                report.append("| ").append(t.getKey());
                for (String m : MILESTONES) {
                    List<Long> xs = t.getValue().get(m);
                    report.append(" | ").append(xs == null ? "–" : String.valueOf(median(xs)));
                }
                report.append(" |\n");
            }
        }
        return report.toString();
    }

    /**
     * One boot on an empty disk: start to the first page showing every todo. Returns the milliseconds
     * since the start of each milestone found in the output (at least "first page").
     */
    private static Map<String, Long> bootOnce(Boot boot, Map<String, String> env, Http http, int todos)
            throws Exception {
        long startedAt = System.currentTimeMillis();
        try (Container c = boot.start(env)) {
            c.awaitReady(http);
            int seen = http.todos(c.base()).size();
            long ms = c.readyMillis();
            if (seen != todos) {
                throw new AssertionError("restored " + seen + " todos, want " + todos);
            }
            int restored = c.output().split("database restored before replicating", -1).length - 1;
            if (restored != 2) {
                throw new AssertionError("restored " + restored + " databases, want 2:\n" + c.output());
            }
            Map<String, Long> timeline = timeline(c.output(), startedAt);
            timeline.put("first page", ms);
            expectExit0(c);
            return timeline;
        }
    }

    /** The milestones found in a boot's output, in ms since {@code startedAt} (epoch ms). */
    static Map<String, Long> timeline(String output, long startedAt) {
        Map<String, Long> t = new LinkedHashMap<>();
        LocalDate day =
                Instant.ofEpochMilli(startedAt).atZone(ZoneId.systemDefault()).toLocalDate();
        for (String line : output.split("\n")) {
            Matcher j = JSON_TIME.matcher(line);
            if (j.find()) {
                long at = Instant.parse(j.group(1)).toEpochMilli() - startedAt;
                switch (j.group(2)) {
                    case "database restored before replicating" -> t.merge("last database restored", at, Math::max);
                    case "exec process started" -> t.put("app process started", at);
                    default -> {}
                }
                continue;
            }
            Matcher a = APP_STARTED.matcher(line);
            if (a.find()) {
                long at = LocalTime.parse(a.group(1))
                                .atDate(day)
                                .atZone(ZoneId.systemDefault())
                                .toInstant()
                                .toEpochMilli()
                        - startedAt;
                t.put("app: Micronaut started", at);
            }
        }
        return t;
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static void expectExit0(Container c) throws InterruptedException {
        int code = c.stop();
        if (code != 0) {
            throw new AssertionError("the container exited with " + code + ":\n" + c.output());
        }
    }

    private static String row(String name, List<Long> xs) {
        return "| " + name + " | " + median(xs) + " | " + Collections.min(xs) + " | " + Collections.max(xs) + " | "
                + xs.size() + " |\n";
    }
}
