// The remem memory inspector: plain JS over the /v1 JSON API, with the key only in an Authorization header.
"use strict";

const KEY = "remem.key";
const $ = (sel) => document.querySelector(sel);
const state = { spaces: [], space: null, screen: "spaces", memory: null, from: "memories", offset: null };

// -- building the page: text only goes in as text, never as HTML ---------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const day = (iso) => (iso ? iso.slice(0, 10) : "");
const when = (iso) => (iso ? iso.replace("T", " ").replace(/(\.\d+)?(\+00:00|Z)$/, " UTC") : "");
const number = (x, digits = 3) => (x === null || x === undefined ? "—" : Number(x).toFixed(digits));
const isClosed = (m) => m.valid_to !== null && new Date(m.valid_to) <= new Date();
const validity = (m) => `${day(m.valid_from) || "…"} → ${m.valid_to ? day(m.valid_to) : "now"}`;
const canWrite = () => (state.spaces.find((s) => s.name === state.space) || {}).right === "write";

function notice(text, isError = false) {
  const el = $("#notice");
  el.textContent = text;
  el.className = isError ? "notice error" : "notice";
}

// -- the API ------------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` };
  const init = { method, headers, cache: "no-store", referrerPolicy: "no-referrer" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (data.error && data.error.message) || `${response.status} ${response.statusText}`;
    if (response.status === 401) logout(message);
    throw new ApiError(response.status, message);
  }
  return data;
}

const spacePath = (rest) => `/v1/spaces/${encodeURIComponent(state.space)}${rest}`;
const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
};

// body[data-busy] counts the actions in flight: "0" once the page shows their outcome.
let busy = 0;
function mark(delta) {
  busy += delta;
  document.body.dataset.busy = String(busy);
}

async function guarded(work) {
  mark(1);
  try {
    await work();
  } catch (err) {
    notice(err.message, true);
  } finally {
    mark(-1);
  }
}

// -- log in and out -----------------------------------------------------------------------------------
async function login(event) {
  event.preventDefault();
  const input = $("#key-input");
  sessionStorage.setItem(KEY, input.value.trim());
  input.value = "";
  try {
    await start();
  } catch (err) {
    sessionStorage.removeItem(KEY);
    $("#login-error").textContent = err.message;
  }
}

function logout(message) {
  sessionStorage.removeItem(KEY);
  state.spaces = [];
  state.space = null;
  $("#login").hidden = false;
  $("#who").hidden = true;
  $("#tabs").hidden = true;
  document.querySelectorAll(".screen").forEach((s) => (s.hidden = true));
  $("#login-error").textContent = typeof message === "string" ? message : "";
  notice("");
  $("#key-input").focus();
}

async function start() {
  const data = await api("GET", "/v1/spaces");
  state.spaces = data.spaces;
  $("#login").hidden = true;
  $("#login-error").textContent = "";
  $("#who").hidden = false;
  $("#tabs").hidden = false;
  const select = $("#space-select");
  select.replaceChildren(...state.spaces.map((s) => h("option", { value: s.name, text: s.name })));
  if (!state.spaces.some((s) => s.name === state.space)) state.space = state.spaces.length ? state.spaces[0].name : null;
  select.value = state.space || "";
  await show("spaces");
}

// -- screens ------------------------------------------------------------------------------------------
async function show(screen) {
  state.screen = screen;
  document.querySelectorAll(".screen").forEach((s) => (s.hidden = s.id !== `screen-${screen}`));
  document.querySelectorAll("#tabs button").forEach((b) => {
    if (b.dataset.screen === screen) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  });
  notice("");
  if (!state.space && screen !== "spaces") {
    notice("This key can read no space yet.");
    return;
  }
  await guarded(async () => {
    if (screen === "spaces") await renderSpaces();
    if (screen === "memories") await renderMemories(false);
    if (screen === "sessions") await renderSessionNames();
  });
}

async function renderSpaces() {
  const data = await api("GET", "/v1/spaces");
  state.spaces = data.spaces;
  const rows = state.spaces.map((s) =>
    h(
      "tr",
      { class: s.name === state.space ? "selected" : null },
      h("th", { scope: "row" }, h("button", { type: "button", class: "link", onclick: () => chooseSpace(s.name) }, s.name)),
      h("td", {}, s.right),
      h("td", {}, s.episodes),
      h("td", {}, s.memories),
      h("td", {}, s.current_memories),
      h("td", {}, s.pending_jobs),
      h("td", { class: s.failed_jobs ? "bad" : null }, s.failed_jobs),
    ),
  );
  $("#spaces-table tbody").replaceChildren(...rows);
  if (!rows.length) $("#spaces-table tbody").append(h("tr", {}, h("td", { colspan: 7 }, "This key can read no space yet.")));
  await renderQueue();
}

