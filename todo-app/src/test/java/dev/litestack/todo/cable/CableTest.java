package dev.litestack.todo.cable;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.litestack.todo.sqlite.StoreSettings;
import dev.litestack.todo.support.ChildJvm;
import dev.litestack.todo.support.MutableClock;
import java.nio.file.Path;
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

    @Test
    void aClosedCableRefusesToPublish() {
        Cable cable = open("cable.db");
        cable.close();
        assertThrows(IllegalStateException.class, () -> cable.publish("ch", "x"));
    }
}
