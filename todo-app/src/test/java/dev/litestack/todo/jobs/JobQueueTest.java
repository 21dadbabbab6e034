package dev.litestack.todo.jobs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.sqlite.StoreSettings;
import dev.litestack.todo.support.JsonCodec;
import dev.litestack.todo.support.MutableClock;
import dev.litestack.todo.support.RecordingHandler;
import dev.litestack.todo.support.TodoPayload;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job queue on a real temp-file WAL database; time is a clock the tests advance. */
class JobQueueTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private QueueSettings settings() {
        return QueueSettings.defaults(StoreSettings.defaults(dir.resolve("queue.db")))
                .withTimings(Duration.ofMillis(10), Duration.ofSeconds(30), Duration.ofSeconds(10))
                .withRetries(3, Duration.ofMinutes(1), 4.0, Duration.ofHours(1), 0.0);
    }

    private JobQueue start(QueueSettings settings, SqliteStore surrounding, JobHandler<?>... handlers) {
        JobQueue queue = JobQueue.start(settings, List.of(handlers), new JsonCodec(), clock, surrounding);
        open.add(queue);
        return queue;
    }

    private Connection second() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("queue.db"));
        open.add(c);
        return c;
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void runsAnEnqueuedJobOnceAndDeletesIt() throws SQLException {
        RecordingHandler handler = new RecordingHandler("render", 0);
        JobQueue queue = start(settings(), null, handler);
        Connection other = second();
        OptionalLong id = queue.enqueue("render", new TodoPayload("u1", 7));
        assertTrue(id.isPresent());
        await().atMost(WAIT).until(() -> handler.done.size() == 1);
        assertEquals(new TodoPayload("u1", 7), handler.done.get(0));
        await().atMost(WAIT).until(() -> single(other, "SELECT count(*) FROM jobs") == 0);
        assertEquals(1, handler.attempts.get(0).attempt());
    }

    @Test
    void delayedAndScheduledJobsWaitForTheirTime() {
        RecordingHandler handler = new RecordingHandler("render", 0);
        JobQueue queue = start(settings(), null, handler);
        queue.enqueue("render", new TodoPayload("u", 1), EnqueueOptions.now().delay(Duration.ofHours(1)));
        queue.enqueue(
                "render",
                new TodoPayload("u", 2),
                EnqueueOptions.now().at(clock.instant().plus(Duration.ofHours(2))));
        assertEquals(new QueueStats(0, 2, 0, 0), queue.stats());
        clock.advance(Duration.ofHours(1));
        queue.wake();
        await().atMost(WAIT).until(() -> handler.done.size() == 1);
        assertEquals(1, handler.done.get(0).todoId());
        assertEquals(1, queue.stats().scheduled());
        clock.advance(Duration.ofHours(1));
        queue.wake();
        await().atMost(WAIT).until(() -> handler.done.size() == 2);
    }

    @Test
    void higherPriorityQueuesAreClaimedFirst() {
        QueueSettings settings = settings().withQueues(Map.of("default", 1, "urgent", 10, "bulk", -5));
        RecordingHandler handler = new RecordingHandler("render", 0);
        try (JobQueue producer =
                JobQueue.start(settings.withWorkers(0, 0), List.of(handler), new JsonCodec(), clock, null)) {
            producer.enqueue(
                    "render", new TodoPayload("bulk", 1), EnqueueOptions.now().queue("bulk"));
            producer.enqueue("render", new TodoPayload("default", 2));
            producer.enqueue(
                    "render", new TodoPayload("urgent", 3), EnqueueOptions.now().queue("urgent"));
            producer.enqueue("render", new TodoPayload("default", 4));
        }
        start(settings.withWorkers(1, 0), null, handler);
        await().atMost(WAIT).until(() -> handler.done.size() == 4);
        assertEquals(
                List.of(3L, 2L, 4L, 1L),
                handler.done.stream().map(TodoPayload::todoId).toList());
    }

    @Test
    void failedJobsRetryWithBackoffThenMoveToTheDeadStoreWhichIsCollected() {
        RecordingHandler handler = new RecordingHandler("render", Integer.MAX_VALUE);
        JobQueue queue = start(settings(), null, handler);
        queue.enqueue("render", new TodoPayload("u", 9));
        await().atMost(WAIT)
                .until(() -> handler.attempts.size() == 1 && queue.stats().scheduled() == 1);
        clock.advance(Duration.ofSeconds(59));
        queue.wake();
        assertEquals(1, queue.stats().scheduled(), "first retry is 1 minute later");
        clock.advance(Duration.ofSeconds(1));
        queue.wake();
        await().atMost(WAIT)
                .until(() -> handler.attempts.size() == 2 && queue.stats().scheduled() == 1);
        clock.advance(Duration.ofMinutes(4));
        queue.wake();
        await().atMost(WAIT).until(() -> queue.stats().dead() == 1);
        assertEquals(3, handler.attempts.size());
        assertEquals(new QueueStats(0, 0, 0, 1), queue.stats());
        DeadJob dead = queue.deadJobs(10).get(0);
        assertEquals(3, dead.attempts());
        assertTrue(dead.lastError().contains("planned failure 3 of todo 9"), dead.lastError());
        assertEquals(0, queue.collectDead(), "kept for dead-retention");
        clock.advance(settings().deadRetention().plusMillis(1));
        assertEquals(1, queue.collectDead());
        assertEquals(0, queue.stats().dead());
    }

    /**
     * Ids went back to 1 whenever the queue drained: the next job to die had a dead job's id, its move to the dead
     * store failed on the primary key (the job stayed claimed, ran again at every restart), and so did every later
     * run of the reaper, which then never gave a crashed process's jobs back.
     */
    @Test
    void jobIdsAreNeverReusedSoEveryDeadJobIsKeptAndTheReaperKeepsWorking() throws SQLException {
        RecordingHandler handler = new RecordingHandler("render", Integer.MAX_VALUE);
        JobQueue queue = start(
                settings().withWorkers(1, 0).withRetries(1, Duration.ofMinutes(1), 4.0, Duration.ofHours(1), 0.0),
                null,
                handler);
        long first = queue.enqueue("render", new TodoPayload("u", 1)).orElseThrow();
        await().atMost(WAIT).until(() -> queue.stats().dead() == 1);
        long second = queue.enqueue("render", new TodoPayload("u", 2)).orElseThrow();
        assertTrue(second > first, "a new id after the queue drained: " + first + ", then " + second);
        await().atMost(WAIT).until(() -> queue.stats().dead() == 2);
        assertEquals(new QueueStats(0, 0, 0, 2), queue.stats(), "both dead, nothing left claimed");

        long now = clock.millis();
        try (Statement st = second().createStatement()) {
            st.execute(
                    "INSERT INTO jobs (queue, priority, handler, payload, run_at, attempts, max_attempts, claimed_by, "
                            + "lease_expires_at, created_at) VALUES ('default', 1, 'render', '{\"userId\":\"u\",\"todoId\":3}', "
                            + now + ", 1, 5, 'gone-process', " + (now + 1000) + ", " + now + ")");
        }
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, queue.reapExpired(), "the reaper still gives a crashed process's job back");
    }

    /** A queue file of the first schema: the rebuilt table's first new id is above every id it and the dead store had. */
    @Test
    void aQueueOfTheFirstSchemaGetsIdsAboveEveryOldOne() throws Exception {
        try (Connection old = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("queue.db"));
                Statement st = old.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            String v1 = new String(
                    getClass()
                            .getClassLoader()
                            .getResourceAsStream("db/queue/V1__jobs.sql")
                            .readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            for (String sql : v1.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    st.execute(sql);
                }
            }
            st.execute("PRAGMA user_version = 1");
            st.execute("INSERT INTO dead_jobs (id, queue, handler, payload, attempts, created_at, died_at) "
                    + "VALUES (7, 'default', 'render', '{}', 3, 0, 0)");
            st.execute("INSERT INTO jobs (id, queue, priority, handler, payload, run_at, max_attempts, created_at) "
                    + "VALUES (3, 'default', 1, 'render', '{\"userId\":\"u\",\"todoId\":3}', 0, 3, 0)");
        }
        RecordingHandler handler = new RecordingHandler("render", 0);
        JobQueue queue = start(settings(), null, handler);
        await().atMost(WAIT).until(() -> handler.done.size() == 1);
        assertEquals(3, handler.done.get(0).todoId(), "the waiting job survived the rebuild");
        assertEquals(8, queue.enqueue("render", new TodoPayload("u", 4)).orElseThrow());
    }

    @Test
    void aJobThatFailsOnceSucceedsOnRetry() {
        RecordingHandler handler = new RecordingHandler("render", 1);
        JobQueue queue = start(settings(), null, handler);
        queue.enqueue("render", new TodoPayload("u", 5));
        await().atMost(WAIT).until(() -> queue.stats().scheduled() == 1);
        clock.advance(Duration.ofMinutes(1));
        queue.wake();
        await().atMost(WAIT).until(() -> handler.done.size() == 1);
        assertEquals(2, handler.attempts.get(1).attempt());
    }

    @Test
    void enqueueInsideADataTransactionHappensOnlyAfterCommit() throws SQLException {
        RecordingHandler handler = new RecordingHandler("render", 0);
        try (SqliteStore data = SqliteStore.open("data", StoreSettings.defaults(dir.resolve("todos.db")))) {
            JobQueue queue = start(settings(), data, handler);
            Connection other = second();
            assertThrows(
                    IllegalStateException.class,
                    () -> data.write(s -> {
                        assertTrue(
                                queue.enqueue("render", new TodoPayload("u", 1)).isEmpty());
                        throw new IllegalStateException("roll back");
                    }));
            data.write(s -> {
                assertTrue(queue.enqueue("render", new TodoPayload("u", 2)).isEmpty(), "deferred until commit");
                assertEquals(0, single(other, "SELECT count(*) FROM jobs"));
                return null;
            });
            await().atMost(WAIT).until(() -> handler.done.size() == 1);
            assertEquals(2, handler.done.get(0).todoId(), "the rolled-back enqueue never happened");
            assertEquals(0, single(other, "SELECT count(*) FROM jobs"));
        }
    }

    @Test
    void expiredLeaseOfAnotherOwnerIsReapedAndTheJobRunsAgain() throws SQLException {
        RecordingHandler handler = new RecordingHandler("render", 0);
        try (Statement st = second().createStatement()) {
            JobQueue queue = start(settings().withWorkers(1, 0), null, handler);
            long now = clock.millis();
            st.execute(
                    "INSERT INTO jobs (queue, priority, handler, payload, run_at, attempts, max_attempts, claimed_by, "
                            + "lease_expires_at, created_at) VALUES ('default', 1, 'render', '{\"userId\":\"u\",\"todoId\":42}', "
                            + now + ", 1, 5, 'gone-process', " + (now + 1000) + ", " + now + ")");
            assertEquals(0, queue.reapExpired(), "lease still valid");
            clock.advance(Duration.ofSeconds(2));
            assertEquals(1, queue.reapExpired());
            await().atMost(WAIT).until(() -> handler.done.size() == 1);
            assertEquals(42, handler.done.get(0).todoId());
            assertEquals(2, handler.attempts.get(0).attempt());
        }
    }

    @Test
    void shutdownReturnsUnfinishedJobsToTheQueue() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        JobHandler<TodoPayload> blocking = new JobHandler<>() {
            public String name() {
                return "block";
            }

            public Class<TodoPayload> payloadType() {
                return TodoPayload.class;
            }

            public void perform(TodoPayload payload, JobContext context) throws InterruptedException {
                started.countDown();
                release.await();
            }
        };
        QueueSettings settings =
                settings().withTimings(Duration.ofMillis(10), Duration.ofSeconds(30), Duration.ofMillis(200));
        JobQueue queue = JobQueue.start(settings, List.of(blocking), new JsonCodec(), clock, null);
        try {
            queue.enqueue("block", new TodoPayload("u", 1));
            assertTrue(started.await(20, TimeUnit.SECONDS));
            queue.close();
        } finally {
            release.countDown();
        }
        Connection other = second();
        assertEquals(1, single(other, "SELECT count(*) FROM jobs WHERE claimed_by IS NULL"));
        assertEquals(0, single(other, "SELECT attempts FROM jobs"), "a returned job keeps its attempts");
    }

    @Test
    void shutdownWaitsForRunningJobsThatFinishInTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        List<Long> finished = new CopyOnWriteArrayList<>();
        JobHandler<TodoPayload> slow = new JobHandler<>() {
            public String name() {
                return "slow";
            }

            public Class<TodoPayload> payloadType() {
                return TodoPayload.class;
            }

            public void perform(TodoPayload payload, JobContext context) throws InterruptedException {
                started.countDown();
                release.await();
                finished.add(payload.todoId());
            }
        };
        JobQueue queue = JobQueue.start(settings(), List.of(slow), new JsonCodec(), clock, null);
        queue.enqueue("slow", new TodoPayload("u", 3));
        assertTrue(started.await(20, TimeUnit.SECONDS));
        Thread closer = new Thread(queue::close);
        closer.start();
        release.countDown();
        closer.join(20_000);
        assertEquals(List.of(3L), finished);
        assertEquals(0, single(second(), "SELECT count(*) FROM jobs"), "finished job deleted at shutdown");
    }

    @Test
    void rejectsUnknownHandlersAndQueuesWithClearMessages() {
        JobQueue queue = start(settings(), null, new RecordingHandler("render", 0));
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> queue.enqueue("nope", "x"));
        assertTrue(h.getMessage().contains("no job handler named 'nope'"), h.getMessage());
        IllegalArgumentException q = assertThrows(
                IllegalArgumentException.class,
                () -> queue.enqueue(
                        "render", new TodoPayload("u", 1), EnqueueOptions.now().queue("mail")));
        assertTrue(q.getMessage().contains("unknown queue 'mail'"), q.getMessage());
    }

    @Test
    void backoffGrowsExponentiallyWithBoundedJitter() {
        QueueSettings s = QueueSettings.defaults(StoreSettings.defaults(dir.resolve("q.db")));
        assertEquals(Duration.ofSeconds(5), s.backoff(1, 0));
        assertEquals(Duration.ofSeconds(20), s.backoff(2, 0));
        assertEquals(Duration.ofSeconds(80), s.backoff(3, 0));
        assertEquals(Duration.ofHours(1), s.backoff(20, 0));
        assertEquals(Duration.ofMillis(5750), s.backoff(1, 1));
        assertEquals(Duration.ofMillis(4250), s.backoff(1, -1));
    }
}
