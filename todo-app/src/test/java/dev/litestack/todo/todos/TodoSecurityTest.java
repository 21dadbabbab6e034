package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.WebClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** app-reference.md §6 over HTTP: isolation, CSRF and Origin, cookies, headers, escaping, bad input. */
@MicronautTest
class TodoSecurityTest {

    @Inject
    EmbeddedServer server;

    WebClient alice;
    WebClient mallory;

    @BeforeEach
    void visit() {
        alice = new WebClient(server.getURI());
        alice.open();
        mallory = new WebClient(server.getURI());
        mallory.open();
    }

    @Test
    void anotherUsersIdsAreNotFoundAndChangeNothing() {
        long id = alice.create("alice's secret");
        List<HttpResponse<String>> answers = List.of(
                mallory.form("PATCH", "/todos/" + id, Map.of("completed", "true")),
                mallory.form("PATCH", "/todos/" + id, Map.of("title", "pwned")),
                mallory.form("PATCH", "/todos/" + id, Map.of("title", "")),
                mallory.form("DELETE", "/todos/" + id, Map.of()));
        for (HttpResponse<String> r : answers) {
            assertEquals(404, r.statusCode(), r.body());
        }
        String page = alice.open().body();
        assertTrue(
                page.contains("dir=\"auto\">alice&#39;s secret</label>")
                        || page.contains("dir=\"auto\">alice's secret</label>"),
                page);
        assertTrue(page.contains("<strong>1</strong> item left"));
        assertFalse(mallory.open().body().contains("secret"));
    }

    @Test
    void toggleAllAndClearCompletedTouchOnlyTheCallersRows() {
        long mine = alice.create("mine");
        alice.form("PATCH", "/todos/" + mine, Map.of("completed", "true"));
        long theirs = mallory.create("theirs");
        String toggled =
                mallory.form("PATCH", "/todos", Map.of("completed", "true")).body();
        assertFalse(toggled.contains("todo_" + mine));
        String cleared = mallory.form("DELETE", "/todos/completed", Map.of()).body();
        assertTrue(cleared.contains("todo_" + theirs));
        assertFalse(cleared.contains("todo_" + mine));
        assertTrue(alice.open().body().contains("id=\"todo_" + mine + "\" class=\"completed\""));
    }

    @Test
    void everyChangeNeedsTheSessionsOwnCsrfToken() {
        long id = alice.create("x");
        String[][] forms = {
            {"POST", "/todos"},
            {"PATCH", "/todos/" + id},
            {"DELETE", "/todos/" + id},
            {"PATCH", "/todos"},
            {"DELETE", "/todos/completed"}
        };
        Map<String, String> fields = Map.of("title", "t", "completed", "true");
        for (String[] f : forms) {
            HttpRequest.Builder none = alice.formRequest(f[0], f[1], fields);
            assertEquals(403, alice.send(none.build()).statusCode(), "no token: " + f[1]);
            HttpRequest.Builder foreign = alice.formRequest(f[0], f[1], fields).header("X-CSRF-Token", mallory.csrf);
            assertEquals(403, alice.send(foreign.build()).statusCode(), "another session's token: " + f[1]);
            HttpRequest.Builder garbage = alice.formRequest(f[0], f[1], Map.of("_csrf", "x".repeat(43)));
            assertEquals(403, alice.send(garbage.build()).statusCode(), "forged token: " + f[1]);
        }
        assertTrue(alice.open().body().contains("dir=\"auto\">x</label>"), "nothing changed");
    }

    @Test
    void changesFromAnotherOriginAreForbidden() {
        HttpRequest request = alice.formRequest("POST", "/todos", Map.of("title", "csrf"))
                .setHeader("Origin", "http://evil.example")
                .header("X-CSRF-Token", alice.csrf)
                .build();
        assertEquals(403, alice.send(request).statusCode());
        HttpRequest opaque = alice.formRequest("POST", "/todos", Map.of("title", "csrf"))
                .setHeader("Origin", "null")
                .header("X-CSRF-Token", alice.csrf)
                .build();
        assertEquals(403, alice.send(opaque).statusCode());
        assertFalse(alice.open().body().contains("csrf</label>"));
    }

    @Test
    void aForgedOrMissingCookieIsANewAnonymousUser() {
        long id = alice.create("private");
        String forged = alice.cookie.substring(0, alice.cookie.length() - 2) + "AA";
        WebClient eve = new WebClient(server.getURI());
        eve.cookie = forged;
        HttpResponse<String> page = eve.open();
        assertFalse(page.body().contains("private"));
        assertNotEquals(forged, eve.cookie, "a new identity was issued");
        eve.cookie = forged;
        eve.csrf = alice.csrf;
        assertEquals(403, eve.form("DELETE", "/todos/" + id, Map.of()).statusCode());
    }

    @Test
    void theSessionCookieIsHttpOnlyLaxAndSecureBehindHttps() {
        HttpResponse<String> plain = new WebClient(server.getURI())
                .send(new WebClient(server.getURI()).request("/").GET().build());
        String cookie = plain.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HTTPOnly") || cookie.contains("HttpOnly"), cookie);
        assertTrue(cookie.contains("SameSite=Lax"), cookie);
        assertTrue(cookie.contains("Path=/"), cookie);
        assertFalse(cookie.contains("Secure"), "plain HTTP in tests: " + cookie);
        assertFalse(cookie.contains("Domain"), cookie);
        WebClient proxied = new WebClient(server.getURI());
        String secure = proxied.send(proxied.request("/")
                        .header("X-Forwarded-Proto", "https")
                        .GET()
                        .build())
                .headers()
                .firstValue("Set-Cookie")
                .orElseThrow();
        assertTrue(secure.contains("Secure"), secure);
    }

