// The TodoMVC behaviour of the page, on top of Turbo 8 (loaded before this module; it sets window.Turbo).
//
// - Forms are sent with fetch (never navigation): every answer is a Turbo Stream message rendered in place.
// - Live updates arrive on a <turbo-stream-source> websocket, reconnected with backoff; on every (re)connect the
//   server first sends a snapshot of the whole list, so a tab that missed messages catches up.
// - Fragments carry the list version they show (data-version): a fragment older than what the tab shows is
//   dropped, and fragments of deleted todos are ignored, so late or repeated messages never show stale state.
// - Filters (#/, #/active, #/completed) are per tab: CSS hides what the tab's filter does not select.
// - Changes are sent one at a time, in the order they were made: the next one waits for the outcome of the one
//   before, even past its timeout. A change the server refused or never got is said on the page (#request-problem)
//   and undone there (a new todo's title goes back into the field, or, if the field has text again, is named in the
//   message); one that may still have been applied (no answer in time) is said as such, and a new todo's title put
//   back keeps the key it was sent with, so sending it again adds it at most once. Slow answers are said too, and so
//   is a live connection that is down or silent for 40 s (#live-status; the server sends a heartbeat every 15 s).
// - A checkbox clicked again before its answers came shows the user's last choice, not an older answer.
// - A row being edited stays in edit mode, with the draft, when a message replaces it; only Enter or leaving the
//   field saves. Focus inside a replaced element moves to the same control in its replacement.

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
const requestProblem = document.getElementById("request-problem");
const liveStatus = document.getElementById("live-status");

// A title as a message quotes it: at most 60 characters.
const shorten = (title) => (title.length > 60 ? `${title.slice(0, 59)}…` : title);

function say(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

// ---- sending changes ----

// How long a change may wait for the server's answer, from when it was made (data-request-timeout on #todoapp, in
// ms, may say otherwise), and after how long a change still unanswered is said to be under way.
const REQUEST_TIMEOUT_MS = 10000;
const SLOW_MS = 1000;
// A request the server has not answered in time is not abandoned: the next change waits for its outcome (so the
// server applies changes in the order they were made, never a later one first), for at most this many timeouts.
const GIVE_UP_AFTER = 6;
const SAVING = "Saving… the server has not answered yet.";
let queue = Promise.resolve();
let pending = 0;
let slowTimer = null;
// Titles of new todos that were not sent and could not be put back into the field (it had text again).
const unsaved = [];
// New todos whose request may or may not have been applied (no answer in time, or the connection failed), by the key
// sent with them: a repeat with the same key is applied at most once, and each is forgotten once its row shows up.
const uncertain = new Map();
// The first line of the last failure, and the key of the title it put back into the field.
let failure = "";
let restoredKey = null;

// An error whose change may still have been applied by the server.
class Uncertain extends Error {}

const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

// Forms name their HTTP method in data-method (PATCH, DELETE) and say method="post": a browser without this script
// then posts the form (and gets a 405) instead of putting its fields, the CSRF token among them, in a GET's URL.
// Changes go one at a time, so that the server applies them in the order the user made them. The returned promise
// fails after the timeout even if the request is still under way; its answer, if it comes later, is still rendered.
function send(form, fields = {}) {
  const body = new URLSearchParams(new FormData(form));
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  const timeout = Number(app.dataset.requestTimeout) || REQUEST_TIMEOUT_MS;
  const request = {
    url: form.getAttribute("action"),
    method: (form.dataset.method || form.getAttribute("method") || "post").toUpperCase(),
    body,
    giveUp: timeout * GIVE_UP_AFTER,
    started: false,
    late: false,
  };
  pending++;
  if (!slowTimer) slowTimer = setTimeout(saySlow, SLOW_MS);
  const turn = queue.then(() => deliver(request));
  queue = turn.catch(() => {});
  const outcome = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.late = true;
      reject(
        request.started
          ? new Uncertain("the server did not answer in time (it may still apply the change)")
          : new Error("not sent: the server has not answered the changes made before it"),
      );
    }, timeout);
    turn.then(resolve, reject).finally(() => clearTimeout(timer));
  });
  outcome
    .catch(() => {})
    .finally(() => {
      if (--pending === 0) {
        clearTimeout(slowTimer);
        slowTimer = null;
        if (requestProblem.textContent === SAVING) say(requestProblem, "");
      }
    });
  return outcome;
}

function saySlow() {
  slowTimer = null;
  if (pending > 0 && requestProblem.hidden) say(requestProblem, SAVING);
}

