package dev.litestack.replicator.cli;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.config.Durations;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.util.Json;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code generations}, {@code snapshots} and {@code wal}: Litestream's listings, plus {@code -json}. */
final class ListingCommands {

    private ListingCommands() {}

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Shared plumbing: resolve targets, list per replica, print a table or JSON. A failing replica is
     * reported and skipped, and the command then exits 1 (Litestream exits 0), so a script can tell
     * "no backups" from "cannot read the backups".
     */
    abstract static class Base implements Callable<Integer> {
        final ReplicaTargets targets = new ReplicaTargets();
        final LogLevelOption logLevel = new LogLevelOption();
        boolean json;
        CommandSpec spec;

        /** The command's model: its name and description, the targets, -log-level and -json. */
        CommandSpec spec(String name, String description) {
            spec = Specs.command(this, name, description);
            targets.addTo(spec);
            logLevel.addTo(spec);
            Specs.flag(spec, "-json", "Print JSON instead of a table.", v -> json = v);
            return spec;
        }

        final List<Map<String, Object>> rows = new ArrayList<>();

        abstract String[] columns();

        abstract void list(String name, ReplicaClient client, ReplicaTargets.Resolved r) throws IOException;

        @Override
        public Integer call() throws Exception {
            Log log = logLevel.configure(System.getenv());
            check();
            boolean failed = false;
            try (ReplicaTargets.Resolved r = targets.resolve(System.getenv())) {
                for (Map.Entry<String, ReplicaClient> e : r.clients().entrySet()) {
                    try {
                        list(e.getKey(), e.getValue(), r);
                    } catch (IOException ex) {
                        log.error("cannot list replica", "replica", e.getKey(), "error", ex);
                        failed = true;
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.array(rows));
                out.flush();
            } else {
                Table t = new Table(columns());
                for (Map<String, Object> row : rows) {
                    t.add(row.values().toArray());
                }
                t.print(out);
            }
            return failed ? ExitCodes.ERROR : ExitCodes.OK;
        }

        /** Checks the command's own flags before anything is listed. */
        void check() throws CliException {}

        void row(Object... kv) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i + 1 < kv.length; i += 2) {
                m.put((String) kv[i], kv[i + 1]);
            }
            rows.add(m);
        }
    }

    static final class Generations extends Base {
        CommandSpec spec() {
            return spec("generations", "List the generations of a database's replicas, with their time range and lag.");
        }

        @Override
        String[] columns() {
            return new String[] {"name", "generation", "lag", "start", "end"};
        }

        @Override
        void list(String name, ReplicaClient client, ReplicaTargets.Resolved r) throws IOException {
            Instant updated = r.dbUpdatedAt();
            for (String g : client.generations()) {
                Instant start = null;
                Instant end = null;
                for (SnapshotInfo s : client.snapshots(g)) {
                    start = start == null || s.createdAt().isBefore(start) ? s.createdAt() : start;
                    end = end == null || s.createdAt().isAfter(end) ? s.createdAt() : end;
                }
                for (WalSegmentInfo s : client.walSegments(g)) {
                    start = start == null || s.createdAt().isBefore(start) ? s.createdAt() : start;
                    end = end == null || s.createdAt().isAfter(end) ? s.createdAt() : end;
                }
                if (start == null) {
                    continue;
                }
                Duration lag = Duration.between(end, updated).truncatedTo(ChronoUnit.MILLIS);
                lag = Duration.ofMillis(lag.toMillis() / 100 * 100);
                row(
                        "name",
                        name,
                        "generation",
                        g,
                        "lag",
                        Durations.format(lag),
                        "start",
                        time(start),
                        "end",
                        time(end));
            }
        }
    }

    static final class Snapshots extends Base {
        CommandSpec spec() {
            return spec(
                    "snapshots", "List the snapshots of a database's replicas (size is the stored, compressed size).");
        }

        @Override
        String[] columns() {
            return new String[] {"replica", "generation", "index", "size", "created"};
        }

        @Override
        void list(String name, ReplicaClient client, ReplicaTargets.Resolved r) throws IOException {
            for (String g : client.generations()) {
                for (SnapshotInfo s : client.snapshots(g)) {
                    row(
                            "replica",
                            name,
                            "generation",
                            g,
                            "index",
                            s.index(),
                            "size",
                            s.size(),
                            "created",
                            time(s.createdAt()));
                }
            }
        }
    }

    static final class Wal extends Base {
        String generation;

        CommandSpec spec() {
            CommandSpec s =
                    spec("wal", "List the WAL segments of a database's replicas (index and offset in decimal).");
            Specs.option(s, "-generation", "NAME", String.class, "Only this generation.", v -> generation = v);
            return s;
        }

        @Override
        void check() throws CliException {
            if (generation != null && !Pos.isGeneration(generation)) {
                throw new CliException(
                        "invalid -generation " + generation + ": want 16 lowercase hex characters", ExitCodes.USAGE);
            }
        }

        @Override
        String[] columns() {
            return new String[] {"replica", "generation", "index", "offset", "size", "created"};
        }

        @Override
        void list(String name, ReplicaClient client, ReplicaTargets.Resolved r) throws IOException {
            List<String> gens = generation != null ? List.of(generation) : client.generations();
            for (String g : gens) {
                for (WalSegmentInfo s : client.walSegments(g)) {
                    row(
                            "replica",
                            name,
                            "generation",
                            g,
                            "index",
                            s.index(),
                            "offset",
                            s.offset(),
                            "size",
                            s.size(),
                            "created",
                            time(s.createdAt()));
                }
            }
        }
    }
}
