package dev.litestack.replicator;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A position in a replicated database: a generation, a WAL index inside it and a byte offset
 * inside that index's WAL (measured from the start of the 32-byte WAL header).
 *
 * <p>Its text form is Litestream's: {@code <generation>/<index %08x>:<offset decimal>}.
 */
public record Pos(String generation, long index, long offset) {

    /** The largest index or offset that fits the 8-hex-digit names. */
    public static final long MAX_FIELD = 0xFFFF_FFFFL;

    private static final Pattern GENERATION = Pattern.compile("[0-9a-f]{16}");

    public Pos {
        if (index < 0 || offset < 0) {
            throw new IllegalArgumentException("negative index or offset: " + index + ":" + offset);
        }
    }

    /** The position of the start of index {@code index} in {@code generation}. */
    public static Pos start(String generation, long index) {
        return new Pos(generation, index, 0);
    }

    public boolean isZero() {
        return generation == null || generation.isEmpty();
    }

    public Pos withOffset(long newOffset) {
        return new Pos(generation, index, newOffset);
    }

    /** Orders positions of one generation; positions of different generations are not comparable. */
    public int compareInGeneration(Pos other) {
        int c = Long.compare(index, other.index);
        return c != 0 ? c : Long.compare(offset, other.offset);
    }

    @Override
    public String toString() {
        return (generation == null ? "" : generation) + "/" + hex8(index) + ":" + offset;
    }

    /** A generation name: 16 lowercase hex characters. */
    public static boolean isGeneration(String name) {
        return name != null && GENERATION.matcher(name).matches();
    }

    public static String requireGeneration(String name) {
        if (!isGeneration(name)) {
            throw new IllegalArgumentException("invalid generation name (want 16 lowercase hex characters): " + name);
        }
        return name;
    }

    /** An index or offset as Litestream writes it in names and logs: 8 lowercase hex digits. */
    public static String hex8(long value) {
        if (value < 0 || value > MAX_FIELD) {
            throw new IllegalArgumentException("value does not fit 8 hex digits: " + value);
        }
        return HexFormat.of().toHexDigits((int) value);
    }
}
