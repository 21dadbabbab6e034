package dev.litestack.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replicate -once [-force-snapshot]} as a real process: cron-style backups. */
@Tag("integration")
class ReplicateOnceTest {

    @TempDir
    Path dir;

    private int snapshots(Path replica) throws Exception {
        FileReplicaClient c = new FileReplicaClient(replica);
        int n = 0;
        for (String g : c.generations()) {
            n += c.snapshots(g).size();
        }
        return n;
    }

    private Path restored(String name, Path replica) {
        Path out = dir.resolve(name);
        Cli.Result r = Cli.run("restore", "-o", out.toString(), replica.toUri().toString());
        assertEquals(0, r.code(), r.toString());
        return out;
    }

    @Test
    void syncsOnceThenExitsAndForceSnapshotAddsASnapshot() throws Exception {
        Path db = dir.resolve("app.db");
        Path rep = dir.resolve("rep");
        Path cfg = dir.resolve("litestream.yml");
        // monitor-interval: 0 (no background sync) is the natural pairing with -once
        Files.writeString(
                cfg, "dbs:\n  - path: " + db + "\n    monitor-interval: 0\n    replicas:\n      - path: " + rep + "\n");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 10);
            Cli.Result first = Cli.exec(dir, "replicate", "--config", cfg.toString(), "-once");
            assertEquals(0, first.code(), first.toString());
            assertTrue(first.out().contains("msg=\"replicated once\""), first.out());
            assertEquals(1, snapshots(rep), "the new generation's snapshot");
            assertEquals(AppDb.range(0, 10), AppDb.ids(restored("one.db", rep)));

            app.insert(10, 25);
            Cli.Result second = Cli.exec(dir, "replicate", "-config", cfg.toString(), "-once", "-force-snapshot");
            assertEquals(0, second.code(), second.toString());
            assertEquals(2, snapshots(rep), "one more snapshot");
            assertTrue(second.out().contains("msg=\"snapshot written\""), second.out());
            assertEquals(AppDb.range(0, 25), AppDb.ids(restored("two.db", rep)));

            app.insert(25, 30);
            Cli.Result third = Cli.exec(
                    dir, "replicate", "-once", db.toString(), rep.toUri().toString());
            assertEquals(0, third.code(), third.toString());
            assertEquals(2, snapshots(rep), "no snapshot without -force-snapshot");
            assertEquals(AppDb.range(0, 30), AppDb.ids(restored("three.db", rep)));
        }
    }

    @Test
    void exitsNonZeroWhenSomethingCouldNotBeShipped() throws Exception {
        Path db = dir.resolve("app.db");
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "a file where the replica folder should be");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 10);
        }
        // the lease is the first write: it fails, and nothing is written
        Cli.Result r = Cli.exec(
                dir,
                "replicate",
                "-once",
                "-force-snapshot",
                db.toString(),
                blocked.toUri().toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: cannot take the lease file:" + blocked.resolve("lease")), r.err());
        // without a lease, the upload itself fails
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(
                cfg,
                "lease:\n  enabled: false\ndbs:\n  - path: " + db + "\n    replicas:\n      - path: " + blocked + "\n");
        Cli.Result noLease = Cli.exec(dir, "replicate", "-once", "-force-snapshot", "-config", cfg.toString());
        assertEquals(1, noLease.code(), noLease.toString());
        assertTrue(noLease.out().contains("msg=\"replicate -once: not everything was shipped\""), noLease.out());
        assertEquals("a file where the replica folder should be", Files.readString(blocked));
    }

    @Test
    void aDatabaseReachedThroughASymbolicLinkReplicatesAndRestoresThroughOne() throws Exception {
        // a volume mounted elsewhere and linked into the app's folder: SQLite keeps the WAL beside
        // the file the link leads to (volume/app.db-wal), not beside the link
        Path volume = Files.createDirectories(dir.resolve("volume"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path link = Files.createSymbolicLink(data.resolve("app.db"), volume.resolve("app.db"));
        Path rep = dir.resolve("rep");
        try (AppDb app = new AppDb(link)) {
            app.insert(0, 20);
            assertTrue(Files.size(volume.resolve("app.db-wal")) > 0, "the app's WAL is beside the real file");
            assertFalse(Files.exists(data.resolve("app.db-wal")));
            Cli.Result r = Cli.exec(
                    dir, "replicate", "-once", link.toString(), rep.toUri().toString());
            assertEquals(0, r.code(), r.toString());
            assertFalse(r.out().contains("level=ERROR"), r.out());
        }
        assertEquals(AppDb.range(0, 20), AppDb.ids(restored("plain.db", rep)));

        // restore into a dangling link (the container's first boot) writes the file it names
        Path restoredVolume = Files.createDirectories(dir.resolve("restored-volume"));
        Path restoredLink = Files.createSymbolicLink(data.resolve("restored.db"), restoredVolume.resolve("app.db"));
        Cli.Result r =
                Cli.run("restore", "-o", restoredLink.toString(), rep.toUri().toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isSymbolicLink(restoredLink), "the link is kept");
        assertTrue(Files.isRegularFile(restoredVolume.resolve("app.db")));
        assertEquals(AppDb.range(0, 20), AppDb.ids(restoredLink));
    }

    @Test
    void aDatabaseThatDoesNotExistFailsTheRun() throws Exception {
        Path db = dir.resolve("missing.db");
        Path rep = dir.resolve("rep");
        Cli.Result r =
                Cli.exec(dir, "replicate", "-once", db.toString(), rep.toUri().toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("msg=\"database does not exist: nothing to replicate\" db=" + db), r.out());
        assertTrue(r.out().contains("msg=\"replicate -once: not everything was shipped\""), r.out());
        assertFalse(Files.exists(db), "nothing created in its place");
    }

    @Test
    void ageNeedsBothKeysToReplicate() throws Exception {
        Path db = dir.resolve("app.db");
        Path cfg = dir.resolve("litestream.yml");
        dev.litestack.replicator.testing.AgeKeys k = dev.litestack.replicator.testing.AgeKeys.generate();
        Files.writeString(
                cfg,
                "dbs:\n  - path: " + db + "\n    replicas:\n      - path: " + dir.resolve("rep")
                        + "\n        age:\n          identities: [" + k.identity() + "]\n");
        Cli.Result r = Cli.run("replicate", "-config", cfg.toString(), "-once");
        assertEquals(1, r.code(), r.toString());
        assertEquals(
                "error: cannot open replica file of " + db + ": age needs both identities and recipients to "
                        + "replicate (recipients to encrypt, identities to read back the replica's position)"
                        + System.lineSeparator(),
                r.err());
    }
}
