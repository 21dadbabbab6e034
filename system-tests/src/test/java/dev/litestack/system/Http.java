package dev.litestack.system;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A browser-less user of the todo app: keeps its session cookie and submits the app's forms with the CSRF token. */
final class Http {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern ITEM = Pattern.compile(
            "<li id=\"[^\"]*\"( class=\"completed\")?[^>]*>.*?action=\"/todos/(\\d+)\".*?<label[^>]*>([^<]*)</label>",
            Pattern.DOTALL);

    private final HttpClient client;

    Http() {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    int status(String url) {
        try {
            return client.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String page(String base) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create(base + "/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET / answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The todos on the page, by title: true if completed. */
    Map<String, Boolean> todos(String base) throws IOException, InterruptedException {
        Map<String, Boolean> out = new LinkedHashMap<>();
        Matcher m = ITEM.matcher(page(base));
        while (m.find()) {
            out.put(m.group(3), m.group(1) != null);
        }
        return out;
    }

    /** The id of the todo with this title. */
    long id(String base, String title) throws IOException, InterruptedException {
        Matcher m = ITEM.matcher(page(base));
        while (m.find()) {
            if (m.group(3).equals(title)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no todo titled " + title);
    }

    void submit(String base, String method, String path, Map<String, String> fields)
            throws IOException, InterruptedException {
        Matcher m = CSRF.matcher(page(base));
        String token = m.find() ? m.group(1) : "";
        Map<String, String> all = new LinkedHashMap<>(fields);
        all.put("_csrf", token);
        String body = all.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-CSRF-Token", token)
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
