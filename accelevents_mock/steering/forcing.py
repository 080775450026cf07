"""Forcing a documented response without touching the world.

Prism-compatible `Prefer: code=406` / `Prefer: example=<name>`, and for browsers and tools
that cannot set headers: a scenario named by the `X-Mock-Scenario` header, the `mock_scenario`
cookie or the `__scenario` query parameter. Forced bodies are the spec's own examples, so
they match the contract by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.spec import response_examples

SCENARIO_HEADER = "x-mock-scenario"
PREFER_HEADER = "prefer"  # Prism's `Prefer: code=406, example=...`, read the same way
SCENARIO_COOKIE = "mock_scenario"
SCENARIO_QUERY = "__scenario"
FORCED_HEADER = "X-Mock-Forced"


@dataclass(frozen=True, slots=True)
class Forced:
    status: int
    body: object | None  # None: answer naturally with this status (only 200)
    label: str


class ForcingError(ValueError):
    """The request asked for something this operation cannot answer."""


def parse_prefer(value: str | None) -> dict[str, str]:
    """`Prefer: code=406, example=capacity-reached` -> {"code": "406", "example": "..."}."""
    prefs: dict[str, str] = {}
    for part in (value or "").replace(";", ",").split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            prefs[key.strip().lower()] = val.strip().strip('"')
    return prefs


def requested_scenario(headers: Mapping[str, str], cookies: Mapping[str, str],
                       query: Mapping[str, str]) -> str | None:
    return headers.get(SCENARIO_HEADER) or query.get(SCENARIO_QUERY) or cookies.get(SCENARIO_COOKIE)


def resolve(operation: str, headers: Mapping[str, str], cookies: Mapping[str, str],
            query: Mapping[str, str], standing: str | None = None) -> Forced | None:
    """What the request (or else the `standing` scenario set on the server) forces for
    `operation`, or None to answer from the world."""
    examples = response_examples()[operation]
    scenario = requested_scenario(headers, cookies, query) or standing
    if scenario:
        forced = _by_scenario(operation, scenario, examples)
        if forced:
            return forced
    prefs = parse_prefer(headers.get(PREFER_HEADER))
    if "example" in prefs:
        return _by_example(operation, prefs["example"], examples)
    if "code" in prefs:
        return _by_code(operation, prefs["code"], examples)
    return None


def _by_scenario(operation: str, scenario: str, examples: dict) -> Forced | None:
    if scenario not in catalogue.SCENARIOS:
        raise ForcingError(f"unknown scenario {scenario!r}; GET /__mock/scenarios lists them")
    case = catalogue.lookup(scenario, operation)
    if case is None:
        return None  # a scenario for other operations: this one answers naturally
    return Forced(case.status, examples[case.status][scenario], f"scenario={scenario}")


def _by_example(operation: str, name: str, examples: dict) -> Forced:
    for status, named in examples.items():
        if name in named:
            return Forced(status, named[name], f"example={name}")
    raise ForcingError(f"{operation} has no example named {name!r}")


def _by_code(operation: str, code: str, examples: dict) -> Forced:
    if not code.isdigit() or int(code) not in examples:
        raise ForcingError(f"{operation} documents no {code} response")
    status = int(code)
    named = examples[status]
    if named:
        name, body = next(iter(named.items()))
        return Forced(status, body, f"code={status} example={name}")
    if status == 200:
        return Forced(status, None, "code=200")
    raise ForcingError(f"{operation} has no example for {status}")
