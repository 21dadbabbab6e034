package dev.litestack.replicator.restore;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.util.FileTrees;
import dev.litestack.replicator.util.Fingerprint;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code validation-interval}: restores the replica up to a WAL index whose exact database state is
 * known locally and compares the two files, so a replica that could not be restored correctly is
 * noticed while the source still exists.
 */
public final class Validator {

    public enum Outcome {
        OK,
        MISMATCH,
        SKIPPED
    }

    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();

    private final Replica replica;
    private final Log log;

    public Validator(Replica replica, Log log) {
        this.replica = replica;
        this.log = log;
    }

    /** Runs one validation on the replica's own thread (it syncs the replica itself). */
    public Outcome validate() throws IOException {
        Database db = replica.db();
        Database.Checkpointed expected = db.checkpointedState();
        if (expected == null) {
            log.debug("validator skipped: wal could not be restarted now", "db", db.path(), "replica", replica.name());
            return Outcome.SKIPPED;
        }
        replica.sync();
        Path dir = Files.createTempDirectory("replicator-validate-");
        try {
            Path out = dir.resolve("db");
            RestorePlan plan = RestorePlanner.plan(
                    Map.of(replica.name(), replica.client()),
                    new RestorePlanner.Target(expected.generation(), expected.index(), null));
            new Restorer(4, false, log).restore(plan, out);
            Fingerprint got = Fingerprint.of(out);
            if (got.equals(expected.fingerprint())) {
                ok.increment();
                log.info(
                        "validator",
                        "db",
                        db.path(),
                        "replica",
                        replica.name(),
                        "status",
                        "ok",
                        "generation",
                        expected.generation(),
                        "index",
                        expected.index());
                return Outcome.OK;
            }
            errors.increment();
            log.error(
                    "validator",
                    "db",
                    db.path(),
                    "replica",
                    replica.name(),
                    "status",
                    "mismatch",
                    "generation",
                    expected.generation(),
                    "index",
                    expected.index(),
                    "expected",
                    expected.fingerprint(),
                    "restored",
                    got);
            return Outcome.MISMATCH;
        } catch (IOException e) {
            errors.increment();
            throw new IOException("validation restore failed: " + Log.describe(e), e);
        } finally {
            FileTrees.delete(dir);
        }
    }

    /** Validations whose restore matched the database. */
    public long okCount() {
        return ok.sum();
    }

    /** Validations that failed or did not match. */
    public long errorCount() {
        return errors.sum();
    }
}
