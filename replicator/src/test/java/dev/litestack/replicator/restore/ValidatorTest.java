package dev.litestack.replicator.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class ValidatorTest {

    private static final int TRANSACTIONS_PER_ROUND = 5_000;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final Log log = new Log(Log.Level.INFO, false, new PrintStream(logs));

    @Test
    void aHealthyReplicaValidatesAndABrokenOneIsReported() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath);
                Database db = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            Validator validator = new Validator(replica, log);
            app.insert(0, 20);
            db.sync();
            replica.sync();
            app.insertBatch(20, 300);
            db.sync();
            assertEquals(Validator.Outcome.OK, validator.validate());
            app.insert(300, 310);
            db.sync();
            assertEquals(Validator.Outcome.OK, validator.validate());
            assertEquals(2, validator.okCount());

            WalSegmentInfo first =
                    client.walSegments(db.position().generation()).get(0);
            client.deleteWalSegments(java.util.List.of(first.pos()));
            app.insert(310, 320);
            db.sync();
            IOException e = assertThrows(IOException.class, validator::validate);
            assertEquals(1, validator.errorCount(), e.getMessage());
        }
        assertEquals(true, logs.toString().contains("status=ok"), logs.toString());
    }

    @Test
    void validationNeverMismatchesWhileTheAppWritesAndCheckpoints() throws Exception {
        Path dbPath = dir.resolve("busy.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("busy-replica"));
        try (AppDb app = new AppDb(dbPath);
                Database db = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            Validator validator = new Validator(replica, log);
            app.insert(0, 10);
            db.sync();
            replica.sync();
            // The writer runs beside each round's sync and validation, but only for a budget of
            // transactions per round: unbounded, it grew the WAL by gigabytes (nothing restarts it
            // between rounds) and each round's restore with it.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Semaphore budget = new Semaphore(0);
            Thread writer = new Thread(() -> {
                int i = 10;
                try {
                    while (!stop.get()) {
                        if (!budget.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        app.insert(i, i + 5);
                        i += 5;
                        app.exec("PRAGMA wal_checkpoint(PASSIVE)");
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            int ok = 0;
            try {
                for (int round = 0; round < 8; round++) {
                    budget.release(TRANSACTIONS_PER_ROUND);
                    db.sync();
                    Validator.Outcome outcome = validator.validate();
                    assertEquals(true, outcome != Validator.Outcome.MISMATCH, "round " + round + ": " + logs);
                    ok += outcome == Validator.Outcome.OK ? 1 : 0;
                    budget.drainPermits();
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertEquals(null, failure.get());
            assertEquals(true, ok > 0, "at least one validation ran: " + logs);
        }
    }
}
