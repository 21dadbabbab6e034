package dev.litestack.replicator.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Every durable file write goes through here: temp file in the same folder, fsync, rename, fsync folder. */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** A writer of the temp file's content. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} with the bytes written by {@code body}; returns the byte count. */
    public static long write(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return writeThrough(dir.resolve(target.getFileName() + ".tmp"), target, body);
    }

    /**
     * Like {@link #write(Path, InputStream)} for a file that several processes may write at once:
     * each writes a temp file of a name of its own, so each rename puts a whole copy in place.
     */
    public static long writeShared(Path target, InputStream in) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            return writeThrough(tmp, target, out -> in.transferTo(out));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code tmp} with {@code body}, fsyncs it, renames it to {@code target} and fsyncs the folder. */
    private static long writeThrough(Path tmp, Path target, Body body) throws IOException {
        long size;
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(ch);
            body.writeTo(out);
            out.flush();
            ch.force(true);
            size = ch.size();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            if (e instanceof IOException io && outOfSpace(io)) {
                // the JDK's message names no file: say which one could not be written
                throw new IOException("cannot write " + target + ": " + IoErrors.reason(io), io);
            }
            throw e;
        }
        move(tmp, target);
        fsyncDirectory(tmp.getParent());
        return size;
    }

    /** A write that failed for want of space (ENOSPC, EDQUOT), whose message is the OS's reason alone. */
    private static boolean outOfSpace(IOException e) {
        String m = String.valueOf(e.getMessage());
        return !(e instanceof java.nio.file.FileSystemException)
                && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }

    public static long write(Path target, InputStream in) throws IOException {
        return write(target, out -> in.transferTo(out));
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename or creation inside {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Some file systems refuse to open or sync a directory; the rename itself is still atomic.
        }
    }

    /** Renames {@code from} to {@code to} atomically and makes the rename durable. */
    public static void rename(Path from, Path to) throws IOException {
        move(from, to);
        fsyncDirectory(to.toAbsolutePath().getParent());
    }
}
