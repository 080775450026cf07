"""The /__mock/ control API: see and steer the world (outside the public contract).

Everything the README shows with curl, and everything a test harness needs: the world summary
with its named cases and tokens, reset/reseed, the clock, snapshots, the journal, scenarios,
latency and faults.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from accelevents_mock import admin_token, faults
from accelevents_mock.contract import cases, catalogue
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.contract.spec import operations
from accelevents_mock.domain import rules
from accelevents_mock.domain.clock import format_time, parse_instant
from accelevents_mock.http import error_response, json_response
from accelevents_mock.proxy.settings import ProxySettings, display
from accelevents_mock.state import MockState

CONTROL_SPEC = Path(__file__).with_name("openapi.yaml")
ADMIN_HEADER = admin_token.ADMIN_HEADER
MAX_CONTROL_BODY = 16 * 1024 * 1024  # snapshots of big worlds are large
MAX_WORLD_SIZE = 100_000  # sessions or attendees a reset or snapshot may ask for


# Bodies of the control API, as its own spec (accelevents_mock/control/openapi.yaml) describes them.
ControlBody = dict[str, Any]
WorldSummary = ControlBody  # GET /__mock/world: the event, named cases and tokens, sessions, users


class ControlError(ValueError):
    """A bad control request: answered with the documented 400 body (or `case`'s)."""

    def __init__(self, message: str, case: catalogue.ErrorCase = catalogue.BAD_REQUEST) -> None:
        super().__init__(message)
        self.case = case


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


async def read_json(request: Request) -> ControlBody:
    raw = await request.body()
    if len(raw) > MAX_CONTROL_BODY:
        raise ControlError("body too large", catalogue.transport(Transport.PAYLOAD_TOO_LARGE))
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type")
    if content_type is not None and not is_json(content_type):
        raise ControlError(f"send the body as application/json, not {content_type[:80]}",
                           catalogue.transport(Transport.UNSUPPORTED_MEDIA_TYPE))
    try:
        body = json.loads(raw.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise ControlError(f"body is not UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:
        raise ControlError("body is nested too deeply") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def whole_number(body: dict, key: str) -> int | None:
    """`body[key]` as an int (2.0 will do, true and 2.5 will not); None if absent."""
    if key not in body:
        return None
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ControlError(f"{key} must be a whole number, not {value!r:.40}")
    return int(value)


def world_size(body: dict, key: str, default: int | None, lowest: int) -> int | None:
    """`body[key]` as a whole number from `lowest` to MAX_WORLD_SIZE (default if absent)."""
    value = whole_number(body, key)
    if value is None:
        return default
    if not lowest <= value <= MAX_WORLD_SIZE:
        raise ControlError(f"{key} must be between {lowest} and {MAX_WORLD_SIZE}")
    return value


def role_of(state: MockState, user_id: int) -> str:
    world = state.world
    if any(user_id in e.admin_user_ids for e in world.events.values()):
        return "host"
    if any(s.user_id == user_id for s in world.speakers.values()):
        return "speaker"
    return "attendee"


def world_summary(state: MockState, limit: int | None = None) -> WorldSummary:
    world, store, now = state.world, state.store, state.clock.now()
    events_by_id = {e.id: e for e in world.events.values()}
    token_roles = {token: role for role, token in cases.TOKENS.items()}
    sessions = sorted(world.sessions.values(), key=lambda s: s.id)[:limit]
    return {
        "seed": world.seed,
        "clock": state.clock.snapshot(),
        "events": [{"eventurl": e.url, "eventId": e.id, "name": e.name,
                    "adminUserIds": list(e.admin_user_ids)} for e in world.events.values()],
        "users": [{
            "userId": u.id, "name": u.full_name, "email": u.email, "role": role_of(state, u.id),
            "case": token_roles.get(u.token), "token": u.token,
            "tickets": [{"eventTicketId": t.id, "eventurl": events_by_id[t.event_id].url,
                         "ticketType": world.ticket_types[t.ticket_type_id].name,
                         "sessionsPermitted": world.ticket_types[t.ticket_type_id].sessions_permitted}
                        for t in world.tickets.values() if t.user_id == u.id],
        } for u in world.users.values()],
        "sessions": [{
            "sessionId": s.id, "eventurl": events_by_id[s.event_id].url, "title": s.title,
            "format": str(s.format), "phase": rules.phase(s, now), "status": s.status,
            "hideSessionFromAttendees": s.hide_from_attendees,
            "startTime": format_time(s.start), "endTime": format_time(s.end),
            "capacity": s.capacity, "registrations": store.registration_count(s.id),
            "ticketTypesThatCanBeRegistered": list(s.ticket_type_ids),
            "allowedMinutesToJoinLate": s.allowed_minutes_to_join_late,
        } for s in sessions],
        "cases": {**world.cases, "tokens": {**cases.TOKENS, "unknown": cases.UNKNOWN_TOKEN},
                  "eventurl": next(iter(world.events)),
                  "otherEventurl": cases.OTHER_EVENT_URL if cases.OTHER_EVENT_URL in world.events
                  else None},
    }


def scenarios_view() -> list[ControlBody]:
    return [{"scenario": c.scenario, "status": c.status, "errorCode": c.code,
             "errorMessage": c.message, "operations": list(c.operations),
             "documentedIn": c.url, "inferred": c.inferred} for c in catalogue.CATALOGUE]


def admin_refusal(state: MockState, request: Request) -> str | None:
    """Why this request may not use the control API, or None if it may."""
    expected = state.config.admin_token
    if expected is None:
        if state.config.loopback_only:
            return None
        return "the mock listens beyond loopback: start it with --admin-token to use /__mock"
    given = request.headers.get(ADMIN_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return f"send the admin token in the {ADMIN_HEADER} header"
    return None


def snapshot(state: MockState) -> ControlBody:
    return {"seed": state.config.seed, "sessions": state.config.sessions,
            "attendees": state.config.attendees, "anchor": state.world.anchor.isoformat(),
            "clock": state.clock.snapshot(), "store": state.store.snapshot()}


def restore(state: MockState, body: dict) -> None:
    try:
        seed = whole_number(body, "seed")
        sessions = world_size(body, "sessions", None, 1)
        attendees = world_size(body, "attendees", state.config.attendees, 0)
        if seed is None or sessions is None:
            raise KeyError("seed" if seed is None else "sessions")
        state.clock.restore(body["clock"])
        state.reset(seed, sessions, parse_instant(body["anchor"]), attendees)
        state.store.restore(body["store"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ControlError(f"not a snapshot: {exc!r}") from exc


def set_clock(state: MockState, body: dict) -> None:
    try:
        if "now" in body:
            state.clock.set(parse_instant(str(body["now"])), freeze=body.get("frozen"))
        elif "frozen" in body:
            state.clock.set(state.clock.now(), freeze=bool(body["frozen"]))
        if "advanceMinutes" in body:
            state.clock.advance(timedelta(minutes=float(body["advanceMinutes"])))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ControlError(f"bad clock request: {exc}") from exc


def set_faults(state: MockState, body: dict) -> None:
    try:
        if "latencyMs" in body:
            state.latency_ms = faults.parse_range(str(body["latencyMs"]))
        if "faults" in body:
            wanted = dict(body["faults"])
            for operation, name in wanted.items():
                if name is not None and name not in faults.FAULTS:
                    raise ValueError(f"unknown fault {name!r} for {operation}")
            state.faults = {op: name for op, name in wanted.items() if name}
    except (TypeError, ValueError, OverflowError) as exc:
        raise ControlError(str(exc)) from exc


def faults_view(state: MockState) -> ControlBody:
    lo, hi = state.latency_ms
    return {"latencyMs": f"{lo}-{hi}", "faults": state.faults, "available": list(faults.FAULTS)}


def proxy_view(settings: ProxySettings) -> ControlBody:
    """The proxy's settings; of the token map, only how many tokens it maps."""
    return {"target": display(settings.target) if settings.target else None,
            "operations": sorted(settings.operations) if settings.operations is not None else None,
            "fallback": settings.fallback, "timeoutS": settings.timeout_s,
            "strict": settings.strict, "allowWrites": settings.allow_writes,
            "record": str(settings.record_dir) if settings.record_dir else None,
            "mappedTokens": len(settings.token_map)}


def _flag(body: dict, key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise ControlError(f"{key} must be true or false")
    return value


def set_proxy(state: MockState, body: dict) -> None:
    """Point the proxy at another target (null: the mock answers everything), other operations
    (null: all), or change fallback, strictness, writes and timeout. Only this process's."""
    settings = state.proxy.copy()
    target = body.get("target", settings.target)
    if target is not None and not (isinstance(target, str) and target.startswith(("http://", "https://"))):
        raise ControlError("target must be an http(s) URL ending in the API's base path, or null")
    ops = body.get("operations", sorted(settings.operations) if settings.operations else None)
    if ops is not None:
        if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
            raise ControlError("operations must be a list of operationIds, or null for all")
        unknown = sorted(set(ops) - operations().keys())
        if unknown:
            raise ControlError(f"unknown operationId(s): {', '.join(unknown)}")
    timeout = body.get("timeoutS", settings.timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 600:
        raise ControlError("timeoutS must be a number of seconds above 0 and at most 600")
    settings.target = target
    settings.operations = frozenset(ops) if ops is not None else None
    settings.timeout_s = float(timeout)
    settings.fallback = _flag(body, "fallback", settings.fallback)
    settings.strict = _flag(body, "strict", settings.strict)
    settings.allow_writes = _flag(body, "allowWrites", settings.allow_writes)
    state.proxy = settings


Endpoint = Callable[[Request], Awaitable[Response]]


def control_routes(state: MockState) -> list[Route]:
    """Routes under /__mock, bound to one mock's state."""

    def guarded(handler: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            refusal = admin_refusal(state, request)
            if refusal is not None:
                return error_response(catalogue.transport(Transport.ADMIN_TOKEN_REQUIRED), refusal)
            try:
                await state.sync()
                return await handler(request)
            except ControlError as exc:
                return error_response(exc.case, str(exc))
        return endpoint

    async def index(_: Request) -> Response:
        return json_response({"endpoints": [
            "GET /__mock/world", "POST /__mock/reset", "GET|PUT /__mock/clock",
            "GET|PUT /__mock/state", "GET /__mock/journal", "GET /__mock/scenarios",
            "GET|PUT /__mock/scenario",
            "GET|PUT /__mock/faults", "GET|PUT /__mock/proxy",
            "GET|DELETE /__mock/violations"], "spec": "/__mock/openapi.yaml",
                              "panel": "/__mock/ui/", "socket": "/__mock/socket?token=TOKEN"})

    async def spec(_: Request) -> Response:
        return FileResponse(CONTROL_SPEC, media_type="application/yaml")

    async def world(request: Request) -> Response:
        limit = request.query_params.get("limit")
        if limit is not None and not limit.isdigit():
            raise ControlError("limit must be a whole number")
        return json_response(world_summary(state, int(limit) if limit else None))

    async def reset(request: Request) -> Response:
        body = await read_json(request)
        seed = whole_number(body, "seed")
        size = world_size(body, "sessions", None, 1)
        attendees = world_size(body, "attendees", None, 0)
        await state.transact(lambda: state.reset(seed, size, attendees=attendees))
        return json_response({"seed": state.config.seed, "sessions": state.config.sessions,
                              "attendees": state.config.attendees})

    async def clock(request: Request) -> Response:
        if request.method == "PUT":
            body = await read_json(request)
            await state.transact(lambda: set_clock(state, body))
        return json_response(state.clock.snapshot())

    async def snapshot_route(request: Request) -> Response:
        if request.method == "PUT":
            body = await read_json(request)
            await state.transact(lambda: restore(state, body))
        return json_response(snapshot(state))

    async def journal(request: Request) -> Response:
        since = request.query_params.get("since", "0")
        limit = request.query_params.get("limit", "0")
        if not (since.isdigit() and limit.isdigit()):
            raise ControlError("since and limit are whole numbers")
        entries = await state.journal_entries(int(since), int(limit) or None)
        return json_response({"entries": entries})

    async def scenarios(_: Request) -> Response:
        return json_response({"scenarios": scenarios_view()})

    async def scenario(request: Request) -> Response:
        if request.method == "PUT":
            body = await read_json(request)
            try:
                await state.transact(lambda: state.force(body.get("scenario"), body.get("calls")))
            except (TypeError, ValueError) as exc:
                raise ControlError(str(exc)) from exc
        return json_response({"scenario": state.scenario, "calls": state.scenario_calls})

    async def faults_route(request: Request) -> Response:
        if request.method == "PUT":
            body = await read_json(request)
            await state.transact(lambda: set_faults(state, body))
        return json_response(faults_view(state))

    async def proxy(request: Request) -> Response:
        if request.method == "PUT":
            set_proxy(state, await read_json(request))
        return json_response(proxy_view(state.proxy))

    async def violations(request: Request) -> Response:
        if request.method == "DELETE":
            state.findings.clear()
        return json_response(state.findings.view())

    table = [
        ("/__mock", index, ["GET"]), ("/__mock/openapi.yaml", spec, ["GET"]),
        ("/__mock/world", world, ["GET"]),
        ("/__mock/reset", reset, ["POST"]), ("/__mock/clock", clock, ["GET", "PUT"]),
        ("/__mock/state", snapshot_route, ["GET", "PUT"]),
        ("/__mock/journal", journal, ["GET"]), ("/__mock/scenarios", scenarios, ["GET"]),
        ("/__mock/scenario", scenario, ["GET", "PUT"]),
        ("/__mock/faults", faults_route, ["GET", "PUT"]),
        ("/__mock/proxy", proxy, ["GET", "PUT"]),
        ("/__mock/violations", violations, ["GET", "DELETE"]),
    ]
    return [Route(path, guarded(handler), methods=methods) for path, handler, methods in table]
