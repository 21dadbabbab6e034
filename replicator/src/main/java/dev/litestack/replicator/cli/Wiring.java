package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Config;
import dev.litestack.replicator.config.ConfigException;
import dev.litestack.replicator.config.DbConfig;
import dev.litestack.replicator.config.ReplicaConfig;
import dev.litestack.replicator.config.ReplicaUrl;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.AgeReplicaClient;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.replica.s3.S3ReplicaClient;
import dev.litestack.replicator.replica.s3.S3Settings;
import dev.litestack.replicator.util.AgeCodec;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns configuration records into engine objects; the one place that knows both. */
final class Wiring {

    private Wiring() {}

    static ReplicaClient client(ReplicaConfig rc, Map<String, String> env) throws IOException {
        ReplicaClient client;
        if (rc.isS3()) {
            S3Settings s = new S3Settings(
                    rc.bucket(),
                    rc.prefix(),
                    rc.region(),
                    rc.endpoint(),
                    rc.forcePathStyle(),
                    rc.skipVerify(),
                    rc.accessKeyId(),
                    rc.secretAccessKey(),
                    null);
            client = S3ReplicaClient.open(s, env);
        } else {
            client = new FileReplicaClient(rc.path());
        }
        if (rc.age().enabled()) {
            // checked when the config was read
            client = new AgeReplicaClient(
                    client, AgeCodec.of(rc.age().identities(), rc.age().recipients()));
        }
        return client;
    }

    static Database database(DbConfig dc, Clock clock, Log log) {
        return new Database(
                new Database.Options(
                        dc.path(),
                        dc.metaPath(),
                        dc.monitorInterval(),
                        dc.checkpointInterval(),
                        dc.minCheckpointPageCount(),
                        dc.maxCheckpointPageCount()),
                clock,
                log);
    }

    static Replica replica(Database db, ReplicaConfig rc, ReplicaClient client, Clock clock, Log log) {
        return new Replica(
                db,
                client,
                new Replica.Options(
                        rc.name(),
                        rc.syncInterval(),
                        rc.snapshotInterval(),
                        rc.retention(),
                        rc.retentionCheckInterval(),
                        rc.validationInterval()),
                clock,
                log);
    }

    /** The config entry of a database given on the command line (compared as absolute paths). */
    static DbConfig findDb(Config config, String arg) throws CliException {
        Path p = Path.of(arg).toAbsolutePath().normalize();
        for (DbConfig d : config.dbs()) {
            if (d.path().equals(p)) {
                return d;
            }
        }
        throw new CliException("database not found in config: " + p);
    }

    static boolean isUrl(String arg) {
        return arg.contains("://");
    }

    static ReplicaConfig parseUrl(String url, Map<String, String> env) throws CliException {
        try {
            return ReplicaUrl.parse(url, env);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** Opens clients for a database's replicas (all, or only {@code only}), keyed by replica name. */
    static Map<String, ReplicaClient> clients(List<ReplicaConfig> replicas, String only, Map<String, String> env)
            throws CliException, IOException {
        Map<String, ReplicaClient> out = new LinkedHashMap<>();
        for (ReplicaConfig rc : replicas) {
            if (only == null || only.equals(rc.name())) {
                out.put(rc.name(), client(rc, env));
            }
        }
        if (out.isEmpty()) {
            throw new CliException(only == null ? "database has no replicas" : "replica not found: " + only);
        }
        return out;
    }

    static void closeAll(Map<String, ReplicaClient> clients) {
        for (ReplicaClient c : clients.values()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing on the way out
            }
        }
    }
}
