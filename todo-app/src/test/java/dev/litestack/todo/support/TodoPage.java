package dev.litestack.todo.support;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The TodoMVC page in one browser window, with TodoMVC's selectors. Every wait has a deadline. */
public final class TodoPage {

    public static final Duration WAIT = Duration.ofSeconds(5);

    private final WebDriver driver;
    private final String window;

    public TodoPage(WebDriver driver) {
        this.driver = driver;
        this.window = driver.getWindowHandle();
    }

    /** Loads {@code url} in this window and waits until the live connection delivered its snapshot. */
    public TodoPage open(String url) {
        focus();
        driver.get(url);
        awaitLive();
        return this;
    }

    public TodoPage reload() {
        focus();
        driver.navigate().refresh();
        awaitLive();
        return this;
    }

    /**
     * Wraps the websockets of this window's pages (from its next load on) so that a test can hold their messages, as a
     * slow network would ({@code window.heldLive = []}, then {@code window.releaseLive()} delivers them in order), or
     * drop them, as a dead one would ({@code socket.deaf = true} on one socket). The page's listeners cannot tell.
     */
    public TodoPage holdableSockets() {
        focus();
        ((org.openqa.selenium.chromium.ChromiumDriver) driver)
                .executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source", """
                                window.WebSocket = class extends window.WebSocket {
                                  addEventListener(type, listener, options) {
                                    if (type !== "message") return super.addEventListener(type, listener, options);
                                    return super.addEventListener(type, (event) => {
                                      if (this.deaf) return;
                                      if (window.heldLive) window.heldLive.push(() => listener.call(this, event));
                                      else listener.call(this, event);
                                    }, options);
                                  }
                                };
                                window.releaseLive = () => {
                                  const held = window.heldLive || [];
                                  window.heldLive = null;
                                  held.forEach((deliver) => deliver());
                                };
                                """));
        return reload();
    }

    public void awaitLive() {
        until(d -> "synced".equals(app().getAttribute("data-live")));
    }

    public TodoPage focus() {
        if (!driver.getWindowHandle().equals(window)) {
            driver.switchTo().window(window);
        }
        return this;
    }

    public WebElement app() {
        return driver.findElement(By.id("todoapp"));
    }

    public WebElement newTodo() {
        return driver.findElement(By.cssSelector(".new-todo"));
    }

    /** Types each title and Enter, waiting for each to appear before the next (as a person would). */
    public TodoPage add(String... titles) {
        for (String title : titles) {
            int before = items().size();
            newTodo().sendKeys(title + Keys.ENTER);
            until(d -> items().size() == before + 1);
        }
        return this;
    }

    public List<WebElement> items() {
        return driver.findElements(By.cssSelector(".todo-list li"));
    }

    public List<WebElement> visibleItems() {
        return items().stream().filter(WebElement::isDisplayed).toList();
    }

    /** The titles the tab shows, read again if a stream message replaces a row meanwhile. */
    public List<String> visibleTitles() {
        return until(d -> visibleItems().stream()
                .map(li -> li.findElement(By.cssSelector("label")).getText())
                .toList());
    }

    /** Whether row {@code index} has {@code cssClass}, read again if a stream message replaces the row meanwhile. */
    public boolean hasClass(int index, String cssClass) {
        return read(() -> List.of(item(index).getAttribute("class").split(" ")).contains(cssClass));
    }

    /** Clicks what {@code element} finds, finding it again if a stream message replaced it meanwhile. */
    public void click(java.util.function.Supplier<WebElement> element) {
        until(d -> {
            element.get().click();
            return true;
        });
    }

    public WebElement item(int index) {
        return items().get(index);
    }

    public WebElement toggleOf(int index) {
        return item(index).findElement(By.cssSelector(".toggle"));
    }

    public WebElement toggleAllLabel() {
        return driver.findElement(By.cssSelector("label[for=toggle-all]"));
    }

    public WebElement toggleAll() {
        return driver.findElement(By.id("toggle-all"));
    }

    public WebElement main() {
        return driver.findElement(By.cssSelector(".main"));
    }

    public WebElement footer() {
        return driver.findElement(By.cssSelector(".footer"));
    }

    public String count() {
        return until(d -> driver.findElement(By.cssSelector(".todo-count")).getText());
    }

    public List<WebElement> clearCompleted() {
        return driver.findElements(By.cssSelector(".clear-completed"));
    }

    public WebElement filter(String name) {
        return driver.findElement(By.linkText(name));
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Reads a value, reading again (until the deadline) while a stream message replaces the elements. */
    public <T> T read(java.util.function.Supplier<T> value) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return value.get();
            } catch (StaleElementReferenceException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    public <T> T until(Function<WebDriver, T> condition) {
        return within(WAIT, condition);
    }

    public <T> T within(Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(20))
                .ignoring(StaleElementReferenceException.class)
                .until(condition::apply);
    }
}
