package dev.litestack.replicator.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/** Size and CRC-32C of a whole file: how validation compares a database with its restored copy. */
public record Fingerprint(long size, long crc32c) {

    /** Opens, reads and closes {@code file}: never use it on a database this process has open in SQLite. */
    public static Fingerprint of(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return of(ch);
        }
    }

    /** Reads the whole file through an open channel with positional reads, leaving the channel open. */
    public static Fingerprint of(FileChannel ch) throws IOException {
        CRC32C crc = new CRC32C();
        long size = 0;
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        int n;
        while ((n = ch.read(buf, size)) > 0) {
            buf.flip();
            size += n;
            crc.update(buf);
            buf.clear();
        }
        return new Fingerprint(size, crc.getValue());
    }

    @Override
    public String toString() {
        return size + " bytes, crc32c " + Long.toHexString(crc32c);
    }
}
