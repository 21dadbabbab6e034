package dev.litestack.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.EngineReplica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generations, snapshots and wal: table and -json output, and the same rows as Litestream's own listing. */
@Tag("integration")
class ListingCommandsTest {

    @TempDir
    static Path dir;

    private static Path rep;
    private static String url;
    private static List<EngineReplica.Built> gens = new ArrayList<>();

    @BeforeAll
    static void replica() throws Exception {
        rep = dir.resolve("rep");
        url = rep.toUri().toString();
        gens.add(EngineReplica.build(dir.resolve("a.db"), rep, 1, 2));
        gens.add(EngineReplica.build(dir.resolve("b.db"), rep, 3, 3));
    }

    /** Rows of a tab-aligned table (header first), split on runs of two or more spaces. */
    private static List<List<String>> rows(String table) {
        List<List<String>> out = new ArrayList<>();
        for (String line : table.split("\\R")) {
            if (!line.isBlank()) {
                out.add(Arrays.asList(line.strip().split(" {2,}")));
            }
        }
        return out;
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static List<WalSegmentInfo> allSegments() throws Exception {
        FileReplicaClient c = new FileReplicaClient(rep);
        List<WalSegmentInfo> out = new ArrayList<>();
        for (String g : c.generations()) {
            out.addAll(c.walSegments(g));
        }
        return out;
    }

    @Test
    void walTableAndJson() throws Exception {
        Cli.Result r = Cli.run("wal", url);
        assertEquals(0, r.code(), r.toString());
        List<List<String>> rows = rows(r.out());
        assertEquals(List.of("replica", "generation", "index", "offset", "size", "created"), rows.get(0));
        List<WalSegmentInfo> segs = allSegments();
        assertEquals(segs.size(), rows.size() - 1);
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < segs.size(); i++) {
            WalSegmentInfo s = segs.get(i);
            assertEquals(
                    List.of(
                            "file",
                            s.generation(),
                            Long.toString(s.index()),
                            Long.toString(s.offset()),
                            Long.toString(s.size()),
                            time(s.createdAt())),
                    rows.get(i + 1),
                    "decimal index and offset");
            json.append(i > 0 ? "," : "")
                    .append("{\"replica\":\"file\",\"generation\":\"")
                    .append(s.generation())
                    .append("\",\"index\":")
                    .append(s.index())
                    .append(",\"offset\":")
                    .append(s.offset())
                    .append(",\"size\":")
                    .append(s.size())
                    .append(",\"created\":\"")
                    .append(time(s.createdAt()))
                    .append("\"}");
        }
        Cli.Result j = Cli.run("wal", "-json", url);
        assertEquals(0, j.code());
        assertEquals(json.append("]").toString(), j.out().strip());
        String g = gens.get(0).generation();
        List<List<String>> one = rows(Cli.run("wal", "-generation", g, url).out());
        assertEquals(gens.get(0).segments().size(), one.size() - 1);
        assertTrue(one.stream().skip(1).allMatch(row -> row.get(1).equals(g)));
    }

    @Test
    void snapshotsTableAndJson() throws Exception {
        FileReplicaClient c = new FileReplicaClient(rep);
        List<SnapshotInfo> snaps = new ArrayList<>();
        for (String g : c.generations()) {
            snaps.addAll(c.snapshots(g));
        }
        assertEquals(2, snaps.size());
        List<List<String>> rows = rows(Cli.run("snapshots", url).out());
        assertEquals(List.of("replica", "generation", "index", "size", "created"), rows.get(0));
        for (int i = 0; i < snaps.size(); i++) {
            SnapshotInfo s = snaps.get(i);
            assertEquals(
                    List.of(
                            "file",
                            s.generation(),
                            Long.toString(s.index()),
                            Long.toString(s.size()),
                            time(s.createdAt())),
                    rows.get(i + 1));
        }
        String j = Cli.run("snapshots", "-json", url).out().strip();
        assertTrue(
                j.startsWith("[{\"replica\":\"file\",\"generation\":\""
                        + snaps.get(0).generation() + "\",\"index\":"),
                j);
        assertEquals(2, j.split("\\{").length - 1);
    }

