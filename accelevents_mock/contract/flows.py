"""How to drive a target into each documented error by real flows (no forcing).

One recipe per (scenario, operation) of the catalogue, plus variants where the documents name more
than one way into the same error (a session that is upcoming, or whose late-join window closed).
A recipe reads the target's named cases; when the target has no data for it, it raises
`NotCovered` and the test is skipped as "not covered". The mock's own tests and the harness's
scenario tests drive the same recipes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from accelevents_mock.contract import spec as contract
from accelevents_mock.contract.cases import Cases, Role, SessionCase
from accelevents_mock.contract.catalogue import (
    CATALOGUE,
    LIMIT_PLACEHOLDER,
    ErrorCase,
    Scenario,
    lookup,
    operations_with,
)
from accelevents_mock.contract.schema import conformance_errors

DEFAULT_PARAMS: dict[str, dict[str, str]] = {"setNetworkingAvailability": {"status": "REGISTERED"}}
CLOCK_JUMP_MINUTES = 2 * 24 * 60  # long enough for any seeded session to have ended
CLOCK = "CLOCK"  # a setup step that moves our mock's clock (PUT /__mock/clock)


def bad_input(operation: contract.Operation,
              document: contract.Document) -> tuple[dict[str, str], int | None]:
    """A request the spec says is malformed, for the generic 400: (query, session id or None).

    The first query parameter whose value can fail to convert (a boolean, a number or an enum)
    gets a value that does not: any server rejects that (a Spring application as much as our
    mock), where a length limit may not be enforced the same way. Without one, the session id
    in the path is below the spec's minimum.
    """
    parameters = [contract.resolve(document, p) for p in operation.definition.get("parameters", [])]
    for parameter in parameters:
        schema = contract.resolve(document, parameter.get("schema", {}))
        if parameter["in"] != "query":
            continue
        if "enum" in schema:
            return {parameter["name"]: "NOT_A_DOCUMENTED_VALUE"}, None
        if schema.get("type") in ("boolean", "integer"):
            return {parameter["name"]: f"not-{schema['type']}"}, None
    path_ids = [contract.resolve(document, p.get("schema", {})) for p in parameters
                if p["in"] == "path" and p["name"] in ("sessionId", "id")]
    return {}, int(path_ids[0]["minimum"]) - 1 if path_ids else None


class NotCovered(Exception):
    """The target has no data for this recipe."""


@dataclass(frozen=True)
class Step:
    method: str  # an HTTP method, or CLOCK
    path: str  # below the API base path (or the control path for CLOCK)
    token: str | None
    params: dict[str, str] = field(default_factory=dict)
    operation: str = ""


@dataclass(frozen=True)
class Recipe:
    case: ErrorCase
    operation: str
    setup: tuple[Step, ...]
    request: Step
    variant: str = "main"
    irreversible: bool = False  # leaves state that cannot be undone (joining a session)

    @property
    def writes(self) -> bool:
        """Needs POST/PUT/DELETE on the target."""
        return any(s.method not in contract.SAFE_METHODS for s in (*self.setup, self.request)
                   if s.method != CLOCK)


def pairs() -> list[tuple[Scenario, str]]:
    """Every (scenario, operation) of the catalogue, in catalogue order."""
    return [(Scenario(case.scenario), op) for case in CATALOGUE for op in case.operations]


T = TypeVar("T")


def _need(value: T | None, what: str) -> T:
    if value is None:
        raise NotCovered(f"no {what} for this target")
    return value


class _Builder:
    """Steps of one operation on one target's cases."""

    def __init__(self, operation: str, cases: Cases, spec_path: Path) -> None:
        self.operation, self.cases, self.spec_path = operation, cases, spec_path

    def session(self, case: SessionCase) -> int:
        return _need(self.cases.session(case), f"{case.value.replace('_', ' ')} session")

    def step(self, operation: str | None = None, *, session: SessionCase | int = SessionCase.OPEN,
             role: Role | None | Literal["auto"] = "auto", eventurl: str | None = None,
             params: dict[str, str] | None = None) -> Step:
        """A call of `operation` (default: the recipe's own) as `role` (None: no credentials;
        "auto": the event's host for the host operations, else the attendee)."""
        operation = operation or self.operation
        op = contract.operations(self.spec_path)[operation]
        caller = role if role != "auto" else (
            Role.HOST if operation in operations_with(Scenario.NOT_EVENT_HOST) else Role.ATTENDEE)
        token = None if caller is None else _need(self.cases.token(Role(caller)), f"{caller} token")
        event = eventurl or _need(self.cases.eventurl, "event url")
        session_id = self.session(session) if isinstance(session, SessionCase) else session
        return Step(op.method, op.url_path(event, session_id), token,
                    {**DEFAULT_PARAMS.get(operation, {}), **(params or {})}, operation)


