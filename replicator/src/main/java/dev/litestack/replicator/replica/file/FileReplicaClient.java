package dev.litestack.replicator.replica.file;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.util.AtomicFiles;
import dev.litestack.replicator.util.BoundedInputStream;
import dev.litestack.replicator.util.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/** A replica in a local folder (the {@code file} type). Object times are file mtimes. */
public final class FileReplicaClient implements ReplicaClient {

    private final Path root;
    private final java.time.Clock clock;

    public FileReplicaClient(Path root) {
        this(root, java.time.Clock.systemUTC());
    }

    /** A replica whose object times (mtimes) come from {@code clock}, so tests can age backups. */
    public FileReplicaClient(Path root, java.time.Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
    }

    public Path root() {
        return root;
    }

    @Override
    public dev.litestack.replicator.replica.LeaseStore leaseStore() {
        return new FileLeaseStore(root);
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    private Path resolve(String key) {
        return root.resolve(key);
    }

    /** A stat of the generation's folder: deleted (with the replica's folder, by hand or a clean-up job), or not. */
    @Override
    public boolean generationMissing(String generation) {
        return !Files.isDirectory(resolve(ReplicaLayout.generationKey(generation)));
    }

    @Override
    public List<String> generations() throws IOException {
        List<String> out = new ArrayList<>();
        Path dir = resolve(ReplicaLayout.GENERATIONS);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Pos.isGeneration(name) && Files.isDirectory(p)) {
                    out.add(name);
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    @Override
    public List<SnapshotInfo> snapshots(String generation) throws IOException {
        List<SnapshotInfo> out = new ArrayList<>();
        Path dir = resolve(ReplicaLayout.snapshotsKey(generation));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                OptionalLong index =
                        ReplicaLayout.parseSnapshotName(p.getFileName().toString());
                if (index.isEmpty()) {
                    continue;
                }
                BasicFileAttributes a = attributes(p);
                if (a != null && a.isRegularFile()) {
                    out.add(new SnapshotInfo(
                            generation,
                            index.getAsLong(),
                            a.size(),
                            a.lastModifiedTime().toInstant()));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
        out.sort(Comparator.comparingLong(SnapshotInfo::index));
        return out;
    }

    @Override
    public List<WalSegmentInfo> walSegments(String generation) throws IOException {
        List<WalSegmentInfo> out = new ArrayList<>();
        Path dir = resolve(ReplicaLayout.walKey(generation));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                ReplicaLayout.SegmentName io = ReplicaLayout.parseWalSegmentName(
                                p.getFileName().toString())
                        .orElse(null);
                if (io == null) {
                    continue;
                }
                BasicFileAttributes a = attributes(p);
                if (a != null && a.isRegularFile()) {
                    out.add(new WalSegmentInfo(
                            generation,
                            io.index(),
                            io.offset(),
                            a.size(),
                            a.lastModifiedTime().toInstant()));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
        out.sort(Comparator.comparingLong(WalSegmentInfo::index).thenComparingLong(WalSegmentInfo::offset));
        return out;
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null; // deleted between listing and stat
        }
    }

    @Override
    public SnapshotInfo writeSnapshot(String generation, long index, InputStream body) throws IOException {
        Path target = resolve(ReplicaLayout.snapshotKey(generation, index));
        long size = AtomicFiles.write(target, body);
        return new SnapshotInfo(generation, index, size, touch(target));
    }

    @Override
    public WalSegmentInfo writeWalSegment(Pos pos, InputStream body) throws IOException {
        Path target = resolve(ReplicaLayout.walSegmentKey(pos.generation(), pos.index(), pos.offset()));
        long size = AtomicFiles.write(target, body);
        return new WalSegmentInfo(pos.generation(), pos.index(), pos.offset(), size, touch(target));
    }

    /** The object's time is the end of its write: set the mtime explicitly after the rename. */
    private Instant touch(Path target) throws IOException {
        Instant now = clock.instant();
        Files.setLastModifiedTime(target, FileTime.from(now));
        return Files.getLastModifiedTime(target).toInstant();
    }

    @Override
    public InputStream openSnapshot(String generation, long index) throws IOException {
        return Files.newInputStream(resolve(ReplicaLayout.snapshotKey(generation, index)));
    }

    @Override
    public InputStream openSnapshotRange(String generation, long index, long offset, long length) throws IOException {
        Path file = resolve(ReplicaLayout.snapshotKey(generation, index));
        java.nio.channels.FileChannel ch =
                java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
        ch.position(offset);
        return new BoundedInputStream(
                java.nio.channels.Channels.newInputStream(ch),
                length,
                "snapshot " + file + " range " + offset + "+" + length);
    }

    @Override
    public InputStream openWalSegment(Pos pos) throws IOException {
        return Files.newInputStream(resolve(ReplicaLayout.walSegmentKey(pos.generation(), pos.index(), pos.offset())));
    }

    @Override
    public void deleteSnapshot(String generation, long index) throws IOException {
        Files.deleteIfExists(resolve(ReplicaLayout.snapshotKey(generation, index)));
    }

    @Override
    public void deleteWalSegments(List<Pos> positions) throws IOException {
        for (Pos p : positions) {
            Files.deleteIfExists(resolve(ReplicaLayout.walSegmentKey(p.generation(), p.index(), p.offset())));
        }
    }

    @Override
    public void deleteGeneration(String generation) throws IOException {
        FileTrees.delete(resolve(ReplicaLayout.snapshotsKey(generation)));
        FileTrees.delete(resolve(ReplicaLayout.generationKey(generation)));
    }
}
