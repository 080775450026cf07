"""What the repository's `schemathesis.toml` loads (`hooks = ...`) so that the plain
`schemathesis run openapi.yaml` reaches every operation: the tokens, and the event and sessions
the spec's path-parameter examples name, for our mock by default or for staging.

Schemathesis reads `${VAR}` in its config file but has no default for a variable that is unset,
so the values that differ per target are read here, from the harness's own variables
(`CONTRACT_TOKEN`, `CONTRACT_HOST_TOKEN`, `CONTRACT_EVENT_URL`, `CONTRACT_TARGET_CONFIG`: see
`options.py`), with the mock's values (`contract/cases.py`, the spec's examples) for any unset.
Nothing here is asked of the mock: the spec's examples already name its sessions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from accelevents_mock.contract.cases import EVENT_URL, TOKENS, Cases, Role, SessionCase
from accelevents_mock.harness.options import BY_DEST
from accelevents_mock.harness.targets import cases_from_config

CREDENTIAL_HEADER = "Authorization"  # the scheme the API reads first (openapi.yaml, securitySchemes)
HOST_TAG = "host"  # the spec's tag of the operations only an event admin may call
SESSION_CASE = "x-session-case"  # the spec's mark: which named session a path example is
EVENT_PARAMETER = "eventurl"
FIRST_ITEM = "#/data/0/"  # a link expression that hands over the first listed session
# What the guides' step 1 lists by: the format, and (`past=false`) what can still be joined.
GUIDE_LIST = frozenset({"expand", "sessionFormat"})
OPEN_SESSIONS = {"past": "false"}


def target_cases(env: Mapping[str, str]) -> Cases:
    """The target's event, sessions and tokens: the target config (`CONTRACT_TARGET_CONFIG`) if
    named, the single variables over it, and the mock's event and tokens for what is still unset.
    Sessions left unset keep the spec's examples (the mock's)."""
    path = env.get(BY_DEST["target_config"].env)
    cases = cases_from_config(Path(path)) if path else Cases("the mock's defaults")
    cases.eventurl = env.get(BY_DEST["event_url"].env) or cases.eventurl or EVENT_URL
    for role, dest in ((Role.ATTENDEE, "token"), (Role.HOST, "host_token")):
        cases.tokens[role] = env.get(BY_DEST[dest].env) or cases.token(role) or TOKENS[role]
    return cases


def _parameters(raw_schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every parameter object of the spec: the shared ones and each operation's own."""
    yield from raw_schema.get("components", {}).get("parameters", {}).values()
    for path_item in raw_schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                yield from (p for p in operation.get("parameters", []) if "$ref" not in p)


def point_examples_at(raw_schema: dict[str, Any], cases: Cases) -> None:
    """Put the target's event and sessions in the path parameters' examples (which the examples
    and coverage phases send as they are and the fuzzing phase mixes into valid data)."""
    for parameter in _parameters(raw_schema):
        if parameter.get("in") != "path":
            continue
        if parameter.get("name") == EVENT_PARAMETER and cases.eventurl:
            parameter["example"] = cases.eventurl
        for example in (parameter, *parameter.get("examples", {}).values()):
            session = cases.session(SessionCase(example[SESSION_CASE])) if SESSION_CASE in example else None
            if session is not None:
                example["value" if example is not parameter else "example"] = session


CASES = target_cases(os.environ)


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    point_examples_at(raw_schema, CASES)


def hands_over_first_item(operation: dict[str, Any]) -> bool:
    """Whether one of the operation's links passes on the first item of the list it answers."""
    links = (link for response in operation.get("responses", {}).values()
             for link in response.get("links", {}).values())
    return any(FIRST_ITEM in str(value) for link in links for value in link.get("parameters", {}).values())


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Valid data goes to the target's event: any other slug is as valid to the schema but only
    ever answers 404, so nothing behind it is reached. In the stateful phase, a list whose link
    hands on its first session is also asked unfiltered: random filters and pages list nothing,
    and the link then has no session to pass on (the other phases still send every filter).
    Negative cases are left as drawn, invalid event included."""
    meta = case.meta
    if meta is None or meta.generation.mode is not GenerationMode.POSITIVE:
        return case
    if case.path_parameters and EVENT_PARAMETER in case.path_parameters and CASES.eventurl:
        case.path_parameters[EVENT_PARAMETER] = CASES.eventurl
    if meta.phase.name is TestPhase.STATEFUL and hands_over_first_item(case.operation.definition.raw):
        known = {parameter.name for parameter in case.operation.query}
        kept = {name: value for name, value in (case.query or {}).items() if name in GUIDE_LIST}
        case.query = {**kept, **{name: value for name, value in OPEN_SESSIONS.items() if name in known}}
    return case


class _Token:
    """One fixed token in the header the API reads first, so no other credential header is sent
    beside it. Fixed tokens never need a refresh, and a 401 must not fetch another."""

    role = Role.ATTENDEE

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str | None:
        return CASES.token(self.role)

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers[CREDENTIAL_HEADER] = data  # a case always has its headers


@schemathesis.auth(refresh_interval=None, retry_on=[]).skip_for(tag=HOST_TAG)
class AttendeeToken(_Token):
    role = Role.ATTENDEE


@schemathesis.auth(refresh_interval=None, retry_on=[]).apply_to(tag=HOST_TAG)
class HostToken(_Token):
    role = Role.HOST
