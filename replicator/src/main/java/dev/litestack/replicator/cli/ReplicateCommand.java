package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Config;
import dev.litestack.replicator.config.DbConfig;
import dev.litestack.replicator.config.ReplicaConfig;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.exec.Shutdown;
import dev.litestack.replicator.exec.Signals;
import dev.litestack.replicator.exec.Supervisor;
import dev.litestack.replicator.metrics.MetricsServer;
import dev.litestack.replicator.replica.FencedReplicaClient;
import dev.litestack.replicator.replica.LeaseKeeper;
import dev.litestack.replicator.replica.Leases;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.restore.NoBackupsException;
import dev.litestack.replicator.restore.RestorePlan;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code replicate}: watch every configured database and ship its WAL to its replicas until stopped. */
final class ReplicateCommand implements Callable<Integer> {

    final ConfigOptions configOptions = new ConfigOptions();
    final LogLevelOption logLevel = new LogLevelOption();
    String exec;
    boolean restoreIfMissing;
    boolean once;
    boolean forceSnapshot;
    boolean enforceRetention;
    List<String> args = new ArrayList<>();

    CommandSpec spec() {
        CommandSpec s = Specs.command(
                this,
                "replicate",
                "Continuously replicate databases: replicate [-config PATH] [-exec CMD], or replicate DB_PATH REPLICA_URL...",
                "With -exec, the command starts once the databases are open (the first uploads continue meanwhile), receives SIGTERM/SIGINT, and its exit code becomes ours.",
                "With -once, every database and replica is synced once and the command exits.");
        configOptions.addTo(s);
        logLevel.addTo(s);
        Specs.option(
                s,
                "-exec",
                "CMD",
                String.class,
                "Run this command as a child process and stop when it exits.",
                v -> exec = v);
        Specs.flag(
                s,
                "-restore-if-db-not-exists",
                "Before replicating, restore every database that is missing locally and has a replica.",
                v -> restoreIfMissing = v);
        Specs.flag(
                s,
                "-once",
                "Sync every database and replica once, then exit: 0 if everything was shipped, 1 if not (for cron-style backups).",
                v -> once = v);
        Specs.flag(
                s,
                "-force-snapshot",
                "With -once: also take a snapshot of every database on every replica.",
                v -> forceSnapshot = v);
        Specs.flag(
                s,
                "-enforce-retention",
                "With -once: also delete snapshots and WAL older than each replica's retention.",
                v -> enforceRetention = v);
        s.addPositional(Specs.bind(
                        PositionalParamSpec.builder()
                                .arity("0..*")
                                .type(List.class)
                                .auxiliaryTypes(String.class)
                                .paramLabel("DB_PATH REPLICA_URL")
                                .description("Database and replica URLs (instead of -config)."),
                        () -> args,
                        v -> args = Specs.strings(v))
                .build());
        return s;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        Config config = loadConfig(env);
        Log log = Main.configureLogging(logLevel.apply(config.logging(), env));
        ConfigOptions.warn(config, log);
        if (config.dbs().isEmpty()) {
            throw new CliException("no databases specified in configuration");
        }
        String execCmd = exec != null ? exec : config.exec();
        if (forceSnapshot && !once) {
            throw new CliException("cannot specify -force-snapshot flag without -once", ExitCodes.USAGE);
        }
        if (enforceRetention && !once) {
            throw new CliException("cannot specify -enforce-retention flag without -once", ExitCodes.USAGE);
        }
        if (once && execCmd != null && !execCmd.isBlank()) {
            throw new CliException("cannot specify -once flag with -exec", ExitCodes.USAGE);
        }
        List<String> command = null;
        if (execCmd != null && !execCmd.isBlank()) {
            try {
                command = Supervisor.split(execCmd);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), ExitCodes.USAGE);
            }
        }
        Clock clock = Clock.systemUTC();
        Signals signals = new Signals();
        Supervisor[] child = new Supervisor[1];
        signals.install(sig -> {
            if (child[0] != null) {
                log.info("signal received, forwarding to exec process", "signal", sig);
                child[0].signal(sig);
            } else {
                log.info("signal received, shutting down", "signal", sig);
            }
        });
        restoreMissing(config, env, log);
        Map<String, LeaseKeeper> keepers = new LinkedHashMap<>();
        ReplicationService service = build(config, env, clock, log, keepers);
        CompletableFuture<String> leaseLost = new CompletableFuture<>();
        Leases leases = new Leases(
                keepers,
                Leases.OnConflict.valueOf(config.lease().onConflict().toUpperCase(Locale.ROOT)),
                log,
                () -> leaseLost.complete("lost"));
        try {
            if (!leases.acquireAll(signals.stopRequested())) {
                log.info("stopped while waiting for a lease");
                closeClients(service);
                return ExitCodes.OK;
            }
        } catch (IOException e) {
            closeClients(service);
            throw new CliException(Log.describe(e));
        }
        return replicate(config, service, leaseLost, command, signals, child, log, env);
    }

    private int replicate(
            Config config,
            ReplicationService service,
            CompletableFuture<String> leaseLost,
            List<String> command,
            Signals signals,
            Supervisor[] child,
            Log log,
            Map<String, String> env)
            throws CliException {
        if (once) {
            return runOnce(service, config, log);
        }
        // with -exec the app starts once the databases are synced locally; the first uploads overlap its start
        service.start(config.shutdownTimeout(), command == null);
        MetricsServer metrics = null;
        if (config.addr() != null) {
            try {
                metrics = MetricsServer.start(config.addr(), service, config.healthMaxSyncAge());
                log.info("serving metrics", "addr", config.addr(), "port", metrics.port());
            } catch (IOException e) {
                closeService(service, config, log);
                throw new CliException("cannot listen on addr " + config.addr() + ": " + Log.describe(e));
            }
        }
        log.info("initialized", "databases", config.dbs().size(), "version", VersionCommand.version());

        Supervisor sup = null;
        if (command != null) {
            sup = new Supervisor(command, awsEnv(env), log);
            try {
                sup.start();
            } catch (IOException e) {
                closeService(service, config, log);
                throw new CliException(e.getMessage(), ExitCodes.EXEC_FAILED);
            }
            child[0] = sup;
        }
        MetricsServer served = metrics;
        return new Shutdown(signals, leaseLost, config.shutdownTimeout(), log).await(sup, () -> {
            if (served != null) {
                served.close();
            }
            return closeService(service, config, log);
        });
    }

    private int runOnce(ReplicationService service, Config config, Log log) {
        try {
            service.runOnce(config.shutdownTimeout(), forceSnapshot, enforceRetention);
        } catch (IOException e) {
            log.error("replicate -once: not everything was shipped", "error", e);
            return ExitCodes.ERROR;
        }
        log.info("replicated once", "databases", config.dbs().size(), "snapshots", forceSnapshot);
        return ExitCodes.OK;
    }

    /** Final sync of everything; false if something could not be shipped. */
    private static boolean closeService(ReplicationService service, Config config, Log log) {
        try {
            service.close(config.shutdownTimeout());
            return true;
        } catch (IOException e) {
            log.error("final sync failed", "error", e);
            return false;
        }
    }

    private Config loadConfig(Map<String, String> env) throws CliException {
        if (args.isEmpty()) {
            return configOptions.read(env);
        }
        if (configOptions.explicit()) {
            throw new CliException("cannot specify a replica URL and the -config flag", ExitCodes.USAGE);
        }
        if (args.size() < 2) {
            throw new CliException("must specify at least one replica URL for " + args.get(0), ExitCodes.USAGE);
        }
        List<ReplicaConfig> replicas = new ArrayList<>();
        for (String url : args.subList(1, args.size())) {
            ReplicaConfig rc = Wiring.parseUrl(url, env);
            String name = rc.name();
            for (int i = 2; containsName(replicas, name); i++) {
                name = rc.name() + i;
            }
            replicas.add(rc.withName(name));
        }
        return Config.of(List.of(DbConfig.withDefaults(
                java.nio.file.Path.of(args.get(0)).toAbsolutePath().normalize(), replicas)));
    }

    /** Whether {@code db} holds a database ({@link SqliteFiles#holdsDatabase}); an unreadable one counts as held. */
    private static boolean holdsDatabase(Path db) {
        try {
            return SqliteFiles.holdsDatabase(db);
        } catch (IOException e) {
            return true; // replicating it then reports what is wrong with it
        }
    }

    private static boolean containsName(List<ReplicaConfig> rs, String name) {
        return rs.stream().anyMatch(r -> r.name().equals(name));
    }

    /**
     * Restores every database that is missing and asks for it, all at once (a container boot
     * restores each of its databases before the app can start, so they overlap). Waits for all;
     * the first failure, in configuration order, stops the command.
     */
    private void restoreMissing(Config config, Map<String, String> env, Log log) throws CliException, IOException {
        List<DbConfig> missing = config.dbs().stream()
                .filter(d -> (restoreIfMissing || d.restoreIfDbNotExists()) && !holdsDatabase(d.path()))
                .toList();
        config.dbs().stream()
                .filter(d -> (restoreIfMissing || d.restoreIfDbNotExists()) && !missing.contains(d))
                .forEach(d -> RestoreCommand.removeAbandonedWork(d.path(), log));
        if (missing.isEmpty()) {
            return;
        }
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(Math.min(missing.size(), 4), r -> {
                    Thread t = new Thread(r, "restore-before-replicate");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<Void>> done = new ArrayList<>();
            for (DbConfig d : missing) {
                done.add(pool.submit(() -> {
                    restoreOne(d, env, log);
                    return null;
                }));
            }
            CliException first = null;
            for (java.util.concurrent.Future<Void> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof CliException ce
                                ? ce
                                : new CliException("restore before replicating failed: " + Log.describe(e.getCause()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException("interrupted while restoring before replicating");
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void restoreOne(DbConfig d, Map<String, String> env, Log log) throws CliException, IOException {
        Map<String, ReplicaClient> clients = Wiring.clients(d.replicas(), null, env);
        try {
            RestorePlan plan = RestorePlanner.plan(clients, RestorePlanner.Target.latest());
            plan.warnIfNewerSkipped(log);
            new Restorer(8, true, log).restore(plan, d.path());
            log.info("database restored before replicating", "db", d.path());
        } catch (NoBackupsException e) {
            log.info("no backup to restore, starting with an empty database", "db", d.path());
        } catch (IOException e) {
            throw new CliException("cannot restore " + d.path() + " before replicating: " + Log.describe(e));
        } finally {
            Wiring.closeAll(clients);
        }
    }

    private static ReplicationService build(
            Config config, Map<String, String> env, Clock clock, Log log, Map<String, LeaseKeeper> keepers)
            throws CliException {
        String holder = Leases.newHolderId();
        String host = Leases.hostName();
        long pid = ProcessHandle.current().pid();
        List<Replica> opened = new ArrayList<>();
        List<ReplicationService.Entry> entries = new ArrayList<>();
        for (DbConfig d : config.dbs()) {
            Database db = Wiring.database(d, clock, log);
            List<Replica> replicas = new ArrayList<>();
            for (ReplicaConfig rc : d.replicas()) {
                try {
                    ReplicaClient client = openVerified(rc, env);
                    if (config.lease().enabled()) {
                        LeaseKeeper k = new LeaseKeeper(
                                client.leaseStore(),
                                holder,
                                host,
                                pid,
                                config.lease().duration(),
                                clock);
                        keepers.put(rc.name() + " of " + d.path(), k);
                        client = new FencedReplicaClient(client, k, log);
                    }
                    replicas.add(Wiring.replica(db, rc, client, clock, log));
                } catch (IOException e) {
                    closeClients(opened);
                    throw new CliException(
                            "cannot open replica " + rc.name() + " of " + d.path() + ": " + Log.describe(e));
                }
                opened.add(replicas.get(replicas.size() - 1));
            }
            entries.add(new ReplicationService.Entry(db, replicas));
        }
        return new ReplicationService(entries, clock, log);
    }

    /** Opens a replica's client and checks it against the storage (S3: credentials, bucket, endpoint). */
    private static ReplicaClient openVerified(ReplicaConfig rc, Map<String, String> env) throws IOException {
        if (rc.age().enabled()
                && (rc.age().identities().isEmpty() || rc.age().recipients().isEmpty())) {
            throw new IOException("age needs both identities and recipients to replicate (recipients to encrypt, "
                    + "identities to read back the replica's position)");
        }
        ReplicaClient client = Wiring.client(rc, env);
        try {
            client.verify();
        } catch (IOException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static void closeClients(ReplicationService service) {
        for (ReplicationService.Entry e : service.entries()) {
            closeClients(e.replicas());
            try {
                e.db().close();
            } catch (IOException ignored) {
                // nothing was written yet
            }
        }
    }

    private static void closeClients(List<Replica> replicas) {
        for (Replica r : replicas) {
            try {
                r.client().close();
            } catch (Exception ignored) {
                // failing anyway
            }
        }
    }

    /** Litestream copies LITESTREAM_* credentials to the AWS_* names (if unset) for the child too. */
    static Map<String, String> awsEnv(Map<String, String> env) {
        Map<String, String> out = new HashMap<>();
        if (env.get("AWS_ACCESS_KEY_ID") == null && env.get("LITESTREAM_ACCESS_KEY_ID") != null) {
            out.put("AWS_ACCESS_KEY_ID", env.get("LITESTREAM_ACCESS_KEY_ID"));
        }
        if (env.get("AWS_SECRET_ACCESS_KEY") == null && env.get("LITESTREAM_SECRET_ACCESS_KEY") != null) {
            out.put("AWS_SECRET_ACCESS_KEY", env.get("LITESTREAM_SECRET_ACCESS_KEY"));
        }
        return out;
    }
}
