package dev.litestack.todo.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One visitor of the app over plain HTTP (JDK client): keeps the session cookie, reads the CSRF token and the
 * signed stream path from the page, sends the forms as Turbo does and opens the live websocket.
 */
public final class WebClient {

    public static final String STREAM = "text/vnd.turbo-stream.html";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"");
    private static final Pattern STREAM_PATH = Pattern.compile("data-stream=\"([^\"]+)\"");
    private static final Pattern TODO_ID = Pattern.compile("id=\"todo_(\\d+)\"");

    private final URI base;
    private final HttpClient http;
    public String cookie;
    public String csrf;
    public String streamPath;

    public WebClient(URI base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    public WebClient(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    public URI base() {
        return base;
    }

    public String origin() {
        return base.getScheme() + "://" + base.getRawAuthority();
    }

    /** GET / : takes the cookie (if one is issued), the CSRF token and the stream path from the page. */
    public HttpResponse<String> open() {
        HttpResponse<String> page = send(request("/").GET().build());
        page.headers().firstValue("Set-Cookie").ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
        csrf = find(CSRF, page.body());
        streamPath = find(STREAM_PATH, page.body());
        return page;
    }

    /** A request to {@code path} with this visitor's cookie (if any) and nothing else. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return b;
    }

    /** A form submission as Turbo sends it: stream Accept, CSRF header, own Origin, urlencoded body. */
    public HttpResponse<String> form(String method, String path, Map<String, String> fields) {
        return send(
                formRequest(method, path, fields).header("X-CSRF-Token", csrf).build());
    }

    /** The same submission without the CSRF header, for tests to add their own headers. */
    public HttpRequest.Builder formRequest(String method, String path, Map<String, String> fields) {
        return request(path)
                .header("Accept", STREAM)
                .header("Origin", origin())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(encode(fields)));
    }

    public long create(String title) {
        HttpResponse<String> r = form("POST", "/todos", Map.of("title", title));
        if (r.statusCode() != 200) {
            throw new AssertionError("create answered " + r.statusCode() + ": " + r.body());
        }
        return Long.parseLong(find(TODO_ID, r.body()));
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens the live websocket at {@code path} with this visitor's cookie and the given Origin (null: none). */
    public LiveSocket live(String path, String originHeader) {
        LiveSocket socket = new LiveSocket();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (originHeader != null) {
            b.header("Origin", originHeader);
        }
        String ws = "ws://" + base.getRawAuthority() + path;
        try {
            socket.socket = b.buildAsync(URI.create(ws), socket).join();
        } catch (CompletionException e) {
            socket.failed = e.getCause();
        }
        return socket;
    }

    public LiveSocket live() {
        return live(streamPath, origin());
    }

    public static String encode(Map<String, String> fields) {
        return new LinkedHashMap<>(fields)
                .entrySet().stream()
                        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&"));
    }

    public static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + pattern + " in: " + text);
        }
        return m.group(1);
    }
}
