package dev.litestack.todo.jobs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.litestack.todo.sqlite.StoreSettings;
import dev.litestack.todo.support.ChildJvm;
import dev.litestack.todo.support.JsonCodec;
import dev.litestack.todo.support.MutableClock;
import dev.litestack.todo.support.RecordingHandler;
import dev.litestack.todo.support.TodoPayload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The litejob weakness we must not have: a second JVM claims a job and dies (Runtime.halt, no cleanup); once the
 * lease has expired the job runs again in this process.
 */
@Tag("integration")
class CrashRecoveryTest {

    @TempDir
    Path dir;

    @Test
    void aJobClaimedByAKilledProcessRunsAgain() throws Exception {
        Path db = dir.resolve("queue.db");
        MutableClock clock = new MutableClock();
        QueueSettings settings = QueueSettings.defaults(StoreSettings.defaults(db))
                .withTimings(Duration.ofMillis(10), Duration.ofSeconds(30), Duration.ofSeconds(5));
        RecordingHandler crashy = new RecordingHandler("crashy", 0);
        try (JobQueue producer =
                JobQueue.start(settings.withWorkers(0, 0), List.of(crashy), new JsonCodec(), clock, null)) {
            producer.enqueue("crashy", new TodoPayload("u", 77));
        }
        try (ChildJvm child = ChildJvm.start(dir.resolve("child.log"), "claim-and-die", db.toString())) {
            String claimed = child.awaitLine("CLAIMED", 60);
            assertEquals("77", claimed.split(" ")[2]);
            assertEquals(137, child.waitFor(60), "the child died without cleanup");
        }
        try (JobQueue survivor =
                JobQueue.start(settings.withWorkers(1, 0), List.of(crashy), new JsonCodec(), clock, null)) {
            assertEquals(new QueueStats(0, 0, 1, 0), survivor.stats(), "the dead process still holds the claim");
            clock.advance(Duration.ofMillis(System.currentTimeMillis() - clock.millis()));
            assertEquals(0, survivor.reapExpired(), "not before the lease expires");
            clock.advance(settings.lease().plusSeconds(1));
            assertEquals(1, survivor.reapExpired());
            await().atMost(Duration.ofSeconds(20)).until(() -> crashy.done.size() == 1);
            assertEquals(77, crashy.done.get(0).todoId());
            assertEquals(2, crashy.attempts.get(0).attempt(), "the crashed run counted as an attempt");
        }
    }
}
