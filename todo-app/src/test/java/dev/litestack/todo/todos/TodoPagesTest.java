package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.WebClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One HTTP test per page and form: status, content type, and the fragments or page text they answer with. */
@MicronautTest
class TodoPagesTest {

    @Inject
    EmbeddedServer server;

    WebClient alice;

    @BeforeEach
    void visit() {
        alice = new WebClient(server.getURI());
        alice.open();
    }

    @Test
    void theFirstVisitGetsAnEmptyTodoMvcPageAndASessionCookie() {
        WebClient bob = new WebClient(server.getURI());
        HttpResponse<String> page = bob.open();
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        String html = page.body();
        assertTrue(html.contains("<h1>todos</h1>"));
        assertTrue(html.contains("class=\"new-todo\"") && html.contains("autofocus"), "S2: focused new-todo input");
        assertTrue(html.contains("<ul class=\"todo-list\" id=\"todo-list\" data-version=\"0\">"));
        assertTrue(html.contains("id=\"footer\" data-version=\"0\" hidden"), "S1: footer hidden when empty");
        assertTrue(html.contains("src=\"/assets/turbo-8.0.23.js\""));
        assertTrue(bob.cookie.startsWith("todo_session="));
        assertTrue(bob.streamPath.startsWith("/cable/"));
    }

    @Test
    void thePageListsTheUsersTodosInCreationOrderWithTheCounter() {
        alice.create("first");
        long second = alice.create("second");
        alice.form("PATCH", "/todos/" + second, Map.of("completed", "true"));
        String html = alice.open().body();
        assertTrue(html.indexOf(">first</label>") < html.indexOf(">second</label>"));
        assertTrue(html.contains("<li id=\"todo_" + second + "\" class=\"completed\""));
        assertTrue(html.contains("<strong>1</strong> item left"));
        assertTrue(html.contains("Clear completed"));
    }

