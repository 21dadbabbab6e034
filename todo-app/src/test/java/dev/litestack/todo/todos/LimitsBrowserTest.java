package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.Chrome;
import dev.litestack.todo.support.TodoPage;
import dev.litestack.todo.support.WebClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * A visitor whose list is at the app's limits (1,000 todos of 1,000 characters, the costliest to escape) still gets their page in
 * headless Chromium, live; and no page load trips the Content-Security-Policy (Turbo's progress bar included).
 */
@Tag("integration")
@MicronautTest
class LimitsBrowserTest {

    private static final int LIMIT = 1000;

    @Inject
    EmbeddedServer server;

    @Test
    void aUserAtTheLimitsStillGetsTheirPageWithoutCspViolations() throws Exception {
        try (Chrome chrome = Chrome.start()) {
            chrome.driver.executeCdpCommand(
                    "Page.addScriptToEvaluateOnNewDocument",
                    Map.of(
                            "source",
                            "window.cspViolations = []; document.addEventListener('securitypolicyviolation', "
                                    + "e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"));
            TodoPage page = new TodoPage(chrome.driver).open(server.getURI() + "/");
            page.add("typed in the browser");

            WebClient same = new WebClient(server.getURI());
            same.cookie = "todo_session="
                    + chrome.driver.manage().getCookieNamed("todo_session").getValue();
            same.open();
            // the characters that cost the most in the markup: quotes and ampersands escape to 5 bytes, an emoji
            // is 4 in UTF-8 (the snapshot of such a list has to fit a socket's queue, app.live.*)
            String title = "\"&'\uD83D\uDE00".repeat((LIMIT - 4) / 4);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 1; i < LIMIT; i++) {
                String t = String.format("%04d", i) + title;
                answers.add(pool.submit(
                        () -> same.form("POST", "/todos", Map.of("title", t)).statusCode()));
            }
            for (Future<Integer> a : answers) {
                assertEquals(200, a.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(
                    422,
                    same.form("POST", "/todos", Map.of("title", "over the limit"))
                            .statusCode());

            chrome.driver.navigate().refresh();
            page.within(Duration.ofSeconds(60), d -> "synced".equals(page.app().getAttribute("data-live")));
            assertEquals(LIMIT, page.items().size());
            assertEquals("1000 items left", page.count());
            // four threads posted them, so the order is the commit order: look for the last title anywhere
            assertTrue(
                    chrome.driver.findElements(By.cssSelector(".todo-list li label")).stream()
                            .anyMatch(l -> l.getText().startsWith("0999")),
                    "the last title posted is on the page");
            Object violations = page.script("return window.cspViolations;");
            assertEquals(List.of(), violations, "CSP violations");
        }
    }
}
