package dev.litestack.replicator.replica.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on {@code 127.0.0.1} (random port) in front of an S3 server. Normally it pipes bytes
 * both ways, so requests stay signed for the proxy's own host and port. While a {@link Fault} is
 * set it reads each request (head and body) and answers it with an S3 error (503 SlowDown or
 * 500 InternalError, alternating in {@link Fault#MIXED}) and closes the connection; connections
 * piped before the fault began are cut, so no request gets through.
 *
 * <p>Bounded: at most {@value #MAX_CONNECTIONS} connections at once (more are closed at once),
 * request heads up to 64 KiB, bodies drained through a small buffer.
 */
final class FaultInjectingProxy implements AutoCloseable {

    /** What every request gets while the fault is on. */
    enum Fault {
        NONE,
        SLOW_DOWN,
        INTERNAL_ERROR,
        MIXED,
        /** Connections are accepted and what they send is read, but nothing is ever answered. */
        STALL
    }

    static final int MAX_CONNECTIONS = 16;
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger faulted = new AtomicInteger();
    private volatile Fault fault = Fault.NONE;

    FaultInjectingProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** {@code http://127.0.0.1:<port>}. */
    String endpoint() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Requests answered with an error so far. */
    int faultedRequests() {
        return faulted.get();
    }

    /** Sets the fault; turning one on cuts every connection that is being piped. */
    void setFault(Fault f) {
        fault = f;
        if (f != Fault.NONE) {
            for (Socket s : open) {
                closeQuietly(s);
            }
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (!slots.tryAcquire()) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            threads.execute(() -> {
                try {
                    if (fault == Fault.STALL) {
                        client.getInputStream()
                                .transferTo(OutputStream.nullOutputStream()); // until the client gives up
                    } else if (fault != Fault.NONE) {
                        answerWithErrors(client);
                    } else {
                        pipe(client);
                    }
                } catch (IOException e) {
                    // a cut connection: the client sees a reset and retries
                } finally {
                    open.remove(client);
                    closeQuietly(client);
                    slots.release();
                }
            });
        }
    }

    private void pipe(Socket client) throws IOException {
        try (Socket upstream = new Socket()) {
            upstream.connect(target, 5000);
            open.add(upstream);
            try {
                var back = threads.submit(() -> copy(upstream, client));
                copy(client, upstream);
                back.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // either side closed or the fault cut the connection
            } finally {
                open.remove(upstream);
            }
        }
    }

    private static Void copy(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
        return null;
    }

    /** Reads one request and answers it with an S3 error; the connection is then closed. */
    private void answerWithErrors(Socket client) throws IOException {
        client.setSoTimeout(10_000);
        InputStream in = client.getInputStream();
        String head = readHead(in);
        if (head == null) {
            return;
        }
        long length = 0;
        boolean expectContinue = false;
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("expect:") && lower.contains("100-continue")) {
                expectContinue = true;
            }
        }
        if (!expectContinue) {
            in.skipNBytes(length);
        }
        int n = faulted.incrementAndGet();
        boolean slowDown = fault == Fault.SLOW_DOWN || (fault == Fault.MIXED && n % 2 == 1);
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                + (slowDown
                        ? "SlowDown</Code><Message>Please reduce your request rate."
                        : "InternalError</Code><Message>We encountered an internal error. Please try again.")
                + "</Message><RequestId>fault-" + n + "</RequestId></Error>";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String status = slowDown ? "503 Slow Down" : "500 Internal Server Error";
        String response = "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + b.length
                + "\r\nx-amz-request-id: fault-" + n + "\r\nConnection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    /** The request line and headers, or null if the client closed first. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            head.write(c);
            if (head.size() > MAX_HEAD) {
                throw new IOException("request head too long");
            }
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (c == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }
}
