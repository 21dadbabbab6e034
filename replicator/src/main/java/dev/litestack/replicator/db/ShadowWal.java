package dev.litestack.replicator.db;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.sqlite.Checksum;
import dev.litestack.replicator.sqlite.WalHeader;
import dev.litestack.replicator.sqlite.WalScanner;
import dev.litestack.replicator.util.AtomicFiles;
import dev.litestack.replicator.util.FileTrees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local metadata folder of one database ({@code .<db>-litestream}, the same layout Litestream
 * uses): the {@code generation} file and, per generation, uncompressed shadow WAL files
 * {@code generations/<gen>/wal/<index %08x>.wal}. Each shadow file is a valid WAL prefix (header
 * plus whole committed transactions) of one WAL life of the database.
 */
final class ShadowWal {

    /** The shadow layout, the same as Litestream's meta directory: {@code generations/<gen>/wal/<index>.wal}. */
    private static final String GENERATIONS = "generations";

    private static final Pattern SHADOW = Pattern.compile("([0-9a-f]{8})\\.wal");

    private final Path metaDir;

    ShadowWal(Path metaDir) {
        this.metaDir = metaDir;
    }

    Path metaDir() {
        return metaDir;
    }

    Path generationFile() {
        return metaDir.resolve("generation");
    }

    Path walDir(String generation) {
        return metaDir.resolve(GENERATIONS).resolve(generation).resolve("wal");
    }

    Path file(String generation, long index) {
        return walDir(generation).resolve(Pos.hex8(index) + ".wal");
    }

    /** The current generation named by the generation file, or null if there is none or it is invalid. */
    String readGeneration() throws IOException {
        try {
            String s =
                    Files.readString(generationFile(), StandardCharsets.UTF_8).trim();
            return Pos.isGeneration(s) ? s : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    void writeGeneration(String generation) throws IOException {
        AtomicFiles.write(generationFile(), (generation + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void clearGeneration() throws IOException {
        Files.deleteIfExists(generationFile());
    }

    /** Shadow indexes present for a generation, ascending. */
    List<Long> indexes(String generation) throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(walDir(generation))) {
            for (Path p : ds) {
                Matcher m = SHADOW.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1), 16));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    long size(String generation, long index) throws IOException {
        try {
            return Files.size(file(generation, index));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** Creates shadow file {@code index} holding just {@code header}. */
    void create(String generation, long index, byte[] header) throws IOException {
        AtomicFiles.write(file(generation, index), java.util.Arrays.copyOf(header, WalHeader.SIZE));
    }

    byte[] readHeader(String generation, long index) throws IOException {
        return readRange(file(generation, index), 0, WalHeader.SIZE);
    }

    static byte[] readRange(Path file, long offset, int len) throws IOException {
        byte[] b = new byte[len];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            while (bb.hasRemaining()) {
                int n = ch.read(bb, offset + bb.position());
                if (n < 0) {
                    throw new IOException("short read of " + file + " at " + (offset + bb.position()));
                }
            }
        }
        return b;
    }

    /**
     * Makes a shadow file end on a whole committed transaction with a valid checksum chain,
     * cutting off anything a crash left half-appended, and returns the chain checksum at its end.
     */
    Checksum repair(String generation, long index) throws IOException {
        Path f = file(generation, index);
        byte[] hdrBytes = readRange(f, 0, WalHeader.SIZE);
        WalHeader hdr = WalHeader.parse(hdrBytes);
        WalScanner scanner = new WalScanner(hdr);
        long size = Files.size(f);
        int fs = hdr.frameSize();
        byte[] buf = new byte[fs * 64];
        long pos = WalHeader.SIZE;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            outer:
            while (pos + fs <= size) {
                int want = (int) Math.min(buf.length, ((size - pos) / fs) * fs);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, want);
                while (bb.hasRemaining() && ch.read(bb, pos + bb.position()) >= 0) {
                    // keep reading
                }
                for (int off = 0; off + fs <= want; off += fs) {
                    if (!scanner.accept(buf, off)) {
                        break outer;
                    }
                }
                pos += want;
            }
            long end = WalHeader.SIZE + scanner.committedFrames() * fs;
            if (end != size) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        return scanner.committedChecksum();
    }

    /** Deletes shadow files of {@code generation} with an index below {@code minIndex}. */
    void deleteBelow(String generation, long minIndex) throws IOException {
        for (long idx : indexes(generation)) {
            if (idx < minIndex) {
                Files.deleteIfExists(file(generation, idx));
            }
        }
    }

    /** Removes every generation folder except {@code keep}, and stray temp files. */
    void removeOtherGenerations(String keep) throws IOException {
        Path gens = metaDir.resolve(GENERATIONS);
        if (!Files.isDirectory(gens)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(gens)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(keep)) {
                    FileTrees.delete(p);
                }
            }
        }
    }

    void removeTempFiles() throws IOException {
        if (!Files.isDirectory(metaDir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(metaDir)) {
            for (Path p : walk.filter(x -> x.getFileName().toString().endsWith(".tmp"))
                    .toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
