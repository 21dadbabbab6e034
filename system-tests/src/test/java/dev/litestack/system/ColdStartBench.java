package dev.litestack.system;

import dev.litestack.replicator.util.FileTrees;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold start of the container as Fly sees it after scale-to-zero: process start to the first
 * successful page, on a machine whose disk is empty, with the databases restored from S3.
 * Usage: ColdStartBench RUNS TODOS OUT.md (run by bench/boot/run.sh).
 */
public final class ColdStartBench {

    private ColdStartBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        int todos = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        Path replicatorJar = Path.of(System.getProperty("replicator.jar"));
        Path appJar = Path.of(System.getProperty("app.jar"));
        Path work = Files.createTempDirectory("cold-start-");
        Path config = work.resolve("litestream.yml");
        Files.copy(Path.of("config/litestream.yml"), config);
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            String bucket = s3.createBucket();
            Map<String, String> env = new HashMap<>();
            env.put("BUCKET_NAME", bucket);
            env.put("REPLICA_PREFIX", "todo-app");
            env.put("AWS_ENDPOINT_URL_S3", s3.endpoint());
            env.put("AWS_REGION", S3ProxyServer.REGION);
            env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
            env.put("APP_SECRET", "0123456789abcdef0123456789abcdef0123456789abcdef");
            env.put("MICRONAUT_ENVIRONMENTS", "prod");
            env.put("PORT", "-1");
            env.put("METRICS_ADDR", "127.0.0.1:0");

            Path data = work.resolve("data");
            env.put("DATA_DIR", data.toString());
            Http http = new Http();
            long emptyBoot;
            try (Container c = JarContainer.boot(replicatorJar, appJar, config, env)) {
                emptyBoot = c.awaitReady(http);
                for (int i = 0; i < todos; i++) {
                    http.submit(c.base(), "POST", "/todos", Map.of("title", "todo number " + i + " " + "x".repeat(i % 80)));
                }
                c.stop();
            }
            Path cds = work.resolve("cds");
            Files.createDirectories(cds);
            FileTrees.delete(data);
            try (Container c = JarContainer.boot(replicatorJar, appJar, config, env,
                    List.of("-XX:ArchiveClassesAtExit=" + cds.resolve("replicator.jsa")),
                    List.of("-XX:ArchiveClassesAtExit=" + cds.resolve("app.jsa")))) {
                c.awaitReady(http);
                http.todos(c.base());
                c.stop();
            }
            List<Long> plain = new ArrayList<>();
            List<Long> shared = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                plain.add(bootOnce(replicatorJar, appJar, config, env, data, http, List.of(), List.of(), todos));
                shared.add(bootOnce(replicatorJar, appJar, config, env, data, http,
                        List.of("-XX:SharedArchiveFile=" + cds.resolve("replicator.jsa")),
                        List.of("-XX:SharedArchiveFile=" + cds.resolve("app.jsa")), todos));
            }
            String report = "| boot | median ms | min ms | max ms | runs |\n|---|---:|---:|---:|---:|\n"
                    + "| first boot, empty bucket (no restore) | " + emptyBoot + " | | | 1 |\n"
                    + row("restore " + todos + " todos, default JVM flags", plain)
                    + row("restore " + todos + " todos, with CDS archives (as in the image)", shared);
            Files.writeString(out, report);
            System.out.print(report);
        } finally {
            FileTrees.delete(work);
        }
    }

    private static long bootOnce(Path replicatorJar, Path appJar, Path config, Map<String, String> env, Path data,
                                 Http http, List<String> rj, List<String> aj, int todos) throws Exception {
        if (Files.exists(data)) {
            FileTrees.delete(data);
        }
        long ms;
        try (Container c = JarContainer.boot(replicatorJar, appJar, config, env, rj, aj)) {
            c.awaitReady(http);
            long t0 = System.nanoTime();
            int seen = http.todos(c.base()).size();
            ms = c.readyMillis() + (System.nanoTime() - t0) / 1_000_000;
            if (seen != todos) {
                throw new AssertionError("restored " + seen + " todos, want " + todos);
            }
            c.stop();
        }
        return ms;
    }

    private static String row(String name, List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return "| " + name + " | " + s.get(s.size() / 2) + " | " + s.get(0) + " | " + s.get(s.size() - 1) + " | "
                + s.size() + " |\n";
    }
}
