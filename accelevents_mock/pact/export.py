"""The mock's traffic as a Pact file (specification 3.0.0): `GET /__mock/pact`.

Each API call since the last reset becomes one interaction: the request as it was sent (no
credential: the verifier adds one with `--header`), and the status, Content-Type and body the
mock answered, with matching rules that make the file hold in another world:

- the body is matched by type (`$`), arrays by the type of their items and any length; an
  error's `errorCode` is matched exactly;
- fields the contract allows to be null are left out of the expected body (Pact has no
  "string or null"), as are fields that were null: what is left must be there, with its type;
- the session in the path comes from the provider state (`${sessionId}`), whose parameters say
  what the call needed of it (`states.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from accelevents_mock import __version__
from accelevents_mock.contract.schema import response_schema
from accelevents_mock.contract.spec import BASE_PATH, Document, Operation, match
from accelevents_mock.domain import rules
from accelevents_mock.domain.models import World
from accelevents_mock.pact.capture import WHERE, Exchange, exchange_log
from accelevents_mock.pact.schemas import items, nullable, properties
from accelevents_mock.pact.states import EXPORTED_STATE, UNKNOWN, StateParams
from accelevents_mock.runtime.state import MockState

PACT_SPECIFICATION = "3.0.0"
DEFAULT_PROVIDER = "accelevents-session-api"
# The request headers a pact keeps: what changes the answer, never a credential.
KEPT_REQUEST_HEADERS = ("content-type", "accept", "prefer", "x-mock-scenario", "x-mock-fault")
TYPE = {"match": "type"}
ANY_LENGTH = {"match": "type", "min": 0}
EXACT = {"match": "equality"}
JSON_CONTENT = {"match": "regex", "regex": r"^application/json.*$"}
Pact = dict[str, Any]
Rules = dict[str, dict[str, Any]]


def pact(state: MockState, consumer: str, provider: str = DEFAULT_PROVIDER,
         role: str | None = None) -> Pact:
    """The calls made since the last reset (of `role`'s token only, if given) as a pact."""
    calls = [x for x in exchange_log(state).since_reset(state.generation)
             if role is None or x.standing.role == role]
    return {"consumer": {"name": consumer}, "provider": {"name": provider},
            "interactions": [interaction(state, n, x) for n, x in enumerate(calls, 1)],
            "metadata": {"pactSpecification": {"version": PACT_SPECIFICATION},
                         "accelevents-mock": {"version": __version__, "seed": state.world.seed}}}


def interaction(state: MockState, number: int, call: Exchange) -> Pact:
    below = call.path.removeprefix(BASE_PATH)
    operation = match(call.method, below)
    where = WHERE.match(call.path)
    session = int(where["session"]) if where and where["session"] else None
    params = provider_params(state, call, session)
    label = operation.operation_id if operation else f"{call.method} {below}"
    return {"description": f"call {number}: {label} → {call.status}{_about(params)}",
            "providerStates": [{"name": EXPORTED_STATE, "params": params}],
            "request": request(call, operation, session),
            "response": response(call, operation)}


def _about(params: StateParams) -> str:
    facts = [f"{params['case']} session" if "case" in params else "",
             "registered" if params.get("registered") else "",
             "joined" if params.get("joined") else "", params.get("role") or ""]
    shown = ", ".join(fact for fact in facts if fact)
    return f" ({shown})" if shown else ""


def describe_session(state: MockState, session_id: int) -> StateParams:
    """What a call needed of its session: its named case, or its format, phase and seats."""
    world = state.world
    for name, value in world.cases.items():
        if value == session_id and name.endswith("_session"):
            return {"case": name.removesuffix("_session")}
    session = world.sessions.get(session_id)
    if session is None:
        return {"case": UNKNOWN}
    taken = state.store.registration_count(session_id)
    return {"format": str(session.format), "phase": rules.phase(session, state.clock.now()),
            "full": bool(session.capacity) and taken >= session.capacity,
            "restricted": bool(session.ticket_type_ids)}


def provider_params(state: MockState, call: Exchange, session: int | None) -> StateParams:
    held = call.standing.registrations
    params: StateParams = {"role": call.standing.role} if call.standing.role else {}
    named = _named_sessions(state.world)
    others = [{"case": named[sid], "joined": joined} if joined else {"case": named[sid]}
              for sid, joined in sorted(held.items()) if sid != session and sid in named]
    if others:
        params["registeredFor"] = others
    if session is not None:
        params.update(describe_session(state, session))
        params["registered"] = session in held
        params["joined"] = held.get(session, False)
    return params


def _named_sessions(world: World) -> dict[int, str]:
    return {value: name.removesuffix("_session") for name, value in world.cases.items()
            if name.endswith("_session") and isinstance(value, int)}


def request(call: Exchange, operation: Operation | None, session: int | None) -> Pact:
    out: Pact = {"method": call.method, "path": call.path}
    query = parse_qs(call.query.decode("latin-1"), keep_blank_values=True)
    if query:
        out["query"] = query
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in call.request_headers
               if name.decode("latin-1") in KEPT_REQUEST_HEADERS}
    if headers:
        out["headers"] = headers
    if call.request_body:
        out["body"] = _json_or_text(call.request_body)
    if session is not None and operation is not None:
        template = BASE_PATH + operation.path
        for name in ("{sessionId}", "{id}"):
            template = template.replace(name, "${sessionId}")
        eventurl = WHERE.match(call.path)
        if eventurl:
            template = template.replace("{eventurl}", eventurl["eventurl"])
        out["generators"] = {"path": {"type": "ProviderState", "expression": template,
                                      "dataType": "STRING"}}
    return out


def response(call: Exchange, operation: Operation | None) -> Pact:
    out: Pact = {"status": call.status}
    headers = dict((n.decode("latin-1").lower(), v.decode("latin-1"))
                   for n, v in call.response_headers or ())
    content_type = headers.get("content-type")
    if content_type:
        out["headers"] = {"Content-Type": content_type}
        out["matchingRules"] = {"header": {"Content-Type": {"matchers": [JSON_CONTENT]}}}
    if not call.response_body:
        return out
    body = _json_or_text(call.response_body)
    schema = _schema(operation, call.status)
    body_rules: Rules = {"$": {"matchers": [TYPE]}}
    shaped = shape(body, schema, "$", body_rules)
    out["body"] = shaped if shaped is not _DROPPED else {}
    if call.status >= 400 and isinstance(body, dict) and "errorCode" in body:
        body_rules["$.errorCode"] = {"matchers": [EXACT]}
    out.setdefault("matchingRules", {})["body"] = body_rules
    return out


def _schema(operation: Operation | None, status: int) -> Document:
    if operation is None or status not in operation.statuses():
        return {}
    return response_schema(operation.operation_id, status) or {}


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")


_DROPPED = object()  # a field left out of the expected body


def shape(value: Any, schema: Mapping[str, Any], path: str, body_rules: Rules) -> Any:
    """The expected body at `path`: what any world must answer there, with arrays' rules."""
    if value is None or nullable(schema):
        return _DROPPED
    if isinstance(value, dict):
        declared = properties(schema)
        kept = {key: shape(item, declared.get(key, {}), _child(path, key), body_rules)
                for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not _DROPPED}
    if isinstance(value, list):
        body_rules[path] = {"matchers": [ANY_LENGTH]}
        first = shape(value[0], items(schema), f"{path}[*]", body_rules) if value else _DROPPED
        return [] if first is _DROPPED else [first]
    return value


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}['{key}']"
