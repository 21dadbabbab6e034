package dev.litestack.replicator.cli;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.restore.IntegrityCheck;
import dev.litestack.replicator.restore.NoBackupsException;
import dev.litestack.replicator.restore.RestoreException;
import dev.litestack.replicator.restore.RestorePlan;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.util.Log;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code restore}: rebuild a database from a replica, at the latest state or a point in time. */
final class RestoreCommand implements Callable<Integer> {

    final ReplicaTargets targets = new ReplicaTargets();
    final LogLevelOption logLevel = new LogLevelOption();
    /** {@code -o} as given; {@link #output} once checked. */
    String outputArg;

    Path output;
    String generation;
    String index;
    String timestamp;
    int parallelism;
    boolean ifDbNotExists;
    boolean ifReplicaExists;
    String integrityCheck;
    boolean noIntegrityCheck;
    boolean verbose;
    boolean follow;
    String followInterval;
    String addr;
    String healthMaxLag;

    CommandSpec spec() {
        CommandSpec s = Specs.command(
                this,
                "restore",
                "Restore a database from its replica: the newest generation, or the state at -index/-timestamp.",
                "The result passes PRAGMA integrity_check (see -integrity-check) before it is moved into place; on failure "
                        + "nothing is left behind.");
        targets.addTo(s);
        logLevel.addTo(s);
        Specs.option(
                s,
                "-o",
                "PATH",
                String.class,
                "Output path (default: the database path from the config).",
                v -> outputArg = v);
        Specs.option(s, "-generation", "NAME", String.class, "Restore from this generation.", v -> generation = v);
        Specs.option(
                s, "-index", "HEX", String.class, "Restore up to and including this WAL index (hex).", v -> index = v);
        Specs.option(
                s,
                "-timestamp",
                "RFC3339",
                String.class,
                "Restore the state at this time (e.g. 2026-11-25T22:58:55Z); later than the newest backup means latest.",
                v -> timestamp = v);
        Specs.option(
                s,
                "-parallelism",
                "N",
                int.class,
                "8",
                "WAL downloads at once (default: ${DEFAULT-VALUE}).",
                v -> parallelism = v);
        Specs.flag(
                s,
                "-if-db-not-exists",
                "Do nothing (exit 0) if the output already holds a database (an empty file does not).",
                v -> ifDbNotExists = v);
        Specs.flag(s, "-if-replica-exists", "Do nothing (exit 0) if no backup exists.", v -> ifReplicaExists = v);
        Specs.option(
                s,
                "-integrity-check",
                "MODE",
                String.class,
                "How the result is checked before it is moved into place: full (PRAGMA integrity_check, the default), "
                        + "quick (PRAGMA quick_check: skips matching indexes to their tables) or none.",
                v -> integrityCheck = v);
        Specs.flag(s, "-no-integrity-check", "Same as -integrity-check none.", v -> noIntegrityCheck = v);
        Specs.flag(
                s,
                new String[] {"-v", "--v"},
                "Verbose output: log each snapshot and WAL segment as it is applied "
                        + "(the restore's own log at debug; -log-level debug also shows stack traces).",
                v -> verbose = v);
        Specs.flag(
                s,
                new String[] {"-f", "--follow"},
                "Follow: after the restore, keep applying new WAL segments to -o "
                        + "so other processes can read it (read-only) as a replica; stops on SIGTERM/SIGINT.",
                v -> follow = v);
        Specs.option(
                s,
                "-follow-interval",
                "DURATION",
                String.class,
                "With -f: how often to look for new WAL segments (default: 1s).",
                v -> followInterval = v);
        Specs.option(
                s,
                "-addr",
                "HOST:PORT",
                String.class,
                "With -f: serve Prometheus metrics at /metrics and the follower's health at /healthz.",
                v -> addr = v);
        Specs.option(
                s,
                "-health-max-lag",
                "DURATION",
                String.class,
                "With -f -addr: /healthz answers 503 when the output lags more than this (default: 1m).",
                v -> healthMaxLag = v);
        return s;
    }

