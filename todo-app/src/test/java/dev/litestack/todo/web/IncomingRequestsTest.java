package dev.litestack.todo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.MutableClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests still arriving, on Netty's embedded channels with the real HTTP codec between the two handlers (as in
 * Micronaut's pipeline) and the channels' own clock: the read timeout, the cap on incomplete requests, and the
 * requests refused before the application.
 */
class IncomingRequestsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final IncomingRequests incoming = new IncomingRequests(TIMEOUT, 3, 100, 16 * 1024, Clock.systemUTC());

    private EmbeddedChannel connection() {
        return connection(incoming);
    }

    private static EmbeddedChannel connection(IncomingRequests incoming) {
        IncomingRequests.Connection c = incoming.newConnection();
        EmbeddedChannel channel = new EmbeddedChannel(c.bytes, new HttpServerCodec(), c.requests);
        channel.freezeTime();
        return channel;
    }

    /** A connection as the listener accepts it: admitted (counted) first, then given its handlers, or closed. */
    private static EmbeddedChannel accepted(IncomingRequests incoming) {
        EmbeddedChannel channel = new EmbeddedChannel();
        if (incoming.admit(channel)) {
            IncomingRequests.Connection c = incoming.newConnection();
            channel.pipeline().addLast(c.bytes, new HttpServerCodec(), c.requests);
            channel.freezeTime();
        }
        return channel;
    }

    private static void send(EmbeddedChannel channel, String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** Everything the connection wrote to its socket, as text. */
    private static String sent(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    /** How many messages reached the application, released. */
    private static int delivered(EmbeddedChannel channel) {
        int n = 0;
        for (Object o; (o = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
            n++;
        }
        return n;
    }

    private static void pass(EmbeddedChannel channel, Duration time) {
        channel.advanceTimeBy(time.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    @Test
    void aRequestStillArrivingAfterTheTimeoutIsAnswered408AndClosed() {
        EmbeddedChannel slow = connection();
        send(slow, "GET / HTTP/1.1\r\nHost: app\r\nX-Slow: a");
        assertEquals(1, incoming.incompleteRequests());
        pass(slow, TIMEOUT.minusSeconds(1));
        send(slow, "aaaa");
        assertTrue(slow.isOpen(), "bytes trickling in do not restart the clock");
        pass(slow, Duration.ofSeconds(2));
        String answer = sent(slow);
        assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
        assertTrue(answer.contains("connection: close"), answer);
        assertTrue(answer.endsWith("\r\n\r\n408 Request Timeout\n"), answer);
        assertFalse(slow.isOpen());
        assertEquals(0, incoming.incompleteRequests());
        assertEquals(0, delivered(slow), "the application never saw it");
    }

    @Test
    void aConnectionBetweenRequestsWaitsAsLongAsItLikes() {
        EmbeddedChannel keepAlive = connection();
        send(keepAlive, "GET / HTTP/1.1\r\nHost: app\r\n\r\n");
        assertEquals(2, delivered(keepAlive), "the request's head and its (empty) end");
        assertEquals(0, incoming.incompleteRequests(), "received in full");
        assertEquals(-1, keepAlive.runScheduledPendingTasks(), "a request that arrived whole costs no timer");
        keepAlive.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        sent(keepAlive);
        pass(keepAlive, TIMEOUT.multipliedBy(4));
        assertTrue(keepAlive.isOpen());
        assertEquals("", sent(keepAlive));

        // the next request on it has its own clock
        send(keepAlive, "POST /todos HTTP/1.1\r\nHost: app\r\nContent-Length: 10\r\n\r\nti");
        assertEquals(1, incoming.incompleteRequests(), "a body still arriving");
        assertTrue(delivered(keepAlive) >= 1);
        pass(keepAlive, TIMEOUT.plusSeconds(1));
        assertFalse(keepAlive.isOpen());
        assertEquals("", sent(keepAlive), "no 408 in the middle of a request the application is reading");
        assertEquals(0, incoming.incompleteRequests());
    }

    @Test
    void theStartOfARequestThatArrivesWithTheEndOfThePreviousOneHasItsOwnClock() {
        EmbeddedChannel pipelined = connection();
        send(pipelined, "GET / HTTP/1.1\r\nHost: app\r\n\r\nGET /next HTTP/1.1\r\nHost: a");
        assertEquals(2, delivered(pipelined), "the first request, whole");
        assertEquals(1, incoming.incompleteRequests(), "the second one's first bytes, kept by the decoder");
        pass(pipelined, TIMEOUT.plusSeconds(1));
        assertFalse(pipelined.isOpen());
        assertEquals("", sent(pipelined), "no 408 while the first request's answer is under way");

        EmbeddedChannel withBody = connection();
        send(
                withBody,
                "GET / HTTP/1.1\r\nHost: app\r\n\r\nPOST /todos HTTP/1.1\r\nHost: app\r\nContent-Length: 9\r\n\r\nti");
        assertEquals(1, incoming.incompleteRequests(), "the second one's body is still to come");
        send(withBody, "tle=abc");
        assertEquals(0, incoming.incompleteRequests(), "and then it has arrived");
        assertEquals(
                2, delivered(withBody), "the first request (head, empty end); the second is held until it is answered");
        assertEquals(1, incoming.heldRequests());
        withBody.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpResponseStatus.NO_CONTENT));
        assertEquals(3, delivered(withBody), "then the second: its head, two pieces of body");
        assertEquals(0, incoming.heldRequests());
        pass(withBody, TIMEOUT.multipliedBy(2));
        assertTrue(withBody.isOpen());
        withBody.finishAndReleaseAll();
    }

    @Test
    void pastTheCapTheRequestIncompleteTheLongestIsClosed() {
        EmbeddedChannel[] slow = new EmbeddedChannel[3];
        for (int i = 0; i < slow.length; i++) {
            slow[i] = connection();
            send(slow[i], "GET / HTTP/1.1\r\nHost: ap");
            pass(slow[i], Duration.ofMillis(10));
        }
        EmbeddedChannel done = connection();
        send(done, "GET / HTTP/1.1\r\nHost: app\r\n\r\n");
        assertEquals(3, incoming.incompleteRequests(), "a request received in full does not count");
        assertTrue(slow[0].isOpen());

        EmbeddedChannel fourth = connection();
        send(fourth, "GET / HTTP/1.1\r\n");
        slow[0].runPendingTasks();
        assertFalse(slow[0].isOpen(), "the oldest incomplete request's connection is closed");
        assertTrue(sent(slow[0]).startsWith("HTTP/1.1 408 "));
        assertTrue(slow[1].isOpen() && slow[2].isOpen() && fourth.isOpen() && done.isOpen());
        assertEquals(3, incoming.incompleteRequests());
    }

    @Test
    void pastTheConnectionCapTheOneIdleTheLongestIsClosedOrElseTheNewOne() {
        MutableClock clock = new MutableClock();
        IncomingRequests capped = new IncomingRequests(TIMEOUT, 100, 2, 16 * 1024, clock);
        EmbeddedChannel first = accepted(capped); // connected, nothing sent: idle
        EmbeddedChannel second = accepted(capped);
        send(second, "GET / HTTP/1.1\r\nHost: app\r\n\r\n");
        delivered(second); // being answered: not idle
        assertEquals(2, capped.openConnections());

        EmbeddedChannel early = accepted(capped);
        assertFalse(early.isOpen(), "idle for less than a second: its first request may be on its way, not closed");
        assertTrue(first.isOpen());
        clock.advance(Duration.ofSeconds(1));
        EmbeddedChannel third = accepted(capped);
        first.runPendingTasks();
        assertFalse(first.isOpen(), "the idle connection makes room");
        assertTrue(second.isOpen() && third.isOpen());
        assertEquals(2, capped.openConnections());

        send(third, "GET / HTTP/1.1\r\nHost: ap"); // a request arriving: not idle either
        clock.advance(Duration.ofSeconds(5));
        EmbeddedChannel fourth = accepted(capped);
        assertFalse(fourth.isOpen(), "none idle: the new connection is closed before it is read");
        assertTrue(second.isOpen() && third.isOpen());
        assertEquals(2, capped.openConnections());

        second.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        sent(second); // answered: idle again, from now
        assertFalse(accepted(capped).isOpen(), "idle again for less than a second");
        clock.advance(Duration.ofSeconds(1));
        EmbeddedChannel fifth = accepted(capped);
        second.runPendingTasks();
        assertFalse(second.isOpen());
        assertTrue(third.isOpen() && fifth.isOpen());

        send(
                fifth,
                "GET /cable/x HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + HANDSHAKE
                        + "\r\n");
        delivered(fifth);
        fifth.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        sent(fifth); // a websocket now: never idle
        clock.advance(Duration.ofMinutes(1));
        EmbeddedChannel sixth = accepted(capped);
        fifth.runPendingTasks();
        assertFalse(sixth.isOpen());
        assertTrue(third.isOpen() && fifth.isOpen());
        assertEquals(2, capped.openConnections());

        third.close();
        fifth.close();
        assertEquals(0, capped.openConnections(), "closed connections are counted out");
        EmbeddedChannel seventh = accepted(capped);
        assertTrue(seventh.isOpen());
        seventh.finishAndReleaseAll();
    }

    @Test
    void aConnectionWhoseRequestWaitsForA100ContinueBodyIsIdleOnlyOnceItIsAnswered() {
        MutableClock clock = new MutableClock();
        IncomingRequests capped = new IncomingRequests(TIMEOUT, 100, 1, 16 * 1024, clock);
        EmbeddedChannel expecting = accepted(capped);
        send(expecting, "POST /todos HTTP/1.1\r\nHost: app\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n");
        delivered(expecting);
        expecting.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        sent(expecting);
        clock.advance(Duration.ofSeconds(5));
        assertFalse(accepted(capped).isOpen(), "its body is still to come after the 100 Continue: not idle");
        send(expecting, "title=x");
        delivered(expecting);
        expecting.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER));
        sent(expecting);
        clock.advance(Duration.ofSeconds(1));
        EmbeddedChannel next = accepted(capped);
        expecting.runPendingTasks();
        assertFalse(expecting.isOpen(), "answered, idle for a second: it makes room");
        assertTrue(next.isOpen());
        next.finishAndReleaseAll();
    }

    /** The headers that make a websocket handshake one Netty completes. */
    private static final String HANDSHAKE =
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    @Test
    void aWebsocketIsNotARequestInProgress() {
        EmbeddedChannel socket = connection();
        send(
                socket,
                "GET /live HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + HANDSHAKE
                        + "\r\n");
        delivered(socket);
        socket.pipeline().addFirst(new WebSocket13FrameDecoder(true, false, 1024)); // as after the handshake
        socket.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x85}));
        assertEquals(0, incoming.incompleteRequests(), "half a frame is the socket's business");
        pass(socket, TIMEOUT.multipliedBy(2));
        assertTrue(socket.isOpen());
        socket.finishAndReleaseAll();
    }

    @Test
    void requestsHttpRefusesAreAnsweredBeforeTheApplication() {
        assertRefused("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: app\r\n\r\n", "414 Request-URI Too Long");
        assertRefused(
                "GET / HTTP/1.1\r\nHost: app\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n",
                "431 Request Header Fields Too Large");
        String http11 = "505 HTTP Version Not Supported: this server speaks HTTP/1.1";
        assertRefused("GET / HTTP/9.9\r\nHost: app\r\n\r\n", http11);
        assertRefused("GET / HTTP/2.0\r\nHost: app\r\n\r\n", http11);
        assertRefused("GET / HTTP/1.1\r\n\r\n", "400 Bad Request: an HTTP/1.1 request needs exactly one Host header");
        assertRefused(
                "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                "400 Bad Request: an HTTP/1.1 request needs exactly one Host header");
        assertRefused("NOT HTTP AT ALL\r\n\r\n", "400 Bad Request: malformed request");
        assertRefused(
                "POST /todos HTTP/1.1\r\nHost: app\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n",
                "413 Request Entity Too Large");
        assertEquals(0, incoming.incompleteRequests());
    }

    @Test
    void aBodyWhoseLengthNettyWouldGuessIsRefused() {
        String post = "POST /todos HTTP/1.1\r\nHost: app\r\n";
        assertRefused(
                post + "Transfer-Encoding: xchunked\r\n\r\ntitle=x",
                "400 Bad Request: the body's length is unknown: its last transfer coding is not chunked (xchunked)");
        assertRefused(
                post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
                "400 Bad Request: the body's length is unknown: its last transfer coding is not chunked (chunked, gzip)");
        assertRefused(
                post + "Transfer-Encoding: ,\r\n\r\ntitle=x",
                "400 Bad Request: the body's length is unknown: its last transfer coding is not chunked (,)");
        assertRefused(
                post + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                "501 Not Implemented: transfer codings other than chunked are not supported (gzip, chunked)");
        assertRefused(
                "POST /todos HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                "400 Bad Request: Transfer-Encoding in an HTTP/1.0 request");
        String malformed = "400 Bad Request: malformed chunked body";
        String chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
        assertRefusedInItsBody(chunked + "zz\r\ntitle=x\r\n0\r\n\r\n", malformed);
        assertRefusedInItsBody(chunked + "FFFFFFFFFFFFFFFFFF\r\ntitle=x\r\n", malformed);
        assertRefusedInItsBody(chunked + "7;" + "e".repeat(20_000) + "\r\n", malformed);
        assertEquals(0, incoming.incompleteRequests());

        for (String coding : new String[] {"Chunked", " chunked ,", ", chunked"}) {
            EmbeddedChannel fine = connection();
            send(fine, post + "Transfer-Encoding: " + coding + "\r\n\r\n7\r\ntitle=x\r\n0\r\n\r\n");
            assertEquals(3, delivered(fine), "head, one chunk, the end: chunked alone goes through: " + coding);
            assertEquals("", sent(fine));
            assertTrue(fine.isOpen());
            fine.finishAndReleaseAll();
        }
    }

    @Test
    void http10WithoutHostAndASmallExpectContinueGoThrough() {
        EmbeddedChannel old = connection();
        send(old, "GET / HTTP/1.0\r\n\r\n");
        Object head = old.readInbound();
        assertTrue(head instanceof HttpRequest, String.valueOf(head));
        ReferenceCountUtil.release(head);
        EmbeddedChannel expecting = connection();
        send(expecting, "POST /todos HTTP/1.1\r\nHost: app\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
        head = expecting.readInbound();
        assertTrue(head instanceof HttpRequest, String.valueOf(head));
        ReferenceCountUtil.release(head);
        assertEquals("", sent(old) + sent(expecting));
        assertTrue(old.isOpen() && expecting.isOpen());
        old.finishAndReleaseAll();
        expecting.finishAndReleaseAll();
    }

    private void assertRefused(String request, String status) {
        EmbeddedChannel channel = assertAnswered(request, status);
        assertNull(
                findRequest(channel),
                "the application never saw it: " + request.substring(0, Math.min(20, request.length())));
    }

    /** Refused when its body turned out malformed: the application had its head, and never sees the body's end. */
    private void assertRefusedInItsBody(String request, String status) {
        EmbeddedChannel channel = assertAnswered(request, status);
        Object head = channel.readInbound();
        assertTrue(head instanceof HttpRequest, String.valueOf(head));
        for (Object o; (o = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
            assertFalse(o instanceof LastHttpContent, "the body's end reached the application: " + o);
        }
    }

    /** Sends {@code request} on a new connection and checks it was answered {@code status} and closed. */
    private EmbeddedChannel assertAnswered(String request, String status) {
        EmbeddedChannel channel = connection();
        send(channel, request);
        channel.runPendingTasks();
        String answer = sent(channel);
        String line = "HTTP/1.1 " + status.replaceFirst(":.*", "") + "\r\n";
        assertTrue(answer.startsWith(line), request.substring(0, Math.min(20, request.length())) + " -> " + answer);
        assertTrue(answer.endsWith("\r\n\r\n" + status + "\n"), answer);
        assertTrue(answer.contains("X-Content-Type-Options: nosniff"), answer);
        assertTrue(answer.contains("Content-Security-Policy: default-src 'none'"), answer);
        assertTrue(answer.contains("connection: close"), answer);
        assertFalse(channel.isOpen(), "closed after " + status);
        return channel;
    }

    private static Object findRequest(EmbeddedChannel channel) {
        for (Object o; (o = channel.readInbound()) != null; ) {
            boolean request = o instanceof HttpRequest || o instanceof LastHttpContent;
            ReferenceCountUtil.release(o);
            if (request) {
                return o;
            }
        }
        return null;
    }
}
