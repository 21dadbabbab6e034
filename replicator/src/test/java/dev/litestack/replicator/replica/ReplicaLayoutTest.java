package dev.litestack.replicator.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicaLayoutTest {

    private static final String GEN = "09d2444453df6f53";

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 0x4080, 0x7FFFFFFFL})
    void snapshotNamesRoundTrip(long index) {
        String name = ReplicaLayout.snapshotName(index);
        assertEquals(String.format("%08x.snapshot.lz4", index), name);
        assertEquals(OptionalLong.of(index), ReplicaLayout.parseSnapshotName(name));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 0x4080, 0x7FFFFFFFL})
    void walSegmentNamesRoundTrip(long v) {
        String name = ReplicaLayout.walSegmentName(v, 0x4080);
        assertEquals(String.format("%08x_00004080.wal.lz4", v), name);
        assertEquals(Optional.of(new ReplicaLayout.SegmentName(v, 0x4080)), ReplicaLayout.parseWalSegmentName(name));
        String name2 = ReplicaLayout.walSegmentName(1, v);
        assertEquals(Optional.of(new ReplicaLayout.SegmentName(1, v)), ReplicaLayout.parseWalSegmentName(name2));
        assertEquals(
                Optional.of(new ReplicaLayout.SegmentName(v, 0xFFFFFFFFL)),
                ReplicaLayout.parseWalSegmentName(ReplicaLayout.walSegmentName(v, 0xFFFFFFFFL)));
    }

    /** Indexes end at 0x7FFFFFFF (Litestream starts a new generation there): a name above is not one of ours. */
    @ParameterizedTest
    @ValueSource(strings = {"80000000.snapshot.lz4", "ffffffff.snapshot.lz4"})
    void snapshotNamesPastTheLastIndexAreNotNames(String name) {
        assertEquals(OptionalLong.empty(), ReplicaLayout.parseSnapshotName(name));
        assertEquals(Optional.empty(), ReplicaLayout.parseWalSegmentName(name.substring(0, 8) + "_00000000.wal.lz4"));
    }

    @Test
    void namesMatchWhatLitestreamWrote() {
        assertEquals("00000000_00004080.wal.lz4", ReplicaLayout.walSegmentName(0, 16512));
        assertEquals("00000001_00003068.wal.lz4", ReplicaLayout.walSegmentName(1, 12392));
        assertEquals("00000000.snapshot.lz4", ReplicaLayout.snapshotName(0));
        assertEquals("ffffffff_ffffffff.wal.lz4", ReplicaLayout.walSegmentName(0xFFFFFFFFL, 0xFFFFFFFFL));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0000000A.snapshot.lz4",
                "0000000.snapshot.lz4",
                "000000000.snapshot.lz4",
                "00000000.snapshot.lz4.tmp",
                "00000000.snapshot",
                "00000000.SNAPSHOT.LZ4",
                "x0000000.snapshot.lz4",
                " 00000000.snapshot.lz4",
                "00000000_00000000.wal.lz4",
                ""
            })
    void rejectsWrongSnapshotNames(String name) {
        assertTrue(ReplicaLayout.parseSnapshotName(name).isEmpty(), name);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0000000A_00000000.wal.lz4",
                "00000000_0000408A.wal.lz4",
                "0000000_00000000.wal.lz4",
                "000000000_00000000.wal.lz4",
                "00000000_0000000.wal.lz4",
                "00000000_000000000.wal.lz4",
                "00000000_00000000.wal.lz4.tmp",
                "00000000_00000000.wal",
                "00000000-00000000.wal.lz4",
                "00000000.snapshot.lz4",
                "00000000_00000000.WAL.LZ4"
            })
    void rejectsWrongSegmentNames(String name) {
        assertTrue(ReplicaLayout.parseWalSegmentName(name).isEmpty(), name);
    }

    @Test
    void hex8FormatsAndRejectsOutOfRange() {
        assertEquals("00000000", Pos.hex8(0));
        assertEquals("00004080", Pos.hex8(16512));
        assertEquals("ffffffff", Pos.hex8(Pos.MAX_FIELD));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pos.hex8(-1));
        assertEquals("value does not fit 8 hex digits: -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pos.hex8(0x1_0000_0000L));
        assertThrows(
                IllegalArgumentException.class,
                () -> ReplicaLayout.walSegmentName(0, 0x1_0000_0000L),
                "an offset of 4 GiB would need 9 digits, which listings ignore");
        assertThrows(IllegalArgumentException.class, () -> ReplicaLayout.snapshotName(-5));
    }

    @Test
    void generationNames() {
        assertTrue(Pos.isGeneration(GEN));
        assertTrue(Pos.isGeneration("0123456789abcdef"));
        for (String bad : new String[] {
            "09D2444453DF6F53", "09d2444453df6f5", "09d2444453df6f530", "09d2444453df6f5g", "", "../../etc/passwd"
        }) {
            assertFalse(Pos.isGeneration(bad), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pos.requireGeneration(bad));
            assertEquals("invalid generation name (want 16 lowercase hex characters): " + bad, e.getMessage());
        }
        assertFalse(Pos.isGeneration(null));
        assertEquals(GEN, Pos.requireGeneration(GEN));
    }

    @Test
    void keys() {
        assertEquals("generations/" + GEN, ReplicaLayout.generationKey(GEN));
        assertEquals("generations/" + GEN + "/snapshots/00000000.snapshot.lz4", ReplicaLayout.snapshotKey(GEN, 0));
        assertEquals(
                "generations/" + GEN + "/wal/00000000_00004080.wal.lz4", ReplicaLayout.walSegmentKey(GEN, 0, 16512));
        assertThrows(IllegalArgumentException.class, () -> ReplicaLayout.walSegmentKey("../x", 0, 0));
    }
}
