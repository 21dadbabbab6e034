package dev.litestack.todo.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A websocket client written frame by frame over a plain TCP socket (RFC 6455), for what the JDK client will not
 * send: fragmented messages that never end, bare continuation frames, close frames with chosen codes. Frames from
 * the server are read one at a time.
 */
public final class RawSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** One frame from the server. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame (1005 when it has none). */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();
    /** The status line of the handshake answer, e.g. {@code HTTP/1.1 101 Switching Protocols}. */
    public final String status;
    /** The header lines of the handshake answer. */
    public final List<String> headers;

    private RawSocket(Socket socket, String status, List<String> headers) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
    }

    /** Opens {@code path} on {@code base}'s host with the visitor's cookie and Origin; reads the handshake answer. */
    public static RawSocket open(URI base, String path, String cookie, String origin) {
        return open(base, path, cookie, origin, 0, List.of());
    }

    /**
     * Like {@link #open(URI, String, String, String)}, with a receive buffer of {@code receiveBuffer} bytes (0: the
     * system's) and {@code extraHeaders} ({@code "Name: value"}) in the handshake request.
     */
    public static RawSocket open(
            URI base, String path, String cookie, String origin, int receiveBuffer, List<String> extraHeaders) {
        return open(base, path, cookie, origin, receiveBuffer, extraHeaders, new byte[0]);
    }

    /**
     * Like {@link #open(URI, String, String, String, int, List)}, writing {@code trailing} right after the handshake
     * request, in the same write (before the answer, which a client must wait for: RFC 6455, 4.1).
     */
    public static RawSocket open(
            URI base,
            String path,
            String cookie,
            String origin,
            int receiveBuffer,
            List<String> extraHeaders,
            byte[] trailing) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(10_000);
            byte[] key = new byte[16];
            new SecureRandom().nextBytes(key);
            StringBuilder request = new StringBuilder()
                    .append("GET ")
                    .append(path)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: ")
                    .append(base.getRawAuthority())
                    .append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ")
                    .append(Base64.getEncoder().encodeToString(key))
                    .append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            if (cookie != null) {
                request.append("Cookie: ").append(cookie).append("\r\n");
            }
            if (origin != null) {
                request.append("Origin: ").append(origin).append("\r\n");
            }
            for (String header : extraHeaders) {
                request.append(header).append("\r\n");
            }
            request.append("\r\n");
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            whole.writeBytes(request.toString().getBytes(StandardCharsets.US_ASCII));
            whole.writeBytes(trailing);
            socket.getOutputStream().write(whole.toByteArray());
            socket.getOutputStream().flush();
            InputStream raw = socket.getInputStream();
            String status = readLine(raw);
            List<String> headers = new ArrayList<>();
            for (String line = readLine(raw); !line.isEmpty(); line = readLine(raw)) {
                headers.add(line);
            }
            return new RawSocket(socket, status, List.copyOf(headers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawSocket open(WebClient visitor) {
        return open(visitor.base(), visitor.streamPath, visitor.cookie, visitor.origin());
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed during the handshake after: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    public boolean upgraded() {
        return status.contains(" 101 ");
    }

    /** Sends one masked frame; false if the server already closed the connection. */
    public boolean send(boolean fin, int opcode, byte[] payload) {
        try {
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
            frame.write((fin ? 0x80 : 0) | opcode);
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else if (payload.length < 65536) {
                frame.write(0x80 | 126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length & 0xff);
            } else {
                frame.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    frame.write((int) ((long) payload.length >>> shift) & 0xff);
                }
            }
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i & 3]);
            }
            out.write(frame.toByteArray());
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code count} empty (masked) pings, many to a write; false if the server closed the connection. */
    public boolean sendPings(int count) {
        byte[] batch = new byte[6 * Math.min(count, 4096)];
        for (int i = 0; i < batch.length; i += 6) {
            batch[i] = (byte) (0x80 | PING);
            batch[i + 1] = (byte) 0x80; // masked, no payload; the mask key stays zero
        }
        try {
            for (int left = count; left > 0; left -= batch.length / 6) {
                out.write(batch, 0, 6 * Math.min(left, batch.length / 6));
            }
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends a close frame with {@code code}. */
    public boolean sendClose(int code) {
        return send(true, CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /** The next frame from the server within {@code timeout}; null if the connection ended or nothing came. */
    public Frame read(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads frames until a close frame (returned) or until the connection ends or {@code timeout} passes (null). */
    public Frame awaitClose(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Frame f = read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            if (f == null) {
                return null;
            }
            if (f.opcode() == CLOSE) {
                return f;
            }
        }
        return null;
    }

    /**
     * Whether the server ends the TCP connection cleanly within {@code timeout}: reads (and skips) until end of
     * stream. A reset, or a connection still open at the deadline, is false.
     */
    public boolean endsWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                try {
                    if (in.read() < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