async function deliver(request) {
  const { url, method, body, giveUp } = request;
  if (request.late) throw new Error("not sent: the server has not answered the changes made before it");
  request.started = true;
  let response;
  try {
    response = await fetch(url, {
      method,
      body,
      signal: AbortSignal.timeout(giveUp),
      credentials: "same-origin",
      headers: { Accept: STREAM, "X-CSRF-Token": csrfToken() },
    });
  } catch (error) {
    const timedOut = error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new Uncertain(
      timedOut
        ? "the server did not answer in time (it may still apply the change)"
        : "the server could not be reached (it may still have got the change)",
      { cause: error },
    );
  }
  if (!response.ok) {
    // Error answers are one short line of text/plain: the status, and what was wrong with the input.
    const line = (await response.text().catch(() => "")).trim().split("\n")[0].slice(0, 300);
    throw new Error(line || `${response.status} ${response.statusText}`.trim());
  }
  const text = (response.headers.get("Content-Type") || "").startsWith(STREAM) ? await response.text() : null;
  if (!request.late) {
    // an answer in time clears what went wrong before; a late one only settles its own change (below, on render).
    // The server has answered every change made before this one, so titles said to be maybe not added go too (an
    // applied one shows up as a row), except the one put back into the field, which keeps its key
    unsaved.length = 0;
    for (const key of [...uncertain.keys()]) if (key !== restoredKey) uncertain.delete(key);
    failure = "";
    sayProblem();
  }
  if (text !== null) window.Turbo.renderStreamMessage(text);
}

// Says the last failure, the titles that were not added and those that may not have been (nothing if none is left).
function sayProblem() {
  if (!failure) {
    if (requestProblem.textContent !== SAVING) say(requestProblem, "");
    return;
  }
  const quote = (titles) => titles.map((t) => `“${shorten(t)}”`).join(", ");
  const lost = unsaved.length ? `; not added: ${quote(unsaved)}` : "";
  const maybe = uncertain.size ? `; may not have been added: ${quote([...uncertain.values()])}` : "";
  say(requestProblem, `${failure}${lost}${maybe}`);
}

// Sends in the background; if the change does not go through, says why and runs undo (puts the page back).
function report(promise, undo) {
  promise.catch((error) => {
    console.error("todo request failed", error);
    if (undo) undo(error);
    const reload = error.message.startsWith("403") ? " (reload the page)" : "";
    failure = `${error instanceof Uncertain ? "Maybe not saved" : "Not saved"}: ${error.message}${reload}`;
    sayProblem();
    settleUncertain(); // a new todo whose answer was late may already be shown (its live message came in time)
  });
}

// New todos whose rows are shown (answered or broadcast) are no longer uncertain: their message goes, and so does
// their title in the field, if the user left it as it was put back.
function settleUncertain() {
  if (!uncertain.size) return;
  const input = app.querySelector(".new-todo");
  let settled = 0;
  for (const [key, title] of uncertain) {
    if (!list().querySelector(`li[data-key="${CSS.escape(key)}"]`)) continue;
    uncertain.delete(key);
    settled++;
    if (restoredKey === key) {
      restoredKey = null;
      if (input.value.trim() === title) input.value = "";
    }
  }
  if (!settled) return;
  if (!uncertain.size && !unsaved.length && failure.startsWith("Maybe")) failure = "";
  sayProblem();
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!app.contains(form)) return;
  event.preventDefault();
  if (form.id === "new-todo-form") {
    const input = form.querySelector(".new-todo");
    const title = input.value.trim();
    if (!title) return;
    input.value = "";
    // A title put back after an uncertain failure, sent again unchanged, keeps its key: added at most once.
    const key = restoredKey && uncertain.get(restoredKey) === title ? restoredKey : newKey();
    // the title put back was changed or dropped: it is no longer said to be maybe not added (if the first request
    // was applied after all, its row shows up like any other)
    if (restoredKey && key !== restoredKey) uncertain.delete(restoredKey);
    restoredKey = null;
    report(send(form, { title, key }), (error) => {
      // sent before with this key and not yet settled: may be added even if this repeat was not sent
      const maybe = error instanceof Uncertain || uncertain.has(key);
      if (maybe) uncertain.set(key, title);
      if (!input.value) {
        input.value = title;
        restoredKey = maybe ? key : null;
      } else if (input.value.trim() !== title && !maybe) unsaved.push(title);
    });
  } else if (form.classList.contains("edit-form")) {
    finishEditing(form.querySelector(".edit"), true);
  } else {
    report(send(form));
  }
});

