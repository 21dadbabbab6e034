package dev.litestack.todo.todos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.litestack.todo.logging.QuietLog;
import dev.litestack.todo.support.CapturedLogs;
import dev.litestack.todo.support.WebClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What an attacker sends over plain HTTP: malformed form bodies, odd titles, repeated fields, foreign charsets and
 * schemes, and floods of failing requests. Every answer is a short 4xx (or a 500 without details), and the log
 * stays short.
 */
@MicronautTest
class HostileInputTest {

    private static final String FORM = "application/x-www-form-urlencoded";

    @Inject
    EmbeddedServer server;

    @Inject
    @Named("http-errors")
    QuietLog httpErrors;

    WebClient alice;

    @BeforeEach
    void visit() {
        alice = new WebClient(server.getURI());
        alice.open();
    }

    private HttpResponse<String> raw(WebClient who, String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = who.request(path)
                .header("Accept", WebClient.STREAM)
                .header("Origin", who.origin())
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (who.csrf != null && who.cookie != null) {
            b.header("X-CSRF-Token", who.csrf);
        }
        return who.send(b.build());
    }

    private HttpResponse<String> raw(WebClient who, String method, String path, String body) {
        return raw(who, method, path, FORM, body.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void badPercentEncodingIsA400WithAtMostOneShortLogLine() {
        long id = alice.create("keep");
        WebClient anonymous = new WebClient(server.getURI());
        String[][] routes = {
            {"POST", "/todos"},
            {"PATCH", "/todos/" + id},
            {"DELETE", "/todos/" + id},
            {"PATCH", "/todos"},
            {"DELETE", "/todos/completed"}
        };
        try (CapturedLogs logs = CapturedLogs.capture()) {
            int requests = 0;
            for (String body : new String[] {"title=%zz", "abc%", "%", "title=%4", "completed=%E9"}) {
                for (String[] route : routes) {
                    for (WebClient who : List.of(alice, anonymous)) {
                        HttpResponse<String> r = raw(who, route[0], route[1], body);
                        assertEquals(400, r.statusCode(), route[0] + " " + route[1] + " " + body + ": " + r.body());
                        TodoSecurityTest.assertNoInternals(r.body());
                        requests++;
                    }
                }
            }
            assertTrue(logs.lines.stream().allMatch(l -> l.stackTrace().isEmpty()), "no stack traces: " + logs.lines);
            assertTrue(logs.lines.stream().allMatch(l -> l.message().length() < 200), "short lines: " + logs.lines);
            assertTrue(
                    logs.lines.size() <= 5,
                    requests + " bad requests logged " + logs.lines.size() + " lines: " + logs.lines);
        }
        assertTrue(alice.open().body().contains("dir=\"auto\">keep</label>"));
    }

    /** A client that closes its connection in the middle of its body is no failure of the app's: no ERROR. */
    @Test
    void aClientThatLeavesBeforeItsBodyEndsIsNotLoggedAsAFailure() throws Exception {
        Logger httpErrorsLog = (Logger) LoggerFactory.getLogger("dev.litestack.todo.web.HttpErrors");
        Level level = httpErrorsLog.getLevel();
        httpErrorsLog.setLevel(Level.DEBUG);
        try (CapturedLogs logs = CapturedLogs.capture()) {
            for (String framing : new String[] {"Content-Length: 1000", "Transfer-Encoding: chunked"}) {
                try (Socket socket = new Socket(server.getHost(), server.getPort())) {
                    String head = "POST /todos HTTP/1.1\r\nHost: " + server.getHost() + ":" + server.getPort()
                            + "\r\nCookie: " + alice.cookie + "\r\nOrigin: " + alice.origin()
                            + "\r\nX-CSRF-Token: " + alice.csrf + "\r\nAccept: " + WebClient.STREAM
                            + "\r\nContent-Type: " + FORM + "\r\n" + framing + "\r\n\r\n";
                    String body = framing.startsWith("Content") ? "title=half" : "7FFFFFFF\r\ntitle=half";
                    socket.getOutputStream().write((head + body).getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> logs.containing("client closed its connection during POST /todos")
                                        .size()
                                >= (framing.startsWith("Content") ? 1 : 2));
            }
            assertEquals(
                    List.of(),
                    logs.lines.stream().filter(l -> l.level().equals("ERROR")).toList(),
                    "nothing logged as an error");
        } finally {
            httpErrorsLog.setLevel(level);
        }
        assertFalse(alice.open().body().contains(">half</label>"), "and nothing was saved");
    }

    @Test
    void controlBidiAndInvisibleOnlyTitlesAre422WithAMessage() {
        Map<String, String> bad = Map.of(
                "next\u0085line", "control",
                "abc\u202Egnp.exe", "bidi",
                "\u2066isolated\u2069", "bidi",
                "\u00A0", "empty",
                "\u200B", "empty",
                "\u00A0\u200B\u3000\uFEFF ", "empty");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> r = alice.form("POST", "/todos", Map.of("title", e.getKey()));
            assertEquals(422, r.statusCode(), e.getValue() + ": " + r.body());
            assertTrue(r.body().contains(e.getValue()), r.body());
        }
        long id = alice.create("fine");
        assertEquals(
                422,
                alice.form("PATCH", "/todos/" + id, Map.of("title", "x\u202Ey")).statusCode());
        String page = alice.open().body();
        assertEquals(1, page.split("<li id=").length - 1, "only 'fine': " + page);
    }

    @Test
    void titlesAreNormalisedToNfcAndTrimmedOfInvisibleSpace() {
        long id = alice.create("\u00A0\u200Bcafe\u0301\u00A0");
        String page = alice.open().body();
        assertTrue(page.contains("dir=\"auto\">caf\u00e9</label>"), page);
        assertTrue(
                alice.form("PATCH", "/todos/" + id, Map.of("title", "\u00A0"))
                        .body()
                        .contains("action=\"remove\""),
                "an invisible-only edit deletes, like an empty one");
    }

    @Test
    void aRepeatedFieldIs422AndChangesNothing() {
        HttpResponse<String> r = raw(alice, "POST", "/todos", "title=a&title=b");
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(r.body().contains("title"), r.body());
        long id = alice.create("x");
        assertEquals(
                422,
                raw(alice, "PATCH", "/todos/" + id, "completed=true&completed=false")
                        .statusCode());
        assertFalse(alice.open().body().contains("a,b"));
    }

    @Test
    void onlyUtf8FormsAreAccepted() {
        byte[] latin1 = "title=caf%E9".getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> declared = raw(alice, "POST", "/todos", FORM + "; charset=ISO-8859-1", latin1);
        assertEquals(422, declared.statusCode(), declared.body());
        assertTrue(declared.body().contains("UTF-8"), declared.body());
        HttpResponse<String> undeclared = raw(alice, "POST", "/todos", FORM, latin1);
        assertEquals(400, undeclared.statusCode(), "%E9 alone is not UTF-8: " + undeclared.body());
        HttpResponse<String> utf8 = raw(
                alice,
                "POST",
                "/todos",
                FORM + "; charset=UTF-8",
                "title=caf%C3%A9+au+lait".getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, utf8.statusCode(), utf8.body());
        assertTrue(alice.open().body().contains("dir=\"auto\">caf\u00e9 au lait</label>"));
    }

    @Test
    void repeatedIdenticalFailuresAreLoggedOnceThenCounted() {
        String tag = UUID.randomUUID().toString();
        int failures = 300;
        try (CapturedLogs logs = CapturedLogs.capture()) {
            for (int i = 0; i < failures; i++) {
                HttpResponse<String> r = alice.send(
                        alice.request("/test-only/disk-full/" + tag).GET().build());
                assertEquals(507, r.statusCode());
                TodoSecurityTest.assertNoInternals(r.body());
            }
            assertEquals(1, logs.containing(tag).size(), "the first failure is logged: " + logs.containing(tag));
            assertTrue(logs.containing(tag).get(0).stackTrace().contains("SQLITE_FULL"), "with its cause");
            httpErrors.flush();
            List<CapturedLogs.Line> lines = logs.containing(tag);
            assertEquals(2, lines.size(), "then one line with the count: " + lines);
            assertTrue(
                    lines.get(1).message().contains((failures - 1) + " more times"),
                    lines.get(1).message());
            assertTrue(lines.get(1).stackTrace().isEmpty());
            assertTrue(
                    logs.charsContaining(tag) < 12_000,
                    failures + " failures logged " + logs.charsContaining(tag) + " characters");
        }
    }

    @Test
    void theOriginMustHaveTheRequestsScheme() {
        String host = server.getURI().getRawAuthority();
        HttpRequest https = alice.formRequest("POST", "/todos", Map.of("title", "scheme"))
                .setHeader("Origin", "https://" + host)
                .header("X-CSRF-Token", alice.csrf)
                .build();
        assertEquals(403, alice.send(https).statusCode(), "https Origin on a plain HTTP request");
        HttpRequest downgraded = alice.formRequest("POST", "/todos", Map.of("title", "scheme"))
                .setHeader("Origin", "http://" + host)
                .header("X-Forwarded-Proto", "https")
                .header("X-CSRF-Token", alice.csrf)
                .build();
        assertEquals(403, alice.send(downgraded).statusCode(), "http Origin on an https request");
        assertFalse(alice.open().body().contains("scheme</label>"));
        assertEquals(
                200,
                alice.form("POST", "/todos", Map.of("title", "same scheme")).statusCode());
    }

    @Test
    void overHttpsTheCookieIsHostPrefixedAndHstsIsSent() {
        WebClient proxied = new WebClient(server.getURI());
        HttpResponse<String> page = proxied.send(
                proxied.request("/").header("X-Forwarded-Proto", "https").GET().build());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith("__Host-todo_session="), cookie);
        assertTrue(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), cookie);
        String hsts = page.headers().firstValue("Strict-Transport-Security").orElseThrow();
        assertTrue(
                hsts.startsWith("max-age=") && Long.parseLong(hsts.replaceAll("max-age=(\\d+).*", "$1")) >= 15_552_000,
                hsts);
        proxied.cookie = cookie.substring(0, cookie.indexOf(';'));
        String csrf = WebClient.find(
                java.util.regex.Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\""), page.body());
        HttpResponse<String> again = proxied.send(
                proxied.request("/").header("X-Forwarded-Proto", "https").GET().build());
        String renewed = again.headers().firstValue("Set-Cookie").orElseThrow();
        assertEquals(proxied.cookie, renewed.substring(0, renewed.indexOf(';')), "the __Host- cookie is recognised");
        assertTrue(again.body().contains(csrf), "same user");

