package dev.litestack.todo.todos;

/**
 * The counts behind the counter, the toggle-all box and the footer, read in one statement together with the
 * list version they belong to.
 */
public record Summary(long version, long active, long completed) {

    public long total() {
        return active + completed;
    }

    public boolean allCompleted() {
        return total() > 0 && active == 0;
    }

    /** "item" or "items", as TodoMVC pluralises the counter. */
    public String itemsWord() {
        return active == 1 ? "item" : "items";
    }
}