// Rows with a toggle under way, and the state the user gave each last: a message rendered meanwhile (the answer to an
// earlier click, or its broadcast) shows an older state, so the row is set back to the state the user last chose,
// and the next click toggles from that one.
const toggling = new Map();

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches(".todo-list .toggle")) {
    const id = box.closest("li").id;
    const checked = box.checked;
    const state = toggling.get(id) || { count: 0 };
    state.checked = checked;
    state.count++;
    toggling.set(id, state);
    const done = send(box.form, { completed: String(checked) });
    report(done, () => {
      if (state.checked !== checked) return; // a later click decides
      state.checked = !checked;
      keepIntendedToggles();
    });
    done
      .catch(() => {})
      .finally(() => {
        if (--state.count === 0) toggling.delete(id);
      });
  } else if (box.matches(".toggle-all")) {
    const checked = box.checked;
    report(send(box.form, { completed: String(checked) }), () => {
      if (box.isConnected && box.checked === checked) box.checked = !checked;
    });
  }
});

function keepIntendedToggles() {
  for (const [id, state] of toggling) {
    const row = document.getElementById(id);
    const box = row && row.querySelector(".toggle");
    if (!box) continue;
    box.checked = state.checked;
    row.classList.toggle("completed", state.checked);
  }
}

// ---- editing (double-click, or Enter on a title; Enter or blur saves, Escape cancels, empty deletes) ----

// Edit fields of rows that a stream message replaced or removed while they were being edited: their blur is not
// the user leaving the field, and saves nothing (the edit goes on in the replacement, if the todo is still there).
const superseded = new WeakSet();

document.addEventListener("dblclick", (event) => {
  const label = event.target.closest(".todo-list li .view label");
  if (label) startEditing(label.closest("li"));
});

// The edit field is filled from the row's title when editing starts: the markup carries each title once, which
// halves the page, every message and the snapshot of a list of long titles.
// The title when editing started is kept (in the field's defaultValue, carried over to a replacement row): leaving an
// unchanged draft saves nothing, even if another tab renamed the todo meanwhile (saving it would undo the rename).
function startEditing(item, draft) {
  const input = item.querySelector(".edit");
  input.defaultValue = draft && draft.original !== undefined ? draft.original : item.querySelector(".view label").textContent;
  input.value = draft ? draft.value : input.defaultValue;
  item.classList.add("editing");
  input.focus();
  const end = input.value.length;
  input.setSelectionRange(draft ? draft.start : end, draft ? draft.end : end, draft ? draft.direction : "none");
}