async function chooseSpace(name) {
  state.space = name;
  $("#space-select").value = name;
  await show(state.screen === "memory" ? "memories" : state.screen);
}

async function renderQueue() {
  const box = $("#queue");
  if (!state.space) return box.replaceChildren();
  const q = await api("GET", spacePath("/status"));
  const failed = q.failed_jobs.map((j) =>
    h("li", {}, h("code", {}, j.id), ` · ${j.attempts} attempt${j.attempts === 1 ? "" : "s"} · `, h("span", { class: "bad" }, j.error || "no error recorded")),
  );
  const parts = [
    h("p", {}, h("strong", {}, state.space), `: ${q.pending} pending · ${q.running} running · ${q.done} done · ${q.failed} failed`),
    failed.length ? h("ul", { class: "failed" }, failed) : h("p", { class: "muted" }, "No failed jobs."),
    failed.length > 0 && canWrite() ? h("button", { type: "button", id: "retry", onclick: retry }, "Retry failed jobs") : null,
    q.pending_scrubs ? h("p", { class: "muted" }, `${q.pending_scrubs} scrub(s) owed after a forgetting.`) : null,
  ];
  box.replaceChildren(...parts.filter((p) => p !== null));
}

async function retry() {
  await guarded(async () => {
    const r = await api("POST", spacePath("/retry"));
    await renderSpaces();
    notice(`Retried ${r.requeued} job(s): ${r.done} done, ${r.failed} failed, ${r.pending} pending.`);
  });
}

// -- memories -----------------------------------------------------------------------------------------
function memoryCard(m, extra) {
  return h(
    "li",
    { class: isClosed(m) ? "card closed" : "card" },
    h("p", { class: "text" }, m.text),
    h(
      "p",
      { class: "meta" },
      h("span", { class: `kind kind-${m.kind}` }, m.kind),
      h("span", { title: "valid from → to" }, validity(m)),
      h("span", {}, `strength ${number(m.strength, 2)}`),
      h("span", {}, `v${m.version}`),
      m.session ? h("span", {}, `session ${m.session}`) : null,
      h("span", {}, `${m.source_episode_ids.length} source turn${m.source_episode_ids.length === 1 ? "" : "s"}`),
      m.links.length ? h("span", {}, `${m.links.length} link${m.links.length === 1 ? "" : "s"}`) : null,
      ...m.tags.map((t) => h("span", { class: "tag" }, `#${t}`)),
    ),
    extra || null,
    h("button", { type: "button", class: "open", onclick: () => openMemory(m.id, state.screen) }, "Open", h("span", { class: "sr" }, `: ${m.text.slice(0, 60)}`)),
  );
}

async function renderMemories(more) {
  const form = new FormData($("#memory-filters"));
  const f = Object.fromEntries(form.entries());
  const params = {
    limit: 50,
    offset: more ? state.offset : 0,
    kind: f.kind,
    state: f.state,
    session: f.session.trim(),
    tag: f.tag.trim(),
    since: f.since ? `${f.since}T00:00:00Z` : "",
    until: f.until ? nextDay(f.until) : "",
  };
  const page = await api("GET", spacePath(`/memories?${query(params)}`));
  const list = $("#memory-list");
  const cards = page.items.map((m) => memoryCard(m));
  if (more) list.append(...cards);
  else list.replaceChildren(...cards);
  if (!list.children.length) list.append(h("li", { class: "muted" }, "No memories match."));
  state.offset = page.next_offset;
  $("#memory-more").hidden = page.next_offset === null;
}

function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace(".000", "");
}

// -- one memory: detail, history, edit, retire, forget -------------------------------------------------
async function openMemory(id, from) {
  if (from && from !== "memory") state.from = from;
  await guarded(async () => {
    const [m, history] = await Promise.all([
      api("GET", spacePath(`/memories/${encodeURIComponent(id)}`)),
      api("GET", spacePath(`/memories/${encodeURIComponent(id)}/history`)),
    ]);
    state.memory = m;
    document.querySelectorAll(".screen").forEach((s) => (s.hidden = s.id !== "screen-memory"));
    state.screen = "memory";
    notice("");
    renderMemory(m, history.versions);
    $("#memory-title").focus();
  });
}

