package dev.litestack.todo.bench;

import dev.litestack.todo.support.LiveSocket;
import dev.litestack.todo.support.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator for the running app (loopback only): starts the fat jar, opens 100 users with two live websocket
 * tabs each, then for a fixed time creates todos from tab A of each user (closed loop, fixed concurrency) and
 * measures create throughput and latency, and the time from sending the POST in tab A to the append fragment
 * arriving on tab B's websocket. Writes a Markdown report.
 * <pre>java -cp ... dev.litestack.todo.bench.WebBench --jar todo-app.jar --out report.md [--users 100]
 *   [--concurrency 32] [--seconds 15] [--warmup 5] [--app-opts "-Xmx768m -Xlog:gc:file=gc.log"]</pre>
 * The app runs with the production heap, collector and compiler flags ({@link #APP_OPTS}) unless {@code --app-opts}
 * says otherwise; the rest of bin/lib/java.sh's (compact headers, native heap trims, the AOT cache) is left out, so
 * that figures stay comparable with the runs before them (docs/benchmarks.md, todo-app web).
 * {@code --app-opts}: the app's JVM options (space-separated; {@code -Dapp.queue.workers=2} etc. set app keys).
 */
public final class WebBench {

    private static final int SOCKET_CLIENTS = 4;
    /** The heap, collector and compiler flags of the app's production options (bin/lib/java.sh's lite_app_opts). */
    private static final String APP_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx192m -Xss512k";

    private static final Pattern LABEL = Pattern.compile("dir=\"auto\">(b\\d+-\\d+)</label>");

    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final List<Long> tabToTab = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean measuring = new AtomicBoolean();
    private final List<String> appOpts;

    WebBench(String appOpts) {
        this.appOpts = List.of(appOpts.trim().split("\\s+"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new java.util.HashMap<>(Map.of(
                "--users", "100", "--concurrency", "32", "--seconds", "15", "--warmup", "5", "--app-opts", APP_OPTS));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        new WebBench(o.get("--app-opts"))
                .run(
                        Path.of(o.get("--jar")),
                        Path.of(o.get("--out")),
                        Integer.parseInt(o.get("--users")),
                        Integer.parseInt(o.get("--concurrency")),
                        Integer.parseInt(o.get("--seconds")),
                        Integer.parseInt(o.get("--warmup")));
    }

    void run(Path jar, Path out, int users, int concurrency, int seconds, int warmup) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dataDir = Files.createTempDirectory("todo-web-bench-");
        byte[] secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(appOpts);
        command.addAll(List.of("-jar", jar.toString()));
        System.out.println("app: " + String.join(" ", command) + " (data and app.log in " + dataDir + ")");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("app.log").toFile());
        pb.environment()
                .putAll(Map.of(
                        "PORT",
                        String.valueOf(port),
                        "DATA_DIR",
                        dataDir.toString(),
                        "APP_SECRET",
                        Base64.getEncoder().encodeToString(secret),
                        "LOG_LEVEL",
                        "warn"));
        Process app = pb.start();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            awaitHealth(http, base);
            List<HttpClient> socketClients = new ArrayList<>();
            for (int i = 0; i < SOCKET_CLIENTS; i++) {
                socketClients.add(HttpClient.newHttpClient());
            }
            List<WebClient> clients = new ArrayList<>();
            List<LiveSocket> sockets = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                WebClient c = new WebClient(base, http);
                c.open();
                clients.add(c);
                sockets.add(c.live());
                sockets.add(tabB(c, socketClients.get(u % SOCKET_CLIENTS)));
            }
            for (LiveSocket s : sockets) {
                s.next(Duration.ofSeconds(10));
            }
            phase(pool, clients, concurrency, warmup, false);
            Result r = phase(pool, clients, concurrency, seconds, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tabToTab.size() < r.count && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            write(out, users, concurrency, seconds, r);
            for (LiveSocket s : sockets) {
                s.close();
            }
        } finally {
            pool.shutdownNow();
            app.destroy();
            app.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * Tab B: a socket whose messages are scanned for the titles tab A created. The tab-B sockets share a few JDK
     * clients (each socket is still its own connection): a client per socket meant 100 selector threads and their
     * executors in the load generator, on the same 2 cores as the app.
     */
    private LiveSocket tabB(WebClient c, HttpClient client) {
        LiveSocket socket = new LiveSocket();
        socket.onMessage = message -> {
            long now = System.nanoTime();
            if (measuring.get()) {
                Matcher m = LABEL.matcher(message);
                while (m.find()) {
                    Long t0 = sentAt.remove(m.group(1));
                    if (t0 != null) {
                        tabToTab.add(now - t0);
                    }
                }
            }
        };
        WebSocket.Builder b =
                client.newWebSocketBuilder().header("Cookie", c.cookie).header("Origin", c.origin());
        socket.socket = b.buildAsync(URI.create("ws://" + c.base().getRawAuthority() + c.streamPath), socket)
                .join();
        return socket;
    }

    private record Result(long count, double seconds, List<Long> latencies, long errors) {}

    private Result phase(ExecutorService pool, List<WebClient> clients, int concurrency, int seconds, boolean measure)
            throws InterruptedException {
        measuring.set(measure);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            pool.execute(() -> {
                try {
                    for (long seq = 0; System.nanoTime() < end; seq++) {
                        WebClient c = clients.get((int) ((worker + seq * concurrency) % clients.size()));
                        String title = "b" + worker + "-" + seq;
                        HttpRequest req = c.formRequest("POST", "/todos", Map.of("title", title))
                                .header("X-CSRF-Token", c.csrf)
                                .build();
                        long t0 = System.nanoTime();
                        if (measure) {
                            sentAt.put(title, t0);
                        }
                        HttpResponse<String> r = c.send(req);
                        long t1 = System.nanoTime();
                        if (r.statusCode() == 200) {
                            latencies.add(t1 - t0);
                        } else {
                            errors.incrementAndGet();
                            sentAt.remove(title);
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(latencies.size(), elapsed, latencies, errors.get());
    }

    private static void awaitHealth(HttpClient http, URI base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the app did not answer /health within 60 s");
    }

    private static double pct(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(p / 100 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    private void write(Path out, int users, int concurrency, int seconds, Result r) throws IOException {
        double rate = r.count / r.seconds;
        double p50 = pct(r.latencies, 50);
        double p99 = pct(r.latencies, 99);
        List<Long> t2t = new ArrayList<>(tabToTab);
        double t50 = pct(t2t, 50);
        double t99 = pct(t2t, 99);
        String text = "# Benchmark: todo-app web (HTTP + jobs + cable + websocket)\n\n"
                + "Run " + LocalDate.now()
                + " by `bench/todo-app-web/run.sh` (`dev.litestack.todo.bench.WebBench`) on this "
                + "machine (" + Runtime.getRuntime().availableProcessors() + " cores, shared with the load generator, "
                + "loopback only). The app is the fat jar started with `" + String.join(" ", appOpts)
                + "`, default settings.\n\n"
                + "Setup: " + users + " users, each with two open websocket tabs (" + (2 * users) + " sockets); "
                + concurrency + " concurrent clients create todos (closed loop) from tab A of the users in turn for "
                + seconds + " s after a warm-up. Tab-to-tab = from sending the POST in tab A to the append fragment "
                + "arriving on tab B's websocket (through the job queue, cable and websocket).\n\n"
                + "| measure | value | target | met |\n|---|---|---|---|\n"
                + row("create-todo requests/s", rate, ">= 1,000", rate >= 1000)
                + row("create p50 latency ms", p50, "-", true)
                + row("create p99 latency ms", p99, "<= 50", p99 <= 50)
                + row("tab-to-tab p50 ms", t50, "<= 50", t50 <= 50)
                + row("tab-to-tab p99 ms", t99, "<= 150", t99 <= 150)
                + "\nCreates measured: " + r.count + " (errors: " + r.errors + "); fragments seen on tab B: "
                + t2t.size()
                + " (" + (r.count - t2t.size()) + " not seen within 5 s after the run).\n";
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text);
        System.out.print(text);
    }

    private static String row(String measure, double value, String target, boolean met) {
        return "| " + measure + " | " + String.format(java.util.Locale.ROOT, "%.1f", value) + " | " + target + " | "
                + (target.equals("-") ? "-" : met ? "yes" : "**no**") + " |\n";
    }
}
