// The participant page: join with the code, then follow the board the
// server streams (server-sent events) and act on it. Every text from the
// session is put in with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
let board = null;
let events = null;
// Dots asked for and not yet on a board from the server, by threat: quick
// taps count from these, and requests go one after another, in order.
const pendingDots = new Map();
let sending = Promise.resolve();
const mineOf = (t) => (pendingDots.has(t.id) ? pendingDots.get(t.id) : t.mine);

function show(section) {
  for (const id of ["join", "waiting", "removed", "brainstorm", "vote", "idle", "mine"]) {
    $(id).hidden = !section.includes(id);
  }
}

function say(text, isError) {
  const m = $("message");
  m.textContent = text || "";
  m.classList.toggle("error", !!isError);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { /* empty answer */ }
  if (!response.ok) throw new Error(data.error || ("The server said " + response.status));
  return data;
}

function item(text, meta) {
  const li = document.createElement("li");
  li.textContent = text;
  if (meta) {
    const span = document.createElement("span");
    span.className = "meta";
    span.textContent = meta;
    li.appendChild(span);
  }
  return li;
}

function render(state) {
  if (state.state === "waiting") {
    $("waiting-name").textContent = state.name || "";
    show(["waiting"]);
    return;
  }
  if (state.state === "removed") {
    if (events) events.close();
    show(["removed"]);
    return;
  }
  board = state.board;
  $("title").textContent = board.title;
  $("where").textContent = board.my_name + (board.phase_name ? " · " + board.phase_name : "");
  const sections = ["mine"];
  if (board.phase === "brainstorm" && board.focus) {
    sections.push("brainstorm");
    $("focus").textContent = board.focus.element_name + ": " + board.focus.category_name;
    const prompts = $("prompts");
    prompts.replaceChildren(...board.focus.prompts.map((p) => item(p)));
  } else if (board.vote) {
    sections.push("vote");
    renderVote(board.vote);
  } else {
    sections.push("idle");
    $("idle-text").textContent = board.phase === "brainstorm"
      ? "The facilitator is choosing the next element."
      : "Nothing to do here in this phase: follow the shared screen.";
  }
  const mine = $("my-threats");
  mine.replaceChildren(...board.my_threats.map((t) =>
    item(t.id + " " + t.title, t.element ? "on " + t.element : "")));
  show(sections);
}

function renderVote(vote) {
  for (const t of vote.threats) {
    if (pendingDots.get(t.id) === t.mine) pendingDots.delete(t.id);
  }
  const spent = vote.threats.reduce((sum, t) => sum + mineOf(t) - t.mine, vote.spent);
  const left = vote.budget - spent;
  $("budget").textContent = !vote.ballots
    ? "The facilitator counts this vote."
    : vote.revealed
      ? "The votes are revealed."
      : "You have " + left + " of " + vote.budget + " dots left (at most " + vote.cap + " on one threat).";
  const list = $("vote-list");
  list.replaceChildren(...vote.threats.map((t) => {
    const li = document.createElement("li");
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = t.id + " " + t.title;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = (t.element ? t.element : "") + (t.total !== null ? " · " + t.total + " in all" : "");
    what.appendChild(meta);
    const less = document.createElement("button");
    less.type = "button";
    less.className = "secondary";
    less.textContent = "−";
    less.setAttribute("aria-label", "One dot less on " + t.id);
    const mine = mineOf(t);
    less.disabled = !vote.ballots || vote.revealed || mine === 0;
    less.addEventListener("click", () => dots(t.id, mine - 1));
    const count = document.createElement("span");
    count.className = "dots";
    count.textContent = String(mine);
    const more = document.createElement("button");
    more.type = "button";
    more.textContent = "+";
    more.setAttribute("aria-label", "One dot more on " + t.id);
    more.disabled = !vote.ballots || vote.revealed || left <= 0 || mine >= vote.cap;
    more.addEventListener("click", () => dots(t.id, mine + 1));
    li.append(what, less, count, more);
    return li;
  }));
  $("done").disabled = !vote.ballots || vote.revealed;
  $("done").textContent = vote.done ? "I am not done yet" : "I have voted";
}

function dots(threat, n) {
  pendingDots.set(threat, n);
  if (board && board.vote) renderVote(board.vote);
  sending = sending.then(async () => {
    try {
      await post("/api/dots", { threat: threat, dots: n });
      say("");
    } catch (e) {
      // A refusal changes nothing, so no board follows it: fetch one.
      pendingDots.clear();
      say(e.message, true);
      try {
        const r = await fetch("/api/board", { credentials: "same-origin" });
        if (r.ok) render(await r.json());
      } catch (err) { /* the stream brings the next board */ }
    }
  });
}

function follow() {
  if (events) events.close();
  events = new EventSource("/api/events");
  events.onmessage = (e) => {
    try { render(JSON.parse(e.data)); } catch (err) { say("The server sent something unreadable", true); }
  };
  events.onerror = () => {
    // EventSource tries again by itself; a removed guest gets 403 and stops.
    say("Connection lost: trying again…", true);
    fetch("/api/board", { credentials: "same-origin" }).then((r) => {
      if (r.status === 401 || r.status === 403) { events.close(); start(); }
    }).catch(() => {});
  };
  events.onopen = () => say("");
}

async function start() {
  const response = await fetch("/api/board", { credentials: "same-origin" }).catch(() => null);
  if (response && response.ok) {
    render(await response.json());
    follow();
    return;
  }
  show(["join"]);
  const code = new URLSearchParams(location.hash.slice(1)).get("code");
  if (code) { $("code").value = code; loadRoster(); }
}

async function loadRoster() {
  try {
    const data = await post("/api/roster", { code: $("code").value });
    const names = $("roster-names");
    names.replaceChildren(...data.participants.map((p) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = p.name;
      b.addEventListener("click", () => join(p.name, p.id));
      return b;
    }));
    $("roster").hidden = data.participants.length === 0;
  } catch (e) { $("roster").hidden = true; }
}

async function join(name, participant) {
  try {
    const body = { code: $("code").value, name: name };
    if (participant) body.participant = participant;
    await post("/api/join", body);
    say("");
    follow();
  } catch (e) { say(e.message, true); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("join-form").addEventListener("submit", (e) => { e.preventDefault(); join($("name").value); });
  $("code").addEventListener("change", loadRoster);
  $("threat-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const title = $("threat-title").value;
    try {
      const data = await post("/api/threats", { title: title, notes: $("threat-notes").value });
      $("threat-title").value = "";
      $("threat-notes").value = "";
      say(data.ok || "Added");
    } catch (err) { say(err.message, true); }
  });
  $("done").addEventListener("click", async () => {
    try {
      await post("/api/done", { done: !(board && board.vote && board.vote.done) });
      say("");
    } catch (err) { say(err.message, true); }
  });
  start();
});
