package dev.litestack.replicator.restore;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Picks the replica, generation, snapshot and WAL segments for a restore, following Litestream
 * 0.3.13's rules (latest-updated generation, newest snapshot at or before the target) with two
 * differences: a timestamp after the newest object means "latest", and gaps are errors.
 */
public final class RestorePlanner {

    /** Restrictions on what to restore; null fields mean "no restriction". */
    public record Target(String generation, Long index, Instant timestamp) {
        public static Target latest() {
            return new Target(null, null, null);
        }
    }

    private RestorePlanner() {}

    /** Plans a restore from the first-listed replica whose best generation is the most recently updated. */
    public static RestorePlan plan(Map<String, ReplicaClient> replicas, Target target) throws IOException {
        RestorePlan best = null;
        Instant bestUpdated = null;
        Instant bestCreated = null;
        String skipped = null;
        String skippedReplica = null;
        Instant skippedUpdated = null;
        // the generation a -timestamp falls in, when it has no snapshot at or before that time
        String noSnapshotYet = null;
        Instant noSnapshotFirst = null;
        for (Map.Entry<String, ReplicaClient> e : replicas.entrySet()) {
            ReplicaClient client = e.getValue();
            List<String> gens = target.generation() != null
                    ? List.of(target.generation())
                    : listing(e.getKey(), client::generations);
            Listings listings = Listings.start(e.getKey(), client, gens);
            for (int i = 0; i < gens.size(); i++) {
                String g = gens.get(i);
                List<SnapshotInfo> snaps = listings.snapshots(i);
                List<WalSegmentInfo> segs = listings.walSegments(i);
                Instant created = null;
                Instant updated = null;
                for (SnapshotInfo s : snaps) {
                    created = min(created, s.createdAt());
                    updated = max(updated, s.createdAt());
                }
                for (WalSegmentInfo s : segs) {
                    created = min(created, s.createdAt());
                    updated = max(updated, s.createdAt());
                }
                if (created == null || snaps.isEmpty()) {
                    if (created != null && (skippedUpdated == null || updated.isAfter(skippedUpdated))) {
                        skipped = g; // WAL without a snapshot cannot be restored (Litestream fails here)
                        skippedReplica = e.getKey();
                        skippedUpdated = updated;
                    }
                    continue;
                }
                if (target.timestamp() != null && created.isAfter(target.timestamp())) {
                    continue;
                }
                // S3 times have whole seconds: of two generations last updated in the same second (a replicator
                // restarted within it), the one begun later is the newer (Litestream takes the first listed)
                boolean newer = bestUpdated == null
                        || updated.isAfter(bestUpdated)
                        || updated.equals(bestUpdated) && created.isAfter(bestCreated);
                // another replica's copy of the generation found without a snapshot early enough
                boolean rescue = g.equals(noSnapshotYet);
                if (newer || rescue) {
                    SnapshotInfo snap = pickSnapshot(snaps, target);
                    if (snap == null) {
                        if (target.timestamp() == null
                                || rescue
                                || best != null && best.generation().equals(g)) {
                            continue;
                        }
                        // with a -timestamp, this generation had begun by then: an earlier one is not the database
                        // at that time (Litestream fails too: "no snapshots available")
                        best = null;
                        noSnapshotYet = g;
                        noSnapshotFirst = snaps.stream()
                                .map(SnapshotInfo::createdAt)
                                .min(Instant::compareTo)
                                .orElseThrow();
                    } else {
                        best = new RestorePlan(e.getKey(), client, g, snap, pickSegments(g, segs, snap, target), null);
                        noSnapshotYet = null;
                    }
                    if (newer) {
                        bestUpdated = updated;
                        bestCreated = created;
                    }
                }
            }
        }
        if (noSnapshotYet != null) { // set only while no generation at least as new gave a plan
            throw new RestoreException("no snapshot of generation " + noSnapshotYet + " at or before "
                    + target.timestamp() + " (its first is from " + noSnapshotFirst + "); that generation had begun by"
                    + " then, so an earlier one would not be the database at that time: pick a later -timestamp, or"
                    + " another generation with -generation");
        }
        if (best == null) {
            if (skipped != null) {
                // Not "no backups": a boot restore (-if-replica-exists, restore-if-db-not-exists) would go on
                // with an empty database, start a new generation, and retention would then delete this one.
                throw new RestoreException("generation " + skipped + " of replica " + skippedReplica
                        + " has WAL segments but no snapshot (deleted, or never copied?), and no other generation has"
                        + " one; restore a snapshot into it, or pick another backup with -generation");
            }
            throw new NoBackupsException();
        }
        if (skippedUpdated != null && target.timestamp() == null && skippedUpdated.isAfter(bestUpdated)) {
            return new RestorePlan(
                    best.replicaName(), best.client(), best.generation(), best.snapshot(), best.segments(), skipped);
        }
        return best;
    }