function renderMemory(m, versions) {
  const detail = $("#memory-detail");
  detail.replaceChildren(
    h("p", { class: isClosed(m) ? "big closed" : "big" }, m.text),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "id"), h("dd", {}, h("code", {}, m.id)),
      h("dt", {}, "kind"), h("dd", {}, m.kind),
      h("dt", {}, "valid"), h("dd", {}, `${when(m.valid_from) || "…"} → ${m.valid_to ? when(m.valid_to) : "now"}${isClosed(m) ? " (closed)" : " (current)"}`),
      h("dt", {}, "strength"), h("dd", {}, number(m.strength, 2)),
      h("dt", {}, "version"), h("dd", {}, m.version),
      h("dt", {}, "session"), h("dd", {}, m.session || "—"),
      h("dt", {}, "tags"), h("dd", {}, m.tags.join(", ") || "—"),
      h("dt", {}, "keywords"), h("dd", {}, m.keywords.join(", ") || "—"),
      h("dt", {}, "links"),
      h("dd", {}, m.links.length ? m.links.map((l) => h("button", { type: "button", class: "link", onclick: () => openMemory(l) }, l)) : "—"),
    ),
    h("h3", {}, "Source turns"),
    m.episodes.length
      ? h("ol", { class: "turns" }, m.episodes.map((e) => h("li", {}, h("span", { class: "role" }, e.role), ` ${when(e.event_time)} · `, h("q", {}, e.content))))
      : h("p", { class: "muted" }, "No source turns (written directly, or they were forgotten)."),
  );
  $("#memory-title").setAttribute("tabindex", "-1");
  $("#memory-actions").hidden = !canWrite();
  $("#edit-text").value = m.text;
  $("#edit-reason").value = "";
  $("#retire").disabled = isClosed(m);
  $("#timeline").replaceChildren(
    ...versions
      .slice()
      .reverse()
      .map((v) =>
        h(
          "li",
          { class: `op-${v.operation.toLowerCase()}` },
          h("p", { class: "when" }, h("strong", {}, `v${v.version} ${v.operation}`), ` · ${when(v.recorded_at)} · by ${v.actor}`),
          h("p", { class: "text" }, v.text),
          h("p", { class: "meta" }, `reason: ${v.reason || "—"}`, v.episode_id ? ` · episode ${v.episode_id}` : "", ` · valid ${day(v.valid_from) || "…"} → ${v.valid_to ? day(v.valid_to) : "now"}`),
        ),
      ),
  );
}

async function saveEdit(event) {
  event.preventDefault();
  const m = state.memory;
  await guarded(async () => {
    const text = $("#edit-text").value.trim();
    const reason = $("#edit-reason").value.trim();
    const updated = await api("PATCH", spacePath(`/memories/${encodeURIComponent(m.id)}`), { text, reason });
    await openMemory(m.id);
    notice(`Saved version ${updated.version}.`);
  });
}

async function retire() {
  const m = state.memory;
  const reason = $("#edit-reason").value.trim() || "retired in the inspector";
  await guarded(async () => {
    await api("DELETE", spacePath(`/memories/${encodeURIComponent(m.id)}?${query({ reason })}`));
    await openMemory(m.id);
    notice("Retired: no longer current, kept in history and in as-of searches.");
  });
}

async function forget() {
  const m = state.memory;
  const body = { ids: [m.id], with_sources: $("#forget-sources").checked };
  await guarded(async () => {
    const preview = await api("POST", spacePath("/forget/preview"), body);
    $("#confirm-body").replaceChildren(h("div", {},
      h("p", {}, `This purges ${preview.memories.length} memor${preview.memories.length === 1 ? "y" : "ies"}, ${preview.episodes.length} turn${preview.episodes.length === 1 ? "" : "s"} and ${preview.versions} version${preview.versions === 1 ? "" : "s"} from every table, index and history. It cannot be undone.`),
      h("h3", {}, "Memories"),
      h("ul", { class: "purge", id: "purge-memories" }, preview.memories.map((x) => h("li", {}, h("span", { class: "kind" }, x.kind), ` ${x.text}`))),
      preview.episodes.length ? h("h3", {}, "Turns") : null,
      preview.episodes.length ? h("ul", { class: "purge", id: "purge-episodes" }, preview.episodes.map((e) => h("li", {}, h("span", { class: "role" }, e.role), ` ${e.content}`))) : null,
    ));
    const dialog = $("#confirm");
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue !== "forget") return;
        guarded(async () => {
          const r = await api("POST", spacePath("/forget"), body);
          await show(state.from === "memory" ? "memories" : state.from);
          notice(`Forgotten: ${r.memories} memories, ${r.episodes} turns, ${r.versions} versions.`);
        });
      },
      { once: true },
    );
  });
}

