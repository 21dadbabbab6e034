package dev.litestack.replicator;

/**
 * A position in a replicated database: a generation, a WAL index inside it and a byte offset
 * inside that index's WAL (measured from the start of the 32-byte WAL header).
 *
 * <p>Its text form is Litestream's: {@code <generation>/<index %08x>:<offset decimal>}.
 */
public record Pos(String generation, long index, long offset) {

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
        return (generation == null ? "" : generation) + "/" + String.format("%08x", index) + ":" + offset;
    }
}
