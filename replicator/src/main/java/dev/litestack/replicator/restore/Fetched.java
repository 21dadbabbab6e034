package dev.litestack.replicator.restore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A downloaded (still compressed) WAL segment waiting to be applied: small ones are kept in memory,
 * large ones in a temp file, so a restore's memory stays bounded by {@code -parallelism} times
 * {@link #IN_MEMORY_LIMIT} whatever the segment sizes.
 */
final class Fetched {

    static final long IN_MEMORY_LIMIT = 4L << 20;

    private final byte[] bytes;
    private final Path file;
    private final long size;

    private Fetched(byte[] bytes, Path file, long size) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
    }

    /** Reads a whole object; {@code listedSize} (from the listing) decides where it is kept. */
    static Fetched read(InputStream in, long listedSize, Path spillDir) throws IOException {
        if (listedSize <= IN_MEMORY_LIMIT) {
            byte[] b = in.readAllBytes();
            return new Fetched(b, null, b.length);
        }
        Files.createDirectories(spillDir);
        Path f = Files.createTempFile(spillDir, "segment-", ".lz4");
        long n = Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
        return new Fetched(null, f, n);
    }

    long size() {
        return size;
    }

    InputStream open() throws IOException {
        return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }

    void discard() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }
}
