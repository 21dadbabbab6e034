package dev.litestack.todo.bench;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.cable.CableProperties;
import dev.litestack.todo.cache.CacheProperties;
import dev.litestack.todo.cache.SqliteCache;
import dev.litestack.todo.jobs.EnqueueOptions;
import dev.litestack.todo.jobs.JobContext;
import dev.litestack.todo.jobs.JobHandler;
import dev.litestack.todo.jobs.JobQueue;
import dev.litestack.todo.jobs.QueueProperties;
import dev.litestack.todo.jobs.QueueSettings;
import dev.litestack.todo.support.JsonCodec;
import dev.litestack.todo.support.TodoPayload;
import io.micronaut.context.ApplicationContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;

/**
 * Benchmarks of the SQLite foundations beside litestack's published figures. Every figure is the median of
 * {@code --runs} runs, each on fresh files in a temporary folder, with the defaults of each part's properties
 * class (what the app uses with no configuration).
 * Run with bench/todo-app/run.sh.
 */
public final class FoundationsBench {

    private static final int JOBS = 20_000;
    private static final int CACHE_KEYS = 10_000;
    private static final long MEASURE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static ApplicationContext app;

    private FoundationsBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("cable-subscriber")) {
            cableSubscriber(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int runs = 5;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--out")) {
                out = Path.of(args[++i]);
            }
        }
        Report report = new Report(runs);
        report.add(
                "jobs",
                "no-op jobs/s, enqueued one by one while 4 workers run (end to end)",
                median(runs, () -> jobsEndToEnd()));
        report.add("jobs", "no-op jobs/s, draining a backlog of " + JOBS, median(runs, () -> jobsDrain()));
        report.add("jobs", "enqueues/s, one transaction each", median(runs, () -> enqueueSingles()));
        report.add("cache", "reads/s, 1 thread, 100 B values, 10K keys", median(runs, () -> cacheReads(1)));
        report.add("cache", "reads/s, 2 threads", median(runs, () -> cacheReads(2)));
        report.add("cache", "writes/s, 1 thread, 100 B values", median(runs, () -> cacheWrites()));
        report.add("cache", "increments/s, 1 thread, 100 counters", median(runs, () -> cacheIncrements()));
        for (int subscribers : new int[] {100, 500}) {
            List<double[]> cable = new ArrayList<>();
            for (int r = 0; r < Math.max(3, runs); r++) {
                cable.add(cableLatency(subscribers, 20));
            }
            report.add("cable", "cross-process latency p50 ms, " + subscribers + " subscribers", medianOf(cable, 0));
            report.add("cable", "cross-process latency p99 ms, " + subscribers + " subscribers", medianOf(cable, 1));
            report.add("cable", "cross-process latency mean ms, " + subscribers + " subscribers", medianOf(cable, 2));
        }
        Report.deleteTree(root);
        String text = report.markdown();
        System.out.println(text);
        if (out != null) {
            Files.writeString(out, text);
        }
    }

    private static double median(int runs, DoubleSupplier run) {
        run.getAsDouble();
        double[] values = IntStream.range(0, runs)
                .mapToDouble(i -> run.getAsDouble())
                .sorted()
                .toArray();
        return values[values.length / 2];
    }

    private static double medianOf(List<double[]> runs, int index) {
        double[] values = runs.stream().mapToDouble(r -> r[index]).sorted().toArray();
        return values[values.length / 2];
    }

    private static Path root;

    private static Path tempDir() {
        try {
            if (root == null) {
                root = Files.createTempDirectory("todo-bench-");
            }
            return Files.createTempDirectory(root, "run-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class NoOp implements JobHandler<TodoPayload> {
        final AtomicLong done = new AtomicLong();
        volatile CountDownLatch finished = new CountDownLatch(0);

        public String name() {
            return "noop";
        }

        public Class<TodoPayload> payloadType() {
            return TodoPayload.class;
        }

        public void perform(TodoPayload payload, JobContext context) {
            done.incrementAndGet();
            finished.countDown();
        }
    }

    /**
     * The app's own configuration records with their defaults, bound by Micronaut (an application context on a
     * temporary data folder, started once; its parts sit idle while the benchmarks run on their own files).
     */
    private static synchronized <T> T appDefaults(Class<T> type) {
        if (app == null) {
            app = ApplicationContext.run(Map.of("app.data-dir-temporary", true));
            Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        }
        return app.getBean(type);
    }

    private static QueueSettings queueSettings(Path dir) {
        return appDefaults(QueueProperties.class).toQueueSettings(dir);
    }

    private static double jobsEndToEnd() {
        NoOp noop = new NoOp();
        noop.finished = new CountDownLatch(JOBS);
        try (JobQueue queue =
                JobQueue.start(queueSettings(tempDir()), List.of(noop), new JsonCodec(), Clock.systemUTC(), null)) {
            long start = System.nanoTime();
            for (int i = 0; i < JOBS; i++) {
                queue.enqueue("noop", new TodoPayload("u", i));
            }
            await(noop.finished);
            return JOBS / seconds(start);
        }
    }

    private static double jobsDrain() {
        NoOp noop = new NoOp();
        QueueSettings settings = queueSettings(tempDir());
        try (JobQueue producer =
                JobQueue.start(settings.withWorkers(0, 0), List.of(noop), new JsonCodec(), Clock.systemUTC(), null)) {
            List<TodoPayload> batch = IntStream.range(0, 1000)
                    .mapToObj(i -> new TodoPayload("u", i))
                    .toList();
            for (int i = 0; i < JOBS / 1000; i++) {
                producer.enqueueAll("noop", batch, EnqueueOptions.now());
            }
        }
        noop.finished = new CountDownLatch(JOBS);
        long start = System.nanoTime();
        try (JobQueue queue = JobQueue.start(settings, List.of(noop), new JsonCodec(), Clock.systemUTC(), null)) {
            await(noop.finished);
            return JOBS / seconds(start);
        }
    }

    private static double enqueueSingles() {
        NoOp noop = new NoOp();
        QueueSettings settings = queueSettings(tempDir()).withWorkers(0, 0);
        try (JobQueue queue = JobQueue.start(settings, List.of(noop), new JsonCodec(), Clock.systemUTC(), null)) {
            long start = System.nanoTime();
            for (int i = 0; i < JOBS; i++) {
                queue.enqueue("noop", new TodoPayload("u", i));
            }
            return JOBS / seconds(start);
        }
    }

    private static SqliteCache cache(Path dir) {
        return SqliteCache.open(appDefaults(CacheProperties.class).toCacheSettings(dir), Clock.systemUTC());
    }

    private static double cacheReads(int threads) {
        try (SqliteCache cache = cache(tempDir())) {
            byte[] value = new byte[100];
            for (int i = 0; i < CACHE_KEYS; i++) {
                cache.set("key:" + i, value);
            }
            AtomicLong reads = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    long n = 0;
                    while (System.nanoTime() - start < MEASURE_NANOS) {
                        if (cache.get("key:" + random.nextInt(CACHE_KEYS)).isEmpty()) {
                            throw new IllegalStateException("miss");
                        }
                        n++;
                    }
                    reads.addAndGet(n);
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                join(w);
            }
            return reads.get() / seconds(start);
        }
    }

    private static double cacheWrites() {
        try (SqliteCache cache = cache(tempDir())) {
            byte[] value = new byte[100];
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - start < MEASURE_NANOS) {
                cache.set("key:" + (n % CACHE_KEYS), value);
                n++;
            }
            return n / seconds(start);
        }
    }

    private static double cacheIncrements() {
        try (SqliteCache cache = cache(tempDir())) {
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - start < MEASURE_NANOS) {
                cache.increment("counter:" + (n % 100), 1);
                n++;
            }
            return n / seconds(start);
        }
    }

    /** Returns {p50, p99, mean} in ms of publish-to-deliver latency into another process. */
    private static double[] cableLatency(int subscribers, int rounds) throws IOException, InterruptedException {
        Path dir = tempDir();
        Path db = dir.resolve("cable.db");
        try (Cable cable = Cable.open(appDefaults(CableProperties.class).toCableSettings(dir), Clock.systemUTC())) {
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    FoundationsBench.class.getName(),
                    "cable-subscriber",
                    db.toString(),
                    String.valueOf(subscribers),
                    String.valueOf(subscribers * rounds));
            Process child = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("READY")) {
                // wait for the subscriptions
            }
            for (int r = 0; r < rounds; r++) {
                for (int s = 0; s < subscribers; s++) {
                    cable.publish("bench:" + s, String.valueOf(System.nanoTime()));
                }
                Thread.sleep(37 + ThreadLocalRandom.current().nextInt(40));
            }
            while ((line = in.readLine()) != null && !line.startsWith("RESULT")) {
                // skip
            }
            child.waitFor(60, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("cable subscriber process gave no result");
            }
            return Arrays.stream(line.substring(7).split(" "))
                    .mapToDouble(Double::parseDouble)
                    .toArray();
        }
    }

    private static void cableSubscriber(Path db, int subscribers, int expected) throws InterruptedException {
        long[] latencies = new long[expected];
        AtomicLong count = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        try (Cable cable =
                Cable.open(appDefaults(CableProperties.class).toCableSettings(db.getParent()), Clock.systemUTC())) {
            for (int s = 0; s < subscribers; s++) {
                cable.subscribe("bench:" + s, payload -> {
                    long latency = System.nanoTime() - Long.parseLong(payload);
                    int i = (int) count.getAndIncrement();
                    if (i < expected) {
                        latencies[i] = latency;
                    }
                    if (i + 1 == expected) {
                        done.countDown();
                    }
                });
            }
            System.out.println("READY");
            System.out.flush();
            done.await(120, TimeUnit.SECONDS);
        }
        int n = (int) Math.min(expected, count.get());
        List<Long> sorted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sorted.add(latencies[i]);
        }
        Collections.sort(sorted);
        double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        System.out.printf(
                "RESULT %.2f %.2f %.2f%n", sorted.get(n / 2) / 1e6, sorted.get((int) (n * 0.99)) / 1e6, mean / 1e6);
        System.out.flush();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("benchmark did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