        HttpResponse<String> plain = alice.open();
        assertTrue(plain.headers().firstValue("Strict-Transport-Security").isEmpty(), "no HSTS over plain HTTP");

        // a plain-named cookie (plantable by a sibling subdomain or over HTTP) is not an identity over HTTPS
        String planted = alice.cookie;
        assertTrue(planted.startsWith("todo_session="), planted);
        HttpResponse<String> fixated = proxied.send(proxied.request("/")
                .setHeader("Cookie", planted)
                .header("X-Forwarded-Proto", "https")
                .GET()
                .build());
        String issued = fixated.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(issued.startsWith("__Host-todo_session="), issued);
        assertFalse(
                issued.contains(planted.substring("todo_session=".length())), "a new identity, not the planted one");
        assertFalse(fixated.body().contains(alice.csrf), "not the planted user's page");
    }

    @Test
    void everyAnswerHasAPermissionsPolicyAndTheProgressBarStyleIsAllowed() {
        for (HttpResponse<String> r : List.of(
                alice.open(),
                alice.send(alice.request("/no/such").GET().build()),
                alice.send(alice.request("/health").GET().build()))) {
            String policy = r.headers().firstValue("Permissions-Policy").orElseThrow();
            assertTrue(policy.contains("camera=()") && policy.contains("geolocation=()"), policy);
        }
        String csp =
                alice.open().headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("style-src 'self' 'sha256-"), "Turbo's progress bar stylesheet by hash: " + csp);
        assertFalse(csp.contains("unsafe-inline"), csp);
    }
}
