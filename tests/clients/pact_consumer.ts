// A frontend team's consumer contract, written with Pact JS (@pact-foundation/pact, pinned in
// package.json) against the mock's named provider states (docs/pact.md): list, detail,
// register, the full session's 406, the registered list and un-register. Each interaction runs
// against Pact's own mock server; the pact file lands in PACT_DIR.
// Run by tests/clients/test_pact_consumer.py: `tsx tests/clients/pact_consumer.ts`.
import { MatchersV3, PactV3 } from "@pact-foundation/pact";

const { eachLike, fromProviderState, integer, string } = MatchersV3;

const EVENT = "/rest/events/mock-event";
const TOKEN = "attendee-token"; // sent by the client, never written into the pact
const pactDir = process.env.PACT_DIR;
if (!pactDir) throw new Error("set PACT_DIR");

const pact = new PactV3({
  consumer: "attendee-web",
  provider: "accelevents-session-api",
  dir: pactDir,
  logLevel: "warn",
});

async function call(base: string, method: string, path: string): Promise<Response> {
  return fetch(`${base}${path}`, { method, headers: { Authorization: TOKEN } });
}

function sessionPath(suffix: string, example: string) {
  return fromProviderState(`${EVENT}/session/${suffix}`, `${EVENT}/session/${example}`);
}

type Step = (base: string) => Promise<void>;

async function expectStatus(response: Response, status: number): Promise<void> {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}`);
}

const steps: Array<[string, () => PactV3, Step]> = [
  ["list", () => pact
    .given("a session with free seats")
    .uponReceiving("the attendee lists the event's sessions")
    .withRequest({ method: "GET", path: `${EVENT}/session`, query: { size: "10" } })
    .willRespondWith({
      status: 200,
      headers: { "Content-Type": "application/json" },
      body: { recordsTotal: integer(25), data: eachLike({ sessionId: integer(11001), title: string("Keynote"), format: string("BREAKOUT_SESSION") }) },
    }),
  async (base) => {
    const body = (await (await call(base, "GET", `${EVENT}/session?size=10`)).json()) as { data: unknown[] };
    if (!Array.isArray(body.data) || body.data.length === 0) throw new Error("no sessions listed");
  }],
  ["detail", () => pact
    .given("a session with free seats")
    .uponReceiving("the attendee opens a session")
    .withRequest({ method: "GET", path: sessionPath("v2/${sessionId}", "v2/11001") })
    .willRespondWith({
      status: 200,
      body: { sessionId: integer(11001), title: string("Keynote"), startTime: string("2026/03/10 12:00") },
    }),
  async (base) => expectStatus(await call(base, "GET", `${EVENT}/session/v2/11001`), 200)],
  ["register", () => pact
    .given("a session with free seats")
    .uponReceiving("the attendee registers for a session with free seats")
    .withRequest({ method: "POST", path: sessionPath("${sessionId}/register", "11001/register") })
    .willRespondWith({ status: 200 }),
  async (base) => expectStatus(await call(base, "POST", `${EVENT}/session/11001/register`), 200)],
  ["full", () => pact
    .given("a full session")
    .uponReceiving("the attendee registers for a full session")
    .withRequest({ method: "POST", path: sessionPath("${sessionId}/register", "11002/register") })
    .willRespondWith({
      status: 406,
      body: { errorCode: "4062001", errorMessage: string("Max user registration capacity reached") },
    }),
  async (base) => expectStatus(await call(base, "POST", `${EVENT}/session/11002/register`), 406)],
  ["registered", () => pact
    .given("the caller registered for a session")
    .uponReceiving("the attendee lists the sessions it registered for")
    .withRequest({ method: "GET", path: `${EVENT}/user-session/registered` })
    .willRespondWith({
      status: 200,
      body: { data: eachLike({ sessionId: integer(11001), title: string("Keynote") }) },
    }),
  async (base) => expectStatus(await call(base, "GET", `${EVENT}/user-session/registered`), 200)],
  ["unregister", () => pact
    .given("the caller registered for a session")
    .uponReceiving("the attendee un-registers from a session")
    .withRequest({ method: "DELETE", path: sessionPath("${sessionId}/register", "11001/register") })
    .willRespondWith({ status: 200 }),
  async (base) => expectStatus(await call(base, "DELETE", `${EVENT}/session/11001/register`), 200)],
];

for (const [name, interaction, step] of steps) {
  await interaction().executeTest(async (server) => step(server.url));
  console.log(`pact ok: ${name}`);
}
