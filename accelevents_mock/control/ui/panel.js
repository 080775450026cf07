// The control panel: reads and steers the mock through the /__mock API only.
"use strict";

const API = "/__mock";
const $ = (selector) => document.querySelector(selector);
let world = null;
let lastJournalId = 0;

// A mock listening beyond loopback wants its admin token: asked once, kept for this tab.
const ADMIN_HEADER = "X-Mock-Admin-Token";

async function api(path, options = {}, retried = false) {
  const headers = { "Content-Type": "application/json" };
  const adminToken = sessionStorage.getItem("mockAdminToken");
  if (adminToken) headers[ADMIN_HEADER] = adminToken;
  const response = await fetch(API + path, { headers, ...options });
  const body = await response.json();
  if (response.status === 403 && !retried) {
    const given = window.prompt(`${body.developerMessage}\nAdmin token:`);
    if (given) {
      sessionStorage.setItem("mockAdminToken", given);
      return api(path, options, true);
    }
  }
  if (!response.ok) throw new Error(body.developerMessage || body.errorMessage);
  return body;
}

const put = (path, body) => api(path, { method: "PUT", body: JSON.stringify(body) });

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  return td;
}

function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }));
}

function caseNames() {
  const names = {};
  for (const [name, value] of Object.entries(world.cases)) {
    if (typeof value === "number") names[value] = name;
  }
  return names;
}

async function loadWorld() {
  world = await api("/world");
  // The words of the banner (control/views.py counts_line): every session, and those listed.
  const counts = world.events.map((e) =>
    `${e.eventurl} ${e.sessions} sessions (${e.listedToAttendees} listed to attendees)`);
  $("#seed-badge").textContent = [`seed ${world.seed}`, ...counts].join(" · ");
  const byFormat = {};
  for (const s of world.sessions) {
    byFormat[s.format] ??= { live: 0, upcoming: 0, ended: 0 };
    byFormat[s.format][s.phase] += 1;
  }
  fillRows($("#format-summary tbody"), Object.entries(byFormat).sort().map(([format, n]) =>
    [cell(format), cell(n.live), cell(n.upcoming), cell(n.ended)]));
  const names = caseNames();
  const sessions = [...world.sessions].sort((a, b) => (names[b.sessionId] ? 1 : 0) - (names[a.sessionId] ? 1 : 0));
  fillRows($("#sessions tbody"), sessions.map((s) => {
    const row = [cell(s.sessionId), cell(names[s.sessionId] || ""), cell(s.title, "title"), cell(s.format),
      cell(s.phase, `phase phase-${s.phase}`), cell(s.startTime), cell(s.endTime),
      cell(s.capacity || "unlimited"), cell(s.registrations)];
    return row;
  }));
  for (const tr of $("#sessions tbody").children) tr.dataset.sessionId = tr.firstChild.textContent;
  fillTokens();
  $("#clock-now").textContent = world.clock.now;
  $("#clock-frozen").textContent = world.clock.frozen ? "frozen" : "running";
}

function fillTokens() {
  const users = world.users.filter((u) => u.case);
  const rows = users.map((u) => {
    const button = document.createElement("button");
    button.textContent = "copy";
    button.className = "copy";
    button.addEventListener("click", () => copy(u.token, button));
    const action = document.createElement("td");
    action.append(button);
    return [cell(u.case), cell(u.role), cell(u.name), cell(u.token, "token"), action];
  });
  rows.push([cell("unknown"), cell("none"), cell("(gives 401)"), cell(world.cases.tokens.unknown, "token"), cell("")]);
  fillRows($("#tokens tbody"), rows);
  const select = $("#try-token");
  if (!select.options.length) {
    for (const u of users) select.add(new Option(`${u.case} (${u.token})`, u.token));
  }
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = Object.assign(document.createElement("textarea"), { value: text });
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "copied";
  setTimeout(() => { button.textContent = "copy"; }, 1200);
}

