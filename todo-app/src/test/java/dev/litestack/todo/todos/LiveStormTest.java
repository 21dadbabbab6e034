package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.AppProcess;
import dev.litestack.todo.support.RawSocket;
import dev.litestack.todo.support.WebClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot storm, against the app in its own JVM with the production flags (-Xmx192m, SerialGC): one visitor
 * fills the list to the app's limits with the costliest titles (1,000 characters of CJK, 3 bytes each in UTF-8),
 * then opens and at once closes websockets (raw frames, never read) in a loop from 4 threads, while a second
 * visitor sends those fragmented messages that never end from 5 more sockets. Meanwhile the app must stay within
 * its VM (RSS), keep answering other visitors, and still serve the attacker's own page.
 */
@Tag("integration")
class LiveStormTest {

    private static final int LIMIT = 1000;
    private static final Duration STORM = Duration.ofSeconds(15);
    /** fly.toml gives the VM 512 MB; the JVM must stay well inside it. */
    private static final long RSS_LIMIT_MIB = 400;

    @TempDir
    Path dir;

    @Test
    void aUserAtTheLimitsStormingSocketsCannotTakeTheAppDown() throws Exception {
        try (AppProcess app = AppProcess.start(dir)) {
            WebClient attacker = new WebClient(app.base);
            attacker.open();
            String title = "\u6f22".repeat(LIMIT);
            fill(attacker, title);
            HttpResponse<String> ownPage = attacker.open();
            assertEquals(200, ownPage.statusCode(), "the attacker's own page at the limits");
            assertEquals(LIMIT, ownPage.body().split("<li id=").length - 1);
            assertEquals(
                    422,
                    attacker.form("POST", "/todos", Map.of("title", "one more")).statusCode(),
                    "the limit");

            WebClient victim = new WebClient(app.base);
            victim.open();
            WebClient fragmenter = new WebClient(app.base);
            fragmenter.open();
            AtomicBoolean storming = new AtomicBoolean(true);
            AtomicLong maxRss = new AtomicLong(app.rssMib());
            AtomicInteger opened = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<?>> attack = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                attack.add(pool.submit(() -> {
                    while (storming.get()) {
                        RawSocket.open(attacker).close();
                        opened.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 5; i++) {
                attack.add(pool.submit(() -> {
                    byte[] chunk = new byte[1000];
                    java.util.Arrays.fill(chunk, (byte) 'x');
                    while (storming.get()) {
                        try (RawSocket s = RawSocket.open(fragmenter)) {
                            boolean first = true;
                            while (storming.get()
                                    && s.send(false, first ? RawSocket.TEXT : RawSocket.CONTINUATION, chunk)) {
                                first = false;
                            }
                        }
                    }
                    return null;
                }));
            }
            // RSS sampled every 100 ms, and another visitor creating a todo every 50 ms, for the whole storm
            ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
            pacer.scheduleAtFixedRate(
                    () -> maxRss.accumulateAndGet(app.rssMib(), Math::max), 0, 100, TimeUnit.MILLISECONDS);
            List<Long> createMillis = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger n = new AtomicInteger();
            ScheduledFuture<?> creates = pacer.scheduleWithFixedDelay(
                    () -> {
                        long t0 = System.nanoTime();
                        HttpResponse<String> r =
                                victim.form("POST", "/todos", Map.of("title", "victim " + n.getAndIncrement()));
                        assertEquals(200, r.statusCode(), "another visitor's create during the storm: " + r.body());
                        createMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);
            try {
                creates.get(STORM.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("the creates stopped early");
            } catch (java.util.concurrent.TimeoutException stormOver) {
                creates.cancel(false);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("another visitor's create failed during the storm", e.getCause());
            } finally {
                pacer.shutdown();
                assertTrue(pacer.awaitTermination(30, TimeUnit.SECONDS), "the pacer stops");
            }
            WebClient newcomer = new WebClient(app.base);
            assertEquals(200, newcomer.open().statusCode(), "a new visitor's page during the storm");
            storming.set(false);
            for (Future<?> f : attack) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();

            List<Long> sorted = new ArrayList<>(createMillis);
            Collections.sort(sorted);
            long median = sorted.get(sorted.size() / 2);
            System.out.printf(
                    "storm: %d sockets opened and closed, %d creates by another visitor (median %d ms, "
                            + "max %d ms), max RSS %d MiB%n",
                    opened.get(), sorted.size(), median, sorted.get(sorted.size() - 1), maxRss.get());
            assertTrue(opened.get() > 100, "the storm happened: " + opened.get());
            assertTrue(maxRss.get() < RSS_LIMIT_MIB, "RSS peaked at " + maxRss.get() + " MiB");
            assertTrue(median < 2000, "other visitors keep being answered; median create " + median + " ms");
            assertEquals(200, attacker.open().statusCode(), "the attacker's page after the storm");
            assertTrue(app.isAlive());
            assertTrue(
                    app.log().length() < 200_000,
                    "the log stays short: " + app.log().length() + " characters");
        }
    }

    private static void fill(WebClient visitor, String title) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            String t = i + title.substring(String.valueOf(i).length());
            answers.add(pool.submit(
                    () -> visitor.form("POST", "/todos", Map.of("title", t)).statusCode()));
        }
        for (Future<Integer> a : answers) {
            assertEquals(200, a.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertTrue(title.getBytes(StandardCharsets.UTF_8).length == 3 * LIMIT);
    }
}