    /**
     * The snapshot and WAL listings of a replica's generations, all requested at once (at most
     * {@link #AT_ONCE} in flight) on daemon threads: each is a LIST round trip or more on S3, and a
     * replica with several generations would otherwise wait for them one by one.
     */
    private static final class Listings {
        static final int AT_ONCE = 8;

        private final List<Future<List<SnapshotInfo>>> snapshots = new ArrayList<>();
        private final List<Future<List<WalSegmentInfo>>> walSegments = new ArrayList<>();
        private final ExecutorService pool;

        private Listings(ExecutorService pool) {
            this.pool = pool;
        }

        static Listings start(String replica, ReplicaClient client, List<String> gens) {
            Listings l =
                    new Listings(Executors.newFixedThreadPool(Math.max(1, Math.min(AT_ONCE, 2 * gens.size())), r -> {
                        Thread t = new Thread(r, "restore-list");
                        t.setDaemon(true);
                        return t;
                    }));
            for (String g : gens) {
                l.snapshots.add(l.pool.submit(() -> listing(replica, () -> client.snapshots(g))));
                l.walSegments.add(l.pool.submit(() -> listing(replica, () -> client.walSegments(g))));
            }
            l.pool.shutdown();
            return l;
        }

        List<SnapshotInfo> snapshots(int i) throws RestoreException {
            return result(snapshots.get(i));
        }

        List<WalSegmentInfo> walSegments(int i) throws RestoreException {
            return result(walSegments.get(i));
        }

        private <T> List<T> result(Future<List<T>> f) throws RestoreException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
                throw new RestoreException("restore interrupted");
            } catch (ExecutionException e) {
                pool.shutdownNow();
                if (e.getCause() instanceof RestoreException re) {
                    throw re;
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new RestoreException(String.valueOf(e.getCause()), e.getCause());
            }
        }
    }

    /** A listing call of the replica's client. */
    private interface Listing<T> {
        List<T> list() throws IOException;
    }

    /** Runs a listing; a failure names the replica (the client's message names the object and the cause). */
    private static <T> List<T> listing(String replica, Listing<T> call) throws RestoreException {
        try {
            return call.list();
        } catch (IOException e) {
            throw new RestoreException("cannot list backups of replica " + replica + ": " + e.getMessage(), e);
        }
    }

    private static SnapshotInfo pickSnapshot(List<SnapshotInfo> snaps, Target target) {
        SnapshotInfo pick = null;
        for (SnapshotInfo s : snaps) {
            if (target.index() != null) {
                if (s.index() <= target.index()) {
                    pick = s;
                }
            } else if (target.timestamp() == null || !s.createdAt().isAfter(target.timestamp())) {
                if (pick == null
                        || s.createdAt().isAfter(pick.createdAt())
                        || (s.createdAt().equals(pick.createdAt()) && s.index() > pick.index())) {
                    pick = s;
                }
            }
        }
        return pick;
    }

    private static List<WalSegmentInfo> pickSegments(
            String generation, List<WalSegmentInfo> segs, SnapshotInfo snap, Target target) throws RestoreException {
        List<WalSegmentInfo> out = new ArrayList<>();
        for (WalSegmentInfo s : segs) {
            if (target.index() != null && s.index() > target.index()) {
                break;
            }
            if (target.timestamp() != null && s.createdAt().isAfter(target.timestamp())) {
                break;
            }
            if (s.index() >= snap.index()) {
                out.add(s);
            }
        }
        long expect = snap.index();
        long prevOffset = -1;
        for (WalSegmentInfo s : out) {
            if (s.index() != expect) {
                if (s.index() != expect + 1 || prevOffset < 0) {
                    // the first index without segments: expect itself if it had none, else the one after it
                    long missing = prevOffset < 0 ? expect : expect + 1;
                    throw new RestoreException("missing WAL index: " + generation + "/" + hex(missing));
                }
                expect = s.index();
                prevOffset = -1;
            }
            if (prevOffset < 0 && s.offset() != 0) {
                throw new RestoreException("missing initial wal segment: generation=" + generation + " index="
                        + hex(s.index()) + " offset=" + s.offset());
            }
            prevOffset = s.offset();
        }
        return out;
    }

    static String hex(long v) {
        return Pos.hex8(v);
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
