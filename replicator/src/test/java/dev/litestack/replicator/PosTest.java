package dev.litestack.replicator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PosTest {

    private static final String GEN = "09d2444453df6f53";

    @Test
    void textFormIsLitestreams() {
        assertEquals("09d2444453df6f53/00000000:16512", new Pos(GEN, 0, 16512).toString());
        assertEquals("09d2444453df6f53/0000001f:0", Pos.start(GEN, 31).toString());
        assertEquals("/00000000:0", new Pos(null, 0, 0).toString());
    }

    @Test
    void comparesInGeneration() {
        Pos a = new Pos(GEN, 0, 16512);
        assertEquals(0, a.compareInGeneration(new Pos(GEN, 0, 16512)));
        assertTrue(a.compareInGeneration(new Pos(GEN, 0, 20632)) < 0);
        assertTrue(a.compareInGeneration(new Pos(GEN, 0, 32)) > 0);
        assertTrue(a.compareInGeneration(Pos.start(GEN, 1)) < 0, "any offset of index 0 is before index 1");
        assertTrue(new Pos(GEN, 2, 0).compareInGeneration(new Pos(GEN, 1, 1L << 31)) > 0);
    }

    @Test
    void helpers() {
        Pos p = Pos.start(GEN, 3);
        assertEquals(new Pos(GEN, 3, 0), p);
        assertEquals(new Pos(GEN, 3, 4152), p.withOffset(4152));
        assertFalse(p.isZero());
        assertTrue(new Pos(null, 0, 0).isZero());
        assertTrue(new Pos("", 0, 0).isZero());
    }

    @Test
    void rejectsNegativeFields() {
        assertThrows(IllegalArgumentException.class, () -> new Pos(GEN, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pos(GEN, 0, -1));
    }
}