// -- search -------------------------------------------------------------------------------------------
async function search(event) {
  event.preventDefault();
  const f = Object.fromEntries(new FormData($("#search-form")).entries());
  await guarded(async () => {
    const body = { query: f.query, mode: f.mode, k: 20 };
    if (f.as_of) body.as_of = `${f.as_of}T23:59:59Z`;
    const data = await api("POST", spacePath("/search"), body);
    const rows = data.hits.map((hit, i) =>
      h(
        "tr",
        { class: isClosed(hit.memory) ? "closed" : null },
        h("td", {}, i + 1),
        h("td", {}, h("button", { type: "button", class: "link", onclick: () => openMemory(hit.memory.id, "search") }, hit.memory.text), " ", h("span", { class: `kind kind-${hit.memory.kind}` }, hit.memory.kind)),
        h("td", {}, number(hit.score)),
        h("td", {}, `${hit.lexical_rank ?? "—"} · ${number(hit.lexical_score)}`),
        h("td", {}, `${hit.dense_rank ?? "—"} · ${number(hit.dense_score)}`),
        h("td", {}, validity(hit.memory)),
      ),
    );
    $("#search-results").hidden = false;
    $("#search-results tbody").replaceChildren(...rows);
    if (!rows.length) $("#search-results tbody").append(h("tr", {}, h("td", { colspan: 6 }, "No hits.")));
    notice(`${rows.length} hit${rows.length === 1 ? "" : "s"}${f.as_of ? ` as of ${f.as_of}` : " now"}.`);
  });
}

// -- sessions -----------------------------------------------------------------------------------------
async function renderSessionNames() {
  const page = await api("GET", spacePath("/episodes?limit=1000"));
  const names = [...new Set(page.items.map((e) => e.session).filter((s) => s))];
  $("#session-names").replaceChildren(...names.map((n) => h("option", { value: n })));
  $("#session-chips").replaceChildren(
    ...names.map((n) => h("li", {}, h("button", { type: "button", class: "chip", onclick: () => openSession(n) }, n))),
  );
}

async function openSession(name) {
  $("#session-form").elements.session.value = name;
  await guarded(async () => {
    const [turns, memories] = await Promise.all([
      api("GET", spacePath(`/episodes?${query({ session: name, limit: 1000 })}`)),
      api("GET", spacePath(`/memories?${query({ session: name, state: "all", limit: 1000 })}`)),
    ]);
    const drawn = new Map();
    for (const m of memories.items) {
      if (m.kind === "turn") continue; // the turn itself is shown on the left
      for (const id of m.source_episode_ids) {
        if (!drawn.has(id)) drawn.set(id, []);
        drawn.get(id).push(m);
      }
    }
    const rows = turns.items.map((e) =>
      h(
        "li",
        { class: `turn role-${e.role}` },
        h("div", { class: "said" }, h("p", { class: "when" }, h("strong", {}, e.name || e.role), ` · ${when(e.event_time)}`), h("p", {}, e.content)),
        h(
          "ul",
          { class: "drawn", "aria-label": "Memories drawn from this turn" },
          (drawn.get(e.id) || []).map((m) =>
            h("li", { class: isClosed(m) ? "closed" : null }, h("button", { type: "button", class: "link", onclick: () => openMemory(m.id, "sessions") }, m.text), " ", h("span", { class: `kind kind-${m.kind}` }, m.kind)),
          ),
        ),
      ),
    );
    $("#conversation").replaceChildren(...rows);
    if (!rows.length) $("#conversation").append(h("li", { class: "muted" }, `No turns in session ${name}.`));
  });
}

// -- wiring -------------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("#login-form").addEventListener("submit", login);
  $("#logout").addEventListener("click", () => logout(""));
  $("#space-select").addEventListener("change", (e) => chooseSpace(e.target.value));
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => show(b.dataset.screen)));
  $("#memory-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(() => renderMemories(false));
  });
  $("#memory-more").addEventListener("click", () => guarded(() => renderMemories(true)));
  $("#search-form").addEventListener("submit", search);
  $("#session-form").addEventListener("submit", (e) => {
    e.preventDefault();
    openSession(e.target.elements.session.value.trim());
  });
  $("#back").addEventListener("click", () => show(state.from));
  $("#edit-form").addEventListener("submit", saveEdit);
  $("#retire").addEventListener("click", retire);
  $("#forget").addEventListener("click", forget);
  if (sessionStorage.getItem(KEY)) start().catch((err) => logout(err.message));
  else $("#key-input").focus();
});
