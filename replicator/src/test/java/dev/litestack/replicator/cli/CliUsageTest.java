package dev.litestack.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Help, version, usage errors and configuration errors, through {@link Main#run}. */
class CliUsageTest {

    @TempDir
    Path dir;

    static Stream<Arguments> commands() {
        List<String> config = List.of("-config", "-no-expand-env", "-log-level");
        List<String> listing =
                List.of("-config", "-no-expand-env", "-replica", "-json", "-log-level", "DB_PATH|REPLICA_URL");
        return Stream.of(
                Arguments.of(
                        "replicate",
                        List.of(
                                "-config",
                                "-no-expand-env",
                                "-exec",
                                "-restore-if-db-not-exists",
                                "-once",
                                "-force-snapshot",
                                "-enforce-retention",
                                "-log-level",
                                "DB_PATH REPLICA_URL")),
                Arguments.of(
                        "restore",
                        List.of(
                                "-config",
                                "-no-expand-env",
                                "-replica",
                                "-o",
                                "-generation",
                                "-index",
                                "-timestamp",
                                "-parallelism",
                                "-if-db-not-exists",
                                "-if-replica-exists",
                                "-integrity-check",
                                "-no-integrity-check",
                                "-v",
                                "-log-level")),
                Arguments.of("generations", listing),
                Arguments.of("snapshots", listing),
                Arguments.of(
                        "wal",
                        Stream.concat(listing.stream(), Stream.of("-generation"))
                                .toList()),
                Arguments.of(
                        "databases",
                        Stream.concat(config.stream(), Stream.of("-json")).toList()),
                Arguments.of("version", List.of("--help")));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandHasHelpListingItsFlags(String command, List<String> flags) {
        Cli.Result r = Cli.run(command, "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Usage: replicator " + command), r.toString());
        for (String f : flags) {
            assertTrue(r.out().contains(f), command + " help lists " + f + ":\n" + r.out());
            if (f.startsWith("-") && !f.startsWith("--")) {
                assertTrue(r.out().contains(f + ", -" + f), command + " help lists -" + f + " too:\n" + r.out());
            }
        }
        if (flags.contains("-no-expand-env")) {
            assertTrue(r.out().contains("Do not expand $VAR and ${VAR} in the"), r.out());
        }
    }

    @Test
    void everyFlagTakesTwoDashesAsInGo() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Path db = dir.resolve("app.db");
        Files.writeString(cfg, "dbs:\n  - path: " + db + "\n    replicas:\n      - path: " + dir.resolve("r") + "\n");
        Cli.Result one = Cli.run("databases", "-config", cfg.toString(), "-json");
        Cli.Result two = Cli.run("databases", "--config", cfg.toString(), "--json");
        Cli.Result eq = Cli.run("databases", "--config=" + cfg, "--no-expand-env", "--json");
        assertEquals(0, one.code(), one.toString());
        assertEquals(0, two.code(), two.toString());
        assertEquals(0, eq.code(), eq.toString());
        assertEquals(one.out(), two.out());
        assertTrue(one.out().startsWith("[{\"path\":\"" + db + "\""), one.out());
        Cli.Result bad = Cli.run("restore", "--index", "zz", "file:///x");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("invalid -index zz"), bad.err());
    }

    @Test
    void onceFlagsAreCheckedTogether() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(
                cfg,
                "dbs:\n  - path: " + dir.resolve("a.db") + "\n    replicas:\n      - path: " + dir.resolve("r") + "\n");
        Cli.Result snap = Cli.run("replicate", "-config", cfg.toString(), "-force-snapshot");
        assertEquals(2, snap.code(), snap.toString());
        assertEquals("error: cannot specify -force-snapshot flag without -once" + System.lineSeparator(), snap.err());
        Cli.Result ret = Cli.run("replicate", "-config", cfg.toString(), "--enforce-retention");
        assertEquals(2, ret.code(), ret.toString());
        assertEquals("error: cannot specify -enforce-retention flag without -once" + System.lineSeparator(), ret.err());
        Cli.Result exec = Cli.run("replicate", "-config", cfg.toString(), "-once", "-exec", "true");
        assertEquals(2, exec.code(), exec.toString());
        assertEquals("error: cannot specify -once flag with -exec" + System.lineSeparator(), exec.err());
    }

    @Test
    void anUnknownLogLevelIsAUsageErrorNamingWhereItCameFrom() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(
                cfg,
                "dbs:\n  - path: " + dir.resolve("a.db") + "\n    replicas:\n      - path: " + dir.resolve("r") + "\n");
        Cli.Result r = Cli.run("replicate", "-config", cfg.toString(), "-once", "-log-level", "loud");
        assertEquals(2, r.code(), r.toString());
        assertEquals(
                "error: unknown log level \"loud\" (from -log-level; want debug, info, warn or error)"
                        + System.lineSeparator(),
                r.err());
    }

    @Test
    void restoreAndTheListingCommandsTakeTheLogLevelAndLogLevelEnvToo() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, "x-unknown: 1\ndbs:\n  - path: " + dir.resolve("a.db") + "\n");
        for (String cmd : List.of("restore", "generations", "snapshots", "wal", "databases")) {
            Cli.Result r = "databases".equals(cmd)
                    ? Cli.run(cmd, "-log-level", "loud", "-config", cfg.toString())
                    : Cli.run(
                            cmd,
                            "-log-level",
                            "loud",
                            "-config",
                            cfg.toString(),
                            dir.resolve("a.db").toString());
            assertEquals(2, r.code(), cmd + ": " + r);
            assertEquals(
                    "error: unknown log level \"loud\" (from -log-level; want debug, info, warn or error)"
                            + System.lineSeparator(),
                    r.err(),
                    cmd);
        }
        Cli.Result env = Cli.exec(
                dir,
                Map.of("LOG_LEVEL", "noisy"),
                "restore",
                "-config",
                cfg.toString(),
                dir.resolve("a.db").toString());
        assertEquals(2, env.code(), env.toString());
        assertTrue(env.err().contains("error: unknown log level \"noisy\" (from LOG_LEVEL;"), env.toString());

        // The config's warning (an unknown key) and restore's "no matching backups" are logged at info/warn: the
        // level given on the command line or in LOG_LEVEL silences them, nothing else does.
        Path empty = dir.resolve("empty-replica");
        Files.createDirectories(empty);
        String url = "file://" + empty;
        Path out = dir.resolve("out.db");
        Cli.Result plain = Cli.exec(dir, Map.of(), "restore", "-if-replica-exists", "-o", out.toString(), url);
        assertEquals(0, plain.code(), plain.toString());
        assertTrue(plain.err().contains("msg=\"no matching backups found\""), plain.toString());
        Cli.Result quiet = Cli.exec(
                dir, Map.of(), "restore", "-log-level", "error", "-if-replica-exists", "-o", out.toString(), url);
        assertEquals(0, quiet.code(), quiet.toString());
        assertEquals("", quiet.err(), quiet.toString());
        Cli.Result quietEnv =
                Cli.exec(dir, Map.of("LOG_LEVEL", "warn"), "restore", "-if-replica-exists", "-o", out.toString(), url);
        assertEquals(0, quietEnv.code(), quietEnv.toString());
        assertEquals("", quietEnv.err(), quietEnv.toString());
        Cli.Result db = Cli.exec(dir, Map.of(), "databases", "-config", cfg.toString());
        assertTrue(db.err().contains("x-unknown: unknown key"), db.toString());
        Cli.Result dbQuiet = Cli.exec(dir, Map.of(), "databases", "-log-level", "error", "-config", cfg.toString());
        assertEquals(0, dbQuiet.code(), dbQuiet.toString());
        assertEquals("", dbQuiet.err(), dbQuiet.toString());
    }

    @Test
    void anUnexpectedExceptionNamesTheCommandTypeAndPlaceNeverNull() {
        NullPointerException npe = new NullPointerException();
        npe.setStackTrace(new StackTraceElement[] {new StackTraceElement("dev.x.Foo", "bar", "Foo.java", 12)});
        String msg = Main.unexpected("restore", npe, false);
        assertEquals(
                "restore failed: NullPointerException at dev.x.Foo.bar(Foo.java:12) "
                        + "(run with -log-level debug for the stack trace)",
                msg);
        assertFalse(msg.contains("null"), msg);
        assertEquals(
                "restore failed: IllegalStateException: bad state at dev.x.Foo.bar(Foo.java:12)",
                Main.unexpected("restore", withFrame(new IllegalStateException("bad state")), true));
        assertEquals(
                "no such file: /x", Main.unexpected("restore", new java.nio.file.NoSuchFileException("/x"), false));
    }

    private static RuntimeException withFrame(RuntimeException e) {
        e.setStackTrace(new StackTraceElement[] {new StackTraceElement("dev.x.Foo", "bar", "Foo.java", 12)});
        return e;
    }

    @Test
    void topLevelHelpListsEveryCommand() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.code());
        for (String c : List.of("replicate", "restore", "generations", "snapshots", "wal", "databases", "version")) {
            assertTrue(r.out().contains(c), c + " in:\n" + r.out());
        }
    }

    @Test
    void helpPrintsTheUsageOfTheToolOrOfACommand() {
        Cli.Result all = Cli.run("help");
        assertEquals(0, all.code(), all.toString());
        assertTrue(all.out().contains("generations") && all.out().contains("restore"), all.out());
        Cli.Result restore = Cli.run("help", "restore");
        assertEquals(0, restore.code(), restore.toString());
        assertTrue(restore.out().contains("-if-replica-exists"), restore.out());
    }

    @Test
    void versionPrints() {
        Cli.Result r = Cli.run("version");
        assertEquals(0, r.code());
        assertTrue(r.out().endsWith(" (replica format: litestream v0.3.13)" + System.lineSeparator()), r.out());
        assertEquals("", r.err());
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.code());
        assertTrue(r.out().startsWith(v.out().strip()), v.out());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandPrintsTheVersionWithCapitalV(String command, List<String> flags) {
        Cli.Result v = Cli.run(command, "-V");
        assertEquals(0, v.code(), v.toString());
        assertEquals(VersionCommand.version() + System.lineSeparator(), v.out());
    }

    @Test
    void aMissingTargetIsAUsageError() {
        Cli.Result m = Cli.run("restore");
        assertEquals(2, m.code(), m.toString());
        assertTrue(m.err().startsWith("error: Missing required parameter: 'DB_PATH|REPLICA_URL'"), m.err());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("error: missing command"), r.err());
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli.Result r = Cli.run("bogus");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: Unmatched argument at index 0: 'bogus'"), r.err());
        assertTrue(r.err().contains("Try 'replicator --help' for usage."), r.err());
    }

    @Test
    void unknownFlagIsAUsageError() {
        Cli.Result r = Cli.run("restore", "-bogus", "file:///x");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("Unknown option: '-bogus'"), r.err());
        assertTrue(r.err().contains("Try 'replicator restore --help' for usage."), r.err());
        Cli.Result t = Cli.run("replicate", "-trace");
        assertEquals(2, t.code());
        assertTrue(t.err().contains("Unknown option: '-trace'"), t.err());
    }

    @Test
    void missingConfigFile() {
        Path missing = dir.resolve("nope.yml");
        Cli.Result r = Cli.run("databases", "-config", missing.toString());
        assertEquals(1, r.code());
        assertEquals("error: config file not found: " + missing + System.lineSeparator(), r.err());
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of(
                        "dbs:\n  - path: /a.db\n    monitor-interval: 5x\n",
                        "error: dbs[0].monitor-interval: invalid duration \"5x\" (use values like 500ms, 10s, 1h30m)"),
                Arguments.of("logging:\n  levl: info\n", "error: logging.levl: unknown key (did you mean \"level\"?)"),
                Arguments.of(
                        "dbs:\n  - path: /a.db\n    replicas:\n      - path: /r\n        sync-intervl: 1s\n",
                        "error: dbs[0].replicas[0].sync-intervl: unknown key (did you mean \"sync-interval\"?)"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void configErrorsAreOneLineNamingTheKey(String yaml, String message) throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, yaml);
        for (String cmd : List.of("databases", "replicate", "generations", "restore")) {
            Cli.Result r = cmd.equals("databases") || cmd.equals("replicate")
                    ? Cli.run(cmd, "-config", cfg.toString())
                    : Cli.run(cmd, "-config", cfg.toString(), "/a.db");
            assertEquals(1, r.code(), cmd + ": " + r);
            assertEquals(message + System.lineSeparator(), r.err(), cmd);
        }
    }

    @Test
    void unknownTopLevelKeysAreIgnoredWithAWarning() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Path db = dir.resolve("app.db");
        Files.writeString(cfg, """
                x-defaults: &replica
                  sync-interval: 5s
                  retention: 24h
                adr: ":9090"
                dbs:
                  - path: %s
                    replicas:
                      - <<: *replica
                        path: %s
                """.formatted(db, dir.resolve("r")));
        Cli.Result r = Cli.exec(dir, "databases", "-config", cfg.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains(db + "  file"), r.toString());
        assertTrue(r.err().contains("level=WARN msg=\"config: x-defaults: unknown key, ignored\""), r.err());
        assertTrue(r.err().contains("config: adr: unknown key (did you mean \\\"addr\\\"?), ignored"), r.err());
    }

    @Test
    void replicateDbPathWithoutUrl() {
        Cli.Result r = Cli.run("replicate", "/tmp/x.db");
        assertEquals(2, r.code());
        assertEquals("error: must specify at least one replica URL for /tmp/x.db" + System.lineSeparator(), r.err());
    }

    @Test
    void replicateUrlWithConfig() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, "dbs: []\n");
        Cli.Result r = Cli.run("replicate", "-config", cfg.toString(), "/tmp/x.db", "file:///tmp/r");
        assertEquals(2, r.code());
        assertEquals("error: cannot specify a replica URL and the -config flag" + System.lineSeparator(), r.err());
    }

    @Test
    void replicateWithNoDatabases() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, "dbs: []\n");
        Cli.Result r = Cli.run("replicate", "-config", cfg.toString());
        assertEquals(1, r.code());
        assertEquals("error: no databases specified in configuration" + System.lineSeparator(), r.err());
    }

    @Test
    void replicateUnterminatedExecQuote() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(
                cfg,
                "dbs:\n  - path: " + dir.resolve("a.db") + "\n    replicas:\n      - path: " + dir.resolve("r") + "\n");
        Cli.Result r = Cli.run("replicate", "-config", cfg.toString(), "-exec", "sh -c 'exit 3");
        assertEquals(2, r.code());
        assertEquals("error: unterminated quote in exec command: sh -c 'exit 3" + System.lineSeparator(), r.err());
    }

    @Test
    void databasesListsTheConfig() throws Exception {
        Path cfg = dir.resolve("litestream.yml");
        Path db = dir.resolve("app.db");
        Files.writeString(
                cfg,
                "dbs:\n  - path: " + db + "\n    replicas:\n      - path: " + dir.resolve("r")
                        + "\n      - name: second\n        path: " + dir.resolve("r2") + "\n");
        Cli.Result r = Cli.run("databases", "-config", cfg.toString());
        assertEquals(0, r.code(), r.toString());
        String pad = " ".repeat(db.toString().length() - "path".length() + 2);
        assertEquals(
                "path" + pad + "replicas\n" + db + "  file,second\n", r.out().replace(System.lineSeparator(), "\n"));
        Cli.Result j = Cli.run("databases", "-config", cfg.toString(), "-json");
        assertEquals(
                "[{\"path\":\"" + db + "\",\"replicas\":\"file,second\"}]",
                j.out().strip());
    }
}