    /**
     * The cookie's lifetime slides: every page load sets the same identity again with a full Max-Age, so a visitor
     * who keeps coming back keeps their list (it used to expire a year after the first visit, whatever came after).
     */
    @Test
    void everyPageLoadRenewsTheSameSessionCookie() {
        long id = alice.create("kept");
        String before = alice.cookie;
        HttpResponse<String> again = alice.send(alice.request("/").GET().build());
        String renewed = again.headers().firstValue("Set-Cookie").orElseThrow();
        assertEquals(before, renewed.substring(0, renewed.indexOf(';')), "the same identity");
        assertTrue(renewed.contains("Max-Age=31536000"), renewed);
        assertTrue(again.body().contains("id=\"todo_" + id + "\""), "the same list");
    }

    @Test
    void pagesCarryANonceContentSecurityPolicy() {
        HttpResponse<String> page = alice.open();
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        String nonce = csp.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertTrue(page.body().contains("nonce=\"" + nonce + "\""), "scripts carry the response's nonce");
        assertFalse(csp.contains("unsafe-inline"));
        assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
        assertNotEquals(
                nonce,
                alice.open()
                        .headers()
                        .firstValue("Content-Security-Policy")
                        .orElseThrow()
                        .replaceAll(".*script-src 'nonce-([^']+)'.*", "$1"),
                "a fresh nonce per response");
        assertEquals(
                "nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
    }

    @Test
    void titlesAreEscapedInPagesAndFragments() {
        String script = "<script>alert(1)</script>";
        String img = "\"><img src=x onerror=alert(1)>";
        String fragment = alice.form("POST", "/todos", Map.of("title", script)).body()
                + alice.form("POST", "/todos", Map.of("title", img)).body();
        String page = alice.open().body();
        for (String html : new String[] {fragment, page}) {
            assertFalse(html.contains(script), html);
            assertFalse(html.contains("<img"), html);
            assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assertTrue(html.contains("dir=\"auto\">\"&gt;&lt;img src=x onerror=alert(1)&gt;</label>"), html);
            assertFalse(html.contains("value=\"&#34;"), "titles are never in an attribute: " + html);
        }
    }

    @Test
    void badInputGetsA4xxAndChangesNothing() {
        long id = alice.create("keep");
        List<HttpResponse<String>> answers = new ArrayList<>();
        answers.add(expect(422, alice.form("POST", "/todos", Map.of("title", "x".repeat(1001)))));
        answers.add(expect(413, alice.form("POST", "/todos", Map.of("title", "x".repeat(40_000)))));
        answers.add(expect(422, alice.form("POST", "/todos", Map.of())));
        answers.add(expect(422, alice.form("POST", "/todos", Map.of("title", "tab\tand\u0000nul"))));
        answers.add(expect(422, alice.form("PATCH", "/todos/" + id, Map.of())));
        answers.add(expect(422, alice.form("PATCH", "/todos/" + id, Map.of("completed", "yes"))));
        answers.add(expect(422, alice.form("PATCH", "/todos", Map.of())));
        for (String bad : new String[] {"abc", "-1", "0", "1e3", "99999999999999999999", "%00"}) {
            answers.add(expect(404, alice.form("PATCH", "/todos/" + bad, Map.of("completed", "true"))));
        }
        answers.add(expect(404, alice.form("PATCH", "/todos/" + (id + 1000), Map.of("completed", "true"))));
        answers.add(expect(
                415,
                alice.send(alice.request("/todos")
                        .header("Origin", alice.origin())
                        .header("X-CSRF-Token", alice.csrf)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"json\"}"))
                        .build())));
        answers.add(expect(404, alice.send(alice.request("/no/such/page").GET().build())));
        answers.add(expect(
                405,
                alice.send(alice.request("/todos")
                        .PUT(HttpRequest.BodyPublishers.noBody())
                        .build())));
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> asset = expect(
                    405,
                    alice.send(alice.request("/assets/app.css")
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .build()));
            assertEquals("405 Method Not Allowed\n", asset.body(), method);
            assertEquals("GET, HEAD", asset.headers().firstValue("Allow").orElse(""), method);
            answers.add(asset);
        }
        assertEquals(
                200, alice.send(alice.request("/assets/app.css").GET().build()).statusCode());
        for (HttpResponse<String> r : answers) {
            assertNoInternals(r.body());
        }
        String page = alice.open().body();
        assertEquals(1, page.split("<li id=").length - 1, "still one todo");
        assertTrue(page.contains("dir=\"auto\">keep</label>"));
    }

    @Test
    void anUnexpectedFailureIsA500WithoutDetails() {
        HttpResponse<String> r =
                expect(500, alice.send(alice.request("/test-only/boom").GET().build()));
        assertNoInternals(r.body());
        assertFalse(r.body().contains("internal detail"), r.body());
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        return r;
    }

    static void assertNoInternals(String body) {
        assertFalse(body.contains("Exception"), body);
        assertFalse(body.contains("at dev.") || body.contains("at io.") || body.contains("at java."), body);
        assertFalse(body.contains("dev.litestack"), body);
        assertTrue(body.length() < 200, body);
    }
}