function currentScenario() {
  const match = document.cookie.match(/(?:^|;\s*)mock_scenario=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function loadScenarios() {
  const { scenarios } = await api("/scenarios");
  const select = $("#scenario-select");
  const seen = new Set();
  const operations = new Set();
  for (const s of scenarios) {
    s.operations.forEach((op) => operations.add(op));
    if (seen.has(s.scenario)) continue;
    seen.add(s.scenario);
    select.add(new Option(`${s.scenario} (${s.status} ${s.errorCode})`, s.scenario));
  }
  select.value = currentScenario();
  select.addEventListener("change", () => {
    const value = select.value;
    document.cookie = value
      ? `mock_scenario=${encodeURIComponent(value)}; path=/; SameSite=Lax`
      : "mock_scenario=; path=/; max-age=0; SameSite=Lax";
    const cases = scenarios.filter((s) => s.scenario === value);
    $("#scenario-detail").textContent = cases.map((c) =>
      `${c.status} ${c.errorCode} "${c.errorMessage}" on ${c.operations.join(", ")}`).join(" · ");
  });
  const faultOperation = $("#fault-operation");
  for (const op of [...operations].sort()) faultOperation.add(new Option(op, op));
}

async function loadFaults() {
  const state = await api("/faults");
  const select = $("#fault-select");
  if (select.options.length === 1) for (const f of state.available) select.add(new Option(f, f));
  $("#latency-input").value = state.latencyMs;
  const active = Object.entries(state.faults).map(([op, f]) => `${f} on ${op}`).join(", ");
  $("#faults-now").textContent = `latency ${state.latencyMs} ms; faults: ${active || "none"}`;
}

async function applyFaults() {
  const fault = $("#fault-select").value;
  const faults = fault ? { [$("#fault-operation").value]: fault } : {};
  await put("/faults", { latencyMs: $("#latency-input").value || "0", faults });
  await loadFaults();
}

async function advanceClock(minutes) {
  await put("/clock", { advanceMinutes: minutes });
  await loadWorld();
}

async function toggleFreeze() {
  await put("/clock", { frozen: !world.clock.frozen });
  await loadWorld();
}

async function setClock() {
  const value = $("#clock-input").value;
  if (value) await put("/clock", { now: `${value}:00Z` });
  await loadWorld();
}

async function resetWorld() {
  const body = {};
  if ($("#reset-seed").value) body.seed = Number($("#reset-seed").value);
  if ($("#reset-sessions").value) body.sessions = Number($("#reset-sessions").value);
  await api("/reset", { method: "POST", body: JSON.stringify(body) });
  lastJournalId = 0;
  $("#journal tbody").replaceChildren();
  await loadWorld();
}

async function tryCall(method, path) {
  const response = await fetch(`/rest/events/${world.cases.eventurl}${path}`, {
    method, headers: { Authorization: $("#try-token").value }, credentials: "include",
  });
  const text = await response.text();
  $("#try-result").textContent = `${response.status} ${response.headers.get("X-Mock-Forced") || ""}\n${text.slice(0, 2000)}`;
  $("#try-result").dataset.status = response.status;
  await loadWorld();
}

async function pollJournal() {
  try {
    const { entries } = await api(`/journal?since=${lastJournalId}`);
    const tbody = $("#journal tbody");
    for (const e of entries) {
      lastJournalId = e.id;
      const tr = document.createElement("tr");
      tr.dataset.operation = e.operation || "";
      tr.append(cell(e.id), cell(e.at.slice(11, 19)), cell(e.method), cell(e.path), cell(e.operation),
        cell(e.status, `status-${String(e.status)[0]}`), cell(e.forced || "natural", e.forced ? "forced" : ""),
        cell(e.duration_ms), cell(e.source || ""),
        cell(e.violations ? e.violations.length : "", e.violations?.length ? "violated" : ""));
      tbody.prepend(tr);
    }
    while (tbody.children.length > 200) tbody.lastChild.remove();
    await Promise.all([loadViolations(), loadProxy()]);
  } finally {
    setTimeout(pollJournal, 1000);
  }
}

async function loadProxy() {
  const proxy = await api("/proxy");
  const operations = proxy.operations ? proxy.operations.join(", ") : "every operation";
  $("#proxy-now").textContent = proxy.target
    ? `Forwarding ${operations} to ${proxy.target}; fallback ${proxy.fallback ? "on" : "off"}` +
      `${proxy.strict ? "; strict" : ""}; writes ${proxy.allowWrites ? "forwarded" : "answered by the mock"}.`
    : "No proxy target: the mock answers every call (start it with --proxy URL).";
}

// Grouped by operation and kind; examples come redacted from the server.
async function loadViolations() {
  const { total, groups } = await api("/violations");
  const section = $("#violations");
  if (section.dataset.total === String(total)) return;
  section.dataset.total = total;
  fillRows($("#violations tbody"), groups.map((g) => [cell(g.operation), cell(g.kind, "kind"),
    cell(g.count, "count"), cell(`${g.example.method} ${g.example.path} → ${g.example.status}`),
    cell(g.example.message, "title")]));
  [...$("#violations tbody").children].forEach((tr, i) => {
    tr.dataset.operation = groups[i].operation;
    tr.dataset.kind = groups[i].kind;
  });
}

function wire() {
  document.querySelectorAll("[data-advance]").forEach((button) =>
    button.addEventListener("click", () => advanceClock(Number(button.dataset.advance))));
  $("#clock-freeze").addEventListener("click", toggleFreeze);
  $("#clock-set").addEventListener("click", setClock);
  $("#faults-apply").addEventListener("click", applyFaults);
  $("#reset-button").addEventListener("click", resetWorld);
  $("#try-list").addEventListener("click", () => tryCall("GET", "/session?size=5"));
  $("#try-register").addEventListener("click", () =>
    tryCall("POST", `/session/${world.cases.open_session}/register`));
}

(async function start() {
  wire();
  await loadWorld();
  await Promise.all([loadScenarios(), loadFaults(), loadProxy()]);
  document.body.dataset.ready = "true";
  pollJournal();
})();