Flow = tuple[tuple[Step, ...], Step, bool]  # setup, the request, irreversible
FlowBuilder = Callable[[], Flow]


def recipes(scenario: Scenario, operation: str, cases: Cases,
            spec_path: Path = contract.SPEC_PATH) -> list[Recipe]:
    """Every flow that should make `operation` answer `scenario` (the main one first). A variant
    the target has no data for is left out; NotCovered if none is left."""
    case = lookup(scenario, operation)
    if case is None:
        raise KeyError(f"{scenario} does not apply to {operation}")
    found: list[Recipe] = []
    reasons: list[str] = []
    for variant, build in _flows(scenario, operation, _Builder(operation, cases, spec_path)):
        try:
            setup, request, irreversible = build()
        except NotCovered as exc:
            reasons.append(f"{variant}: {exc}")
            continue
        found.append(Recipe(case, operation, setup, request, variant, irreversible))
    if not found and not reasons:
        raise LookupError(f"no flow drives {operation} into {scenario}: add one to "
                          "accelevents_mock/contract/flows.py")
    if not found:
        raise NotCovered("; ".join(reasons))
    return found


def _flows(scenario: Scenario, operation: str, b: _Builder) -> Iterator[tuple[str, FlowBuilder]]:
    """(variant, how to build it) for one scenario and operation. Each builder is called only
    when used, so a variant the target lacks data for raises NotCovered on its own."""

    def request(**step: object) -> FlowBuilder:
        return lambda: ((), b.step(**step), False)  # type: ignore[arg-type]

    s, session, role = Scenario, SessionCase, Role
    match scenario:
        case s.BAD_REQUEST:
            params, session_id = bad_input(contract.operations(b.spec_path)[operation],
                                           contract.load(b.spec_path))
            yield "main", request(params=params,
                                  **({"session": session_id} if session_id is not None else {}))
        case s.NOT_AUTHORIZED:
            yield "main", request(role=None)
            yield "unknown-token", request(role=role.UNKNOWN)
        case s.FORBIDDEN:  # someone with a ticket who is not registered for the session
            workshop = operation == "joinWorkshopSession"
            yield "main", request(session=session.WORKSHOP if workshop else session.NETWORKING)
        case s.NOT_EVENT_HOST:
            yield "main", request(role=role.ATTENDEE)
        case s.EVENT_NOT_FOUND:
            yield "main", request(eventurl=b.cases.missing_eventurl)
        case s.SESSION_NOT_FOUND:
            yield "main", request(session=b.cases.missing_session)
            if operation == "getSession":  # hidden from attendees: as if it did not exist
                yield "hidden", request(session=session.HIDDEN)
        case s.CAPACITY_REACHED:
            yield "main", request(session=session.FULL)
        case s.TICKET_NOT_PERMITTED:
            yield "main", request(session=session.RESTRICTED, role=role.EXCLUDED_ATTENDEE)
        case s.SESSION_LIMIT_REACHED:
            yield "main", request(role=role.LIMITED_ATTENDEE)
        case s.NOT_REGISTERED_FOR_EVENT:
            target = {"joinWorkshopSession": session.WORKSHOP,
                      "registerForSession": session.OPEN}.get(operation, session.NETWORKING)
            yield "main", request(session=target, role=role.NO_TICKET)
        case s.TIME_LIMIT_EXPIRED if operation == "registerForSession":
            yield "main", request(session=session.ENDED)
            yield "upcoming", request(session=session.UPCOMING)
            yield "late-join", request(session=session.LATE_JOIN)
        case s.TIME_LIMIT_EXPIRED:
            yield "main", lambda: _registered_then_ended(b)
        case s.RECORDING_UNAVAILABLE:
            yield "main", request(session=session.ENDED, params={"pastJoinSession": "true"})
        case s.WRONG_SESSION_FORMAT:
            yield "main", request(session=session.OPEN)  # a breakout: neither workshop nor meet-up
        case s.ALREADY_JOINED:
            yield "main", lambda: _joined_workshop(b)


