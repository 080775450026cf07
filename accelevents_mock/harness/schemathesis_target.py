"""The target the plain `schemathesis run openapi.yaml` tests through the repository's
`schemathesis.toml`: its tokens, event and sessions, for our mock by default or for staging.
`schemathesis_hooks` hands these to Schemathesis; nothing here registers anything.
The mock's values (`contract/cases.py`, the spec's examples) stand for whatever is unset.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from accelevents_mock.contract.cases import EVENT_URL, TOKENS, Cases, Role, SessionCase
from accelevents_mock.harness.options import BY_DEST
from accelevents_mock.harness.targets import cases_from_config

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


def hands_over_first_item(operation: dict[str, Any]) -> bool:
    """Whether one of the operation's links passes on the first item of the list it answers."""
    links = (link for response in operation.get("responses", {}).values()
             for link in response.get("links", {}).values())
    return any(FIRST_ITEM in str(value) for link in links for value in link.get("parameters", {}).values())


def guide_query(query: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    """A list's query as the guides' step 1 asks it: the drawn format and `expand` kept, the
    sessions that can still be joined (`past=false` where the list has it), the first page."""
    kept = {name: value for name, value in query.items() if name in GUIDE_LIST}
    return {**kept, **{name: value for name, value in OPEN_SESSIONS.items() if name in known}}
