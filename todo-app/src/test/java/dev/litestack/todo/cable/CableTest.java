package dev.litestack.todo.cable;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.sqlite.StoreSettings;
import dev.litestack.todo.support.CapturedLogs;
import dev.litestack.todo.support.ChildJvm;
import dev.litestack.todo.support.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pub/sub on a real temp-file WAL database: in-process, two instances on one file, and two processes. */
class CableTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final List<Cable> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Cable::close);
    }

    private Cable open(String file) {
        Cable cable = Cable.open(
                CableSettings.defaults(StoreSettings.defaults(dir.resolve(file)))
                        .withPollInterval(Duration.ofMillis(10)),
                clock);
        open.add(cable);
        return cable;
    }

    private static List<String> expected(int n) {
        return IntStream.range(0, n).mapToObj(i -> "m" + i).toList();
    }

    /**
     * A process that falls more than max-messages behind misses the oldest (said in the log). It was said once per
     * gap per poll, in every process, with a hint that only named the retention: hundreds of lines a burst. Now the
     * first gap is said in full, naming both limits, and later ones are counted.
     */
    @Test
    void messagesTrimmedBeforeAnotherProcessReadThemAreSaidOnceThenCounted() {
        Cable writer = open("cable.db");
        Cable reader = open("cable.db");
        List<String> got = new CopyOnWriteArrayList<>();
        reader.subscribe("burst", got::add);
        try (CapturedLogs logs = CapturedLogs.capture()) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 5000; i++) {
                    writer.publish("burst", "r" + round + " m" + i);
                }
                String last = "r" + round + " m4999";
                await().atMost(WAIT).until(() -> got.contains(last));
            }
            List<CapturedLogs.Line> said = logs.containing("were trimmed before this process read them");
            assertTrue(got.size() < 15_000, "some were trimmed before the reader got them: " + got.size());
            assertTrue(said.size() <= 2, "said once by each of the two: " + said.size() + " lines: " + said);
            assertTrue(
                    said.get(0).message().contains("app.cable.max-messages"),
                    said.get(0).message());
        }
    }

    @Test
    void deliversInsideTheProcessAtOnceAndStopsAfterUnsubscribe() {
        Cable cable = open("cable.db");
        List<String> got = new CopyOnWriteArrayList<>();
        Subscription sub = cable.subscribe("todos:u1", got::add);
        List<String> other = new CopyOnWriteArrayList<>();
        cable.subscribe("todos:u2", other::add);
        cable.publish("todos:u1", "hello");
        assertEquals(List.of("hello"), got, "delivered before publish returns");
        sub.close();
        sub.close();
        cable.publish("todos:u1", "after");
        assertEquals(List.of("hello"), got);
        assertEquals(List.of(), other);
        assertEquals(0, cable.subscriberCount("todos:u1"));
        await().atMost(WAIT).until(() -> cable.storedMessages() == 2);
        assertEquals(List.of("hello"), got, "own messages read back from the table are not delivered again");
    }

    @Test
    void anotherInstanceOnTheSameFileReceivesEveryMessageOnceInOrder() {
        Cable a = open("cable.db");
        Cable b = open("cable.db");
        List<String> atA = new CopyOnWriteArrayList<>();
        List<String> atB = new CopyOnWriteArrayList<>();
        a.subscribe("ch", atA::add);
        b.subscribe("ch", atB::add);
        for (String m : expected(300)) {
            a.publish("ch", m);
        }
        await().atMost(WAIT).until(() -> atB.size() >= 300);
        assertEquals(expected(300), atB);
        await().atMost(WAIT).until(() -> a.storedMessages() == 300);
        b.publish("ch", "from-b");
        await().atMost(WAIT).until(() -> atA.size() == 301);
        assertEquals(expected(300), atA.subList(0, 300), "no duplicates at the publisher");
        assertEquals("from-b", atA.get(300));
        assertEquals(301, atB.size());
    }

    @Test
    void aMessagePublishedInThisProcessReachesASubscriberInAnotherProcess() throws Exception {
        Cable cable = open("cable.db");
        try (ChildJvm child = ChildJvm.start(
                dir.resolve("child.log"),
                "cable-subscribe",
                dir.resolve("cable.db").toString(),
                "todos:u9",
                "50")) {
            child.awaitLine("READY", 60);
            for (String m : expected(50)) {
                cable.publish("todos:u9", m);
                cable.publish("todos:other", "not for the child");
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                got.add(child.awaitLine("GOT", 30).substring(4));
            }
            assertEquals(expected(50), got);
            child.awaitLine("DONE", 30);
            assertEquals(0, child.waitFor(30));
        }
    }

    @Test
    void aMessagePublishedInAnotherProcessReachesASubscriberHere() throws Exception {
        Cable cable = open("cable.db");
        List<String> got = new CopyOnWriteArrayList<>();
        cable.subscribe("todos:u3", got::add);
        try (ChildJvm child = ChildJvm.start(
                dir.resolve("child.log"),
                "cable-publish",
                dir.resolve("cable.db").toString(),
                "todos:u3",
                "40")) {
            child.awaitLine("PUBLISHED", 60);
            assertEquals(0, child.waitFor(30));
        }
        await().atMost(WAIT).until(() -> got.size() >= 40);
        assertEquals(expected(40), got);
    }

    @Test
    void oldMessagesAreTrimmedAfterTheRetention() {
        Cable cable = open("cable.db");
        cable.publish("ch", "old");
        await().atMost(WAIT).until(() -> cable.storedMessages() == 1);
        assertEquals(0, cable.trim());
        clock.advance(CableSettings.defaults(null).retention().plusSeconds(1));
        cable.publish("ch", "new");
        await().atMost(WAIT).until(() -> cable.storedMessages() == 2);
        assertEquals(1, cable.trim());
        assertEquals(1, cable.storedMessages());
    }

    private Cable openWithLimits(String file, int maxMessages, int maxStoredMessageLength, long maxPendingBytes) {
        Cable cable = Cable.open(
                CableSettings.defaults(StoreSettings.defaults(dir.resolve(file)))
                        .withPollInterval(Duration.ofMillis(10))
                        .withLimits(maxMessages, maxStoredMessageLength, maxPendingBytes),
                clock);
        open.add(cable);
        return cable;
    }

    @Test
    void onlyTheNewestMaxMessagesAreKept() {
        Cable cable = openWithLimits("cable.db", 3, 1000, 1 << 20);
        for (String m : expected(10)) {
            cable.publish("ch", m);
        }
        // the listener also trims on its own (at once, then every trim-interval): wait for the last write, not a count
        await().atMost(WAIT).until(() -> cable.lastStoredId() == 10);
        // the writer trims too, once max-messages were written since its last trim: at most 2 x 3 - 1 are left
        await().atMost(WAIT).until(() -> cable.storedMessages() <= 5);
        cable.trim();
        assertEquals(3, cable.storedMessages(), "none is older than the retention, but only three may stay");
        Cable late = open("cable.db");
        List<String> got = new CopyOnWriteArrayList<>();
        late.subscribe("ch", got::add);
        cable.publish("ch", "after");
        await().atMost(WAIT).until(() -> got.contains("after"));
    }

    @Test
    void aTooLongMessageReachesThisProcessOnly() {
        Cable cable = openWithLimits("cable.db", 100, 10, 1 << 20);
        Cable other = open("cable.db");
        List<String> here = new CopyOnWriteArrayList<>();
        List<String> there = new CopyOnWriteArrayList<>();
        cable.subscribe("ch", here::add);
        other.subscribe("ch", there::add);
        cable.publish("ch", "x".repeat(11));
        cable.publish("ch", "short");
        assertEquals(List.of("x".repeat(11), "short"), here);
        await().atMost(WAIT).until(() -> there.contains("short"));
        assertEquals(List.of("short"), there, "the long one was never stored");
        assertEquals(1, cable.storedMessages());
        assertEquals(1, cable.notStoredMessages());
    }

    @Test
    void messagesBeyondThePendingBudgetReachThisProcessOnly() throws Exception {
        // the budget holds one 100-character message, not two; the writer is kept from writing by another
        // connection's write transaction, so nothing leaves the queue meanwhile
        Cable cable = openWithLimits("cable.db", 100, 1000, 300);
        List<String> here = new CopyOnWriteArrayList<>();
        cable.subscribe("ch", here::add);
        String big = "y".repeat(100);
        try (Connection blocker = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cable.db"));
                Statement st = blocker.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < 50; i++) {
                cable.publish("ch", big);
            }
            assertEquals(50, here.size(), "every message reached this process's subscribers");
            assertEquals(49, cable.notStoredMessages(), "only the first fit the budget");
            st.execute("ROLLBACK");
        }
        await().atMost(WAIT).until(() -> cable.storedMessages() == 1);
        cable.publish("ch", big);
        await().atMost(WAIT).until(() -> cable.storedMessages() == 2);
        assertEquals(49, cable.notStoredMessages(), "the budget is free again once written");
    }

    @Test
    void aClosedCableRefusesToPublish() {
        Cable cable = open("cable.db");
        cable.close();
        assertThrows(IllegalStateException.class, () -> cable.publish("ch", "x"));
    }
}
