package dev.litestack.replicator.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns file-system exceptions into messages that say what failed and why. Java's own messages
 * for them are often just the path ({@code NoSuchFileException: /data/app.db-wal}), which tells
 * an operator nothing about the operation or the reason.
 */
public final class IoErrors {

    private IoErrors() {}

    /** The reason alone, in lowercase words: "no such file", "permission denied", the OS's reason, or the message. */
    public static String reason(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "file already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** A file-system exception as one line: "{@code <reason>: <path>}" (and "{@code -> <other path>}" when there is one). */
    public static String describe(FileSystemException e) {
        if (e.getFile() == null) {
            return reason(e);
        }
        return reason(e) + ": " + e.getFile() + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile());
    }

    /** Wraps {@code e} as "{@code <operation> <path>: <reason>}", keeping it as the cause. */
    public static IOException wrap(String operation, Path path, IOException e) {
        return new IOException(operation + " " + path + ": " + reason(e), e);
    }
}
