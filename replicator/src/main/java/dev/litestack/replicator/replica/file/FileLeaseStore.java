package dev.litestack.replicator.replica.file;

import dev.litestack.replicator.replica.Lease;
import dev.litestack.replicator.replica.LeaseStore;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.util.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The lease of a file replica: {@code <root>/lease/<version %016x>}, each version written once.
 * A compare-and-swap from version n writes version n+1 with {@code link(2)}, which fails if the
 * name exists, so of two writers starting from the same version exactly one succeeds. The file is
 * complete and fsynced before it is linked into place; older versions are removed afterwards.
 */
final class FileLeaseStore implements LeaseStore {

    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{16}");

    private final Path dir;

    FileLeaseStore(Path root) {
        this.dir = root.resolve(ReplicaLayout.LEASE);
    }

    @Override
    public String describe() {
        return "file:" + dir;
    }

    @Override
    public Stored read() throws IOException {
        for (int attempt = 0; ; attempt++) {
            long v = latest();
            if (v == 0) {
                return null;
            }
            try {
                return new Stored(Lease.decode(readLease(dir.resolve(name(v)))), Long.toString(v));
            } catch (NoSuchFileException e) {
                if (attempt > 10) {
                    throw e; // removed again and again: let the caller retry later
                }
                // a newer version replaced it between the listing and the read
            }
        }
    }

    /** More than any lease takes (a few hundred bytes of JSON). */
    static final int MAX_LEASE_BYTES = 64 << 10;

    /**
     * The bytes of a lease file. Anything but a regular file of at most {@link #MAX_LEASE_BYTES} is refused
     * unread: a FIFO put in its place would block the read (and the replicator's start) forever, and a huge or
     * endless file (a link to /dev/zero) would fill the heap.
     */
    static byte[] readLease(Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attrs.isRegularFile()) {
            throw new IOException("lease " + file + " is not a regular file");
        }
        if (attrs.size() > MAX_LEASE_BYTES) {
            throw new IOException(
                    "lease " + file + " is " + attrs.size() + " bytes, not a lease (at most " + MAX_LEASE_BYTES + ")");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_LEASE_BYTES + 1);
            if (b.length > MAX_LEASE_BYTES) {
                throw new IOException("lease " + file + " grew past " + MAX_LEASE_BYTES + " bytes while read");
            }
            return b;
        }
    }

    @Override
    public String create(Lease lease) throws IOException {
        return latest() != 0 ? null : write(lease, 1);
    }

    @Override
    public String replace(Lease lease, String version) throws IOException {
        long v = Long.parseLong(version);
        return latest() != v ? null : write(lease, v + 1);
    }

    private String write(Lease lease, long version) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(lease.encode());
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.createLink(dir.resolve(name(version)), tmp);
            } catch (FileAlreadyExistsException e) {
                return null;
            }
            AtomicFiles.fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        for (long old = version - 1; old > 0 && Files.deleteIfExists(dir.resolve(name(old))); old--) {
            // versions below are gone already
        }
        return Long.toString(version);
    }

    /** The highest version present, 0 if none. */
    private long latest() throws IOException {
        long max = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (VERSION.matcher(n).matches()) {
                    max = Math.max(max, Long.parseUnsignedLong(n, 16));
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return max;
    }

    private static String name(long version) {
        return HexFormat.of().toHexDigits(version);
    }
}
