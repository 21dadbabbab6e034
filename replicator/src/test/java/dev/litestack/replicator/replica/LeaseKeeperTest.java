package dev.litestack.replicator.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.replica.s3.S3ReplicaClient;
import dev.litestack.replicator.testing.MutableClock;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease protocol on an injected clock, on a file replica and on S3 (s3proxy). */
@Tag("integration")
class LeaseKeeperTest {

    private static final Duration TTL = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    private LeaseKeeper keeper(LeaseStore store, String holder) {
        return new LeaseKeeper(store, holder, "host-" + holder, 100, TTL, clock);
    }

    @Test
    void fileLeaseLifecycle() throws Exception {
        lifecycle(new FileReplicaClient(dir.resolve("rep")).leaseStore());
        // old versions are removed: one lease file remains
        try (var s = Files.list(dir.resolve("rep").resolve(ReplicaLayout.LEASE))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void s3LeaseLifecycle() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                S3ReplicaClient client =
                        S3ReplicaClient.open(server.settings(server.createBucket(), "app"), Map.of())) {
            lifecycle(client.leaseStore());
            assertEquals(List.of("app/lease"), server.keys(client.settings().bucket()));
        }
    }

    private void lifecycle(LeaseStore store) throws Exception {
        LeaseKeeper a = keeper(store, "aaaa");
        LeaseKeeper b = keeper(store, "bbbb");
        assertInstanceOf(LeaseKeeper.Acquired.class, a.tryAcquire());
        assertTrue(a.valid());
        LeaseKeeper.Held held = assertInstanceOf(LeaseKeeper.Held.class, b.tryAcquire());
        assertEquals("aaaa", held.by().holder());
        assertEquals("host-aaaa", held.by().host());
        assertEquals(clock.instant().plus(TTL), held.by().expires());
        assertFalse(b.valid());

        // renewals keep it: b still cannot take it after more than one duration
        for (int i = 0; i < 4; i++) {
            clock.advance(TTL.dividedBy(3));
            assertTrue(a.renew());
            assertInstanceOf(LeaseKeeper.Held.class, b.tryAcquire());
        }

        // the holder dies (no renewals): the lease is free once it expires, not before
        clock.advance(TTL.minusSeconds(1));
        assertTrue(a.valid());
        assertInstanceOf(LeaseKeeper.Held.class, b.tryAcquire());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(a.valid(), "a's own clock says its lease is over: it writes no more");
        assertInstanceOf(LeaseKeeper.Acquired.class, b.tryAcquire());
        assertFalse(a.renew(), "a learns it lost the lease");
        assertEquals("bbbb", a.lostTo().holder());
        assertFalse(a.valid());

        // clean release frees it at once
        b.release();
        assertTrue(b.closed());
        LeaseKeeper c = keeper(store, "cccc");
        assertInstanceOf(LeaseKeeper.Acquired.class, c.tryAcquire());
        assertEquals("cccc", store.read().lease().holder());
        assertThrows(IOException.class, b::tryAcquire, "a released keeper takes nothing any more");
    }

    @Test
    void ofManyRacingForAFileLeaseExactlyOneWins() throws Exception {
        LeaseStore store = new FileReplicaClient(dir.resolve("rep")).leaseStore();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int round = 0; round < 20; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<LeaseKeeper.Outcome>> outcomes = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    LeaseKeeper k = keeper(store, "r" + round + "-" + i);
                    Callable<LeaseKeeper.Outcome> c = () -> {
                        go.await();
                        return k.tryAcquire();
                    };
                    outcomes.add(pool.submit(c));
                }
                go.countDown();
                int won = 0;
                for (Future<LeaseKeeper.Outcome> f : outcomes) {
                    won += f.get() instanceof LeaseKeeper.Acquired ? 1 : 0;
                }
                assertEquals(1, won, "round " + round);
                clock.advance(TTL); // free for the next round
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fencedClientWritesOnlyWhileTheLeaseIsValid() throws Exception {
        FileReplicaClient raw = new FileReplicaClient(dir.resolve("rep"));
        LeaseKeeper a = keeper(raw.leaseStore(), "aaaa");
        FencedReplicaClient fenced = new FencedReplicaClient(raw, a, new Log(Log.Level.INFO, false, System.out));
        String gen = "0123456789abcdef";
        IOException before = assertThrows(
                IOException.class,
                () -> fenced.writeWalSegment(Pos.start(gen, 1), new ByteArrayInputStream(new byte[] {1})));
        assertTrue(before.getMessage().contains("does not hold its lease"), before.getMessage());
        a.tryAcquire();
        fenced.writeWalSegment(Pos.start(gen, 1), new ByteArrayInputStream(new byte[] {1}));
        clock.advance(TTL);
        assertThrows(IOException.class, () -> fenced.deleteGeneration(gen));
        LeaseKeeper b = keeper(raw.leaseStore(), "bbbb");
        b.tryAcquire();
        a.renew();
        IOException taken = assertThrows(
                IOException.class, () -> fenced.writeSnapshot(gen, 1, new ByteArrayInputStream(new byte[] {1})));
        assertTrue(taken.getMessage().contains("taken by holder bbbb on host host-bbbb"), taken.getMessage());
        assertEquals(1, raw.walSegments(gen).size(), "nothing was written or deleted while fenced");
        assertTrue(raw.snapshots(gen).isEmpty());
        fenced.close();
        assertEquals("bbbb", raw.leaseStore().read().lease().holder(), "closing does not release another's lease");
    }

