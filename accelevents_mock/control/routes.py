"""The /__mock/ control API's routes: see and steer the world (outside the public contract).

Each route parses its request (`parsing`), shows a view (`views`) or runs a command (`commands`)
inside `MockState.transact`; every route asks `access` first. GET /__mock lists the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from accelevents_mock.api.errors import unavailable_body
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.control.access import admin_refusal
from accelevents_mock.control.commands import restore, set_clock, set_faults
from accelevents_mock.control.parsing import ControlBody, ControlError, read_json, whole_number, world_size
from accelevents_mock.control.views import faults_view, scenarios_view, snapshot, world_summary
from accelevents_mock.http import JSON, error_response, json_response
from accelevents_mock.runtime.state import MockState
from accelevents_mock.store import StoreUnavailable

CONTROL_SPEC = Path(__file__).with_name("openapi.yaml")
Endpoint = Callable[[Request], Awaitable[Response]]


def control_routes(state: MockState) -> list[Route]:
    """Routes under /__mock, bound to one mock's state."""

    def guarded(handler: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            refusal = admin_refusal(state.config, request)
            if refusal is not None:
                return error_response(catalogue.transport(Transport.ADMIN_TOKEN_REQUIRED), refusal)
            try:
                await state.sync()
                return await handler(request)
            except ControlError as exc:
                return error_response(exc.case, str(exc))
            except StoreUnavailable as exc:  # the shared store out of reach
                status, body, headers = unavailable_body(exc)
                return Response(body, status, headers, media_type=JSON)
        return endpoint

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
                await state.transact(lambda: state.controls.force(body.get("scenario"),
                                                                  body.get("calls")))
            except (TypeError, ValueError) as exc:
                raise ControlError(str(exc)) from exc
        return json_response({"scenario": state.controls.scenario,
                              "calls": state.controls.scenario_calls})

    async def faults_route(request: Request) -> Response:
        if request.method == "PUT":
            body = await read_json(request)
            await state.transact(lambda: set_faults(state, body))
        return json_response(faults_view(state))

    async def proxy(request: Request) -> Response:
        if request.method == "PUT":
            try:
                state.proxy.change(await read_json(request))
            except ValueError as exc:
                raise ControlError(str(exc)) from exc
        return json_response(state.proxy.view())

    async def violations(request: Request) -> Response:
        if request.method == "DELETE":
            state.proxy.findings.clear()
        return json_response(state.proxy.findings.view())

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/__mock/openapi.yaml", spec, ["GET"]),
        ("/__mock/world", world, ["GET"]),
        ("/__mock/reset", reset, ["POST"]), ("/__mock/clock", clock, ["GET", "PUT"]),
        ("/__mock/state", snapshot_route, ["GET", "PUT"]),
        ("/__mock/journal", journal, ["GET"]), ("/__mock/scenarios", scenarios, ["GET"]),
        ("/__mock/scenario", scenario, ["GET", "PUT"]),
        ("/__mock/faults", faults_route, ["GET", "PUT"]),
        ("/__mock/proxy", proxy, ["GET", "PUT"]),
        ("/__mock/violations", violations, ["GET", "DELETE"]),
    ]
    index = index_of(table)

    async def index_route(_: Request) -> Response:
        return json_response(index)

    table.insert(0, ("/__mock", index_route, ["GET"]))
    return [Route(path, guarded(handler), methods=methods) for path, handler, methods in table]


def index_of(table: list[tuple[str, Endpoint, list[str]]]) -> ControlBody:
    """GET /__mock: every endpoint of the table, and where the spec, panel and socket are."""
    endpoints = [f"{'|'.join(methods)} {path}" for path, _, methods in table
                 if path != "/__mock/openapi.yaml"]
    return {"endpoints": endpoints, "spec": "/__mock/openapi.yaml", "panel": "/__mock/ui/",
            "socket": "/__mock/socket?token=TOKEN"}
