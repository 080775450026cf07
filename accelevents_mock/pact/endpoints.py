"""The two control endpoints of the Pact support, as rows of the /__mock route table
(`control/routes.py` guards them like its own): the export and the state-change URL."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from accelevents_mock.contract import cases, catalogue
from accelevents_mock.http import error_response, json_response
from accelevents_mock.pact.capture import exchange_log
from accelevents_mock.pact.export import DEFAULT_PROVIDER, pact
from accelevents_mock.pact.states import StateError, StateValues, set_up
from accelevents_mock.runtime.state import MockState

EXPORT_PATH = "/__mock/pact"
STATES_PATH = "/__mock/pact/states"
MAX_STATE_BODY = 64 * 1024  # a state change is a name and a few parameters
ACTIONS = ("setup", "teardown")

Endpoint = Callable[[Request], Awaitable[Response]]


def bad_request(message: str) -> Response:
    return error_response(catalogue.BAD_REQUEST, message)


def pact_table(state: MockState) -> list[tuple[str, Endpoint, list[str]]]:
    """(path, handler, methods) of the Pact endpoints, bound to one mock's state."""
    log = exchange_log(state)
    calls_at_last_setup: list[int | None] = [None]  # the log's call count at the last set-up

    async def export(request: Request) -> Response:
        query = request.query_params
        consumer, role = query.get("consumer", "").strip(), query.get("role")
        if not consumer:
            return bad_request("name the consumer: GET /__mock/pact?consumer=NAME[&provider=NAME]")
        if role is not None and role not in cases.TOKENS:
            return bad_request(f"unknown role {role!r}; known: {', '.join(map(str, cases.TOKENS))}")
        provider = query.get("provider", "").strip() or DEFAULT_PROVIDER
        return json_response(pact(state, consumer, provider, role))

    async def change_state(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if len(raw) <= MAX_STATE_BODY else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("state"), str):
            return bad_request('send {"state": NAME, "params": {...}, "action": "setup"} as JSON')
        params, action = body.get("params") or {}, body.get("action", "setup")
        if action not in ACTIONS or not isinstance(params, dict):
            return bad_request(f"action is one of {', '.join(ACTIONS)}; params is an object")
        if action == "teardown":  # the next interaction's set-up starts the world afresh
            return json_response({})
        # The verifier makes one API call per interaction: a set-up after a call is the next
        # interaction's first, and starts from a fresh world.
        fresh = calls_at_last_setup[0] != log.calls
        try:
            values: StateValues = await state.transact(
                lambda: set_up(state, body["state"], params, fresh))
        except StateError as exc:
            return bad_request(str(exc))
        calls_at_last_setup[0] = log.calls
        return json_response(values)

    return [(EXPORT_PATH, export, ["GET"]), (STATES_PATH, change_state, ["POST"])]