    @Test
    void generationsTableAndJson() throws Exception {
        List<List<String>> rows = rows(Cli.run("generations", url).out());
        assertEquals(List.of("name", "generation", "lag", "start", "end"), rows.get(0));
        assertEquals(3, rows.size());
        for (List<String> row : rows.subList(1, rows.size())) {
            assertEquals("file", row.get(0));
            assertTrue(row.get(2).matches("[0-9.]+(ms|s|m|h)([0-9.]+(ms|s))*"), "Go duration: " + row.get(2));
        }
        String j = Cli.run("generations", "-json", url).out().strip();
        assertTrue(j.contains("\"generation\":\"" + gens.get(1).generation() + "\",\"lag\":\""), j);
    }

    /**
     * With a config, lag is measured from the database's last change; a database that is gone (when an operator looks
     * for what backups exist) used to give 1970 minus the generation's end, a lag of about -56 years.
     */
    @Test
    void theLagOfADatabaseThatIsGoneIsCountedFromNow() throws Exception {
        Path gone = dir.resolve("gone.db");
        Path cfg = dir.resolve("gone.yml");
        Files.writeString(cfg, "dbs:\n  - path: " + gone + "\n    replicas:\n      - path: " + rep + "\n");
        Cli.Result r = Cli.run("generations", "-config", cfg.toString(), gone.toString());
        assertEquals(0, r.code(), r.toString());
        List<List<String>> rows = rows(r.out());
        assertEquals(3, rows.size(), r.out());
        for (List<String> row : rows.subList(1, rows.size())) {
            assertTrue(row.get(2).matches("[0-9.]+(ms|s|m|h)([0-9.]+(ms|s))*"), "lag: " + row.get(2));
        }
    }

    @Test
    void anEmptyReplicaPrintsOnlyTheHeader() throws Exception {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        Cli.Result r = Cli.run("generations", empty.toUri().toString());
        assertEquals(0, r.code());
        assertEquals(List.of(List.of("name", "generation", "lag", "start", "end")), rows(r.out()));
        assertEquals(
                "[]", Cli.run("wal", "-json", empty.toUri().toString()).out().strip());
    }

    @Test
    void aReplicaThatCannotBeReadFailsTheListing() throws Exception {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        // a symlink loop: reading the folder fails (ELOOP), as a permission error would for a user
        Files.createSymbolicLink(broken.resolve("generations"), broken.resolve("generations"));
        for (String cmd : List.of("generations", "snapshots", "wal")) {
            Cli.Result r = Cli.run(cmd, broken.toUri().toString());
            assertEquals(1, r.code(), cmd + ": " + r);
            assertEquals(1, rows(r.out()).size(), cmd + ": only the header: " + r.out());
        }
    }

    @Test
    void walRefusesAGenerationThatIsNotOne() {
        Cli.Result r = Cli.run("wal", "-generation", "zz", url);
        assertEquals(2, r.code(), r.toString());
        assertEquals(
                "error: invalid -generation zz: want 16 lowercase hex characters" + System.lineSeparator(), r.err());
    }

    // ---- the real Litestream binary as the oracle ----

    private static List<List<String>> litestream(String... args) throws Exception {
        Path bin = Path.of(System.getProperty("litestream.bin", "litestream-binary-not-configured"));
        assertTrue(Files.isExecutable(bin), "Litestream binary not installed at " + bin + " (bin/test installs it)");
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        return rows(out);
    }

    @Test
    void walMatchesLitestream() throws Exception {
        assertEquals(litestream("wal", url), rows(Cli.run("wal", url).out()));
        String g = gens.get(1).generation();
        assertEquals(
                litestream("wal", "-generation", g, url),
                rows(Cli.run("wal", "-generation", g, url).out()));
    }

    @Test
    void snapshotsMatchLitestream() throws Exception {
        assertEquals(
                litestream("snapshots", url), rows(Cli.run("snapshots", url).out()));
    }

    @Test
    void generationsMatchLitestreamExceptLag() throws Exception {
        List<List<String>> theirs = litestream("generations", url);
        List<List<String>> ours = rows(Cli.run("generations", url).out());
        assertEquals(theirs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            List<String> a = new ArrayList<>(theirs.get(i));
            List<String> b = new ArrayList<>(ours.get(i));
            if (i > 0) {
                a.remove(2);
                b.remove(2);
            }
            assertEquals(a, b, "row " + i);
        }
    }
}
