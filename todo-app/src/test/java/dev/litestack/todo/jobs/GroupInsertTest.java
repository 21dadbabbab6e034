package dev.litestack.todo.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.sqlite.SqliteStoreException;
import dev.litestack.todo.sqlite.StoreSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit of job inserts: concurrent callers share transactions, and each returns its own committed id. */
class GroupInsertTest {

    @TempDir
    Path dir;

    private static GroupInsert.Row row(int n) {
        return new GroupInsert.Row("default", 1, "h", "{\"n\":" + n + "}", 0, 5, 0);
    }

    @Test
    void concurrentInsertsAllCommitWithDistinctIds() throws Exception {
        int threads = 8;
        int each = 200;
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SqliteStore store = SqliteStore.open("queue", StoreSettings.defaults(dir.resolve("queue.db")))) {
            GroupInsert inserts = new GroupInsert(store);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        ids.add(inserts.insert(row(base + i)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(threads * each, ids.size(), "every caller got its own id");
            assertEquals(
                    (long) threads * each,
                    (long) store.read(s -> s.queryLong("count_ready", 1L)),
                    "every row committed");
            long payloads = store.read(s -> {
                try (var st = s.connection().createStatement();
                        var rs = st.executeQuery("SELECT count(DISTINCT payload) FROM jobs")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertEquals((long) threads * each, payloads, "no row inserted twice");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedTransactionFailsItsCallers() {
        SqliteStore store = SqliteStore.open("queue", StoreSettings.defaults(dir.resolve("queue.db")));
        GroupInsert inserts = new GroupInsert(store);
        assertEquals(1L, inserts.insert(row(1)));
        store.close();
        assertThrows(SqliteStoreException.class, () -> inserts.insert(row(2)));
    }
}
