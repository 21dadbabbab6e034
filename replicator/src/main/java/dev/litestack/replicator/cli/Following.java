package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Durations;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.exec.Signals;
import dev.litestack.replicator.follow.FollowMetrics;
import dev.litestack.replicator.follow.Follower;
import dev.litestack.replicator.metrics.MetricsServer;
import dev.litestack.replicator.restore.IntegrityCheck;
import dev.litestack.replicator.restore.RestoreException;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** {@code restore -f}: checks the flags, then runs a {@link Follower} until SIGTERM or SIGINT. */
final class Following {

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

    private Following() {}

    static int run(RestoreCommand cmd, IntegrityCheck check, Log log) throws Exception {
        if (!cmd.follow) {
            String flag =
                    cmd.followInterval != null ? "-follow-interval" : cmd.addr != null ? "-addr" : "-health-max-lag";
            throw new CliException(flag + " only goes with -f (follow)", ExitCodes.USAGE);
        }
        if (cmd.output == null) {
            throw new CliException(
                    "-f needs -o PATH: the output that readers open (never the primary's database)", ExitCodes.USAGE);
        }
        refuse(cmd.timestamp != null, "-timestamp", "a point in time does not move");
        refuse(cmd.index != null, "-index", "a fixed WAL index does not move");
        refuse(cmd.generation != null, "-generation", "it follows the generation a restore picks, and the next one");
        refuse(cmd.ifDbNotExists, "-if-db-not-exists", "an existing output written by -f is resumed");
        refuse(cmd.ifReplicaExists, "-if-replica-exists", "there is nothing to follow without a backup");
        Duration interval = duration("-follow-interval", cmd.followInterval, "1s");
        Duration maxLag = duration("-health-max-lag", cmd.healthMaxLag, "1m");
        if (cmd.addr != null && !cmd.addr.matches("[^:]*:\\d{1,5}")) {
            throw new CliException(
                    "invalid -addr " + cmd.addr + ": want HOST:PORT such as :9090 or 127.0.0.1:9090", ExitCodes.USAGE);
        }
        Path out = cmd.output.toAbsolutePath().normalize();
        Signals signals = new Signals();
        try (ReplicaTargets.Resolved r = cmd.targets.resolve(System.getenv());
                Follower follower = new Follower(
                        r.clients(),
                        out,
                        new Follower.Options(interval, MAX_BACKOFF, BUSY_TIMEOUT, cmd.parallelism, check),
                        log,
                        Clock.systemUTC())) {
            if (r.db() != null && r.db().path().toAbsolutePath().normalize().equals(out)) {
                throw new CliException(
                        "-o " + out + " is the primary database of the config: -f needs another path", ExitCodes.USAGE);
            }
            MetricsServer metrics = null;
            if (cmd.addr != null) {
                try {
                    metrics = MetricsServer.start(
                            cmd.addr, FollowMetrics.register(follower), () -> FollowMetrics.health(follower, maxLag));
                    log.info("serving metrics", "addr", cmd.addr, "port", metrics.port());
                } catch (IOException | RuntimeException e) {
                    throw new CliException("cannot listen on addr " + cmd.addr + ": " + Log.describe(e));
                }
            }
            try {
                try {
                    follower.start();
                } catch (RestoreException e) {
                    throw new CliException("restore -f failed: " + e.getMessage());
                } catch (IOException e) {
                    throw new CliException("restore -f failed: " + Log.describe(e));
                }
                // after the first restore: a signal during it ends the process, and the next start cleans up
                AtomicReference<String> signal = new AtomicReference<>("none");
                signals.install(name -> {
                    signal.compareAndSet("none", name); // before the stop: the line below logs it
                    follower.stop();
                });
                log.info("following", "output", out, "interval", Durations.format(interval));
                follower.run();
                log.info("follow stopped", "output", out, "position", follower.applied(), "signal", signal.get());
                return ExitCodes.OK;
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
            }
        }
    }

    private static void refuse(boolean given, String flag, String why) throws CliException {
        if (given) {
            throw new CliException("cannot use " + flag + " with -f: " + why, ExitCodes.USAGE);
        }
    }

    private static Duration duration(String flag, String value, String dflt) throws CliException {
        String v = value != null ? value : dflt;
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    "invalid " + flag + " " + v + ": want a duration such as 500ms, 1s or 1m", ExitCodes.USAGE);
        }
        if (d.isZero() || d.isNegative()) {
            throw new CliException("invalid " + flag + " " + v + ": must be greater than 0", ExitCodes.USAGE);
        }
        return d;
    }
}
