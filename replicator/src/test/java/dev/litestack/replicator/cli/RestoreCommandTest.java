package dev.litestack.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.EngineReplica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code restore} through {@link Main#run}: flags, messages and results on replicas written by the engine. */
@Tag("integration")
class RestoreCommandTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private String url(Path replica) {
        return replica.toUri().toString();
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void outputExists() throws Exception {
        Path out = dir.resolve("out.db");
        Files.writeString(out, "x");
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(1, r.code());
        assertEquals("error: cannot restore, output path already exists: " + out + NL, r.err());
        Cli.Result skip = Cli.run("restore", "-if-db-not-exists", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, skip.code(), skip.toString());
        assertEquals("x", Files.readString(out));
    }

    /**
     * An empty file at the output holds no database (SQLite creates one when it opens a missing path, e.g. the
     * sqlite3 shell): the restore takes its place, also with -if-db-not-exists, so a boot that finds one still
     * restores instead of starting an empty database whose new generation would hide the replica's data. An
     * empty file whose WAL has frames does hold one.
     */
    @Test
    void anEmptyFileAtTheOutputIsReplaced() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path out = dir.resolve("out.db");
        Files.write(out, new byte[0]);
        Cli.Result r = Cli.exec(
                Files.createDirectories(dir.resolve("logs")),
                "restore",
                "-if-db-not-exists",
                "-o",
                out.toString(),
                url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                (r.out() + r.err()).contains("output is an empty file: the restored database takes its place"),
                r.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));

        Path other = dir.resolve("other.db");
        Files.write(other, new byte[0]);
        Cli.Result plain = Cli.run("restore", "-o", other.toString(), url(dir.resolve("rep")));
        assertEquals(0, plain.code(), plain.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(other));

        Path walOnly = dir.resolve("wal-only.db");
        try (AppDb app = new AppDb(dir.resolve("live.db"))) {
            app.insert(100, 103);
            Files.copy(dir.resolve("live.db-wal"), dir.resolve("wal-only.db-wal"));
        }
        Files.write(walOnly, new byte[0]);
        Cli.Result held = Cli.run("restore", "-o", walOnly.toString(), url(dir.resolve("rep")));
        assertEquals(1, held.code(), held.toString());
        assertEquals("error: cannot restore, output path already exists: " + walOnly + NL, held.err());
        Cli.Result skipped = Cli.run("restore", "-if-db-not-exists", "-o", walOnly.toString(), url(dir.resolve("rep")));
        assertEquals(0, skipped.code(), skipped.toString());
        assertEquals(0, Files.size(walOnly));
    }

    @Test
    void aWalOrJournalLeftAtTheOutputPathIsRefused() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path out = dir.resolve("out.db");
        Path wal = dir.resolve("out.db-wal");
        // another database's WAL, left behind when its file was deleted: valid frames SQLite would replay
        try (AppDb other = new AppDb(dir.resolve("other.db"))) {
            other.insert(100, 105);
            Files.copy(dir.resolve("other.db-wal"), wal);
        }
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(1, r.code(), r.toString());
        assertTrue(
                r.err().contains(": " + wal + " is left from an earlier database, and SQLite would apply it"), r.err());
        assertFalse(Files.exists(out));
        Path journal = dir.resolve("out.db-journal");
        Files.move(wal, journal);
        Cli.Result j = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(1, j.code(), j.toString());
        assertTrue(j.err().contains(": " + journal + " is left from an earlier database"), j.err());
        assertFalse(Files.exists(out));
        // an empty WAL and a zeroed journal (journal_mode PERSIST leaves one) are harmless
        Files.write(journal, new byte[512]);
        Files.write(wal, new byte[0]);
        Cli.Result ok = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, ok.code(), ok.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
    }

    @Test
    void aNewerGenerationWithoutASnapshotIsPassedOverWithAWarning() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        // a newer generation holding WAL but no snapshot (its snapshot was deleted by hand, or never finished)
        Path gens = dir.resolve("rep").resolve("generations");
        Path newer = gens.resolve("ffffffffffffffff").resolve("wal");
        Files.createDirectories(newer);
        Path segment;
        try (Stream<Path> s = Files.list(gens.resolve(b.generation()).resolve("wal"))) {
            segment = s.sorted().findFirst().orElseThrow();
        }
        Files.copy(segment, newer.resolve(segment.getFileName()));
        Files.setLastModifiedTime(
                newer.resolve(segment.getFileName()),
                FileTime.from(Instant.now().plusSeconds(60)));
        Path out = dir.resolve("out.db");
        Cli.Result r = Cli.exec(dir, "restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                r.toString()
                        .contains("msg=\"a newer generation has WAL but no snapshot and cannot be restored; restoring "
                                + "an older one\" newer_generation=ffffffffffffffff generation=" + b.generation()),
                r.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
    }

    @Test
    void emptyReplica() throws Exception {
        Path out = dir.resolve("out.db");
        Files.createDirectories(dir.resolve("rep"));
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(1, r.code());
        assertEquals("error: no matching backups found" + NL, r.err());
        Cli.Result ok = Cli.run("restore", "-if-replica-exists", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, ok.code(), ok.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void flagErrors() {
        String rep = url(dir.resolve("rep"));
        String out = dir.resolve("o.db").toString();
        Cli.Result idx = Cli.run("restore", "-index", "zz", "-o", out, rep);
        assertEquals(2, idx.code());
        assertEquals("error: invalid -index zz: want a hexadecimal WAL index such as 0 or 1f" + NL, idx.err());
        Cli.Result both = Cli.run("restore", "-index", "1", "-timestamp", "2026-11-25T22:58:55Z", "-o", out, rep);
        assertEquals(2, both.code());
        assertEquals("error: cannot specify index & timestamp to restore" + NL, both.err());
        Cli.Result ts = Cli.run("restore", "-timestamp", "2026-11-25", "-o", out, rep);
        assertEquals(2, ts.code());
        assertEquals("error: invalid -timestamp 2026-11-25: want RFC 3339, e.g. 2026-11-25T22:58:55Z" + NL, ts.err());
        Cli.Result empty = Cli.run("restore", "-o", "", rep);
        assertEquals(2, empty.code());
        assertEquals("error: invalid -o \"\": want the path of the database file to write" + NL, empty.err());
        Cli.Result folder = Cli.run("restore", "-o", dir + "/", rep);
        assertEquals(2, folder.code());
        assertEquals(
                "error: invalid -o \"" + dir + "/\": want the path of the database file to write" + NL, folder.err());
        Cli.Result noOut = Cli.run("restore", rep);
        assertEquals(2, noOut.code());
        assertEquals("error: output path required" + NL, noOut.err());
        Cli.Result gen = Cli.run("restore", "-generation", "ABC", "-o", out, rep);
        assertEquals(2, gen.code());
        assertTrue(gen.err().startsWith("error: invalid -generation ABC"), gen.err());
        Cli.Result check = Cli.run("restore", "-integrity-check", "fast", "-o", out, rep);
        assertEquals(2, check.code());
        assertEquals("error: invalid -integrity-check fast: want none, quick or full" + NL, check.err());
        Cli.Result contradiction =
                Cli.run("restore", "-no-integrity-check", "-integrity-check", "full", "-o", out, rep);
        assertEquals(2, contradiction.code());
        assertEquals("error: -no-integrity-check contradicts -integrity-check full" + NL, contradiction.err());
        Cli.Result cfg = Cli.run("restore", "-config", dir.resolve("l.yml").toString(), "-o", out, rep);
        assertEquals(2, cfg.code());
        assertEquals("error: cannot specify a replica URL and the -config flag" + NL, cfg.err());
    }

    @Test
    void restoresTheLatestStateAndLeavesNoStrayFiles() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 3, 4);
        Path out = dir.resolve("out.db");
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
        assertFalse(names().stream().anyMatch(n -> n.contains("out.db") && !n.equals("out.db")), names().toString());
        // as Litestream 0.3.13: a -parallelism below 1 restores one download at a time instead of failing
        for (String parallelism : new String[] {"0", "-3"}) {
            Path serial = dir.resolve("serial" + parallelism + ".db");
            Cli.Result s =
                    Cli.run("restore", "-parallelism", parallelism, "-o", serial.toString(), url(dir.resolve("rep")));
            assertEquals(0, s.code(), s.toString());
            assertEquals(AppDb.range(0, b.rows()), AppDb.ids(serial));
        }
    }

    @Test
    void restoresFromConfigToTheDbPath() throws Exception {
        Path db = dir.resolve("app.db");
        EngineReplica.Built b = EngineReplica.build(db, dir.resolve("rep"), 2, 3);
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, "dbs:\n  - path: " + db + "\n    replicas:\n      - path: " + dir.resolve("rep") + "\n");
        Cli.Result exists = Cli.run("restore", "-config", cfg.toString(), db.toString());
        assertEquals(1, exists.code());
        assertEquals("error: cannot restore, output path already exists: " + db + NL, exists.err());
        Files.delete(db);
        Files.deleteIfExists(Path.of(db + "-wal"));
        Files.deleteIfExists(Path.of(db + "-shm"));
        Cli.Result r = Cli.run("restore", "-config", cfg.toString(), "-replica", "file", db.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(db));
        Cli.Result unknown = Cli.run(
                "restore", "-config", cfg.toString(), dir.resolve("other.db").toString());
        assertEquals(1, unknown.code());
        assertEquals("error: database not found in config: " + dir.resolve("other.db") + NL, unknown.err());
        Cli.Result noReplica = Cli.run(
                "restore",
                "-config",
                cfg.toString(),
                "-replica",
                "s3",
                "-o",
                dir.resolve("x.db").toString(),
                db.toString());
        assertEquals(1, noReplica.code());
        assertEquals("error: replica not found: s3 (replicas of " + db + ": file)" + NL, noReplica.err());
        Path bare = dir.resolve("bare.yml");
        Files.writeString(bare, "dbs:\n  - path: " + db + "\n");
        Cli.Result none = Cli.run(
                "restore", "-config", bare.toString(), "-o", dir.resolve("x.db").toString(), db.toString());
        assertEquals(1, none.code(), none.toString());
        assertEquals("error: database has no replicas: " + db + " in " + bare + NL, none.err());
    }

    @Test
    void indexGivesTheCommittedPrefix() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 3, 4);
        for (var e : b.rowsThroughIndex().entrySet()) {
            Path out = dir.resolve("idx" + e.getKey() + ".db");
            Cli.Result r = Cli.run(
                    "restore", "-index", Long.toHexString(e.getKey()), "-o", out.toString(), url(dir.resolve("rep")));
            assertEquals(0, r.code(), r.toString());
            assertEquals(AppDb.range(0, e.getValue()), AppDb.ids(out), "index " + e.getKey());
        }
        Path beyond = dir.resolve("ff.db");
        assertEquals(
                0,
                Cli.run("restore", "-index", "ff", "-o", beyond.toString(), url(dir.resolve("rep")))
                        .code());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(beyond), "an index above the last restores everything");
    }

    @Test
    void timestamps() throws Exception {
        Path rep = dir.resolve("rep");
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), rep, 3, 4);
        // spread the object times one minute apart, in write order (snapshot first)
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        Path gen = rep.resolve("generations").resolve(b.generation());
        try (Stream<Path> s = Files.list(gen.resolve("snapshots"))) {
            for (Path p : s.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(t0));
            }
        }
        Instant endOfIndex2 = null;
        for (int i = 0; i < b.segments().size(); i++) {
            WalSegmentInfo s = b.segments().get(i);
            Instant t = t0.plusSeconds(60L * (i + 1));
            Files.setLastModifiedTime(
                    gen.resolve("wal").resolve(String.format("%08x_%08x.wal.lz4", s.index(), s.offset())),
                    FileTime.from(t));
            if (s.index() == 2) {
                endOfIndex2 = t;
            }
        }
        Path mid = dir.resolve("mid.db");
        Cli.Result r = Cli.run(
                "restore", "-timestamp", endOfIndex2.plusSeconds(30).toString(), "-o", mid.toString(), url(rep));
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, b.rowsThroughIndex().get(2L)), AppDb.ids(mid));

        Path late = dir.resolve("late.db");
        Cli.Result l = Cli.run("restore", "-timestamp", "2099-01-01T00:00:00.5Z", "-o", late.toString(), url(rep));
        assertEquals(0, l.code(), "a time after the newest object means latest: " + l);
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(late));

        Cli.Result early = Cli.run(
                "restore",
                "-timestamp",
                "2020-01-01T00:00:00+01:00",
                "-o",
                dir.resolve("early.db").toString(),
                url(rep));
        assertEquals(1, early.code());
        assertEquals("error: no matching backups found" + NL, early.err());
    }

    /**
     * Two generations last updated in the same second (S3 times have whole seconds; a replicator restarted within
     * it): the one begun later is the newer. The first listed (the smaller name) was restored, an older state.
     */
    @Test
    void ofTwoGenerationsUpdatedInTheSameSecondTheOneBegunLaterIsRestored() throws Exception {
        Path rep = dir.resolve("rep");
        EngineReplica.Built one = EngineReplica.build(dir.resolve("a.db"), rep, 1, 3);
        EngineReplica.Built two = EngineReplica.build(dir.resolve("b.db"), rep, 2, 5);
        boolean oneFirst = one.generation().compareTo(two.generation()) < 0;
        EngineReplica.Built earlier = oneFirst ? one : two; // listed first
        EngineReplica.Built later = oneFirst ? two : one;
        Instant second = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        stamp(rep, earlier.generation(), second.minusSeconds(30), second);
        stamp(rep, later.generation(), second.minusSeconds(5), second);
        Path out = dir.resolve("out.db");
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(rep));
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, later.rows()), AppDb.ids(out), "the generation begun later");
    }

    /**
     * A generation whose only snapshot is newer than its first WAL segments (Litestream with {@code
     * snapshot-interval} rewrites the snapshot of index 0 every interval): a {@code -timestamp} inside it, before that
     * snapshot, restored the previous generation's last state, exit 0 and no warning; Litestream fails ("no snapshots
     * available"). It fails now with a message saying why. A time in the gap before it still gives the earlier one.
     */
    @Test
    void aTimestampInsideAGenerationBeforeItsFirstSnapshotFailsRatherThanGivingTheOneBefore() throws Exception {
        Path rep = dir.resolve("rep");
        EngineReplica.Built one = EngineReplica.build(dir.resolve("a.db"), rep, 1, 3);
        EngineReplica.Built two = EngineReplica.build(dir.resolve("b.db"), rep, 2, 5);
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        stamp(rep, one.generation(), t0, t0.plusSeconds(10));
        stamp(rep, two.generation(), t0.plusSeconds(200), t0.plusSeconds(100)); // its snapshot rewritten later

        Path inside = dir.resolve("inside.db");
        Cli.Result r =
                Cli.run("restore", "-timestamp", t0.plusSeconds(150).toString(), "-o", inside.toString(), url(rep));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains(": no snapshot of generation " + two.generation() + " at or before "), r.err());
        assertFalse(Files.exists(inside));

        Path gap = dir.resolve("gap.db");
        Cli.Result g = Cli.run("restore", "-timestamp", t0.plusSeconds(50).toString(), "-o", gap.toString(), url(rep));
        assertEquals(0, g.code(), g.toString());
        assertEquals(AppDb.range(0, one.rows()), AppDb.ids(gap), "a time before the later generation began");

        Path after = dir.resolve("after.db");
        Cli.Result a =
                Cli.run("restore", "-timestamp", t0.plusSeconds(250).toString(), "-o", after.toString(), url(rep));
        assertEquals(0, a.code(), a.toString());
        assertEquals(AppDb.range(0, two.rows()), AppDb.ids(after));
    }

    /** Gives every snapshot of {@code generation} the time {@code begun} and every WAL segment {@code last}. */
    private static void stamp(Path rep, String generation, Instant begun, Instant last) throws Exception {
        Path gen = rep.resolve("generations").resolve(generation);
        try (Stream<Path> files = Files.walk(gen)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                boolean snapshot = f.getFileName().toString().endsWith(".snapshot.lz4");
                Files.setLastModifiedTime(f, FileTime.from(snapshot ? begun : last));
            }
        }
    }

    @Test
    void generationFlagPicksAnOlderGeneration() throws Exception {
        Path rep = dir.resolve("rep");
        EngineReplica.Built older = EngineReplica.build(dir.resolve("a.db"), rep, 1, 3);
        EngineReplica.Built newer = EngineReplica.build(dir.resolve("b.db"), rep, 2, 5);
        Path latest = dir.resolve("latest.db");
        assertEquals(0, Cli.run("restore", "-o", latest.toString(), url(rep)).code());
        assertEquals(AppDb.range(0, newer.rows()), AppDb.ids(latest), "newest generation by default");
        Path old = dir.resolve("old.db");
        Cli.Result r = Cli.run("restore", "-generation", older.generation(), "-o", old.toString(), url(rep));
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, older.rows()), AppDb.ids(old));
        Cli.Result missing = Cli.run(
                "restore",
                "-generation",
                "0123456789abcdef",
                "-o",
                dir.resolve("none.db").toString(),
                url(rep));
        assertEquals(1, missing.code());
        assertEquals("error: no matching backups found" + NL, missing.err());
    }

    @Test
    void verboseLogsEachStepAndTwoDashesWork() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path out = dir.resolve("out.db");
        Cli.Result r = Cli.exec(dir, "restore", "-v", "--o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
        assertTrue(r.err().contains("level=DEBUG msg=\"snapshot restored\""), r.err());
        assertEquals(
                b.segments().size(),
                r.err()
                        .lines()
                        .filter(l -> l.contains("msg=\"wal segment applied\""))
                        .count(),
                r.err());
        Path quiet = dir.resolve("quiet.db");
        Cli.Result q = Cli.exec(dir, "restore", "-o", quiet.toString(), url(dir.resolve("rep")));
        assertEquals(0, q.code(), q.toString());
        assertFalse(q.err().contains("level=DEBUG"), q.err());
    }

    @Test
    void everyIntegrityCheckModeRestoresAndSaysWhichRan() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        for (String mode : List.of("full", "quick", "none", "QUICK")) {
            Path out = dir.resolve("out-" + mode + ".db");
            Cli.Result r = Cli.exec(
                    dir, "restore", "-v", "-integrity-check", mode, "-o", out.toString(), url(dir.resolve("rep")));
            assertEquals(0, r.code(), r.toString());
            assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
            assertTrue(r.err().contains("integrity_check=" + mode.toLowerCase(java.util.Locale.ROOT) + " "), r.err());
        }
        Path dflt = dir.resolve("out-default.db");
        Cli.Result r = Cli.exec(dir, "restore", "-v", "-o", dflt.toString(), url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("integrity_check=full "), r.err());
        Path off = dir.resolve("out-off.db");
        Cli.Result old =
                Cli.exec(dir, "restore", "-v", "-no-integrity-check", "-o", off.toString(), url(dir.resolve("rep")));
        assertEquals(0, old.code(), old.toString());
        assertTrue(old.err().contains("integrity_check=none "), old.err());
    }

    /**
     * A replica whose only generation has WAL but no snapshot (deleted by hand or by a lifecycle rule) holds data
     * that cannot be restored: that is an error, also under -if-replica-exists, not "no backups" (which a boot
     * restore takes as "start empty", after which retention deletes the generation). Litestream fails too.
     */
    @Test
    void aGenerationWithWalButNoSnapshotIsAnErrorNotAnEmptyReplica() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path snapshots = dir.resolve("rep")
                .resolve("generations")
                .resolve(b.generation())
                .resolve("snapshots");
        dev.litestack.replicator.util.FileTrees.delete(snapshots);
        Path out = dir.resolve("out.db");
        for (String[] flags : new String[][] {{}, {"-if-replica-exists"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("restore"));
            args.addAll(List.of(flags));
            args.addAll(List.of("-o", out.toString(), url(dir.resolve("rep"))));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(1, r.code(), r.toString());
            assertEquals(
                    "error: cannot restore " + out + " from " + url(dir.resolve("rep")) + ": generation "
                            + b.generation() + " of replica file has WAL segments but no snapshot (deleted, or never"
                            + " copied?), and no other generation has one; restore a snapshot into it, or pick another"
                            + " backup with -generation" + NL,
                    r.err());
            assertFalse(Files.exists(out));
        }
    }

    /** Litestream's indexes end at 0x7FFFFFFF and it ignores names above: so do we, instead of failing on a gap. */
    @Test
    void objectsNamedPastTheLastIndexAreIgnored() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path gen = dir.resolve("rep").resolve("generations").resolve(b.generation());
        Files.writeString(gen.resolve("wal").resolve("ffffffff_00000000.wal.lz4"), "junk");
        Files.writeString(gen.resolve("wal").resolve("80000000_00000000.wal.lz4"), "junk");
        Files.writeString(gen.resolve("snapshots").resolve("80000000.snapshot.lz4"), "junk");
        Path out = dir.resolve("out.db");
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
    }

    /**
     * A commit frame that names a database far larger than its pages (a damaged replica, or one altered with the
     * checksums recomputed, which anyone who can write to the bucket can do) is refused: the file would be 400 MB
     * of holes that passes integrity_check (SQLite reads the size from page 1) and the next snapshot reads it all.
     */
    @Test
    void aCommitFrameNamingAHugeDatabaseIsRefused() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path wal = dir.resolve("rep")
                .resolve("generations")
                .resolve(b.generation())
                .resolve("wal");
        List<WalSegmentInfo> last =
                b.segments().stream().filter(s -> s.index() == b.lastIndex()).toList();
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        for (WalSegmentInfo s : last) {
            Path f = wal.resolve(dev.litestack.replicator.Pos.hex8(s.index()) + "_"
                    + dev.litestack.replicator.Pos.hex8(s.offset()) + ".wal.lz4");
            try (java.io.InputStream in = dev.litestack.replicator.util.Lz4.decompress(Files.newInputStream(f))) {
                in.transferTo(whole);
            }
            Files.delete(f);
        }
        byte[] bytes = whole.toByteArray();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(bytes);
        int frame = 24 + bb.getInt(8);
        int lastCommit = -1;
        for (int off = 32; off + frame <= bytes.length; off += frame) {
            if (bb.getInt(off + 4) != 0) {
                lastCommit = off;
            }
        }
        bb.putInt(lastCommit + 4, 100_000);
        bytes = dev.litestack.replicator.testing.SqliteWal.rechecksum(bytes, bb.getInt(0));
        try (java.io.OutputStream o = dev.litestack.replicator.util.Lz4.compress(Files.newOutputStream(
                wal.resolve(dev.litestack.replicator.Pos.hex8(b.lastIndex()) + "_00000000.wal.lz4")))) {
            o.write(bytes);
        }
        Path out = dir.resolve("out.db");
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(1, r.code(), r.toString());
        assertTrue(
                r.err().contains(b.generation() + ": restored database is malformed: its header says 3 pages, "),
                r.err());
        assertTrue(r.err().contains("the replica's last transaction left 100000 pages of 4096 bytes"), r.err());
        assertFalse(names().stream().anyMatch(n -> n.contains("out.db")), names().toString());
        // the same replica up to the index before restores
        Cli.Result before = Cli.run(
                "restore", "-index", String.valueOf(b.lastIndex() - 1), "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, before.code(), before.toString());
    }

    /** A restore that is skipped because the database is there (-if-db-not-exists) still removes a killed one's folder. */
    @Test
    void aSkippedRestoreStillRemovesAKilledOnesWorkFolder() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path out = dir.resolve("out.db");
        assertEquals(
                0,
                Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")))
                        .code());
        Path killed = Files.createDirectories(dir.resolve(".out.db.restore-0123456789ab"));
        Files.write(killed.resolve("lock"), new byte[0]);
        Files.writeString(killed.resolve("out.db.tmp"), "half a database");
        Cli.Result r = Cli.run("restore", "-if-db-not-exists", "-o", out.toString(), url(dir.resolve("rep")));
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(killed), names().toString());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
    }

    /**
     * A restore killed mid-way (SIGKILL; SIGTERM runs the JVM's exit hook, which removes it) leaves its work
     * folder beside the output; the next restore to that output removes it. One whose lock is held is left alone.
     */
    @Test
    void aWorkFolderLeftByAKilledRestoreIsRemovedByTheNextOne() throws Exception {
        EngineReplica.Built b = EngineReplica.build(dir.resolve("app.db"), dir.resolve("rep"), 2, 3);
        Path killed = Files.createDirectories(
                dir.resolve(".out.db.restore-0123456789ab").resolve("segments"));
        Files.writeString(killed.resolve("segment-1.lz4"), "left by a killed restore");
        Files.write(killed.resolveSibling("lock"), new byte[0]);
        Files.writeString(killed.resolveSibling("out.db.tmp"), "half a database");
        for (Path p : new Path[] {killed.resolve("segment-1.lz4"), killed, killed.getParent()}) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
        }
        Path held = Files.createDirectories(dir.resolve(".out.db.restore-ba9876543210"));
        Files.setLastModifiedTime(held, FileTime.from(Instant.now().minusSeconds(60)));
        Path out = dir.resolve("out.db");
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(
                        held.resolve("lock"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock l = lock.lock()) {
            Files.setLastModifiedTime(held, FileTime.from(Instant.now().minusSeconds(60)));
            Cli.Result r = Cli.run("restore", "-o", out.toString(), url(dir.resolve("rep")));
            assertEquals(0, r.code(), r.toString());
        }
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(out));
        assertFalse(Files.exists(killed.getParent()), names().toString());
        assertTrue(Files.exists(held.resolve("lock")), "a restore running in this process keeps its folder");
    }
}