function finishEditing(input, save) {
  const item = input.closest("li");
  if (superseded.has(input) || !item || !item.classList.contains("editing")) return;
  item.classList.remove("editing");
  const title = input.value.trim();
  if (!save || title === input.defaultValue) {
    input.value = input.defaultValue;
    return;
  }
  report(send(input.form, { title }), () => {
    const current = document.getElementById(item.id);
    if (current && !editingElsewhere(current)) {
      startEditing(current, { value: title, start: title.length, end: title.length, direction: "none" });
    }
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key === KEY.ESCAPE && event.target.matches(".todo-list .edit")) {
    event.preventDefault();
    finishEditing(event.target, false);
  } else if (event.key === KEY.ENTER && event.target.matches(".todo-list li .view label")) {
    event.preventDefault();
    startEditing(event.target.closest("li"));
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

// ---- rendering stream messages: drop stale fragments, keep order, keep an edit in progress and the focus ----

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
  // A snapshot older than what the tab shows: the server went back in time (restored from a replica that lacked the
  // last changes). The snapshot is then the truth: its counts apply, and ids this tab saw deleted may come back. Its
  // counts are checked right after this event (Turbo dispatches every fragment's event before rendering any).
  if (action === "replace" && target === "todo-list" && incoming && Number(incoming.dataset.version) < shownVersion()) {
    removed.clear();
    for (const id of ["toggle-all-box", "footer"]) {
      const fragment = document.getElementById(id);
      if (fragment) fragment.dataset.version = "-1";
    }
  }
  const replaced = action === "append" ? null : document.getElementById(target);
  const edited = replaced && [replaced, ...replaced.querySelectorAll("li.editing")].find(isEditedRow);
  let draft;
  if (edited) {
    const input = edited.querySelector(".edit");
    superseded.add(input);
    const { selectionStart: start, selectionEnd: end, selectionDirection: direction } = input;
    draft = { id: edited.id, value: input.value, start, end, direction, original: input.defaultValue };
  }
  const active = document.activeElement;
  const focused = !draft && replaced && replaced.contains(active) ? focusKey(active) : null;
  const render = event.detail.render;
  event.detail.render = async (element) => {
    await render(element);
    if (action === "append" && incoming && incoming.id.startsWith("todo_")) {
      const item = document.getElementById(incoming.id);
      if (item) keepOrder(item);
    }
    const item = draft && document.getElementById(draft.id);
    if (item && !editingElsewhere(item)) startEditing(item, draft);
    if (draft && !item) {
      say(requestProblem, `The todo you were editing was deleted elsewhere; your edit “${shorten(draft.value)}” was not saved.`);
      if (!app.contains(document.activeElement) || document.activeElement === document.body) {
        app.querySelector(".new-todo").focus({ preventScroll: true });
      }
    }
    if (focused && !app.contains(document.activeElement)) {
      const same = document.querySelector(focused);
      const shown = same && (!same.checkVisibility || same.checkVisibility());
      (shown ? same : app.querySelector(".new-todo")).focus({ preventScroll: true });
    }
    keepIntendedToggles();
    settleUncertain();
    if (target === "todo-list" && action === "replace") setLive("synced");
    applyFilter();
  };
});

// The newest list version this tab shows: the counts come with every change, the list itself only with a snapshot.
const shownVersion = () =>
  Math.max(Number(list().dataset.version), Number(document.getElementById("footer")?.dataset.version ?? -1));

const isEditedRow = (element) => element.matches(".todo-list li.editing");

// Whether the user is editing a row other than `item` (its edit field has the focus).
const editingElsewhere = (item) =>
  [...document.querySelectorAll(".todo-list li.editing")].some((row) => row !== item && row.contains(document.activeElement));

// A selector for the same control in the element that replaces `element`'s row, box or footer.
function focusKey(element) {
  const row = element.closest(".todo-list li");
  const controls = [".toggle", ".destroy", ".view label", ".toggle-all", ".clear-completed"];
  const control = controls.find((c) => element.matches(c));
  if (!control) return null;
  return row ? `#${CSS.escape(row.id)} ${control}` : control;
}

// ---- live updates ----

function setLive(state, text = "") {
  app.dataset.live = state;
  say(liveStatus, text);
}

// A socket that carried nothing for this long (data-live-timeout on #todoapp, in ms, may say otherwise) is taken for
// dead, closed and opened again: the server sends a heartbeat every 15 s, and a network that drops packets (a dead
// Wi-Fi, a middlebox that lost the connection) closes nothing, so the tab would miss every change for minutes.
// The limit doubles at each such reconnect, up to 16 times, and is back to one once a message arrives: a message
// arrives only when it is whole, and a snapshot of a long list over a slow link can take longer than the limit (the
// heartbeat cannot go out in its middle), so a fixed limit would reconnect, and ask for that snapshot, forever.
const LIVE_TIMEOUT_MS = 40000;
let silenceFactor = 1;
const RECONNECTING = "Reconnecting… changes made elsewhere will show once the connection is back.";

async function connect(attempt) {
  await customElements.whenDefined("turbo-stream-source");
  const source = document.createElement("turbo-stream-source");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  source.setAttribute("src", `${scheme}://${location.host}${app.dataset.stream}`);
  document.body.append(source);
  const socket = source.streamSource;
  let opened = false;
  let heard = performance.now();
  let givenUp = false;
  const watchdog = setInterval(() => {
    if (performance.now() - heard < (Number(app.dataset.liveTimeout) || LIVE_TIMEOUT_MS) * silenceFactor) return;
    clearInterval(watchdog);
    givenUp = true;
    silenceFactor = Math.min(16, silenceFactor * 2);
    source.remove(); // closes the socket; its close event, whenever it comes, changes nothing
    setLive("reconnecting", RECONNECTING);
    connect(opened ? 0 : attempt + 1);
  }, 1000);
  socket.addEventListener("message", () => {
    heard = performance.now();
    silenceFactor = 1;
  });
  socket.addEventListener("open", () => {
    opened = true;
    heard = performance.now();
    app.dataset.live = "open";
  });
  socket.addEventListener("close", (event) => {
    clearInterval(watchdog);
    if (givenUp) return;
    source.remove();
    if (event.code === 1008) {
      setLive("rejected", "Live updates stopped: reload the page to see changes made elsewhere.");
      return;
    }
    // 1013 (try again later: too many open tabs, or the server is busy) backs off like a failed attempt.
    setLive(
      "reconnecting",
      event.code === 1013 ? "Live updates paused: too many tabs are open, or the server is busy. Retrying." : RECONNECTING,
    );
    const next = opened && event.code !== 1013 ? 0 : attempt + 1;
    setTimeout(() => connect(next), Math.min(5000, 250 * 2 ** next));
  });
}

connect(0);
