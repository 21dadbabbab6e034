package dev.litestack.todo.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A request {@link IncomingRequests} refuses before the application sees it: its status and what the body says
 * besides it. A request line over {@code max-initial-line-length} is 414 (Micronaut says 413), headers over
 * {@code max-header-size} are 431 (Micronaut: 413), other requests Netty cannot parse are 400 (Micronaut answers those
 * in HTTP/1.0 without the security headers), an HTTP version other than 1.0 and 1.1 is 505 (Netty accepts
 * {@code HTTP/9.9} and answers in it), an HTTP/1.1 request without exactly one Host header is 400 (RFC 9112, 3.2), a
 * {@code Transfer-Encoding} other than {@code chunked} alone is 400 or 501, and a body announced with
 * {@code Expect: 100-continue} over {@code max-request-size} is 413 without the {@code 100 Continue} that would
 * invite it, and a websocket handshake that cannot be completed is 400 or 426. Each is answered in HTTP/1.1 and
 * closes the connection.
 */
record Refusal(HttpResponseStatus status, String detail) {

    static final Refusal TIMEOUT = new Refusal(HttpResponseStatus.REQUEST_TIMEOUT, null);

    /**
     * What is wrong with {@code request} before the application sees it, or null; {@code maxRequestSize} is
     * {@code micronaut.server.max-request-size}.
     */
    static Refusal of(HttpRequest request, long maxRequestSize) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Refusal(HttpResponseStatus.REQUEST_URI_TOO_LONG, null);
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, null);
            }
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed request");
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            return new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "this server speaks HTTP/1.1");
        }
        if (version.minorVersion() == 1
                && request.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs exactly one Host header");
        }
        Refusal coding = transferCoding(request);
        if (coding != null) {
            return coding;
        }
        Refusal handshake = websocketHandshake(request);
        if (handshake != null) {
            return handshake;
        }
        if (HttpUtil.is100ContinueExpected(request) && HttpUtil.getContentLength(request, -1L) > maxRequestSize) {
            return new Refusal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, null);
        }
        return null;
    }

    /**
     * A {@code Transfer-Encoding} other than {@code chunked} alone. Netty takes a body as chunked when any coding is
     * {@code chunked} and reads no body at all for one it does not know, whose bytes it then parses as the next
     * request: a proxy in front that read the codings otherwise would see other requests than the app (smuggling).
     * RFC 9112, 6.1 and 6.3: a last coding other than chunked leaves the body's length unknown, 400; a coding the
     * server does not implement (gzip, say) before chunked, 501; either way the connection is closed. HTTP/1.0 has
     * no transfer codings.
     */
    private static Refusal transferCoding(HttpRequest request) {
        List<String> values = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (values.isEmpty()) {
            return null;
        }
        List<String> codings = new ArrayList<>();
        for (String value : values) {
            for (String coding : value.split(",", -1)) {
                String c = coding.trim().toLowerCase(Locale.ROOT);
                if (!c.isEmpty()) { // empty list elements are ignored (RFC 9110, 5.6.1)
                    codings.add(c);
                }
            }
        }
        if (request.protocolVersion().minorVersion() == 0) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (codings.isEmpty() || !codings.get(codings.size() - 1).equals("chunked")) {
            return new Refusal(
                    HttpResponseStatus.BAD_REQUEST,
                    "the body's length is unknown: its last transfer coding is not chunked ("
                            + String.join(", ", values) + ")");
        }
        if (codings.size() > 1) {
            return new Refusal(
                    HttpResponseStatus.NOT_IMPLEMENTED,
                    "transfer codings other than chunked are not supported (" + String.join(", ", values) + ")");
        }
        return null;
    }

    /**
     * A websocket upgrade (as Micronaut tells one: {@code Connection: upgrade} and {@code Upgrade: websocket}) that
     * Netty's handshaker would not complete: not a GET over HTTP/1.1, no {@code Sec-WebSocket-Key} of 16 bytes in
     * base64 (RFC 6455, 4.2.1), an {@code Upgrade} header other than {@code websocket} alone, a
     * {@code Sec-WebSocket-Version} other than 13. Micronaut logged each with a stack
     * trace and never answered it; the connection stayed open, neither idle nor receiving, until its 300 s idle
     * timeout, so a few thousand of them, no session needed, held every connection the server admits. A version
     * other than 13 is 426 with the version this server speaks (RFC 6455, 4.4); the rest 400.
     */
    private static Refusal websocketHandshake(HttpRequest request) {
        HttpHeaders h = request.headers();
        if (!h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return null;
        }
        if (!HttpMethod.GET.equals(request.method())
                || request.protocolVersion().minorVersion() != 1) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "a websocket handshake is a GET over HTTP/1.1");
        }
        List<String> upgrades = h.getAll(HttpHeaderNames.UPGRADE);
        if (upgrades.size() != 1 || !upgrades.get(0).trim().equalsIgnoreCase("websocket")) {
            // Netty's handshaker takes the whole value (the first of several): "websocket, h2c" failed it
            return new Refusal(
                    HttpResponseStatus.BAD_REQUEST, "a websocket handshake has one Upgrade header: websocket");
        }
        List<String> versions = h.getAll(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (versions.size() != 1 || !versions.get(0).trim().equals("13")) {
            return new Refusal(HttpResponseStatus.UPGRADE_REQUIRED, "this server speaks websocket version 13");
        }
        List<String> keys = h.getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (keys.size() != 1 || !isKey(keys.get(0).trim())) {
            return new Refusal(
                    HttpResponseStatus.BAD_REQUEST, "a websocket handshake needs one Sec-WebSocket-Key of 16 bytes");
        }
        return null;
    }

    private static boolean isKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Answers with a short plain-text body (as {@link PlainErrorResponses} does) and the security headers every answer
     * has, then closes the connection.
     */
    void send(ChannelHandlerContext ctx) {
        String text = status.code() + " " + status.reasonPhrase() + (detail == null ? "" : ": " + detail) + "\n";
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
            response.headers()
                    .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13")
                    .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        WebFilter.fixedHeaders(response.headers()::set);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
