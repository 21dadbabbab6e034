package dev.litestack.todo.todos;

/**
 * One todo as the views show it.
 *
 * @param version the owner's list version of the row's last change; browsers keep the newest they saw
 * @param key the key the page sent with the create (so a page knows its create went through), or null
 */
public record Todo(long id, String title, boolean completed, long version, String key) {

    /** The DOM id of the row's {@code <li>}; server-generated, never user text. */
    public String domId() {
        return "todo_" + id;
    }
}
