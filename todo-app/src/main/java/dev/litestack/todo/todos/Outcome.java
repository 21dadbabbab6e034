package dev.litestack.todo.todos;

import java.util.List;

/** What a change did, read inside its own transaction: the change, the rows as they are now, the new counts. */
record Outcome(TodoChange change, List<Todo> rows, Summary summary) {}
