package dev.litestack.todo.support;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.cable.CableSettings;
import dev.litestack.todo.jobs.JobContext;
import dev.litestack.todo.jobs.JobHandler;
import dev.litestack.todo.jobs.JobQueue;
import dev.litestack.todo.jobs.QueueSettings;
import dev.litestack.todo.sqlite.StoreSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The second process of the cross-process tests. Prints protocol lines on stdout. */
public final class ChildMain {

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[1]);
        switch (args[0]) {
            case "claim-and-die" -> claimAndDie(db);
            case "cable-subscribe" -> cableSubscribe(db, args[2], Integer.parseInt(args[3]));
            case "cable-publish" -> cablePublish(db, args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** Claims one job of handler "crashy", reports it, and dies without any cleanup (like kill -9). */
    private static void claimAndDie(Path db) throws InterruptedException {
        JobHandler<TodoPayload> dies = new JobHandler<>() {
            @Override
            public String name() {
                return "crashy";
            }

            @Override
            public Class<TodoPayload> payloadType() {
                return TodoPayload.class;
            }

            @Override
            public void perform(TodoPayload payload, JobContext context) {
                System.out.println("CLAIMED " + context.id() + " " + payload.todoId());
                System.out.flush();
                Runtime.getRuntime().halt(137);
            }
        };
        QueueSettings settings = QueueSettings.defaults(StoreSettings.defaults(db))
                .withWorkers(1, 0)
                .withTimings(Duration.ofMillis(10), Duration.ofSeconds(30), Duration.ofSeconds(1));
        JobQueue.start(settings, List.of(dies), new JsonCodec(), Clock.systemUTC(), null);
        new CountDownLatch(1).await(2, TimeUnit.MINUTES);
        System.exit(3);
    }

    private static void cableSubscribe(Path db, String channel, int count) throws InterruptedException {
        CountDownLatch remaining = new CountDownLatch(count);
        try (Cable cable = Cable.open(
                CableSettings.defaults(StoreSettings.defaults(db)).withPollInterval(Duration.ofMillis(10)),
                Clock.systemUTC())) {
            cable.subscribe(channel, payload -> {
                System.out.println("GOT " + payload);
                remaining.countDown();
            });
            System.out.println("READY");
            System.out.flush();
            boolean done = remaining.await(60, TimeUnit.SECONDS);
            System.out.println(done ? "DONE" : "TIMEOUT");
            System.out.flush();
        }
    }

    private static void cablePublish(Path db, String channel, int count) {
        try (Cable cable = Cable.open(CableSettings.defaults(StoreSettings.defaults(db)), Clock.systemUTC())) {
            for (int i = 0; i < count; i++) {
                cable.publish(channel, "m" + i);
            }
        }
        System.out.println("PUBLISHED");
        System.out.flush();
    }
}
