package dev.litestack.replicator.follow;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.restore.IntegrityCheck;
import dev.litestack.replicator.restore.RestorePlan;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.restore.WalApplier;
import dev.litestack.replicator.restore.WalCursor;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.util.AtomicFiles;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.Lz4;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code restore -f}: restores a database, then keeps applying the WAL segments that appear on
 * its replica, so that other processes can read the output (read-only) while it follows.
 *
 * <p>Each poll lists the followed generation's segments after the saved position, applies all of
 * them to the output as one change ({@link FollowedDb#apply}) and then saves the new position
 * ({@link FollowState}). A poll that finds nothing new also lists the generations; when one with a
 * snapshot shows up (or on the first idle poll) and a restore would now pick another generation, or when segments after the position are gone
 * (retention), the database is restored again into a temp file whose pages replace the output's
 * in one change, so readers keep their connections and see the switch as one transaction.
 */
public final class Follower implements AutoCloseable {

    /** How to follow. */
    public record Options(
            Duration interval,
            Duration maxBackoff,
            Duration busyTimeout,
            int parallelism,
            IntegrityCheck integrityCheck) {}

    private final Map<String, ReplicaClient> clients;
    private final Path out;
    private final Path stateFile;
    private final Path restoreTmp;
    private final Path spill;
    private final Options opts;
    private final Log log;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Instant startedAt;

    private FollowedDb db;
    private FollowState state;
    /** Generations already considered with a snapshot: a new one makes an idle poll plan again. */
    private final Set<String> settled = new HashSet<>();

    private FollowedDb.FaultHook faultHook;

    private volatile Instant caughtUpAt;
    private volatile Pos applied;
    private volatile String lastError;
    private final LongAdder transactions = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder restores = new LongAdder();

    public Follower(Map<String, ReplicaClient> clients, Path out, Options opts, Log log, Clock clock) {
        this.clients = Map.copyOf(clients);
        this.out = SqliteFiles.resolve(out); // the file a link leads to, as SQLite opens it
        this.stateFile = FollowState.fileOf(this.out);
        this.restoreTmp = this.out.resolveSibling("." + this.out.getFileName() + ".follow-restore");
        this.spill = this.out.resolveSibling("." + this.out.getFileName() + ".follow-pages");
        this.opts = opts;
        this.log = log;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    public Path output() {
        return out;
    }

    /** The position applied to the output (null before the first restore). */
    public Pos applied() {
        return applied;
    }

    /** The replica followed (null before the first restore). */
    public String replicaName() {
        FollowState s = state;
        return s == null ? null : s.replica();
    }

    /**
     * Seconds since the follower last knew the output held everything on the replica: the start
     * of its last poll that applied all it listed. Grows during an outage.
     */
    public double lagSeconds() {
        Instant t = caughtUpAt != null ? caughtUpAt : startedAt;
        return Math.max(0, Duration.between(t, clock.instant()).toNanos() / 1e9);
    }

    public long transactions() {
        return transactions.sum();
    }

    public long errors() {
        return errors.sum();
    }

    long restores() {
        return restores.sum();
    }

    /** The last poll's error, or null if it succeeded. */
    public String lastError() {
        return lastError;
    }

    /** For crash tests: called at each step of every change of the output. */
    void faultHook(FollowedDb.FaultHook hook) {
        this.faultHook = hook;
        if (db != null) {
            db.faultHook(hook);
        }
    }

    /**
     * Restores the output, or resumes following it: an output left by an earlier run (with its
     * {@code .follow} position beside it) is first repaired by SQLite if a change was cut short.
     */
    public void start() throws IOException {
        Files.createDirectories(out.getParent());
        Files.deleteIfExists(restoreTmp);
        Files.deleteIfExists(spill);
        if (Files.exists(out)) {
            if (!Files.exists(stateFile)) {
                throw new FollowException("output path already exists and was not written by restore -f (no "
                        + stateFile.getFileName() + " beside it): " + out + "; remove it or choose another -o");
            }
            openDb();
            state = FollowState.read(stateFile);
            applied = state.cursor().pos();
            if (state.restorePending() || !clients.containsKey(state.replica())) {
                log.info("follow: restoring again, the last swap to a new restore did not finish", "output", out);
                replace(RestorePlanner.plan(clients, RestorePlanner.Target.latest()));
            }
            log.info("follow: resuming", "output", out, "replica", state.replica(), "position", applied);
        } else {
            Restorer.refuseLeftovers(out); // FollowedDb.open would replay (or roll back) them into the restore
            RestorePlan plan = RestorePlanner.plan(clients, RestorePlanner.Target.latest());
            Restorer.Result res = restoreToTemp(plan);
            state = new FollowState(plan.replicaName(), res.end(), false);
            // the position first: an output without it would be refused on restart
            state.write(stateFile);
            AtomicFiles.rename(restoreTmp, out);
            openDb();
            restored(plan, res);
        }
    }

    private void openDb() throws IOException {
        db = FollowedDb.open(out, opts.busyTimeout());
        if (faultHook != null) {
            db.faultHook(faultHook);
        }
    }

    /** Polls until {@link #stop()}: every interval while it succeeds, backing off while it fails. */
    public void run() {
        int failures = 0;
        while (stopped.getCount() > 0) {
            Duration wait = opts.interval();
            try {
                poll();
                if (failures > 0) {
                    log.info("follow recovered", "output", out, "position", applied, "failed_polls", failures);
                }
                failures = 0;
                lastError = null;
            } catch (IOException | RuntimeException e) {
                errors.increment();
                lastError = Log.describe(e);
                if (failures == 0) {
                    log.warn(
                            "follow failed, retrying with backoff",
                            "output",
                            out,
                            "position",
                            applied,
                            "error",
                            lastError);
                }
                failures++;
                wait = backoff(failures);
            }
            try {
                stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Duration backoff(int failures) {
        Duration d = opts.interval().multipliedBy(1L << Math.min(failures, 16));
        Duration max = opts.maxBackoff().compareTo(opts.interval()) > 0 ? opts.maxBackoff() : opts.interval();
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Asks {@link #run()} to return after the poll in progress (a change in progress completes). */
    public void stop() {
        stopped.countDown();
    }

    /** One poll: applies what is new, or switches to a new generation. */
    void poll() throws IOException {
        Instant t0 = clock.instant();
        ReplicaClient client = clients.get(state.replica());
        WalCursor c = state.cursor();
        String gen = c.pos().generation();
        List<WalSegmentInfo> newer = new ArrayList<>();
        boolean indexListed = false;
        for (WalSegmentInfo s : client.walSegments(gen)) {
            if (s.pos().compareInGeneration(c.pos()) >= 0) {
                newer.add(s);
            }
            indexListed |= s.index() == c.pos().index();
        }
        if (newer.isEmpty()) {
            List<String> fresh = new ArrayList<>();
            for (String g : client.generations()) {
                // a generation without a snapshot cannot be restored yet: look again next time
                if (!settled.contains(g)
                        && (g.equals(gen) || !client.snapshots(g).isEmpty())) {
                    fresh.add(g);
                }
            }
            if (fresh.stream().anyMatch(g -> !g.equals(gen))) {
                RestorePlan plan = RestorePlanner.plan(clients, RestorePlanner.Target.latest());
                if (!plan.generation().equals(gen) || !plan.replicaName().equals(state.replica())) {
                    log.info(
                            "follow: new generation, restoring it",
                            "output",
                            out,
                            "from",
                            gen,
                            "to",
                            plan.generation());
                    replace(plan);
                }
            }
            // only once handled: a failed swap is tried again by the next idle poll
            settled.addAll(fresh);
        } else if (!continues(c, newer.get(0), indexListed)) {
            log.warn(
                    "follow: wal segments after the position are gone (retention?), restoring again",
                    "output",
                    out,
                    "position",
                    c.pos(),
                    "first_listed",
                    newer.get(0).pos());
            replace(RestorePlanner.plan(clients, RestorePlanner.Target.latest()));
        } else {
            applySegments(client, c, newer);
        }
        caughtUpAt = t0;
    }

    /**
     * True if {@code first} is the segment that follows {@code c}: at its position, or the next
     * index's start. The next index counts only while the cursor's index is still listed: retention
     * deletes whole indexes, so with it gone nothing tells whether it went on past the cursor.
     */
    private static boolean continues(WalCursor c, WalSegmentInfo first, boolean indexListed) {
        Pos p = c.pos();
        return (first.index() == p.index() && first.offset() == p.offset())
                || (c.header() != null && indexListed && first.index() == p.index() + 1 && first.offset() == 0);
    }

    private void applySegments(ReplicaClient client, WalCursor c, List<WalSegmentInfo> segs) throws IOException {
        String gen = c.pos().generation();
        try (PageBatch batch = new PageBatch(spill, db.pageSize())) {
            WalApplier applier = new WalApplier(batch, db.pageSize());
            applier.resume(c);
            long index = c.pos().index();
            byte[] buf = new byte[256 * 1024];
            for (WalSegmentInfo seg : segs) {
                String name = client.describe() + "/" + ReplicaLayout.walSegmentKey(gen, seg.index(), seg.offset());
                if (seg.index() > index + 1) {
                    throw new FollowException("wal index " + Pos.hex8(index + 1) + " is missing before " + name);
                }
                index = seg.index();
                applier.beginSegment(name, seg.index(), seg.offset());
                try (InputStream in = Lz4.decompress(client.unseal(client.openWalSegment(seg.pos()), name))) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        applier.accept(buf, 0, r);
                    }
                }
                applier.endSegment();
            }
            WalCursor end = applier.cursor(gen);
            if (batch.transactions() > 0) {
                db.apply(batch);
            }
            state = new FollowState(state.replica(), end, false);
            state.write(stateFile);
            applied = end.pos();
            transactions.add(batch.transactions());
            log.debug(
                    "follow: applied",
                    "segments",
                    segs.size(),
                    "transactions",
                    batch.transactions(),
                    "position",
                    applied);
        }
    }

    /**
     * Restores {@code plan} into a temp file and makes the output that database in one change. The
     * position says "restore pending" until the change is done, so a crash in between restores again.
     */
    private void replace(RestorePlan plan) throws IOException {
        state.pendingRestore().write(stateFile);
        Restorer.Result res = restoreToTemp(plan);
        try (FileChannel fresh = FileChannel.open(restoreTmp, StandardOpenOption.READ)) {
            ByteBuffer hdr = ByteBuffer.allocate(100);
            fresh.read(hdr, 0);
            int ps = FollowedDb.pageSizeOf(hdr);
            if (ps != db.pageSize()) {
                throw new FollowException("generation " + plan.generation() + " has page size " + ps + ", the output "
                        + db.pageSize()
                        + ": stop restore -f, delete " + out + " (with any -wal, -shm or -journal beside it) and "
                        + stateFile + ", and start it again");
            }
            db.apply(PageBatch.wholeFile(fresh, ps));
        } finally {
            Files.deleteIfExists(restoreTmp);
        }
        state = new FollowState(plan.replicaName(), res.end(), false);
        state.write(stateFile);
        restored(plan, res);
    }

    /** Records a finished restore of {@code plan}: the applied position, the counter and one log line. */
    private void restored(RestorePlan plan, Restorer.Result res) {
        applied = res.end().pos();
        restores.increment();
        log.info(
                "follow: restored",
                "output",
                out,
                "replica",
                plan.replicaName(),
                "position",
                applied,
                "transactions",
                res.transactions());
    }

    private Restorer.Result restoreToTemp(RestorePlan plan) throws IOException {
        Files.deleteIfExists(restoreTmp);
        Restorer.Result res = new Restorer(opts.parallelism(), opts.integrityCheck(), log).restore(plan, restoreTmp);
        FollowedDb.toRollbackMode(restoreTmp);
        return res;
    }

    @Override
    public void close() throws IOException {
        stop();
        if (db != null) {
            db.close();
        }
    }
}