def _registered_then_ended(b: _Builder) -> Flow:
    """A workshop or networking session the attendee registered for while it was live, and that
    has ended since: on our mock by moving its clock on, on a live target a configured one."""
    workshop = b.operation == "joinWorkshopSession"
    if b.cases.clock_control:
        live = b.session(SessionCase.WORKSHOP if workshop else SessionCase.NETWORKING)
        setup = (b.step("registerForSession", session=live),
                 Step(CLOCK, "/__mock/clock", None, {"advanceMinutes": str(CLOCK_JUMP_MINUTES)}))
        return setup, b.step(session=live), False
    ended = SessionCase.ENDED_WORKSHOP if workshop else SessionCase.ENDED_NETWORKING
    return (), b.step(session=ended), False


def _joined_workshop(b: _Builder) -> Flow:
    workshop = b.session(SessionCase.WORKSHOP)
    setup = (b.step("registerForSession", session=workshop),
             b.step("joinWorkshopSession", session=workshop))
    return setup, b.step(session=workshop), True


# -- playing a recipe on a target ---------------------------------------------------------------
class Client(Protocol):
    """What `drive` needs of a client (httpx.Client and Starlette's TestClient have it)."""

    def request(self, method: str, url: str, *, params: Any = None, headers: Any = None,
                json: Any = None) -> Any: ...

    def put(self, url: str, *, json: Any = None) -> Any: ...


def expected_message(case: ErrorCase, cases: Cases) -> re.Pattern[str]:
    """The documented message, exactly; a placeholder is the target's value, or any number."""
    if LIMIT_PLACEHOLDER in case.message and cases.sessions_permitted is not None:
        return re.compile(re.escape(case.render(number_of_sessions_permitted=cases.sessions_permitted)))
    return case.message_pattern()


def drive(api: Client, control: Client, recipe: Recipe, cases: Cases) -> list[str]:
    """Play `recipe` with `api` (based at the API's base path) and `control` (at the root, for
    our mock's clock); the problems found (empty: the documented error, exactly)."""
    for step in recipe.setup:
        if step.method == CLOCK:  # our mock's clock; the next scenario's reset undoes it
            moved = control.put(step.path, json={k: float(v) for k, v in step.params.items()})
            if moved.status_code != 200:
                return [f"setup: clock {moved.status_code} {moved.text[:200]}"]
            continue
        done = api.request(step.method, step.path, params=step.params, headers=_auth(step.token))
        if done.status_code >= 300:
            return [f"setup {step.method} {step.path} -> {done.status_code} {done.text[:200]}"]
    step, case = recipe.request, recipe.case
    response = api.request(step.method, step.path, params=step.params, headers=_auth(step.token))
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
    if not expected_message(case, cases).fullmatch(str(body["errorMessage"])):
        problems.append(f"{where}: errorMessage {body['errorMessage']!r}, documented {case.message!r}")
    problems += [f"{where}: {p}" for p in conformance_errors(recipe.operation, response.status_code, body)]
    return problems


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": token} if token else {}
