package dev.litestack.replicator.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a file channel from an offset to its end with positional reads, and leaves the channel
 * open when closed. This is how the replicator reads a database file: its one long-lived
 * descriptor must stay open, because closing any descriptor of a file drops every POSIX lock
 * this process holds on it, SQLite's included (see {@code Database}).
 */
public final class ChannelInputStream extends InputStream {

    private final FileChannel ch;
    private long at;

    public ChannelInputStream(FileChannel ch, long offset) {
        this.ch = ch;
        this.at = offset;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = ch.read(ByteBuffer.wrap(b, off, len), at);
        if (n > 0) {
            at += n;
        }
        return n;
    }

    @Override
    public void close() {
        // the channel belongs to its owner, who closes it after SQLite's connections
    }
}
