"""Whether a call may be steered, read cheaply from its ASGI scope: by the server's standing
scenario, faults or latency, a steering header, the scenario cookie or the `__scenario` query
parameter. The fast path and the response cache leave such a call to Connexion's endpoint,
which reads its steering in full (`Operations.steering`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import Scope

from accelevents_mock.steering import faults, forcing

if TYPE_CHECKING:
    from accelevents_mock.runtime.state import MockState

STEERING_HEADERS = frozenset(name.encode() for name in (
    forcing.PREFER_HEADER, forcing.SCENARIO_HEADER, faults.LATENCY_HEADER, faults.FAULT_HEADER))
SCENARIO_COOKIE = forcing.SCENARIO_COOKIE.encode()
SCENARIO_QUERY = forcing.SCENARIO_QUERY.encode()


def may_steer(state: MockState, scope: Scope) -> bool:
    return server_steers(state) or request_steers(scope)


def server_steers(state: MockState) -> bool:
    """The server's standing scenario, faults or latency (the control API sets them)."""
    return state.controls.steer


def request_steers(scope: Scope) -> bool:
    """A steering header, the scenario cookie or the `__scenario` query parameter."""
    if SCENARIO_QUERY in scope.get("query_string", b""):
        return True
    for name, value in scope["headers"]:
        if name in STEERING_HEADERS or name == b"cookie" and SCENARIO_COOKIE in value:
            return True
    return False
