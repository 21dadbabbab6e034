package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.Chrome;
import dev.litestack.todo.support.TodoPage;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.interactions.Actions;

/**
 * TodoMVC's behaviours S1–S9 (app-reference.md §3, ported from TodoMVC's Cypress spec) in headless Chromium. Every
 * test starts as a new visitor (cookies cleared), so it starts with no todos.
 */
@Tag("integration")
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TodoMvcBrowserTest {

    @Inject
    EmbeddedServer server;

    Chrome chrome;
    TodoPage page;

    @BeforeAll
    void startBrowser() {
        chrome = Chrome.start();
    }

    @AfterAll
    void stopBrowser() {
        chrome.close();
    }

    @BeforeEach
    void newVisitor() {
        chrome.driver.get(server.getURI() + "/health");
        chrome.driver.manage().deleteAllCookies();
        page = new TodoPage(chrome.driver).open(server.getURI() + "/");
    }

    @Test
    void s1_withoutTodosMainAndFooterAreHidden() {
        assertFalse(page.main().isDisplayed());
        assertFalse(page.footer().isDisplayed());
        page.add("one");
        assertTrue(page.main().isDisplayed());
        assertTrue(page.footer().isDisplayed());
    }

    @Test
    void s2_newTodoIsFocusedCreatesTrimmedTodosInOrderAndClearsTheInput() {
        assertEquals(page.newTodo(), chrome.driver.switchTo().activeElement(), "focused on load");
        page.add("buy some cheese", "   feed the cat   ", "book a doctors appointment");
        assertEquals(List.of("buy some cheese", "feed the cat", "book a doctors appointment"), page.visibleTitles());
        assertEquals("", page.newTodo().getAttribute("value"));
        page.newTodo().sendKeys("    " + Keys.ENTER);
        page.add("last");
        assertEquals(4, page.items().size(), "an empty title creates nothing");
        assertEquals("", page.newTodo().getAttribute("value"));
    }

    @Test
    void s3_toggleAllSetsEveryTodoAndFollowsSingleItems() {
        page.add("a", "b", "c");
        page.click(page::toggleAllLabel);
        page.until(d -> page.items().stream()
                .allMatch(li -> List.of(li.getAttribute("class").split(" ")).contains("completed")));
        assertTrue(page.toggleAll().isSelected());
        page.click(page::toggleAllLabel);
        page.until(d -> page.items().stream()
                .noneMatch(li -> List.of(li.getAttribute("class").split(" ")).contains("completed")));
        assertFalse(page.toggleAll().isSelected());
        for (int i = 0; i < 3; i++) {
            int index = i;
            page.click(() -> page.toggleOf(index));
        }
        page.until(d -> page.toggleAll().isSelected());
        page.click(() -> page.toggleOf(0));
        page.until(d -> !page.toggleAll().isSelected());
        page.click(page::toggleAllLabel);
        page.until(d -> page.toggleAll().isSelected());
        page.click(() -> page.clearCompleted().get(0));
        page.until(d -> page.items().isEmpty());
        assertFalse(page.toggleAll().isSelected(), "cleared after Clear completed");
    }

    @Test
    void s4_itemsToggleAndShowTheirDeleteButtonOnHover() {
        page.add("first", "second");
        page.click(() -> page.toggleOf(0));
        page.until(d -> page.hasClass(0, "completed"));
        assertFalse(page.hasClass(1, "completed"));
        page.click(() -> page.toggleOf(0));
        page.until(d -> !page.hasClass(0, "completed"));
        assertFalse(page.read(
                () -> page.item(1).findElement(By.cssSelector(".destroy")).isDisplayed()));
        page.click(() -> {
            new Actions(chrome.driver).moveToElement(page.item(1)).perform();
            return page.item(1).findElement(By.cssSelector(".destroy"));
        });
        page.until(d -> page.visibleTitles().equals(List.of("first")));
    }

    @Test
    void s5_editingSavesOnEnterAndBlurTrimsCancelsOnEscapeAndDeletesWhenEmpty() {
        page.add("buy some cheese", "feed the cat", "book a doctors appointment");
        WebElement edit = startEditing(1);
        assertTrue(page.hasClass(1, "editing"));
        assertFalse(page.item(1).findElement(By.cssSelector(".toggle")).isDisplayed(), "other controls hidden");
        assertFalse(page.item(1).findElement(By.cssSelector("label")).isDisplayed());
        assertEquals(edit, chrome.driver.switchTo().activeElement(), "the edit field is focused");
        assertEquals("feed the cat", edit.getAttribute("value"));
        edit.sendKeys(Keys.chord(Keys.CONTROL, "a"), "    buy some sausage    " + Keys.ENTER);
        page.until(d -> page.visibleTitles().get(1).equals("buy some sausage"));
        assertFalse(page.hasClass(1, "editing"));

        startEditing(0).sendKeys(" and bread");
        page.newTodo().click();
        page.until(d -> page.visibleTitles().get(0).equals("buy some cheese and bread"));

        startEditing(2).sendKeys(Keys.chord(Keys.CONTROL, "a"), "changed my mind" + Keys.ESCAPE);
        page.until(d -> !page.hasClass(2, "editing"));
        assertEquals("book a doctors appointment", page.visibleTitles().get(2));

        startEditing(2).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE, Keys.ENTER);
        page.until(d -> page.items().size() == 2);
        assertEquals(List.of("buy some cheese and bread", "buy some sausage"), page.visibleTitles());
    }

    @Test
    void s6_theCounterIsPluralised() {
        page.add("one");
        assertEquals("1 item left", page.count());
        assertEquals(
                "1",
                chrome.driver.findElement(By.cssSelector(".todo-count strong")).getText());
        page.add("two");
        page.until(d -> page.count().equals("2 items left"));
        page.click(page::toggleAllLabel);
        page.until(d -> page.count().equals("0 items left"));
    }

    @Test
    void s7_clearCompletedRemovesCompletedTodosAndIsHiddenWithoutThem() {
        page.add("a", "b", "c");
        assertTrue(page.clearCompleted().isEmpty());
        page.click(() -> page.toggleOf(1));
        page.until(d -> !page.clearCompleted().isEmpty());
        page.click(() -> page.clearCompleted().get(0));
        page.until(d -> page.visibleTitles().equals(List.of("a", "c")));
        assertTrue(page.clearCompleted().isEmpty());
    }

    @Test
    void s8_todosPersistAcrossReloadButEditingStateDoesNot() {
        page.add("keep me", "and me");
        page.click(() -> page.toggleOf(0));
        page.until(d -> page.hasClass(0, "completed"));
        startEditing(1);
        page.reload();
        assertEquals(List.of("keep me", "and me"), page.visibleTitles());
        assertTrue(page.hasClass(0, "completed"));
        assertFalse(page.hasClass(1, "editing"));
        assertEquals("1 item left", page.count());
    }

    @Test
    void s9_filtersSelectItemsSurviveReloadAndFollowTheBackButton() {
        page.add("a", "b", "c");
        page.click(() -> page.toggleOf(1));
        page.until(d -> page.hasClass(1, "completed"));
        page.filter("Active").click();
        page.until(d -> page.visibleTitles().equals(List.of("a", "c")));
        assertTrue(page.filter("Active").getAttribute("class").contains("selected"));
        page.filter("Completed").click();
        page.until(d -> page.visibleTitles().equals(List.of("b")));
        chrome.driver.navigate().back();
        page.until(d -> page.visibleTitles().equals(List.of("a", "c")));
        page.filter("Completed").click();
        page.until(d -> page.visibleTitles().equals(List.of("b")));
        page.reload();
        assertEquals(List.of("b"), page.visibleTitles(), "the filter survives reload");
        assertTrue(page.filter("Completed").getAttribute("class").contains("selected"));
        page.filter("All").click();
        page.until(d -> page.visibleTitles().size() == 3);
        assertTrue(page.filter("All").getAttribute("class").contains("selected"));

        page.filter("Active").click();
        page.until(d -> page.visibleTitles().size() == 2);
        page.click(() -> page.visibleItems().get(0).findElement(By.cssSelector(".toggle")));
        page.until(d -> page.visibleTitles().equals(List.of("c")));
        assertTrue(page.filter("Active").getAttribute("class").contains("selected"), "kept after the footer update");
    }

    @Test
    void titlesThatLookLikeHtmlAreShownAsText() {
        String script = "<script>window.pwned = 1</script>";
        String img = "\"><img src=x onerror=\"window.pwned = 2\">";
        page.add(script, img);
        page.reload();
        assertEquals(List.of(script, img), page.visibleTitles());
        assertTrue(chrome.driver
                .findElements(By.cssSelector(".todo-list img, .todo-list script"))
                .isEmpty());
        assertEquals(null, page.script("return window.pwned;"));
    }

    @Test
    void aChangeThatDoesNotGoThroughIsUndoneAndSaidOnThePage() {
        page.add("kept");
        assertFalse(problem().isDisplayed());

        String refused = "mirrored \u202E title";
        page.newTodo().sendKeys(refused + Keys.ENTER);
        page.until(d -> problem().isDisplayed());
        assertTrue(problem().getText().startsWith("Not saved: 422"), problem().getText());
        assertEquals(refused, page.newTodo().getAttribute("value"), "the text is given back to fix");
        assertEquals(List.of("kept"), page.visibleTitles());

        page.newTodo().clear();
        page.newTodo().sendKeys("fine" + Keys.ENTER);
        page.until(d -> page.visibleTitles().equals(List.of("kept", "fine")));
        assertFalse(problem().isDisplayed(), "a change that goes through clears the message");

        page.script(
                "window.tries = 0; window.fetch = () => { window.tries++; return Promise.reject(new TypeError('offline')); };");
        page.newTodo().sendKeys("offline" + Keys.ENTER);
        // a failed connection may have carried the request: the title is back, not said to be lost
        page.until(d -> problem()
                .getText()
                .equals("Maybe not saved: the server could not be reached (it may still"
                        + " have got the change); may not have been added: “offline”"));
        assertEquals("offline", page.newTodo().getAttribute("value"));
        page.click(() -> page.toggleOf(0));
        page.until(d -> Long.valueOf(2).equals(page.script("return window.tries;")));
        page.until(d -> !page.toggleOf(0).isSelected());
        assertFalse(page.hasClass(0, "completed"));
    }

    /**
     * A title put back as maybe not added, which the user then corrects and adds: the old title stayed "maybe not
     * added" for the life of the page and was named in every later failure, though it was never sent again.
     */
    @Test
    void aTitlePutBackAndChangedIsNoLongerSaidToBeMaybeNotAdded() {
        page.add("kept");
        page.script(
                "window.realFetch = window.fetch;" + "window.fetch = () => Promise.reject(new TypeError('offline'));");
        page.newTodo().sendKeys("helo" + Keys.ENTER);
        page.until(d -> problem().getText().endsWith("may not have been added: “helo”"));
        assertEquals("helo", page.newTodo().getAttribute("value"));
        page.script("window.fetch = window.realFetch;");
        page.newTodo().clear();
        page.newTodo().sendKeys("hello" + Keys.ENTER);
        page.until(d -> page.visibleTitles().equals(List.of("kept", "hello"))
                && !problem().isDisplayed());

        page.newTodo().sendKeys("x".repeat(1001) + Keys.ENTER); // refused: over the title limit
        page.until(d -> problem().isDisplayed());
        assertTrue(problem().getText().startsWith("Not saved: 422"), problem().getText());
        assertFalse(problem().getText().contains("helo"), problem().getText());
    }

    /**
     * A server that takes the requests and never answers (a frozen process, a network that drops packets): the field
     * used to be cleared at once with nothing said, and when the requests failed at last only one title came back,
     * the others gone without a word. Now the page says the changes are under way, then gives each one up after the
     * timeout: the first, sent and unanswered, may still be added (its title is back in the field, said as such); the
     * others were never sent (the next change waits for the outcome of the one before) and are named as not added.
     */
    @Test
    void changesTheServerNeverAnswersAreSaidAndNoTitleIsLost() {
        page.add("kept");
        page.script("document.getElementById('todoapp').dataset.requestTimeout = '3000';"
                + "window.fetch = (url, options) => new Promise((resolve, reject) =>"
                + "  options.signal.addEventListener('abort', () => reject(options.signal.reason)));");
        for (String title : List.of("buy milk", "call bob", "pay rent")) {
            page.newTodo().sendKeys(title + Keys.ENTER);
        }
        page.until(d -> problem().getText().startsWith("Saving"));
        page.within(Duration.ofSeconds(10), d -> problem().getText().contains("pay rent"));
        String said = problem().getText();
        assertTrue(said.startsWith("Not saved: not sent"), said);
        assertTrue(said.contains("not added: “call bob”, “pay rent”"), said);
        assertTrue(said.endsWith("may not have been added: “buy milk”"), said);
        assertEquals("buy milk", page.newTodo().getAttribute("value"), "the first title is back in the field");
        assertEquals(List.of("kept"), page.visibleTitles());
    }

    /** Holds the answers to the page's requests (they reach the server, which applies them) until released. */
    private void holdAnswers() {
        page.script("document.getElementById('todoapp').dataset.requestTimeout = '1000';"
                + "window.held = true; const real = window.fetch;"
                + "window.fetch = async (url, options) => { const answer = await real(url, options);"
                + "  while (window.held) await new Promise((r) => setTimeout(r, 20)); return answer; };");
    }

    /** Holds the live messages of the page's socket (a slow network) until {@code window.releaseLive()}. */
    private void holdLiveMessages() {
        page.holdableSockets();
        page.script("window.heldLive = [];");
    }

    /**
     * A create applied by the server whose answer comes too late: the page used to say it was not added and put the
     * title back, and pressing Enter on it added it twice. Now it says it may not have been added, sends it again
     * with the same key (the server answers the todo the first request made), and the message and the title go once
     * the todo shows.
     */
    @Test
    void aCreateAnsweredTooLateIsNotAddedTwiceWhenSentAgain() {
        page.add("kept");
        holdLiveMessages();
        holdAnswers();
        page.newTodo().sendKeys("slow one" + Keys.ENTER);
        page.until(d -> problem().getText().contains("may not have been added: “slow one”"));
        assertTrue(
                problem().getText().startsWith("Maybe not saved: the server did not answer in time"),
                problem().getText());
        assertFalse(
                problem().getText().contains("not added: “slow one”"), problem().getText());
        assertEquals("slow one", page.newTodo().getAttribute("value"));

        page.newTodo().sendKeys(Keys.ENTER); // what the page put back, sent again
        page.script("window.held = false; window.releaseLive();");
        page.until(d -> page.visibleTitles().equals(List.of("kept", "slow one")));
        page.until(d -> !problem().isDisplayed());
        assertEquals("", page.newTodo().getAttribute("value"));
        page.reload();
        assertEquals(List.of("kept", "slow one"), page.visibleTitles(), "added once");
    }

    /** A create whose answer is late but whose live message shows it: the message and the title put back go. */
    @Test
    void aCreateAnsweredTooLateIsSettledByItsLiveMessage() {
        page.add("kept");
        holdLiveMessages();
        holdAnswers();
        page.newTodo().sendKeys("slow two" + Keys.ENTER);
        page.until(d -> problem().getText().contains("may not have been added: “slow two”"));
        assertEquals("slow two", page.newTodo().getAttribute("value"));
        page.script("window.releaseLive();");
        page.until(d -> page.visibleTitles().equals(List.of("kept", "slow two")));
        page.until(d -> !problem().isDisplayed());
        assertEquals("", page.newTodo().getAttribute("value"), "the title put back goes once the todo shows");
        page.script("window.held = false;");
        page.reload();
        assertEquals(List.of("kept", "slow two"), page.visibleTitles());
    }

    /**
     * Three quick clicks on one checkbox over a slow network: the answers to the earlier clicks (and their broadcasts)
     * used to set the box back to an earlier state for a moment, and a click then toggled from that state. The box
     * shows each click's own state, and nothing older, until everything is answered.
     */
    @Test
    void quickClicksOnACheckboxNeverShowAnEarlierState() {
        page.add("one", "two");
        String id = page.item(0).getAttribute("id");
        ChromiumNetworkConditions slow = new ChromiumNetworkConditions();
        slow.setLatency(Duration.ofMillis(300));
        chrome.driver.setNetworkConditions(slow);
        try {
            page.script(
                    "const id = arguments[0]; window.shown = []; window.answered = 0; const real = window.fetch;"
                            + "window.fetch = async (...args) => { try { return await real(...args); }"
                            + "  finally { window.answered++; } };"
                            + "let last = null; (function watch() {"
                            + "  const box = document.querySelector('#' + id + ' .toggle');"
                            + "  if (box && box.checked !== last) { last = box.checked; window.shown.push(last); }"
                            + "  requestAnimationFrame(watch); })();"
                            + "for (let i = 0; i < 3; i++)"
                            + "  setTimeout(() => document.querySelector('#' + id + ' .toggle').click(), i * 150);",
                    id);
            page.within(
                    Duration.ofSeconds(10),
                    d -> Long.valueOf(3).equals(page.script("return window.answered;"))
                            && page.count().equals("1 item left"));
            assertEquals(List.of(false, true, false, true), page.script("return window.shown;"));
        } finally {
            chrome.driver.deleteNetworkConditions();
        }
        page.reload();
        assertTrue(page.hasClass(0, "completed"), "the last click is what the server has");
    }

    /**
     * The delete button sits over the right end of a row: it covered the start of a right-to-left title and the
     * wrapped lines of a long unbroken one.
     */
    @Test
    void theDeleteButtonCoversNoTitleText() {
        page.add("שלום עולם", "x".repeat(300));
        for (int i = 0; i < 2; i++) {
            WebElement row = page.item(i);
            new Actions(chrome.driver).moveToElement(row).perform();
            page.until(d -> row.findElement(By.cssSelector(".destroy")).isDisplayed());
            Object overlap = page.script(
                    "const row = arguments[0], button = row.querySelector('.destroy').getBoundingClientRect();"
                            + "const text = document.createRange(); text.selectNodeContents(row.querySelector('label'));"
                            + "return [...text.getClientRects()].filter((r) => r.right > button.left).length;",
                    row);
            assertEquals(0L, overlap, "lines of title " + i + " under the delete button");
        }
    }

    /** Changes made faster than the server answers reach it in the order they were made. */
    @Test
    void changesReachTheServerInTheOrderTheyWereMade() {
        List<String> titles = new java.util.ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            titles.add("item " + i);
        }
        page.script(
                "const form = document.getElementById('new-todo-form'), input = form.querySelector('.new-todo');"
                        + "for (const title of arguments[0]) { input.value = title; form.requestSubmit(); }",
                titles);
        page.until(d -> page.visibleTitles().size() == titles.size());
        assertEquals(titles, page.visibleTitles());
        page.reload();
        assertEquals(titles, page.visibleTitles(), "as the server has them");
    }

    /** A title over the limit is the server's to refuse, with its message, not cut short by the field. */
    @Test
    void aTitleOverTheLimitIsRefusedWithAMessageNotCutShort() {
        String long1001 = "a".repeat(1001);
        page.newTodo().sendKeys(long1001 + Keys.ENTER); // typed: a maxlength on the field cut it to 1000, unsaid
        page.until(d -> problem().isDisplayed());
        assertTrue(
                problem().getText().contains("at most 1000 characters"),
                problem().getText());
        assertEquals(long1001, page.newTodo().getAttribute("value"), "the text is given back to shorten");
        assertEquals(List.of(), page.visibleTitles());
    }

    @Test
    void theKeyboardAloneEditsTogglesAndDeletes() {
        page.add("first", "second");
        page.script("arguments[0].focus()", page.item(0).findElement(By.cssSelector("label")));
        new Actions(chrome.driver).sendKeys(Keys.ENTER).perform();
        page.until(d -> page.hasClass(0, "editing"));
        new Actions(chrome.driver).sendKeys(" one" + Keys.ENTER).perform();
        page.until(d -> page.visibleTitles().equals(List.of("first one", "second")));

        String second = page.item(1).getAttribute("id");
        page.script("arguments[0].focus()", page.toggleOf(1));
        new Actions(chrome.driver).sendKeys(Keys.SPACE).perform();
        page.until(d -> page.hasClass(1, "completed"));
        page.until(d -> Boolean.TRUE.equals(
                page.script("return document.activeElement.matches('#' + arguments[0] + ' .toggle')", second)));
        assertTrue(
                page.read(() ->
                        page.item(1).findElement(By.cssSelector(".destroy")).isDisplayed()),
                "the delete button shows while its row has focus");

        new Actions(chrome.driver).sendKeys(Keys.TAB, Keys.TAB, Keys.ENTER).perform();
        page.until(d -> page.visibleTitles().equals(List.of("first one")));
        page.until(d -> chrome.driver.switchTo().activeElement().equals(page.newTodo()));
    }

    private WebElement problem() {
        return chrome.driver.findElement(By.id("request-problem"));
    }

    private WebElement startEditing(int index) {
        WebElement label = page.item(index).findElement(By.cssSelector("label"));
        new Actions(chrome.driver).doubleClick(label).perform();
        page.until(d -> page.hasClass(index, "editing"));
        return page.item(index).findElement(By.cssSelector(".edit"));
    }
}
