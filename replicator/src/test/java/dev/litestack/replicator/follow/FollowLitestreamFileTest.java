package dev.litestack.replicator.follow;

import static dev.litestack.replicator.follow.FollowHarness.ROWS;
import static dev.litestack.replicator.follow.FollowHarness.awaitRows;
import static dev.litestack.replicator.follow.FollowHarness.rows;
import static dev.litestack.replicator.follow.FollowHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.follow.FollowHarness.FollowerProcess;
import dev.litestack.replicator.follow.FollowHarness.Reader;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.util.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore -f} following a file replica written by the real Litestream v0.3.13: a reader
 * process never sees half a transaction, SIGTERM leaves a whole database, a restart resumes from
 * the saved position, and a new generation (the primary recreated) is swapped in.
 */
@Tag("integration")
class FollowLitestreamFileTest {

    @TempDir
    Path dir;

    @Test
    void followsLitestreamThroughRestartAndNewGeneration() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path out = dir.resolve("follower/app.db");
        Litestream.Running primary = FollowHarness.litestreamPrimary(dir, db, replica);
        write(db, 1, 1);
        FollowHarness.awaitGeneration(replica);
        String url = "file://" + replica;

        FollowerProcess follower = FollowerProcess.start(
                dir.resolve("f1"), "restore", "-f", "-follow-interval", "100ms", "-o", out.toString(), url);
        awaitRows(out, ROWS, Duration.ofSeconds(60), follower);
        Reader reader = Reader.start(out, dir);
        write(db, 2, 60);
        awaitRows(out, 60L * ROWS, Duration.ofSeconds(60), follower);

        assertEquals(0, follower.terminate(), follower.log());
        assertTrue(follower.log().contains("follow stopped"), follower.log());
        assertEquals(60L * ROWS, rows(out));
        assertFalse(Files.exists(FollowedDb.journalOf(out)));

        // a restart resumes from the saved position: no second restore
        write(db, 61, 80);
        FollowerProcess again = FollowerProcess.start(
                dir.resolve("f2"), "restore", "--follow", "--follow-interval", "100ms", "-o", out.toString(), url);
        awaitRows(out, 80L * ROWS, Duration.ofSeconds(60), again);
        assertTrue(again.log().contains("follow: resuming"), again.log());
        assertFalse(again.log().contains("follow: restored"), again.log());

        // a new generation: the primary is recreated with other content
        assertEquals(0, primary.stop(Duration.ofSeconds(30)), primary.output());
        for (String f : List.of("app.db", "app.db-wal", "app.db-shm")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        FileTrees.delete(dir.resolve(".app.db-litestream"));
        FollowHarness.createPrimary(db);
        write(db, 1000, 1006);
        Litestream.Running second = new Litestream(dir, Map.of()).replicate(dir.resolve("litestream.yml"));
        awaitRows(out, 7L * ROWS, Duration.ofSeconds(60), again);
        assertTrue(again.log().contains("follow: new generation"), again.log());
        write(db, 1007, 1010);
        awaitRows(out, 11L * ROWS, Duration.ofSeconds(60), again);

        assertTrue(reader.stopAndCheck() > 0);
        assertEquals(0, again.terminate(), again.log());
        assertEquals(0, second.stop(Duration.ofSeconds(30)), second.output());
        assertEquals(11L * ROWS, rows(out));
    }
}
