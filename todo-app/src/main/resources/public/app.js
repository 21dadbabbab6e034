// The TodoMVC behaviour of the page, on top of Turbo 8 (loaded before this module; it sets window.Turbo).
//
// - Forms are sent with fetch (never navigation): every answer is a Turbo Stream message rendered in place.
// - Live updates arrive on a <turbo-stream-source> websocket, reconnected with backoff; on every (re)connect the
//   server first sends a snapshot of the whole list, so a tab that missed messages catches up.
// - Fragments carry the list version they show (data-version): a fragment older than what the tab shows is
//   dropped, and fragments of deleted todos are ignored, so late or repeated messages never show stale state.
// - Filters (#/, #/active, #/completed) are per tab: CSS hides what the tab's filter does not select.

const STREAM = "text/vnd.turbo-stream.html";
const KEY = Object.freeze({ ENTER: "Enter", ESCAPE: "Escape" });
const app = document.getElementById("todoapp");
const removed = new Set();

// This page never navigates: Turbo renders stream messages only. Turbo Drive's history handling would turn the
// back button between hash routes into a "restore" of a cached copy of the page, so it is switched off.
window.Turbo.session.drive = false;
window.Turbo.session.history.stop();

const list = () => document.getElementById("todo-list");
const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;
const todoNumber = (element) => Number(element.id.slice("todo_".length));

// ---- sending changes ----

async function send(form, fields = {}) {
  const body = new URLSearchParams(new FormData(form));
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  const response = await fetch(form.getAttribute("action"), {
    method: (form.getAttribute("method") || "post").toUpperCase(),
    body,
    credentials: "same-origin",
    headers: { Accept: STREAM, "X-CSRF-Token": csrfToken() },
  });
  if ((response.headers.get("Content-Type") || "").startsWith(STREAM)) {
    window.Turbo.renderStreamMessage(await response.text());
  }
}

function report(promise) {
  promise.catch((error) => console.error("todo request failed", error));
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!app.contains(form)) return;
  event.preventDefault();
  if (form.id === "new-todo-form") {
    const input = form.querySelector(".new-todo");
    const title = input.value.trim();
    if (!title) return;
    report(send(form, { title }));
    input.value = "";
  } else if (form.classList.contains("edit-form")) {
    finishEditing(form.querySelector(".edit"), true);
  } else {
    report(send(form));
  }
});

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches(".todo-list .toggle, .toggle-all")) {
    report(send(box.form, { completed: String(box.checked) }));
  }
});

// ---- editing (double-click; Enter or blur saves, Escape cancels, empty deletes on the server) ----

document.addEventListener("dblclick", (event) => {
  const label = event.target.closest(".todo-list li .view label");
  if (label) startEditing(label.closest("li"));
});

function startEditing(item, draft) {
  const input = item.querySelector(".edit");
  item.classList.add("editing");
  if (draft !== undefined) input.value = draft;
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

function finishEditing(input, save) {
  const item = input.closest("li");
  if (!item || !item.classList.contains("editing")) return;
  item.classList.remove("editing");
  const title = input.value.trim();
  if (!save || title === input.defaultValue) {
    input.value = input.defaultValue;
    return;
  }
  report(send(input.form, { title }));
}

document.addEventListener("keydown", (event) => {
  if (event.key === KEY.ESCAPE && event.target.matches(".todo-list .edit")) {
    event.preventDefault();
    finishEditing(event.target, false);
  }
});

document.addEventListener("focusout", (event) => {
  if (event.target.matches(".todo-list .edit")) finishEditing(event.target, true);
});

// ---- filters ----

function applyFilter() {
  const match = location.hash.match(/^#!?\/(active|completed)$/);
  const filter = match ? match[1] : "all";
  app.dataset.filter = filter;
  const href = filter === "all" ? "#/" : `#/${filter}`;
  for (const link of app.querySelectorAll(".filters a")) {
    link.classList.toggle("selected", link.getAttribute("href") === href);
  }
}

window.addEventListener("hashchange", applyFilter);
applyFilter();

// ---- rendering stream messages: drop stale fragments, keep order, keep an edit in progress ----

function isStale(action, target, incoming) {
  if (action === "remove" || !incoming || !incoming.id || incoming.id === "todo-list") return false;
  const version = Number(incoming.dataset.version);
  if (Number.isNaN(version)) return false;
  const current = document.getElementById(incoming.id);
  if (incoming.id.startsWith("todo_")) {
    if (removed.has(incoming.id)) return true;
    if (!current) return Number(list().dataset.version) >= version;
  }
  return current ? Number(current.dataset.version) >= version : false;
}

function keepOrder(item) {
  const previous = item.previousElementSibling;
  if (!previous || todoNumber(previous) < todoNumber(item)) return;
  const next = [...list().children].find((other) => todoNumber(other) > todoNumber(item));
  list().insertBefore(item, next);
}

document.addEventListener("turbo:before-stream-render", (event) => {
  const stream = event.target;
  const action = stream.getAttribute("action");
  const target = stream.getAttribute("target");
  const template = stream.querySelector(":scope > template");
  const incoming = template ? template.content.firstElementChild : null;
  if (isStale(action, target, incoming)) {
    event.preventDefault();
    return;
  }
  if (action === "remove") removed.add(target);
  const editing = document.querySelector(`#${CSS.escape(target)}.editing .edit`);
  const draft = editing ? editing.value : undefined;
  const render = event.detail.render;
  event.detail.render = async (element) => {
    await render(element);
    if (action === "append" && incoming && incoming.id.startsWith("todo_")) {
      const item = document.getElementById(incoming.id);
      if (item) keepOrder(item);
    }
    if (draft !== undefined && action === "replace") {
      const item = document.getElementById(target);
      if (item) startEditing(item, draft);
    }
    if (target === "todo-list" && action === "replace") app.dataset.live = "synced";
    applyFilter();
  };
});

// ---- live updates ----

async function connect(attempt) {
  await customElements.whenDefined("turbo-stream-source");
  const source = document.createElement("turbo-stream-source");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  source.setAttribute("src", `${scheme}://${location.host}${app.dataset.stream}`);
  document.body.append(source);
  const socket = source.streamSource;
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    app.dataset.live = "open";
  });
  socket.addEventListener("close", (event) => {
    source.remove();
    if (event.code === 1008) {
      app.dataset.live = "rejected";
      return;
    }
    app.dataset.live = "reconnecting";
    // 1013 (try again later: too many open tabs, or the server is busy) backs off like a failed attempt.
    const next = opened && event.code !== 1013 ? 0 : attempt + 1;
    setTimeout(() => connect(next), Math.min(5000, 250 * 2 ** next));
  });
}

connect(0);
