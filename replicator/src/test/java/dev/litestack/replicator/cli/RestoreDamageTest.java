package dev.litestack.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.EngineReplica;
import dev.litestack.replicator.util.Lz4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged replica fails the restore with a message naming the object, and leaves nothing behind. */
@Tag("integration")
class RestoreDamageTest {

    @TempDir
    Path dir;

    private Path rep;
    private Path out;
    private EngineReplica.Built built;

    @BeforeEach
    void replica() throws Exception {
        rep = dir.resolve("rep");
        out = dir.resolve("restore").resolve("out.db");
        Files.createDirectories(out.getParent());
        built = EngineReplica.build(dir.resolve("app.db"), rep, 3, 4);
    }

    private Path segment(WalSegmentInfo s) {
        return rep.resolve("generations")
                .resolve(built.generation())
                .resolve("wal")
                .resolve(String.format("%08x_%08x.wal.lz4", s.index(), s.offset()));
    }

    /** A segment of index 2 that is neither the first nor the last of its index. */
    private WalSegmentInfo middleOfIndex2() {
        List<WalSegmentInfo> idx2 =
                built.segments().stream().filter(s -> s.index() == 2).toList();
        assertTrue(idx2.size() >= 3, idx2.toString());
        return idx2.get(1);
    }

    private Cli.Result restoreFails() throws Exception {
        return restoreFails(rep);
    }