    @Test
    void createAnswersWithAnAppendedItemAndAFreshCounter() {
        HttpResponse<String> r = alice.form("POST", "/todos", Map.of("title", "  buy milk  "));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith(WebClient.STREAM));
        assertTrue(r.body().startsWith("<turbo-stream action=\"append\" target=\"todo-list\">"));
        assertTrue(r.body().contains("dir=\"auto\">buy milk</label>"), "S2: title trimmed");
        assertTrue(r.body().contains("<turbo-stream action=\"replace\" target=\"footer\">"));
        assertTrue(r.body().contains("<strong>1</strong> item left"));
        assertTrue(
                alice.form("POST", "/todos", Map.of("title", "eggs")).body().contains("<strong>2</strong> items left"),
                "S6: pluralised");
    }

    /**
     * A create sent again with the same key (the page's retry after an answer that never came, while the first request
     * was in fact applied) answers the todo the first one made instead of adding another; the key is per user.
     */
    @Test
    void aCreateSentAgainWithItsKeyIsAddedOnce() {
        HttpResponse<String> first = alice.form("POST", "/todos", Map.of("title", "pay rent", "key", "k-1"));
        HttpResponse<String> again = alice.form("POST", "/todos", Map.of("title", "pay rent", "key", "k-1"));
        assertEquals(200, again.statusCode());
        String row = first.body()
                .substring(first.body().indexOf("<li id=\"todo_"), first.body().indexOf("\" class"));
        assertTrue(again.body().contains(row), again.body());
        assertTrue(again.body().contains("data-key=\"k-1\""), again.body());
        assertTrue(again.body().contains("<strong>1</strong> item left"), again.body());
        alice.form("POST", "/todos", Map.of("title", "pay rent", "key", "k-2"));
        alice.form("POST", "/todos", Map.of("title", "pay rent"));
        String page = alice.open().body();
        assertEquals(3, page.split(">pay rent</label>", -1).length - 1, "another key, or none, is another todo");

        WebClient bob = new WebClient(server.getURI());
        bob.open();
        bob.form("POST", "/todos", Map.of("title", "bob's", "key", "k-1"));
        assertTrue(bob.open().body().contains(">bob's</label>"), "keys are per user");
        assertFalse(alice.open().body().contains("bob's"));

        assertEquals(
                422,
                alice.form("POST", "/todos", Map.of("title", "x", "key", "no spaces"))
                        .statusCode());
        assertEquals(
                422,
                alice.form("POST", "/todos", Map.of("title", "x", "key", "k".repeat(65)))
                        .statusCode());
    }

    @Test
    void aClientThatRefusesStreamsIsRedirected() {
        // a media range with a quality that is not a number is dropped by Micronaut's Accept parsing
        for (String accept : List.of(
                "text/vnd.turbo-stream.html;q=0, text/html", "text/html", "*/*", "text/vnd.turbo-stream.html;q=x")) {
            HttpResponse<String> r = alice.send(alice.formRequest("POST", "/todos", Map.of("title", "plain form"))
                    .setHeader("Accept", accept)
                    .header("X-CSRF-Token", alice.csrf)
                    .build());
            assertEquals(303, r.statusCode(), accept);
            assertEquals("/", r.headers().firstValue("Location").orElseThrow(), accept);
        }
        for (String accept :
                List.of("text/vnd.turbo-stream.html;q=0.5, text/html", "text/vnd.turbo-stream.html, text/html")) {
            HttpResponse<String> r = alice.send(alice.formRequest("POST", "/todos", Map.of("title", "stream"))
                    .setHeader("Accept", accept)
                    .header("X-CSRF-Token", alice.csrf)
                    .build());
            assertEquals(200, r.statusCode(), accept);
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith(WebClient.STREAM), accept);
        }
    }

    @Test
    void createWithAnEmptyTitleIsRejected() {
        assertEquals(422, alice.form("POST", "/todos", Map.of("title", "   ")).statusCode());
        assertFalse(alice.open().body().contains("<li id="));
    }

    @Test
    void toggleMarksOneTodoCompletedAndBack() {
        long id = alice.create("walk");
        String done =
                alice.form("PATCH", "/todos/" + id, Map.of("completed", "true")).body();
        assertTrue(done.contains("<turbo-stream action=\"replace\" target=\"todo_" + id + "\">"));
        assertTrue(done.contains("class=\"completed\""));
        assertTrue(done.contains("<strong>0</strong> items left"));
        assertTrue(
                done.contains(
                        "id=\"toggle-all\" class=\"toggle-all\" type=\"checkbox\" name=\"completed\" value=\"true\" checked"),
                "S3: toggle-all follows single items");
        String undone = alice.form("PATCH", "/todos/" + id, Map.of("completed", "false"))
                .body();
        assertFalse(undone.contains("class=\"completed\""));
    }

    @Test
    void editSavesTheTrimmedTitleAndAnEmptyTitleDeletes() {
        long id = alice.create("old");
        String edited = alice.form("PATCH", "/todos/" + id, Map.of("title", "  new title "))
                .body();
        assertTrue(edited.contains("dir=\"auto\">new title</label>"));
        String emptied =
                alice.form("PATCH", "/todos/" + id, Map.of("title", "  ")).body();
        assertTrue(
                emptied.startsWith("<turbo-stream action=\"remove\" target=\"todo_" + id + "\">"), "S5: empty deletes");
        assertFalse(alice.open().body().contains("todo_" + id));
    }

    @Test
    void deleteRemovesTheTodo() {
        long id = alice.create("gone");
        HttpResponse<String> r = alice.form("DELETE", "/todos/" + id, Map.of());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("<turbo-stream action=\"remove\" target=\"todo_" + id + "\">"));
        assertTrue(r.body().contains("hidden"), "footer hidden again");
        assertEquals(404, alice.form("DELETE", "/todos/" + id, Map.of()).statusCode());
    }

    @Test
    void toggleAllSetsEveryTodoAndClearCompletedRemovesTheCompletedOnes() {
        long a = alice.create("a");
        long b = alice.create("b");
        String all = alice.form("PATCH", "/todos", Map.of("completed", "true")).body();
        assertTrue(all.contains("target=\"todo_" + a + "\"") && all.contains("target=\"todo_" + b + "\""));
        assertTrue(all.contains("<strong>0</strong> items left"));
        alice.form("PATCH", "/todos/" + b, Map.of("completed", "false"));
        String cleared = alice.form("DELETE", "/todos/completed", Map.of()).body();
        assertTrue(cleared.startsWith("<turbo-stream action=\"remove\" target=\"todo_" + a + "\">"));
        assertFalse(cleared.contains("target=\"todo_" + b + "\""));
        assertFalse(cleared.contains("Clear completed"), "S7: hidden when nothing is completed");
        assertFalse(cleared.contains(" checked"), "S3: toggle-all cleared");
    }

    @Inject
    dev.litestack.todo.jobs.PayloadCodec codec;

    @Test
    void aChangeOfNoTodosRoundTripsThroughTheJobCodec() {
        // an empty list is left out of the JSON; the broadcast job must still decode it
        TodoChange none = new TodoChange("u", TodoChange.Kind.DELETED, List.of());
        assertEquals(none, codec.decode(codec.encode(none), TodoChange.class));
        assertEquals(none, codec.decode("{\"userId\":\"u\",\"kind\":\"DELETED\"}", TodoChange.class));
        String nothing = alice.form("DELETE", "/todos/completed", Map.of()).body();
        assertFalse(nothing.contains("action=\"remove\""), nothing);
        assertEquals(
                200, alice.form("PATCH", "/todos", Map.of("completed", "true")).statusCode());
    }

    @Test
    void theHiddenFormFieldCarriesTheCsrfTokenWithoutJavaScript() {
        HttpRequest request = alice.request("/todos")
                .header("Origin", alice.origin())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        WebClient.encode(Map.of("_csrf", alice.csrf, "title", "plain"))))
                .build();
        HttpResponse<String> r = alice.send(request);
        assertEquals(303, r.statusCode(), "no Turbo Stream asked for: redirect to the page");
        assertEquals("/", r.headers().firstValue("Location").orElseThrow());
        assertTrue(alice.open().body().contains(">plain</label>"));
    }

    @Test
    void everyFormPostsSoThatWithoutJavaScriptItsFieldsNeverLandInAUrl() {
        alice.form("POST", "/todos", Map.of("title", "done"));
        alice.form("PATCH", "/todos", Map.of("completed", "true"));
        String html = alice.open().body();
        java.util.List<String> forms = java.util.regex.Pattern.compile("<form [^>]*>")
                .matcher(html)
                .results()
                .map(java.util.regex.MatchResult::group)
                .toList();
        assertEquals(
                6, forms.size(), "new todo, toggle all, the item's toggle, delete and edit, clear completed: " + forms);
        for (String form : forms) {
            assertTrue(form.contains(" method=\"post\""), form);
        }
        assertTrue(html.contains("data-method=\"patch\"") && html.contains("data-method=\"delete\""));
    }

    @Test
    void assetsAndHealthAreServed() {
        for (String path : new String[] {
            "/assets/turbo-8.0.23.js",
            "/assets/app.js",
            "/assets/app.css",
            "/assets/todomvc-app.css",
            "/assets/todomvc-base.css",
            "/assets/favicon.svg",
            "/health"
        }) {
            assertEquals(200, alice.send(alice.request(path).GET().build()).statusCode(), path);
        }
        String turbo = alice.send(alice.request("/assets/turbo-8.0.23.js").GET().build())
                .body();
        assertTrue(turbo.startsWith("/*!\nTurbo 8.0.23"), "vendored with its header");
    }
}
