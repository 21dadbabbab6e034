package dev.litestack.replicator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigEnvExpansionTest {

    private static final Map<String, String> ENV = Map.of("FOO", "bar", "A_1", "x", "1", "one", "$", "dollar");

    @TempDir
    Path dir;

    /** Expected values follow Go's os.Expand; an empty CSV cell is "". */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/tmp/a-${FOO}-$FOO-$$-$%-${UNSET_VAR}-end.db | /tmp/a-bar-bar-dollar-$%--end.db",
                "$FOO | bar",
                "${FOO} | bar",
                "$FOOBAR | ''",
                "${FOO}BAR | barBAR",
                "$FOO.db | bar.db",
                "$A_1/x | x/x",
                "$1a | onea",
                "${1} | one",
                "a$ | a$",
                "$ | $",
                "$% | $%",
                "$/x | $/x",
                "${} | ''",
                "a${}b | ab",
                "a${FOO | aFOO",
                "${FOO:-default} | ''",
                "$-x | x",
                "no dollars | no dollars",
                "€$FOO€ | €bar€",
            })
    void expandsLikeGo(String text, String want) {
        assertEquals(want, EnvExpander.expand(text, ENV));
    }

    @Test
    void specExampleInAFile() throws Exception {
        Path file = dir.resolve("ls.yml");
        Files.writeString(file, "dbs:\n  - path: /tmp/a-${FOO}-$FOO-$$-$%-${UNSET_VAR}-end.db\n");
        Config c = ConfigLoader.load(file, true, Map.of("FOO", "bar"));
        assertEquals(Path.of("/tmp/a-bar-bar--$%--end.db"), c.dbs().get(0).path());
    }

    @Test
    void noExpandEnvKeepsTheTextAsWritten() throws Exception {
        Path file = dir.resolve("ls.yml");
        Files.writeString(file, "dbs:\n  - path: ${LSEXP2}/db2.db\n    replicas:\n      - path: $LSEXP2/r\n");
        Map<String, String> env = Map.of("LSEXP2", "/tmp/lsexp2");
        Config c = ConfigLoader.parse(Files.readString(file), file, false, env, Path.of("/tmp/lsexp2"));
        assertEquals(Path.of("/tmp/lsexp2/${LSEXP2}/db2.db"), c.dbs().get(0).path());
        assertEquals(
                Path.of("/tmp/lsexp2/$LSEXP2/r"),
                c.dbs().get(0).replicas().get(0).path());
        Config expanded = ConfigLoader.load(file, true, env);
        assertEquals(Path.of("/tmp/lsexp2/db2.db"), expanded.dbs().get(0).path());
    }

    @Test
    void expansionRunsBeforeYamlSoValuesCanBreakIt() throws Exception {
        Path file = dir.resolve("ls.yml");
        Files.writeString(file, "addr: $ADDR\ndbs:\n  - path: /a.db\n    replicas:\n      - url: $URL\n");
        Config c = ConfigLoader.load(file, true, Map.of("ADDR", ":9090", "URL", "s3://bkt/p"));
        assertEquals(":9090", c.addr());
        assertEquals("bkt", c.dbs().get(0).replicas().get(0).bucket());
        ConfigException e = assertThrows(
                ConfigException.class, () -> ConfigLoader.load(file, true, Map.of("ADDR", "[oops", "URL", "s3://b")));
        assertTrue(e.getMessage().startsWith("config file " + file + ": invalid YAML at line "), e.getMessage());
    }

    @Test
    void unsetVariableEmptiesTheValue() throws Exception {
        Path file = dir.resolve("ls.yml");
        Files.writeString(file, "dbs:\n  - path: $UNSET\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, true, Map.of()));
        assertEquals("dbs[0].path: required (the database file)", e.getMessage());
    }

    @Test
    void aTextOfManyDollarsAndUnclosedBracesExpandsInOnePass() {
        // each $ or ${ used to copy (or scan) the rest of the text: 1 MB took half a minute
        String text = "$A${".repeat(500_000);
        String out = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(20), () -> EnvExpander.expand(text, Map.of("A", "x")));
        assertEquals("x".repeat(500_000), out, "an unclosed ${ is dropped, as Go does");
    }
}
