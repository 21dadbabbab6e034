package dev.litestack.system;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.util.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold start of the container as Fly sees it after scale-to-zero: start to the first page served
 * with every todo, on a machine whose disk is empty, with both databases restored from S3 (a local
 * s3proxy). Run by bench/boot/run.sh:
 * <pre>
 *   ColdStartBench jars RUNS TODOS OUT.md           the two jars on this host, without and with the AOT caches
 *                                                   of bin/build (replicator/target/replicator.aot, todo-app/target/todo-app.aot)
 *   ColdStartBench image RUNS TODOS OUT.md IMAGE... docker run of each image (runs taken round-robin)
 * </pre>
 */
public final class ColdStartBench {

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
        int[] machines = {0};
        variants.put(
                "jars, default JVM flags",
                env -> JarContainer.boot(replicatorJar, appJar, config, onNewDisk(work, env, machines)));
        if (Files.exists(replicatorAot) && Files.exists(appAot)) {
            // the flags the caches were recorded with (bin/lib/java.sh): a cache needs the same object layout
            variants.put(
                    "jars, with the AOT caches of bin/build",
                    env -> JarContainer.boot(
                            replicatorJar,
                            appJar,
                            config,
                            onNewDisk(work, env, machines),
                            List.of("-XX:+UseCompactObjectHeaders", "-XX:AOTCache=" + replicatorAot),
                            List.of("-XX:+UseCompactObjectHeaders", "-XX:AOTCache=" + appAot)));
        }
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
            }
            for (int r = 0; r < runs; r++) {
                for (Map.Entry<String, Boot> v : variants.entrySet()) {
                    times.get(v.getKey()).add(bootOnce(v.getValue(), envs.get(v.getKey()), http, todos));
                }
            }
            for (Map.Entry<String, List<Long>> t : times.entrySet()) {
                report.append(row(t.getKey() + ": restore of both databases, " + todos + " todos", t.getValue()));
            }
        }
        return report.toString();
    }

    /** One boot on an empty disk: start to the first page showing every todo. */
    private static long bootOnce(Boot boot, Map<String, String> env, Http http, int todos) throws Exception {
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
            expectExit0(c);
            return ms;
        }
    }

    private static void expectExit0(Container c) throws InterruptedException {
        int code = c.stop();
        if (code != 0) {
            throw new AssertionError("the container exited with " + code + ":\n" + c.output());
        }
    }

    private static String row(String name, List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return "| " + name + " | " + s.get(s.size() / 2) + " | " + s.get(0) + " | " + s.get(s.size() - 1) + " | "
                + s.size() + " |\n";
    }
}