    @Test
    void unreadableLeaseCountsAsExpired() {
        Lease l = Lease.decode("garbage".getBytes());
        assertTrue(l.freeAt(Instant.EPOCH.plusSeconds(1)));
        Lease ok = new Lease("h", "host", 7, Instant.parse("2026-12-01T10:00:00Z"), false);
        assertEquals(ok, Lease.decode(ok.encode()));
    }

    @Test
    void aLeaseOfAProcessGoneFromThisHostIsTakenAtOnce() throws Exception {
        LeaseStore store = new FileReplicaClient(dir.resolve("rep")).leaseStore();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long self = ProcessHandle.current().pid();
        // another live process on this host: held until it expires
        new LeaseKeeper(store, "live", "web-1", self, TTL, clock).tryAcquire();
        LeaseKeeper next = new LeaseKeeper(store, "next", "web-1", gone.pid(), TTL, clock);
        assertInstanceOf(LeaseKeeper.Held.class, next.tryAcquire());
        // the same host, a pid that is not running: the holder is dead
        clock.advance(TTL);
        new LeaseKeeper(store, "dead", "web-1", gone.pid(), TTL, clock).tryAcquire();
        assertInstanceOf(
                LeaseKeeper.Acquired.class, new LeaseKeeper(store, "after", "web-1", self, TTL, clock).tryAcquire());
        // our own pid on our host: a previous incarnation (restarted container)
        assertInstanceOf(
                LeaseKeeper.Acquired.class, new LeaseKeeper(store, "again", "web-1", self, TTL, clock).tryAcquire());
        // another host's lease is never judged by local pids
        LeaseKeeper other = new LeaseKeeper(store, "remote", "web-2", gone.pid(), TTL, clock);
        assertInstanceOf(LeaseKeeper.Held.class, other.tryAcquire());
        assertEquals("again", store.read().lease().holder());
    }

    /** A lease store that counts the requests made to it. */
    private static final class CountingStore implements LeaseStore {
        final LeaseStore inner;
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

        CountingStore(LeaseStore inner) {
            this.inner = inner;
        }

        public Stored read() throws IOException {
            requests.incrementAndGet();
            return inner.read();
        }

        public String create(Lease lease) throws IOException {
            requests.incrementAndGet();
            return inner.create(lease);
        }

        public String replace(Lease lease, String version) throws IOException {
            requests.incrementAndGet();
            return inner.replace(lease, version);
        }

        public String describe() {
            return inner.describe();
        }
    }

