package dev.litestack.replicator.util;

import java.io.IOException;
import java.io.InputStream;

/**
 * Pulls raw bytes from a source and yields them as one LZ4 frame, a block at a time, so an upload
 * can stream a snapshot or segment of any size with memory bounded by one block.
 */
public final class CompressingInputStream extends EncodingInputStream {

    public CompressingInputStream(InputStream raw) throws IOException {
        super(raw, Lz4::compress);
    }
}
