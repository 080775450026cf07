"""How to drive the target into each documented error by real flows, one recipe per catalogue
scenario. A recipe reads the named cases; when the target has no data for it, it says so and
the test is skipped as "not covered"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from contract_tests import spec as contract
from contract_tests.targets import Cases
from mockserver import errors
from mockserver.errors import ErrorCase

if TYPE_CHECKING:
    from contract_tests.run import Run

HOST_OPS = frozenset(errors.HOST_OPS)
DEFAULT_PARAMS = {"setNetworkingAvailability": {"status": "REGISTERED"}}
# A deliberately invalid request per operation, for the generic 400.
BAD_INPUT: dict[str, tuple[dict[str, str], str | None]] = {
    # operation -> (query params, session case to use instead of the default; "zero" = id 0)
    "listSessions": ({"size": "0"}, None),
    "listSessionsV2": ({"size": "0"}, None),
    "getRegisteredSessions": ({"size": "0"}, None),
    "getSession": ({"expand": "x" * 501}, None),
    "getHostSession": ({"expand": "x" * 501}, None),
    "getSessionAnalytics": ({"expand": "x" * 501}, None),
    "registerForSession": ({"joinSession": "not-a-boolean"}, None),
    "setNetworkingAvailability": ({"status": "NOT_A_STATUS"}, None),
    "unregisterFromSession": ({}, "zero"),
    "joinWorkshopSession": ({}, "zero"),
    "getNetworkingMatches": ({}, "zero"),
}


CLOCK_JUMP_MINUTES = 2 * 24 * 60  # long enough for any seeded session to have ended


class NotCovered(Exception):
    """The target has no data for this scenario."""


@dataclass
class Step:
    method: str
    path: str  # after the API base path
    token: str | None
    params: dict[str, str] = field(default_factory=dict)
    operation: str = ""


@dataclass
class Recipe:
    case: ErrorCase
    operation: str
    setup: list[Step]
    request: Step
    writes: bool  # needs POST/PUT/DELETE
    irreversible: bool = False  # leaves state that cannot be undone (joining a session)


def pairs() -> list[tuple[str, str]]:
    """Every (scenario, operation) of the catalogue, in catalogue order."""
    return [(case.scenario, op) for case in errors.CATALOGUE for op in case.operations]


def _need(value: object, what: str) -> object:
    if value is None:
        raise NotCovered(f"no {what} for this target")
    return value


def _step(spec_path: Path, operation: str, cases: Cases, *, session: object = None,
          token_role: str | None = "default", eventurl: str | None = None,
          params: dict[str, str] | None = None) -> Step:
    op = contract.operations(spec_path)[operation]
    if token_role == "default":
        token_role = "host" if operation in HOST_OPS else "attendee"
    token = str(_need(cases.token(token_role), f"{token_role} token")) if token_role else None
    event = eventurl or str(_need(cases.eventurl, "event url"))
    if session is None:
        session = _need(cases.session("open"), "open session")
    path = re.sub(r"\{(sessionId|id)\}", str(session), op.path.replace("{eventurl}", event))
    merged = {**DEFAULT_PARAMS.get(operation, {}), **(params or {})}
    return Step(op.method, path, token, merged, operation)


def recipe(scenario: str, operation: str, cases: Cases, spec_path: Path) -> Recipe:
    """The flow that should make `operation` answer `scenario`; raises NotCovered."""
    case = errors.lookup(scenario, operation)
    if case is None:
        raise KeyError(f"{scenario} does not apply to {operation}")

    def step(**kwargs: object) -> Step:
        return _step(spec_path, operation, cases, **kwargs)  # type: ignore[arg-type]

    def session(name: str) -> object:
        return _need(cases.session(name), f"{name.replace('_', ' ')} session")

    setup: list[Step] = []
    irreversible = False
    match scenario:
        case "bad-request":
            params, which = BAD_INPUT[operation]
            request = step(params=params, session=0 if which == "zero" else None)
        case "not-authorized":
            request = step(token_role=None)
        case "forbidden":
            # Someone with a ticket who is not registered for the session.
            target = "workshop" if operation == "joinWorkshopSession" else "networking"
            request = step(session=session(target))
        case "not-event-host":
            request = step(token_role="attendee")
        case "event-not-found":
            request = step(eventurl=cases.missing_eventurl)
        case "session-not-found":
            request = step(session=cases.missing_session)
        case "capacity-reached":
            request = step(session=session("full"))
        case "ticket-not-permitted":
            request = step(session=session("restricted"), token_role="excluded_attendee")
        case "session-limit-reached":
            request = step(token_role="limited_attendee")
        case "not-registered-for-event":
            target = {"joinWorkshopSession": "workshop", "registerForSession": "open"}.get(
                operation, "networking")
            request = step(session=session(target), token_role="no_ticket")
        case "time-limit-expired" if operation == "registerForSession":
            request = step(session=session("ended"))
        case "time-limit-expired" if cases.clock_control:
            # Register while the session is live, then let it end (mock clock), then use it.
            live = session("workshop" if operation == "joinWorkshopSession" else "networking")
            setup = [_step(spec_path, "registerForSession", cases, session=live),
                     Step("CLOCK", "/__mock/clock", None, {"advanceMinutes": str(CLOCK_JUMP_MINUTES)})]
            request = step(session=live)
        case "time-limit-expired":
            # On a live target: an ended session of that format the attendee is registered for.
            request = step(session=session(
                "ended_workshop" if operation == "joinWorkshopSession" else "ended_networking"))
        case "recording-unavailable":
            request = step(session=session("ended"), params={"pastJoinSession": "true"})
        case "wrong-session-format":
            request = step(session=session("open"))
        case "already-joined":
            workshop = session("workshop")
            setup = [_step(spec_path, "registerForSession", cases, session=workshop),
                     _step(spec_path, "joinWorkshopSession", cases, session=workshop)]
            request = step(session=workshop)
            irreversible = True
        case _:
            raise NotCovered(f"no recipe for scenario {scenario!r}")
    writes = any(s.method not in contract.SAFE_METHODS for s in [*setup, request] if s.method != "CLOCK")
    return Recipe(case, operation, setup, request, writes, irreversible)


def message_pattern(case: ErrorCase, cases: Cases) -> re.Pattern[str]:
    """The documented message, exactly; a placeholder is the target's value, or any number."""
    if errors.LIMIT_PLACEHOLDER in case.message and cases.sessions_permitted is not None:
        return re.compile(re.escape(case.render(number_of_sessions_permitted=cases.sessions_permitted)) + "$")
    return template_pattern(case.message)