    @Override
    public Integer call() throws Exception {
        Log log = logLevel.configure(System.getenv());
        if (verbose) {
            log = log.withLevel(Log.Level.DEBUG);
            Log.configure(log); // what logs through the process-wide log (the S3 client's crypto line) follows -v
        }
        IntegrityCheck check = integrityCheckMode();
        if (outputArg != null) {
            output = outputPath(outputArg);
        }
        if (parallelism < 1) {
            parallelism = 1; // Litestream 0.3.13 restores with 0 or less too: one download at a time
        }
        if (follow || followInterval != null || addr != null || healthMaxLag != null) {
            return Following.run(this, check, log);
        }
        Long idx = parseIndex();
        Instant ts = parseTimestamp();
        if (idx != null && ts != null) {
            throw new CliException("cannot specify index & timestamp to restore", ExitCodes.USAGE);
        }
        if (generation != null && !Pos.isGeneration(generation)) {
            throw new CliException(
                    "invalid -generation " + generation + ": want 16 lowercase hex characters", ExitCodes.USAGE);
        }
        boolean url = Wiring.isUrl(targets.target);
        if (url && output == null) {
            throw new CliException("output path required", ExitCodes.USAGE);
        }
        try (ReplicaTargets.Resolved r = targets.resolve(System.getenv())) {
            Path out = output != null ? output : r.db().path();
            out = out.toAbsolutePath().normalize();
            if (SqliteFiles.holdsDatabase(out)) {
                if (ifDbNotExists) {
                    log.info("database already exists, skipping", "path", out);
                    removeAbandonedWork(out, log);
                    return ExitCodes.OK;
                }
                throw new CliException("cannot restore, output path already exists: " + out);
            }
            RestorePlan plan;
            try {
                plan = RestorePlanner.plan(r.clients(), new RestorePlanner.Target(generation, idx, ts));
            } catch (NoBackupsException e) {
                if (ifReplicaExists) {
                    log.info("no matching backups found");
                    return ExitCodes.OK;
                }
                throw new CliException(e.getMessage());
            } catch (RestoreException e) {
                throw new CliException("cannot restore " + out + " from " + source(null) + ": " + Log.describe(e));
            }
            plan.warnIfNewerSkipped(log);
            log.info(
                    "restoring",
                    "replica",
                    plan.replicaName(),
                    "generation",
                    plan.generation(),
                    "snapshot_index",
                    plan.snapshot().index(),
                    "index_max",
                    plan.maxIndex(),
                    "segments",
                    plan.segments().size(),
                    "output",
                    out);
            long t0 = System.nanoTime();
            Restorer.Result res;
            try {
                res = new Restorer(parallelism, check, log).restore(plan, out);
            } catch (RestoreException e) {
                throw new CliException("cannot restore " + out + " from " + source(plan.replicaName()) + ", generation "
                        + plan.generation() + ": " + Log.describe(e));
            }
            log.info(
                    "restore complete",
                    "output",
                    res.output(),
                    "transactions",
                    res.transactions(),
                    "bytes",
                    res.bytes(),
                    "elapsed_ms",
                    (System.nanoTime() - t0) / 1_000_000);
            return ExitCodes.OK;
        }
    }

    /**
     * Where the restore reads from, for an error: the replica URL as given, else the database's replicas (or the
     * one named, by -replica or the plan) with the database path.
     */
    private String source(String replicaName) {
        if (Wiring.isUrl(targets.target)) {
            return targets.target;
        }
        Path db = Path.of(targets.target).toAbsolutePath().normalize();
        String name = replicaName != null ? replicaName : targets.replica;
        return name != null ? "replica " + name + " of " + db : "the replicas of " + db;
    }

    /** The database file {@code -o} names: not empty, not a folder (a trailing slash). */
    static Path outputPath(String arg) throws CliException {
        if (arg.isBlank() || arg.endsWith("/")) {
            throw new CliException(
                    "invalid -o \"" + arg + "\": want the path of the database file to write", ExitCodes.USAGE);
        }
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            throw new CliException("invalid -o \"" + arg + "\": " + e.getReason(), ExitCodes.USAGE);
        }
    }

    /** The -integrity-check mode (full when not given); -no-integrity-check means none. */
    IntegrityCheck integrityCheckMode() throws CliException {
        if (integrityCheck == null) {
            return noIntegrityCheck ? IntegrityCheck.NONE : IntegrityCheck.FULL;
        }
        IntegrityCheck mode = IntegrityCheck.parse(integrityCheck);
        if (mode == null) {
            throw new CliException(
                    "invalid -integrity-check " + integrityCheck + ": want none, quick or full", ExitCodes.USAGE);
        }
        if (noIntegrityCheck && mode != IntegrityCheck.NONE) {
            throw new CliException(
                    "-no-integrity-check contradicts -integrity-check " + integrityCheck, ExitCodes.USAGE);
        }
        return mode;
    }

    Long parseIndex() throws CliException {
        if (index == null) {
            return null;
        }
        try {
            long v = Long.parseLong(index, 16);
            if (v < 0 || v > Pos.MAX_FIELD) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CliException(
                    "invalid -index " + index + ": want a hexadecimal WAL index such as 0 or 1f", ExitCodes.USAGE);
        }
    }

    Instant parseTimestamp() throws CliException {
        if (timestamp == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            throw new CliException(
                    "invalid -timestamp " + timestamp + ": want RFC 3339, e.g. 2026-11-25T22:58:55Z", ExitCodes.USAGE);
        }
    }

    /** Removes the work folders killed restores left beside {@code out}; a failure is only logged. */
    static void removeAbandonedWork(Path out, Log log) {
        try {
            Restorer.removeAbandonedWork(out);
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("cannot remove what an interrupted restore left", "path", out, "error", e);
        }
    }
}
