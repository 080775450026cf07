import { type ApiError, EVENT_URL, MOCK_URL, type Session, TOKEN, liveAndUpcoming, mySessions,
  register, unregister } from "./api";

const $ = <T extends HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`${selector} is missing from index.html`);
  return element;
};

/** "2026/03/10 12:00" (UTC, the API's time format) as a Date. */
function parseTime(value: string): Date {
  return new Date(`${value.replaceAll("/", "-").replace(" ", "T")}:00Z`);
}

function showMessage(text: string | null): void {
  const message = $("#message");
  message.textContent = text ?? "";
  message.hidden = text === null;
}

function explain(problem: unknown): string {
  const body = problem as Partial<ApiError>;
  if (typeof body?.errorMessage === "string") return body.errorMessage; // the documented message
  return `No readable answer from ${MOCK_URL} (${String(problem)}): is the mock running (make run)?`;
}

function isLive(session: Session): boolean {
  return parseTime(session.startTime) <= new Date();
}

type Action = { label: string; run: () => Promise<ApiError | undefined> };

function row(session: Session, action: Action): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.sessionId = String(session.sessionId);
  const live = isLive(session);
  const badge = Object.assign(document.createElement("span"), {
    className: `badge ${live ? "live" : ""}`, textContent: live ? "live" : "upcoming" });
  const title = Object.assign(document.createElement("span"), { className: "title", textContent: session.title });
  const time = Object.assign(document.createElement("span"), { className: "muted", textContent: `${session.startTime}–${session.endTime.slice(-5)}` });
  const button = Object.assign(document.createElement("button"), { textContent: action.label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const refused = await action.run();
      showMessage(refused ? explain(refused) : null);
      await refresh();
    } catch (problem) {
      showMessage(explain(problem));
    } finally {
      button.disabled = false;
    }
  });
  item.append(badge, title, time, button);
  return item;
}

async function refresh(): Promise<void> {
  const [sessions, mine] = await Promise.all([liveAndUpcoming(), mySessions()]);
  const registered = new Set(mine.map((s) => s.sessionId));
  $("#sessions").replaceChildren(...sessions.filter((s) => !registered.has(s.sessionId))
    .map((s) => row(s, { label: "Register", run: () => register(s.sessionId, !isLive(s)) })));
  $("#my-sessions").replaceChildren(...mine
    .map((s) => row(s, { label: "Unregister", run: () => unregister(s.sessionId) })));
  for (const list of ["#sessions", "#my-sessions"]) $(list).setAttribute("aria-busy", "false");
}

$("#mock-url").textContent = `${MOCK_URL} (event ${EVENT_URL})`;
$("#token").textContent = TOKEN;
refresh().catch((problem) => showMessage(explain(problem)));
