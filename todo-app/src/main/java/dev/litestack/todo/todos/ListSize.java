package dev.litestack.todo.todos;

/** How big a user's list is: its todos and the characters of their titles (what rendering it will cost). */
record ListSize(long todos, long titleChars) {}
