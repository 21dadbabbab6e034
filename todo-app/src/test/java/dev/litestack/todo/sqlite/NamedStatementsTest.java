package dev.litestack.todo.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamedStatementsTest {

    @Test
    void parsesNamedStatementsAndDropsCommentsAndSemicolons() {
        NamedStatements s = NamedStatements.parse("t.sql", """
                -- header comment
                -- name: one
                -- what it does
                SELECT 1;

                -- name: two
                UPDATE t
                   SET a = ?1;
                """);
        assertEquals("SELECT 1", s.get("one"));
        assertEquals("UPDATE t\nSET a = ?1", s.get("two"));
    }

    @Test
    void rejectsDuplicatesEmptyStatementsAndUnknownNames() {
        assertThrows(
                SqliteStoreException.class,
                () -> NamedStatements.parse("t.sql", "-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;"));
        assertThrows(
                SqliteStoreException.class, () -> NamedStatements.parse("t.sql", "-- name: a\n-- name: b\nSELECT 1;"));
        SqliteStoreException e = assertThrows(
                SqliteStoreException.class,
                () -> NamedStatements.parse("t.sql", "-- name: a\nSELECT 1;").get("b"));
        assertTrue(e.getMessage().contains("no statement named 'b' in t.sql"), e.getMessage());
    }

    @Test
    void everyShippedStatementFileParses() {
        for (String concern : List.of("data", "queue", "cache", "cable")) {
            assertTrue(NamedStatements.load("sql/" + concern + ".sql").all().size() > 3, concern);
        }
    }

    @Test
    void migrationScriptsSplitOnLineEndingSemicolons() {
        assertEquals(
                List.of("CREATE TABLE a (x);", "CREATE INDEX i\nON a (x);"),
                Migrator.split("-- c\nCREATE TABLE a (x);\n\nCREATE INDEX i\nON a (x);\n"));
    }
}
