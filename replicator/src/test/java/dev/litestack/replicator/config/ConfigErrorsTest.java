package dev.litestack.replicator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rejected config gives exactly one message naming the key path. */
class ConfigErrorsTest {

    private static final String DB = "dbs:\n  - path: /a.db\n";
    private static final String REPLICA = DB + "    replicas:\n      - ";
    private static final String HINT = "(use values like 500ms, 10s, 1h30m)";

    @TempDir
    Path dir;

    private ConfigException error(String yaml) throws Exception {
        Path file = dir.resolve("litestream.yml");
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, true, Map.of()));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // unknown keys below the top level, with a suggestion when one is close
                Arguments.of("logging:\n  levl: info\n", "logging.levl: unknown key (did you mean \"level\"?)"),
                Arguments.of(DB + "    pathh: x\n", "dbs[0].pathh: unknown key (did you mean \"path\"?)"),
                Arguments.of(
                        REPLICA + "path: /r\n        sync-intervl: 1s\n",
                        "dbs[0].replicas[0].sync-intervl: unknown key (did you mean \"sync-interval\"?)"),
                Arguments.of(
                        REPLICA + "path: /r\n        access_key_id: x\n",
                        "dbs[0].replicas[0].access_key_id: unknown key (did you mean \"access-key-id\"?)"),
                Arguments.of(DB + "    path: /b.db\n", "dbs[0].path: key appears twice"),
                // durations
                Arguments.of(
                        REPLICA + "path: /r\n      - name: two\n        path: /r2\n        sync-interval: 5x\n",
                        "dbs[0].replicas[1].sync-interval: invalid duration \"5x\" " + HINT),
                Arguments.of(DB + "    monitor-interval: 5\n", "dbs[0].monitor-interval: number 5 has no unit " + HINT),
                Arguments.of(
                        DB + "    checkpoint-interval: 1.5\n",
                        "dbs[0].checkpoint-interval: invalid duration \"1.5\" " + HINT),
                Arguments.of(
                        DB + "    checkpoint-interval: 1d\n",
                        "dbs[0].checkpoint-interval: invalid duration \"1d\" " + HINT),
                Arguments.of(
                        DB + "    monitor-interval: {s: 1}\n",
                        "dbs[0].monitor-interval: expected a duration such as 10s, got a map"),
                Arguments.of(
                        DB + "    monitor-interval: -1s\n",
                        "dbs[0].monitor-interval: must not be negative (got -1s; use 0 to turn it off)"),
                Arguments.of(
                        REPLICA + "path: /r\n        sync-interval: 0\n",
                        "dbs[0].replicas[0].sync-interval: must be greater than 0 (got 0s)"),
                Arguments.of(
                        REPLICA + "path: /r\n        retention-check-interval: 0s\n",
                        "dbs[0].replicas[0].retention-check-interval: must be greater than 0 (got 0s)"),
                Arguments.of(
                        REPLICA + "path: /r\n        snapshot-interval: -1m\n",
                        "dbs[0].replicas[0].snapshot-interval: must not be negative (got -1m0s; use 0 to turn it off)"),
                Arguments.of(
                        REPLICA + "path: /r\n        validation-interval: -1s\n",
                        "dbs[0].replicas[0].validation-interval: must not be negative (got -1s; use 0 to turn it off)"),
                Arguments.of("lease:\n  duration: 500ms\n", "lease.duration: must be at least 1s (got 500ms)"),
                Arguments.of(
                        "lease:\n  on-conflict: fail\n",
                        "lease.on-conflict: unknown value \"fail\" (want wait or exit)"),
                Arguments.of("lease:\n  enable: false\n", "lease.enable: unknown key (did you mean \"enabled\"?)"),
                Arguments.of("shutdown-timeout: soon\n", "shutdown-timeout: invalid duration \"soon\" " + HINT),
                Arguments.of("shutdown-timeout: 0s\n", "shutdown-timeout: must be greater than 0 (got 0s)"),
                Arguments.of("health-max-sync-age: 10\n", "health-max-sync-age: number 10 has no unit " + HINT),
                // wrong types
                Arguments.of("- a\n", "config: expected a map of keys, got a list"),
                Arguments.of("dbs:\n  path: /a.db\n", "dbs: expected a list, got a map"),
                Arguments.of("dbs:\n  -\n", "dbs[0]: expected a map of keys, got nothing"),
                Arguments.of("dbs: [/a.db]\n", "dbs[0]: expected a map of keys, got the string \"/a.db\""),
                Arguments.of(DB + "    replicas: /r\n", "dbs[0].replicas: expected a list, got the string \"/r\""),
                Arguments.of(
                        REPLICA + "/backups\n",
                        "dbs[0].replicas[0]: expected a map of keys, got the string \"/backups\""),
                Arguments.of("logging: [debug]\n", "logging: expected a map of keys, got a list"),
                Arguments.of("exec: [a, b]\n", "exec: expected a string, got a list"),
                Arguments.of("dbs:\n  - path: [a]\n", "dbs[0].path: expected a string, got a list"),
                Arguments.of(
                        DB + "    min-checkpoint-page-count: \"1000\"\n",
                        "dbs[0].min-checkpoint-page-count: expected a whole number, got the string \"1000\""),
                Arguments.of(
                        DB + "    min-checkpoint-page-count: 1000.5\n",
                        "dbs[0].min-checkpoint-page-count: expected a whole number, got the number 1000.5"),
                Arguments.of(
                        DB + "    max-checkpoint-page-count: 99999999999\n",
                        "dbs[0].max-checkpoint-page-count: number 99999999999 is out of range"),
                Arguments.of(
                        DB + "    restore-if-db-not-exists: \"true\"\n",
                        "dbs[0].restore-if-db-not-exists: expected true or false, got the string \"true\""),
                Arguments.of("logging:\n  stderr: 1\n", "logging.stderr: expected true or false, got the number 1"),
                // databases
                Arguments.of("dbs:\n  - meta-path: /m\n", "dbs[0].path: required (the database file)"),
                Arguments.of("dbs:\n  - path: \"\"\n", "dbs[0].path: required (the database file)"),
                Arguments.of(
                        DB + "  - path: /x/../a.db\n",
                        "dbs[1].path: database /a.db is listed twice (also dbs[0].path)"),
                Arguments.of(
                        DB + "    min-checkpoint-page-count: 0\n",
                        "dbs[0].min-checkpoint-page-count: must be greater than 0 (got 0)"),
                Arguments.of(
                        DB + "    min-checkpoint-page-count: -5\n",
                        "dbs[0].min-checkpoint-page-count: must be greater than 0 (got -5)"),
                Arguments.of(
                        DB + "    max-checkpoint-page-count: -1\n",
                        "dbs[0].max-checkpoint-page-count: must not be negative (got -1; use 0 to turn it off)"),
                // replicas
                Arguments.of(
                        REPLICA + "path: /r1\n      - path: /r2\n",
                        "dbs[0].replicas[1].name: duplicate replica name \"file\" (also dbs[0].replicas[0]); "
                                + "give each replica of a database its own name"),
                Arguments.of(
                        REPLICA + "name: x\n        path: /r1\n      - url: s3://b/p\n        name: x\n",
                        "dbs[0].replicas[1].name: duplicate replica name \"x\" (also dbs[0].replicas[0]); "
                                + "give each replica of a database its own name"),
                // one replica location, two writers: each database's generations would land in the other's
                Arguments.of(
                        REPLICA + "path: /r\n  - path: /b.db\n    replicas:\n      - url: file:///r/\n",
                        "dbs[1].replicas[0]: replica location file:///r is also used by dbs[0].replicas[0]; each "
                                + "replica needs a location of its own (two databases in one place would restore as "
                                + "each other)"),
                Arguments.of(
                        REPLICA + "url: s3://bkt/app\n  - path: /b.db\n    replicas:\n      - type: s3\n"
                                + "        bucket: bkt\n        path: /app/\n",
                        "dbs[1].replicas[0]: replica location s3://bkt/app is also used by dbs[0].replicas[0]; each "
                                + "replica needs a location of its own (two databases in one place would restore as "
                                + "each other)"),
                Arguments.of(
                        REPLICA + "name: one\n        path: /r\n      - name: two\n        path: /r\n",
                        "dbs[0].replicas[1]: replica location file:///r is also used by dbs[0].replicas[0]; each "
                                + "replica needs a location of its own (two databases in one place would restore as "
                                + "each other)"),
                Arguments.of(
                        REPLICA + "type: ftp\n        path: /r\n",
                        "dbs[0].replicas[0].type: unknown replica type \"ftp\" (want file or s3)"),
                Arguments.of(
                        REPLICA + "type: gcs\n        bucket: b\n",
                        "dbs[0].replicas[0].type: replica type gcs is not supported by this build"),
                Arguments.of(
                        REPLICA + "url: abs://container/p\n",
                        "dbs[0].replicas[0].url: replica type abs is not supported by this build"),
                Arguments.of(
                        REPLICA + "type: sftp\n        host: h\n",
                        "dbs[0].replicas[0].type: replica type sftp is not supported by this build"),
                Arguments.of(
                        REPLICA + "path: /r\n        account-name: a\n",
                        "dbs[0].replicas[0].account-name: only used by abs replicas, which this build does not support"),
                Arguments.of(
                        REPLICA + "path: /r\n        key-path: /k\n",
                        "dbs[0].replicas[0].key-path: only used by sftp replicas, which this build does not support"),
                // age: keys are checked by parsing them, and never echoed
                Arguments.of(
                        REPLICA + "path: /r\n        age:\n          recipients: [age1xyz]\n",
                        "dbs[0].replicas[0].age: recipients[0] is not an age X25519 recipient (want age1..., the public "
                                + "key age-keygen prints)"),
                Arguments.of(
                        REPLICA + "path: /r\n        age:\n          identities: [AGE-SECRET-KEY-1XYZ]\n",
                        "dbs[0].replicas[0].age: identities[0] is not an age X25519 identity (want AGE-SECRET-KEY-1..., "
                                + "as age-keygen prints it)"),
                Arguments.of(
                        REPLICA + "path: /r\n        age:\n          identities: AGE-SECRET-KEY-1XYZ\n",
                        "dbs[0].replicas[0].age.identities: expected a list of strings, got a single value"),
                Arguments.of(
                        REPLICA + "path: /r\n        age:\n          identities: [{a: b}]\n",
                        "dbs[0].replicas[0].age.identities[0]: expected a string, got a map"),
                Arguments.of(
                        REPLICA + "path: /r\n        age:\n          recipient: [age1xyz]\n",
                        "dbs[0].replicas[0].age.recipient: unknown key (did you mean \"recipients\"?)"),
                Arguments.of(
                        REPLICA + "path: /r\n        age: {}\n",
                        "dbs[0].replicas[0].age: give identities (to read) and recipients (to write), or drop the block"),
                Arguments.of(
                        REPLICA + "type: file\n        url: s3://b/p\n",
                        "dbs[0].replicas[0].type: \"file\" conflicts with the url scheme \"s3\"; drop one of them"),
                Arguments.of(
                        REPLICA + "path: s3://b/p\n",
                        "dbs[0].replicas[0].path: replica path cannot be a url, please use the 'url' field instead"),
                Arguments.of(
                        REPLICA + "url: file:///r\n        path: /r\n",
                        "dbs[0].replicas[0].path: cannot be combined with url; put the directory in the url or drop the url"),
                Arguments.of(
                        REPLICA + "url: s3://b/p\n        path: q\n",
                        "dbs[0].replicas[0].path: cannot be combined with url; put the key prefix in the url or drop the url"),
                Arguments.of(
                        REPLICA + "url: s3://b/p\n        bucket: b\n",
                        "dbs[0].replicas[0].bucket: cannot be combined with url; put the bucket in the url or drop the url"),
                Arguments.of(
                        REPLICA + "name: r\n",
                        "dbs[0].replicas[0].path: required for a file replica "
                                + "(or give url: file:///absolute/dir)"),
                Arguments.of(
                        REPLICA + "path: ~\n",
                        "dbs[0].replicas[0].path: required for a file replica "
                                + "(or give url: file:///absolute/dir)"),
                Arguments.of(
                        REPLICA + "type: s3\n        path: p\n",
                        "dbs[0].replicas[0].bucket: required for an s3 replica (or give url: s3://BUCKET/path)"),
                Arguments.of(
                        REPLICA + "type: s3\n        bucket: b/p\n",
                        "dbs[0].replicas[0].bucket: \"b/p\" cannot contain '/'; put the key prefix in path"),
                Arguments.of(
                        REPLICA + "type: s3\n        bucket: b\n        path: ../p\n",
                        "dbs[0].replicas[0].path: \"../p\" climbs above the bucket root"),
                Arguments.of(
                        REPLICA + "path: /r\n        bucket: b\n",
                        "dbs[0].replicas[0].bucket: only valid for s3 replicas (this is a file replica)"),
                Arguments.of(
                        REPLICA + "url: s3://localhost:9000/p\n",
                        "dbs[0].replicas[0].url: \"s3://localhost:9000/p\": "
                                + "no bucket in the host (write the bucket first, as in s3://BUCKET.localhost:9000/path)"),
                Arguments.of(
                        REPLICA + "url: file://backups/x\n",
                        "dbs[0].replicas[0].url: \"file://backups/x\": "
                                + "a file url has no host; write file:///absolute/dir (three slashes)"),
                Arguments.of(
                        REPLICA + "url: /backups\n",
                        "dbs[0].replicas[0].url: \"/backups\": "
                                + "not a url (want file:///absolute/dir or s3://bucket/path)"),
                Arguments.of(
                        REPLICA + "url: s3://b/p\n        endpoint: ftp://x\n",
                        "dbs[0].replicas[0].endpoint: endpoint scheme must be http or https, got \"ftp://x\""),
                Arguments.of(
                        REPLICA + "url: s3://b/p\n        access-key-id: AKIA\n",
                        "dbs[0].replicas[0]: access-key-id is set but secret-access-key is not "
                                + "(give both, here or at the top level, or neither)"),
                Arguments.of(
                        "secret-access-key: s\n" + REPLICA + "url: s3://b/p\n",
                        "dbs[0].replicas[0]: secret-access-key is set but access-key-id is not "
                                + "(give both, here or at the top level, or neither)"),
                // top level
                Arguments.of(
                        "addr: localhost\n",
                        "addr: must specify port for bind address "
                                + "(want host:port such as :9090 or 127.0.0.1:9090, got \"localhost\")"),
                Arguments.of("addr: \"localhost:\"\n", "addr: must specify port for bind address (got \"localhost:\")"),
                Arguments.of("addr: \":http\"\n", "addr: invalid port \"http\" (want a number from 0 to 65535)"),
                Arguments.of(
                        "addr: \"::1:9090\"\n",
                        "addr: \"::1:9090\": put an IPv6 address in brackets, as in [::1]:9090"),
                Arguments.of(
                        "logging:\n  level: verbose\n",
                        "logging.level: unknown level \"verbose\" (want debug, info, warn or error)"),
                Arguments.of("logging:\n  type: xml\n", "logging.type: unknown type \"xml\" (want text or json)"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void oneMessageNamingTheKey(String yaml, String message) throws Exception {
        ConfigException e = error(yaml);
        assertEquals(message, e.getMessage());
        assertNull(e.getCause());
        assertTrue(message.startsWith(e.key() + ": "), e.key());
    }

    @Test
    void yamlSyntaxErrorsNameFileLineAndColumn() throws Exception {
        ConfigException e = error("dbs:\n  - path: /a.db\n   replicas: [\n");
        Path file = dir.resolve("litestream.yml");
        assertTrue(
                e.getMessage()
                        .matches("config file " + file.toString().replace(".", "\\.")
                                + ": invalid YAML at line \\d+ column \\d+: [^\\n]+"),
                e.getMessage());
        assertFalse(e.getMessage().contains("org.yaml"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertNull(e.key());
    }

    @Test
    void tabIndentationIsAYamlError() throws Exception {
        ConfigException e = error("dbs:\n\t- path: /a.db\n");
        assertTrue(e.getMessage().contains(": invalid YAML at line 2 column 1: "), e.getMessage());
    }

    @Test
    void yamlErrorWithoutAFileSaysConfig() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigLoader.parse("a: [", null, true, Map.of(), dir));
        assertTrue(e.getMessage().startsWith("config: invalid YAML at line "), e.getMessage());
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.yml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, true, Map.of()));
        assertEquals("config file not found: " + missing, e.getMessage());
    }

    @Test
    void directoryInsteadOfFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, true, Map.of()));
        assertEquals("config file " + dir + ": is a directory", e.getMessage());
    }

    @Test
    void invalidUtf8() throws Exception {
        Path file = dir.resolve("bad.yml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, true, Map.of()));
        assertEquals("config file " + file + ": not valid UTF-8 text", e.getMessage());
    }

    @Test
    void aFileLargerThanAnyConfigIsRefusedUnread() throws Exception {
        Path file = dir.resolve("huge.yml");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(1L << 30); // sparse: more than the heap holds
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, true, Map.of()));
        assertEquals("config file " + file + ": larger than 4 MiB, which no litestream.yml is", e.getMessage());
    }

    @Test
    void aConfigReadFromAPipeIsParsed() throws Exception {
        // bash's -config <(...) hands over a pipe, which has no size to check
        Path fifo = dir.resolve("config.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Process writer = new ProcessBuilder(
                        "sh",
                        "-c",
                        "printf 'dbs:\\n  - path: /data/app.db\\n    replicas:\\n      - url: file:///r\\n' > " + fifo)
                .start();
        Config c = ConfigLoader.load(fifo, true, Map.of());
        assertEquals(0, writer.waitFor());
        assertEquals(1, c.dbs().size());
    }
}