    private Cli.Result restoreFails(Path replica, String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("restore", "-o", out.toString()));
        args.addAll(List.of(flags));
        args.add(replica.toUri().toString());
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertNotEquals(0, r.code(), r.toString());
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(
                    List.of(),
                    s.map(Path::getFileName).map(Path::toString).toList(),
                    "no output and no temp files after a failed restore");
        }
        return r;
    }

    @Test
    void corruptedCompressedBytes() throws Exception {
        WalSegmentInfo s = middleOfIndex2();
        byte[] b = Files.readAllBytes(segment(s));
        for (int i = 12; i < b.length - 8; i += 7) {
            b[i] ^= 0x5a;
        }
        Files.write(segment(s), b);
        Cli.Result r = restoreFails();
        assertTrue(
                r.err()
                        .startsWith("error: cannot restore " + out + " from " + rep.toUri() + ", generation "
                                + built.generation() + ": cannot decompress wal segment "),
                r.err());
        assertTrue(r.err().contains(segment(s).getFileName().toString()), "names the object: " + r.err());
    }

    @Test
    void corruptedContentChecksum() throws Exception {
        WalSegmentInfo s = middleOfIndex2();
        byte[] b = Files.readAllBytes(segment(s));
        b[b.length - 1] ^= 0x01;
        Files.write(segment(s), b);
        Cli.Result r = restoreFails();
        assertTrue(r.err().contains("cannot decompress wal segment"), r.err());
        assertTrue(
                r.err()
                        .contains("generations/" + built.generation() + "/wal/"
                                + segment(s).getFileName()),
                r.err());
    }

    @Test
    void validLz4WithADamagedFrame() throws Exception {
        // re-encode the segment with one flipped page byte: the LZ4 frame is fine, the WAL checksum chain is not
        WalSegmentInfo s = middleOfIndex2();
        byte[] raw;
        try (var in = dev.litestack.replicator.util.Lz4.decompress(Files.newInputStream(segment(s)))) {
            raw = in.readAllBytes();
        }
        raw[24 + 200] ^= 0x01;
        try (var os = dev.litestack.replicator.util.Lz4.compress(Files.newOutputStream(segment(s)))) {
            os.write(raw);
        }
        Cli.Result r = restoreFails();
        assertTrue(r.err().contains("fails its salt or checksum check"), r.err());
        assertTrue(r.err().contains(segment(s).getFileName().toString()), r.err());
    }

    @Test
    void deletedMiddleSegment() throws Exception {
        WalSegmentInfo s = middleOfIndex2();
        Files.delete(segment(s));
        Cli.Result r = restoreFails();
        assertTrue(r.err().contains("(a segment is missing)"), r.err());
        assertTrue(r.err().contains("starts at offset"), r.err());
        assertTrue(r.err().contains("previous segments end at " + s.offset()), "names the gap: " + r.err());
    }

    @Test
    void deletedFirstSegmentOfAnIndex() throws Exception {
        WalSegmentInfo first = built.segments().stream()
                .filter(s -> s.index() == 2 && s.offset() == 0)
                .findFirst()
                .orElseThrow();
        Files.delete(segment(first));
        Cli.Result r = restoreFails();
        assertTrue(
                r.err()
                        .startsWith("error: cannot restore " + out + " from " + rep.toUri()
                                + ": missing initial wal segment: generation="
                                + built.generation() + " index=00000002 offset="),
                r.err());
    }

    @Test
    void deletedWholeIndex() throws Exception {
        for (WalSegmentInfo s : built.segments()) {
            if (s.index() == 2) {
                Files.delete(segment(s));
            }
        }
        Cli.Result r = restoreFails();
        assertEquals(
                "error: cannot restore " + out + " from " + rep.toUri() + ": missing WAL index: " + built.generation()
                        + "/00000002"
                        + System.lineSeparator(),
                r.err());
    }

    @Test
    void truncatedSegmentObject() throws Exception {
        WalSegmentInfo s = middleOfIndex2();
        byte[] b = Files.readAllBytes(segment(s));
        Files.write(segment(s), java.util.Arrays.copyOf(b, b.length / 2));
        Cli.Result r = restoreFails();
        assertTrue(r.err().contains(segment(s).getFileName().toString()), r.err());
    }

    /**
     * A snapshot whose LZ4 frame and WAL are intact but whose database is not (a b-tree page claims
     * 65535 cells): only the integrity check can notice, and both the full and the quick one do;
     * with -integrity-check none the damaged file is restored as it is.
     */
    @Test
    void aDamagedSnapshotFailsTheFullAndQuickChecks() throws Exception {
        Path db = dir.resolve("big.db");
        try (AppDb app = new AppDb(db)) {
            // rows below the ids EngineReplica adds, so its WAL never rewrites the first leaves
            app.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                    + "INSERT INTO t (id, v) SELECT i - 2001, printf('row-%d-%.*c', i, i % 300, 'x') FROM n");
        }
        Path bigRep = dir.resolve("big-rep");
        EngineReplica.build(db, bigRep, 1, 2);
        Path snapshot;
        try (Stream<Path> s = Files.walk(bigRep)) {
            snapshot = s.filter(p -> p.toString().endsWith(".snapshot.lz4"))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] raw;
        try (var in = Lz4.decompress(Files.newInputStream(snapshot))) {
            raw = in.readAllBytes();
        }
        int pageSize = ((raw[16] & 0xff) << 8) | (raw[17] & 0xff);
        int page3 = 2 * pageSize;
        assertEquals(0x0d, raw[page3], "page 3 is a table leaf");
        raw[page3 + 3] = (byte) 0xff;
        raw[page3 + 4] = (byte) 0xff;
        try (var os = Lz4.compress(Files.newOutputStream(snapshot))) {
            os.write(raw);
        }
        Cli.Result full = restoreFails(bigRep);
        assertTrue(full.err().contains("restored database fails integrity_check: "), full.err());
        Cli.Result quick = restoreFails(bigRep, "-integrity-check", "quick");
        assertTrue(quick.err().contains("restored database fails quick_check: "), quick.err());
        Cli.Result none = Cli.run(
                "restore",
                "-integrity-check",
                "none",
                "-o",
                out.toString(),
                bigRep.toUri().toString());
        assertEquals(0, none.code(), none.toString());
        assertTrue(Files.exists(out));
    }
}
