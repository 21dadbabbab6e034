package dev.litestack.todo.support;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A websocket client (JDK) that collects whole text messages and remembers the close code. */
public final class LiveSocket implements WebSocket.Listener {

    public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Called with each whole message as it arrives (on the client's thread), if set. */
    public volatile java.util.function.Consumer<String> onMessage;

    public WebSocket socket;
    public Throwable failed;
    public final java.util.concurrent.atomic.AtomicInteger heartbeats = new java.util.concurrent.atomic.AtomicInteger();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            if (partial.isEmpty()) {
                heartbeats.incrementAndGet(); // the server's heartbeat (an empty message): a sign of life, no content
                ws.request(1);
                return null;
            }
            java.util.function.Consumer<String> hook = onMessage;
            if (hook != null) {
                hook.accept(partial.toString());
            }
            messages.add(partial.toString());
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
    }

    /** The next message within {@code timeout}, or an AssertionError. */
    public String next(Duration timeout) {
        try {
            String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message containing {@code text}, skipping others, within {@code timeout}. */
    public String nextContaining(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no message containing '" + text + "' within " + timeout);
            }
            String m = next(Duration.ofNanos(left));
            if (m.contains(text)) {
                return m;
            }
        }
    }

    /** The close code the server sent within {@code timeout} (-1 for a failed connection). */
    public int closeCode(Duration timeout) {
        if (failed != null) {
            return -1;
        }
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public void close() {
        if (socket != null) {
            socket.abort();
        }
    }
}
