package dev.litestack.replicator.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class IntegrityCheckTest {

    @Test
    void parsesTheThreeModesInAnyCase() {
        assertEquals(IntegrityCheck.NONE, IntegrityCheck.parse("none"));
        assertEquals(IntegrityCheck.QUICK, IntegrityCheck.parse("Quick"));
        assertEquals(IntegrityCheck.FULL, IntegrityCheck.parse("FULL"));
    }

    @Test
    void anythingElseIsNoMode() {
        assertNull(IntegrityCheck.parse("fast"));
        assertNull(IntegrityCheck.parse(""));
        assertNull(IntegrityCheck.parse(null));
        assertNull(IntegrityCheck.parse("integrity_check"));
    }

    @Test
    void eachModeNamesItsPragmaAndFlagValue() {
        assertNull(IntegrityCheck.NONE.pragma());
        assertEquals("quick_check", IntegrityCheck.QUICK.pragma());
        assertEquals("integrity_check", IntegrityCheck.FULL.pragma());
        assertEquals("quick", IntegrityCheck.QUICK.flagValue());
    }
}