    /**
     * The lease object deleted with the replica's files (nobody else holds it): it is taken again, with a warning
     * that says so, and on-conflict exit does not fire. It was reported as "another replicator took it" (holder ?)
     * and, with on-conflict exit, shut the replicator down (and, under -exec, the app).
     */
    @Test
    void aLeaseDeletedWithTheReplicasFilesIsTakenAgainNotTakenForAConflict() throws Exception {
        FileReplicaClient raw = new FileReplicaClient(dir.resolve("rep"));
        LeaseKeeper a = keeper(raw.leaseStore(), "aaaa");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Log log = new Log(
                Log.Level.INFO, false, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        List<String> lost = new ArrayList<>();
        Leases leases = new Leases(Map.of("rep", a), Leases.OnConflict.EXIT, log, () -> lost.add("lost"));
        FencedReplicaClient fenced = new FencedReplicaClient(raw, a, log);
        assertTrue(leases.acquireAll(new java.util.concurrent.CompletableFuture<>()));
        dev.litestack.replicator.util.FileTrees.delete(dir.resolve("rep").resolve("lease"));
        clock.advance(TTL.dividedBy(3));
        String gen = "0123456789abcdef";
        long term = fenced.term();
        // the write that takes it back is not made: what it continues may be gone with the lease
        assertThrows(
                LeaseTakenAnewException.class,
                () -> fenced.writeWalSegment(Pos.start(gen, 1), new ByteArrayInputStream(new byte[] {1})));
        assertTrue(fenced.term() != term, "the term changed");
        assertEquals(List.of(), raw.walSegments(gen));
        fenced.writeWalSegment(Pos.start(gen, 1), new ByteArrayInputStream(new byte[] {1}));
        assertEquals(List.of(), lost, "on-conflict exit did not fire");
        assertTrue(a.valid());
        assertEquals("aaaa", raw.leaseStore().read().lease().holder());
        assertEquals(1, raw.walSegments(gen).size());
        String logged = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(logged.contains("lease gone from the replica"), logged);
        assertFalse(logged.contains("another replicator took it"), logged);
    }

    @Test
    void anIdleHolderSendsNoRequestAndRenewsOnlyWhenItWrites() throws Exception {
        FileReplicaClient raw = new FileReplicaClient(dir.resolve("rep"));
        CountingStore store = new CountingStore(raw.leaseStore());
        LeaseKeeper a = keeper(store, "aaaa");
        Log log = new Log(Log.Level.INFO, false, System.out);
        List<String> lost = new ArrayList<>();
        Leases leases = new Leases(Map.of("rep", a), Leases.OnConflict.EXIT, log, () -> lost.add("lost"));
        FencedReplicaClient fenced = new FencedReplicaClient(raw, a, log);
        assertTrue(leases.acquireAll(new java.util.concurrent.CompletableFuture<>()));
        String gen = "0123456789abcdef";
        int afterAcquire = store.requests.get();

        // writes within the first third of the duration: no lease request
        fenced.writeWalSegment(Pos.start(gen, 1), new ByteArrayInputStream(new byte[] {1}));
        clock.advance(TTL.dividedBy(3).minusSeconds(1));
        fenced.writeWalSegment(new Pos(gen, 1, 1), new ByteArrayInputStream(new byte[] {2}));
        assertEquals(afterAcquire, store.requests.get(), "no renewal before a third of the duration");

        // idle for three durations: nothing happens without a write (there is no timer)
        clock.advance(TTL.multipliedBy(3));
        assertEquals(afterAcquire, store.requests.get(), "an idle holder sends no request");
        assertFalse(a.valid(), "the lease lapsed while idle");

        // the next write takes it back (it is still ours in the store) and goes through
        fenced.writeWalSegment(new Pos(gen, 1, 2), new ByteArrayInputStream(new byte[] {3}));
        assertTrue(a.valid());
        assertTrue(store.requests.get() > afterAcquire);
        assertEquals("aaaa", store.read().lease().holder());
        assertEquals(3, raw.walSegments(gen).size());

        // past the renewal point a write renews first
        Instant before = store.read().lease().expires();
        clock.advance(TTL.dividedBy(3));
        fenced.writeWalSegment(new Pos(gen, 1, 3), new ByteArrayInputStream(new byte[] {4}));
        assertTrue(store.read().lease().expires().isAfter(before), "renewed on write");

        // lapsed while idle and taken by another replicator: the write is refused, and on-conflict exit fires
        clock.advance(TTL);
        assertInstanceOf(
                LeaseKeeper.Acquired.class, keeper(raw.leaseStore(), "bbbb").tryAcquire());
        IOException refused = assertThrows(
                IOException.class,
                () -> fenced.writeWalSegment(new Pos(gen, 1, 4), new ByteArrayInputStream(new byte[] {5})));
        assertTrue(refused.getMessage().contains("taken by holder bbbb"), refused.getMessage());
        assertEquals(List.of("lost"), lost);
        assertEquals(4, raw.walSegments(gen).size(), "nothing written after the lease was taken");
        assertEquals("bbbb", raw.leaseStore().read().lease().holder());
    }
}
