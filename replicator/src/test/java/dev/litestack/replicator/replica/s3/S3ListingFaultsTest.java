package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.litestack.replicator.replica.WalSegmentInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Listings that a server gets wrong: an answer cut off after its headers, and a page marked truncated without a
 * continuation token. Served by a stand-in S3 server (the JDK's HTTP server) answering ListObjectsV2 only.
 */
class S3ListingFaultsTest {

    private static final String GEN = "0123456789abcdef";
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** Runs {@code test} against a stand-in S3 answering each LIST with {@code answer(query, exchange)}. */
    private static void withServer(BiConsumer<Map<String, String>, HttpExchange> answer, ClientTest test)
            throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.createContext("/", exchange -> {
            try (exchange) {
                answer.accept(query(exchange.getRequestURI().getRawQuery()), exchange);
            }
        });
        fake.start();
        try {
            S3Settings settings = server.settings("bkt", "p")
                    .withEndpoint("http://127.0.0.1:" + fake.getAddress().getPort(), true);
            try (S3ReplicaClient client = S3ReplicaClient.open(settings, Map.of())) {
                test.run(client);
            }
        } finally {
            fake.stop(0);
        }
    }

    private interface ClientTest {
        void run(S3ReplicaClient client) throws Exception;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            }
        }
        return out;
    }

    private static String segmentKey(int index) {
        return "p/generations/" + GEN + "/wal/" + String.format("%08x_00000000.wal.lz4", index);
    }

    private static String page(List<String> keys, boolean truncated) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bkt</Name>"
                + "<Prefix>p/generations/" + GEN + "/wal/</Prefix><KeyCount>" + keys.size() + "</KeyCount>"
                + "<MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>" + truncated + "</IsTruncated>");
        for (String k : keys) {
            xml.append("<Contents><Key>")
                    .append(k)
                    .append("</Key><LastModified>2026-12-05T00:00:00.000Z</LastModified><ETag>\"e\"</ETag>")
                    .append("<Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>");
        }
        return xml.append("</ListBucketResult>").toString();
    }

    private static void send(HttpExchange exchange, String body) {
        try {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The first answer ends after 60 bytes of the 2,000 its headers promised (a reset between headers and body): the
     * listing is asked again, not failed (it failed a restore, or a start-up, at once).
     */
    @Test
    void aListingCutOffAfterItsHeadersIsAskedAgain() throws Exception {
        List<String> asked = new ArrayList<>();
        withServer(
                (q, exchange) -> {
                    asked.add(q.toString());
                    if (asked.size() == 1) {
                        try {
                            exchange.sendResponseHeaders(200, 2000);
                            exchange.getResponseBody()
                                    .write(page(List.of(segmentKey(0)), false)
                                            .substring(0, 60)
                                            .getBytes(StandardCharsets.UTF_8));
                            exchange.getResponseBody().flush();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return; // closing the exchange short of its length ends the connection
                    }
                    send(exchange, page(List.of(segmentKey(0), segmentKey(1)), false));
                },
                client -> {
                    List<WalSegmentInfo> segments = client.walSegments(GEN);
                    assertEquals(2, segments.size(), segments.toString());
                });
        assertEquals(2, asked.size(), asked.toString());
    }

    /**
     * A page marked truncated that carries no continuation token is continued after its last key (the listing ended
     * there: a restore gave 24 of 144 rows, and a replica's position went back and its segments overlapped).
     */
    @Test
    void aTruncatedPageWithoutAContinuationTokenIsContinuedAfterItsLastKey() throws Exception {
        List<String> startAfter = new ArrayList<>();
        withServer(
                (q, exchange) -> {
                    String after = q.get("start-after");
                    startAfter.add(String.valueOf(after));
                    if (after == null) {
                        send(exchange, page(List.of(segmentKey(0), segmentKey(1)), true));
                    } else if (after.equals(segmentKey(1))) {
                        send(exchange, page(List.of(segmentKey(2)), false));
                    } else {
                        send(exchange, page(List.of(), false));
                    }
                },
                client -> {
                    List<WalSegmentInfo> segments = client.walSegments(GEN);
                    assertEquals(
                            List.of(0L, 1L, 2L),
                            segments.stream().map(WalSegmentInfo::index).toList());
                });
        assertEquals(List.of("null", segmentKey(1)), startAfter);

        // truncated, no token and nothing to continue after: an error, not the end of the listing
        withServer((q, exchange) -> send(exchange, page(List.of(), true)), client -> {
            IOException e = assertThrows(IOException.class, () -> client.walSegments(GEN));
            assertTrue(
                    e.getMessage().contains("marked a page truncated but gave no continuation token"), e.getMessage());
        });
    }
}
