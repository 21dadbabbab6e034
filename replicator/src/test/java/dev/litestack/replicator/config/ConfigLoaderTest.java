package dev.litestack.replicator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Config load(String yaml, Map<String, String> env) throws IOException, ConfigException {
        Path file = dir.resolve("litestream.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, true, env);
    }

    @Test
    void defaultPathIsEnvThenEtc() {
        assertEquals(Path.of("/etc/litestream.yml"), ConfigLoader.defaultPath(Map.of()));
        assertEquals(Path.of("/etc/litestream.yml"), ConfigLoader.defaultPath(Map.of("LITESTREAM_CONFIG", "")));
        assertEquals(Path.of("/x/ls.yml"), ConfigLoader.defaultPath(Map.of("LITESTREAM_CONFIG", "/x/ls.yml")));
    }

    @Test
    void emptyFileGivesEveryTopLevelDefault() throws Exception {
        Config c = load("", Map.of());
        assertEquals(dir.resolve("litestream.yml"), c.file());
        assertEquals(List.of(), c.dbs());
        assertNull(c.addr());
        assertNull(c.exec());
        assertEquals(LoggingConfig.defaults(), c.logging());
        assertEquals(new LoggingConfig("info", "text", false), c.logging());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertEquals(Duration.ofMinutes(1), c.healthMaxSyncAge());
        assertEquals(List.of(), load("dbs:\n", Map.of()).dbs());
        assertEquals(List.of(), load("dbs: []\n", Map.of()).dbs());
    }

    @Test
    void replicasOfSeveralDatabasesShareABucketUnderTheirOwnPrefixes() throws Exception {
        Config c = load(
                "dbs:\n  - path: /a.db\n    replicas:\n      - url: s3://bkt/a\n      - path: /r/a\n"
                        + "  - path: /b.db\n    replicas:\n      - url: s3://bkt/b\n      - path: /r/b\n"
                        + "  - path: /c.db\n    replicas:\n      - url: s3://bkt/a\n"
                        + "        endpoint: http://127.0.0.1:9000\n",
                Map.of());
        assertEquals(
                List.of("s3://bkt/a", "file:///r/a", "s3://bkt/b", "file:///r/b", "http://127.0.0.1:9000 s3://bkt/a"),
                c.dbs().stream()
                        .flatMap(d -> d.replicas().stream())
                        .map(ReplicaConfig::location)
                        .toList());
    }

    @Test
    void minimalDbAndFileReplicaGetEveryDefault() throws Exception {
        Config c = load("dbs:\n  - path: /data/app.db\n    replicas:\n      - path: /backups/app\n", Map.of());
        DbConfig db = c.dbs().get(0);
        assertEquals(Path.of("/data/app.db"), db.path());
        assertEquals(Path.of("/data/.app.db-litestream"), db.metaPath());
        assertEquals(Duration.ofSeconds(1), db.monitorInterval());
        assertEquals(Duration.ofMinutes(1), db.checkpointInterval());
        assertEquals(1000, db.minCheckpointPageCount());
        assertEquals(10_000, db.maxCheckpointPageCount());
        assertFalse(db.restoreIfDbNotExists());
        ReplicaConfig r = db.replicas().get(0);
        assertEquals(ReplicaConfig.file(Path.of("/backups/app")), r);
        assertEquals("file", r.name());
        assertEquals("file", r.type());
        assertNull(r.url());
        assertEquals(Duration.ofSeconds(1), r.syncInterval());
        assertEquals(Duration.ZERO, r.snapshotInterval());
        assertEquals(Duration.ofHours(24), r.retention());
        assertEquals(Duration.ofHours(1), r.retentionCheckInterval());
        assertEquals(Duration.ZERO, r.validationInterval());
        assertEquals(DbConfig.withDefaults(Path.of("/data/app.db"), List.of(r)), db);
        assertEquals(db, c.db(Path.of("/data/./app.db")).orElseThrow());
        assertEquals(r, db.replica("file"));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        String yaml = """
                addr: "127.0.0.1:9099"
                exec: "bundle exec puma -p 3000"
                access-key-id: GLOBALKEY
                secret-access-key: GLOBALSECRET
                shutdown-timeout: 45s
                health-max-sync-age: 2m30s
                logging:
                  level: WARNING
                  type: JSON
                  stderr: true
                dbs:
                  - path: /data/app.db
                    meta-path: /var/lib/meta/app
                    monitor-interval: 500ms
                    checkpoint-interval: 0
                    min-checkpoint-page-count: 4
                    max-checkpoint-page-count: 0
                    restore-if-db-not-exists: true
                    replicas:
                      - name: local
                        type: file
                        path: /backups/app
                        sync-interval: 2s
                        snapshot-interval: 4h
                        retention: 72h
                        retention-check-interval: 30m
                        validation-interval: 12h
                      - name: offsite
                        type: s3
                        bucket: my-bucket
                        path: backups/app.db
                        region: eu-west-1
                        endpoint: minio.internal:9000
                        force-path-style: false
                        skip-verify: yes
                        access-key-id: AKIA
                        secret-access-key: SECRET
                      - name: s3-default-creds
                        url: s3://other-bucket/x
                """;
        Config c = load(yaml, Map.of());
        assertEquals("127.0.0.1:9099", c.addr());
        assertEquals("bundle exec puma -p 3000", c.exec());
        assertEquals(Duration.ofSeconds(45), c.shutdownTimeout());
        assertEquals(Duration.ofSeconds(150), c.healthMaxSyncAge());
        assertEquals(new LoggingConfig("warn", "json", true), c.logging());
        DbConfig db = c.dbs().get(0);
        assertEquals(
                new DbConfig(
                        Path.of("/data/app.db"),
                        Path.of("/var/lib/meta/app"),
                        Duration.ofMillis(500),
                        Duration.ZERO,
                        4,
                        0,
                        true,
                        db.replicas()),
                db);
        ReplicaConfig local = db.replicas().get(0);
        assertEquals(
                new ReplicaConfig(
                        "local",
                        "file",
                        null,
                        Path.of("/backups/app"),
                        null,
                        null,
                        null,
                        null,
                        false,
                        false,
                        null,
                        null,
                        Duration.ofSeconds(2),
                        Duration.ofHours(4),
                        Duration.ofHours(72),
                        Duration.ofMinutes(30),
                        Duration.ofHours(12)),
                local);
        ReplicaConfig offsite = db.replicas().get(1);
        assertEquals(
                new ReplicaConfig(
                        "offsite",
                        "s3",
                        null,
                        null,
                        "my-bucket",
                        "backups/app.db",
                        "eu-west-1",
                        "https://minio.internal:9000",
                        false,
                        true,
                        "AKIA",
                        "SECRET",
                        Duration.ofSeconds(1),
                        Duration.ZERO,
                        Duration.ofHours(24),
                        Duration.ofHours(1),
                        Duration.ZERO),
                offsite);
        ReplicaConfig viaUrl = db.replicas().get(2);
        assertEquals("GLOBALKEY", viaUrl.accessKeyId());
        assertEquals("GLOBALSECRET", viaUrl.secretAccessKey());
        assertEquals("other-bucket", viaUrl.bucket());
        assertEquals("x", viaUrl.prefix());
        assertEquals("s3://other-bucket/x", viaUrl.url());
        assertFalse(offsite.toString().contains("SECRET"), offsite.toString());
    }

    @Test
    void specExampleTwoWithExpansion() throws Exception {
        String yaml = """
                addr: ":9098"
                logging: {level: info, type: json, stderr: true}
                dbs:
                  - path: ${LSEXP2}/db2.db
                    checkpoint-interval: 3s
                    min-checkpoint-page-count: 4
                    replicas:
                      - name: primary
                        path: $LSEXP2/replica-a
                        snapshot-interval: 4s
                        retention: 10s
                        retention-check-interval: 3s
                        validation-interval: 5s
                      - name: viaurl
                        url: file:///tmp/lsexp2/replica-b
                        sync-interval: 2s
                """;
        Config c = load(yaml, Map.of("LSEXP2", "/tmp/lsexp2"));
        assertEquals(":9098", c.addr());
        DbConfig db = c.dbs().get(0);
        assertEquals(Path.of("/tmp/lsexp2/db2.db"), db.path());
        assertEquals(Duration.ofSeconds(3), db.checkpointInterval());
        assertEquals(Path.of("/tmp/lsexp2/replica-a"), db.replica("primary").path());
        assertEquals(Duration.ofSeconds(3), db.replica("primary").retentionCheckInterval());
        assertEquals(Path.of("/tmp/lsexp2/replica-b"), db.replica("viaurl").path());
        assertEquals("file", db.replica("viaurl").type());
        assertEquals(Duration.ofSeconds(2), db.replica("viaurl").syncInterval());
    }

    @Test
    void s3FieldPrecedence() throws Exception {
        String yaml = """
                dbs:
                  - path: /a.db
                    replicas:
                      - url: s3://bkt.localhost:9000/p
                        region: eu-central-1
                        endpoint: http://127.0.0.1:9001
                        force-path-style: false
                      - name: lead-slash
                        type: s3
                        bucket: b
                        path: /leading/slash/
                      - name: endpoint-only
                        type: s3
                        bucket: b
                        endpoint: localhost:9000
                      - name: aws
                        type: s3
                        bucket: b
                """;
        List<ReplicaConfig> rs = load(yaml, Map.of()).dbs().get(0).replicas();
        ReplicaConfig url = rs.get(0);
        assertEquals("bkt", url.bucket());
        assertEquals("eu-central-1", url.region());
        assertEquals("http://127.0.0.1:9001", url.endpoint());
        assertFalse(url.forcePathStyle());
        assertEquals("leading/slash", rs.get(1).prefix());
        ReplicaConfig endpointOnly = rs.get(2);
        assertEquals("http://localhost:9000", endpointOnly.endpoint());
        assertEquals("us-east-1", endpointOnly.region());
        assertTrue(endpointOnly.forcePathStyle());
        assertEquals("", endpointOnly.prefix());
        ReplicaConfig aws = rs.get(3);
        assertNull(aws.region());
        assertNull(aws.endpoint());
        assertFalse(aws.forcePathStyle());
    }

    @Test
    void relativeAndTildePathsBecomeAbsolute() throws Exception {
        Path home = dir.resolve("home");
        String yaml = """
                dbs:
                  - path: data/app.db
                    meta-path: ~/meta
                    replicas:
                      - path: ../backups/./app
                  - path: ~/x.db
                    replicas:
                      - path: "~"
                  - path: ~other/y.db
                """;
        Config c = ConfigLoader.parse(yaml, null, true, Map.of("HOME", home.toString()), dir.resolve("cwd"));
        assertNull(c.file());
        DbConfig a = c.dbs().get(0);
        assertEquals(dir.resolve("cwd/data/app.db"), a.path());
        assertEquals(home.resolve("meta"), a.metaPath());
        assertEquals(dir.resolve("backups/app"), a.replicas().get(0).path());
        DbConfig b = c.dbs().get(1);
        assertEquals(home.resolve("x.db"), b.path());
        assertEquals(home.resolve(".x.db-litestream"), b.metaPath());
        assertEquals(home, b.replicas().get(0).path());
        assertEquals(dir.resolve("cwd/~other/y.db"), c.dbs().get(2).path());
    }

    @Test
    void yamlShapesThatYamlV2Accepts() throws Exception {
        String yaml = """
                dbs:
                  - path: /a.db
                    min-checkpoint-page-count: 0x10
                    max-checkpoint-page-count: 20_000
                    restore-if-db-not-exists: on
                    replicas:
                      - &base {name: one, path: /r1, retention: 1h, sync-interval: 10s}
                      - <<: *base
                        name: two
                        path: /r2
                """;
        DbConfig db = load(yaml, Map.of()).dbs().get(0);
        assertEquals(16, db.minCheckpointPageCount());
        assertEquals(20_000, db.maxCheckpointPageCount());
        assertTrue(db.restoreIfDbNotExists());
        ReplicaConfig two = db.replica("two");
        assertEquals(Path.of("/r2"), two.path());
        assertEquals(Duration.ofSeconds(10), two.syncInterval());
        assertEquals(Duration.ofHours(1), two.retention());
    }

    @Test
    void intervalEdgeCases() throws Exception {
        String yaml = """
                dbs:
                  - path: /a.db
                    monitor-interval: 0
                    replicas:
                      - name: capped
                        path: /r1
                        retention: 10m
                        retention-check-interval: 1h
                      - name: retention-off
                        path: /r2
                        retention: 0s
                      - name: retention-negative
                        path: /r3
                        retention: -1s
                        retention-check-interval: 48h
                """;
        DbConfig db = load(yaml, Map.of()).dbs().get(0);
        assertEquals(Duration.ZERO, db.monitorInterval());
        assertEquals(Duration.ofMinutes(10), db.replica("capped").retentionCheckInterval());
        assertFalse(db.replica("retention-off").retentionEnabled());
        assertEquals(Duration.ofHours(1), db.replica("retention-off").retentionCheckInterval());
        assertEquals(Duration.ofSeconds(-1), db.replica("retention-negative").retention());
        assertEquals(Duration.ofHours(48), db.replica("retention-negative").retentionCheckInterval());
    }

    @Test
    void loggingLevelsAndTypesAnyCase() throws Exception {
        for (String[] c : new String[][] {
            {"DEBUG", "debug"}, {"Info", "info"}, {"warn", "warn"}, {"Warning", "warn"}, {"ERROR", "error"}
        }) {
            assertEquals(
                    c[1],
                    load("logging:\n  level: " + c[0] + "\n", Map.of())
                            .logging()
                            .level());
        }
        assertEquals("json", load("logging: {type: Json}\n", Map.of()).logging().type());
        assertEquals("text", load("logging: {type: TEXT}\n", Map.of()).logging().type());
        assertEquals(LoggingConfig.defaults(), load("logging:\n", Map.of()).logging());
    }

    @Test
    void addrForms() throws Exception {
        assertEquals(":9090", load("addr: \":9090\"\n", Map.of()).addr());
        assertEquals("[::1]:9090", load("addr: \"[::1]:9090\"\n", Map.of()).addr());
        assertEquals("0.0.0.0:0", load("addr: 0.0.0.0:0\n", Map.of()).addr());
        assertNull(load("addr: \"\"\n", Map.of()).addr());
    }

    @Test
    void configOfUsesDefaults() {
        DbConfig db = DbConfig.withDefaults(Path.of("/a/b.db"), List.of());
        Config c = Config.of(List.of(db));
        assertNull(c.file());
        assertEquals(LoggingConfig.defaults(), c.logging());
        assertEquals(Config.DEFAULT_SHUTDOWN_TIMEOUT, c.shutdownTimeout());
        assertEquals(Path.of("/a/.b.db-litestream"), db.metaPath());
    }

    @Test
    void unknownTopLevelKeysAreIgnoredWithAWarningAndTheirAnchorsWork() throws Exception {
        Config c = load("""
                x-defaults: &defaults
                  sync-interval: 5s
                  retention: 2h
                replica: {}
                dbs:
                  - path: /a.db
                    replicas:
                      - <<: *defaults
                        path: /r
                """, Map.of());
        assertEquals(List.of("x-defaults: unknown key, ignored", "replica: unknown key, ignored"), c.warnings());
        ReplicaConfig r = c.dbs().get(0).replicas().get(0);
        assertEquals(Duration.ofSeconds(5), r.syncInterval());
        assertEquals(Duration.ofHours(2), r.retention());
        assertEquals(
                List.of("adr: unknown key (did you mean \"addr\"?), ignored"),
                load("adr: \":9090\"\n", Map.of()).warnings());
        assertEquals(List.of(), load("addr: \":9090\"\n", Map.of()).warnings());
    }

    @Test
    void ageKeysComeFromTheEnvironmentAndStayOutOfToString() throws Exception {
        dev.litestack.replicator.testing.AgeKeys k = dev.litestack.replicator.testing.AgeKeys.generate();
        Config c = load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - path: /r
                        age:
                          identities: ["$AGE_IDENTITY"]
                          recipients: [%s]
                      - name: plain
                        path: /p
                """.formatted(k.recipient()), Map.of("AGE_IDENTITY", k.identity()));
        ReplicaConfig r = c.dbs().get(0).replicas().get(0);
        assertEquals(List.of(k.identity()), r.age().identities());
        assertEquals(List.of(k.recipient()), r.age().recipients());
        assertTrue(r.age().enabled());
        assertFalse(r.toString().contains(k.identity()), r.toString());
        assertFalse(c.dbs().get(0).replica("plain").age().enabled());
    }

    @Test
    void leaseDefaultsAndSettings() throws Exception {
        assertEquals(Config.LeaseConfig.DEFAULT, load("dbs: []\n", Map.of()).lease());
        assertEquals(new Config.LeaseConfig(true, Duration.ofSeconds(30), "wait"), Config.LeaseConfig.DEFAULT);
        assertEquals(
                new Config.LeaseConfig(false, Duration.ofMinutes(2), "exit"),
                load("lease:\n  enabled: false\n  duration: 2m\n  on-conflict: EXIT\n", Map.of())
                        .lease());
    }
}
