package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Config;
import dev.litestack.replicator.config.DbConfig;
import dev.litestack.replicator.config.ReplicaConfig;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.sqlite.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The replicas a listing or restore command works on: {@code DB_PATH} (its replicas from the
 * config, or only {@code -replica NAME}) or a single {@code REPLICA_URL}.
 */
final class ReplicaTargets {

    final ConfigOptions configOptions = new ConfigOptions();
    String replica;
    String target;

    /** Adds -config, -no-expand-env, -replica and the DB_PATH|REPLICA_URL parameter to a command. */
    ReplicaTargets addTo(CommandSpec s) {
        configOptions.addTo(s);
        Specs.option(s, "-replica", "NAME", String.class, "Only this replica of the database.", v -> replica = v);
        Specs.positional(
                s,
                "0",
                "1",
                "DB_PATH|REPLICA_URL",
                "Database path from the config, or a replica URL.",
                v -> target = v);
        return this;
    }

    /** Resolved targets: the clients (by replica name) and, for a DB_PATH, its config entry. */
    record Resolved(Map<String, ReplicaClient> clients, DbConfig db) implements AutoCloseable {
        /** When the database last changed (DB or WAL mtime), or now for a URL target or a database that is gone. */
        Instant dbUpdatedAt() throws IOException {
            if (db == null) {
                return Instant.now();
            }
            Instant t = null;
            for (Path p : List.of(db.path(), SqliteFiles.wal(db.path()))) {
                if (Files.exists(p)) {
                    Instant m = Files.getLastModifiedTime(p).toInstant();
                    t = t == null || m.isAfter(t) ? m : t;
                }
            }
            return t == null ? Instant.now() : t; // a database that is gone: counted from now, as without one
        }

        @Override
        public void close() {
            Wiring.closeAll(clients);
        }
    }

    Resolved resolve(Map<String, String> env) throws CliException, IOException {
        if (Wiring.isUrl(target)) {
            if (configOptions.explicit()) {
                throw new CliException("cannot specify a replica URL and the -config flag", ExitCodes.USAGE);
            }
            ReplicaConfig rc = Wiring.parseUrl(target, env);
            return new Resolved(Map.of(rc.name(), Wiring.client(rc, env)), null);
        }
        Config config = configOptions.load(env);
        DbConfig db = Wiring.findDb(config, target);
        List<String> names = db.replicas().stream().map(ReplicaConfig::name).toList();
        if (names.isEmpty()) {
            throw new CliException("database has no replicas: " + db.path() + " in " + config.file());
        }
        if (replica != null && !names.contains(replica)) {
            throw new CliException("replica not found: " + replica + " (replicas of " + db.path() + ": "
                    + String.join(", ", names) + ")");
        }
        return new Resolved(Wiring.clients(db.replicas(), replica, env), db);
    }
}
