package dev.litestack.todo.todos;

import java.util.List;

/**
 * A user's whole list, for the page and for a (re)connecting tab.
 *
 * @param listVersion the list version read before the rows: every todo that existed at that version is in
 *                    {@code todos}, so a browser can drop older fragments of todos it does not show
 */
public record Snapshot(List<Todo> todos, long listVersion, Summary summary) {}