def template_pattern(message: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", message)
    return re.compile("".join(r"\d+" if re.fullmatch(r"\{[a-z_]+\}", p) else re.escape(p)
                              for p in parts) + "$")


def drive(run: Run, recipe: Recipe) -> list[str]:
    """Play the recipe on the run's target; the problems found (empty: the documented error)."""
    case = recipe.case
    with run.client() as client, run.target.raw_client(run.target.root) as control:
        for step in recipe.setup:
            if step.method == "CLOCK":  # our mock's clock; the next scenario's reset undoes it
                moved = control.put(step.path, json={k: float(v) for k, v in step.params.items()})
                if moved.status_code != 200:
                    return [f"setup: clock {moved.status_code} {moved.text[:200]}"]
                continue
            done = client.request(step.method, step.path, params=step.params, headers=_auth(step.token))
            if done.status_code >= 300:
                return [f"setup {step.method} {step.path} -> {done.status_code} {done.text[:200]}"]
        step = recipe.request
        response = client.request(step.method, step.path, params=step.params, headers=_auth(step.token))
    where = f"{step.method} {step.path}" + (f" {step.params}" if step.params else "")
    if response.status_code != case.status:
        return [f"{where}: status {response.status_code}, documented {case.status}: {response.text[:300]}"]
    try:
        body = response.json()
    except ValueError:
        return [f"{where}: body is not JSON: {response.text[:200]}"]
    if not isinstance(body, dict) or not {"errorCode", "errorMessage"} <= set(body):
        return [f"{where}: not an error body: {str(body)[:200]}"]
    problems = []
    if body["errorCode"] != case.code:
        problems.append(f"{where}: errorCode {body['errorCode']!r}, documented {case.code!r}")
    if not message_pattern(case, run.cases).match(str(body["errorMessage"])):
        problems.append(f"{where}: errorMessage {body['errorMessage']!r}, documented {case.message!r}")
    return problems


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": token} if token else {}
