"""The /__mock/ control API's routes: see and steer the world (outside the public contract).

Each route parses its request (`parsing`), shows a view (`views`) or runs a command (`commands`)
inside `MockState.transact`; every route asks `access` first. GET /__mock lists the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from accelevents_mock.api.errors import unavailable_body
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.control.access import admin_refusal
from accelevents_mock.control.commands import restore, set_clock, set_faults
from accelevents_mock.control.parsing import (
    CONTROL_SPEC,
    ControlBody,
    ControlError,
    read_json,
    whole_number,
    world_size,
)
from accelevents_mock.control.views import faults_view, scenarios_view, snapshot, world_summary
from accelevents_mock.http import JSON, error_response, json_response
from accelevents_mock.pact.endpoints import pact_table
from accelevents_mock.runtime.state import MockState
from accelevents_mock.store import StoreUnavailable

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
        await state.transact(lambda: state.reset_to_start(seed, size, attendees))
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
        *pact_table(state),
    ]
    index = index_of(table)

    async def index_route(_: Request) -> Response:
        return json_response(index)

    table.insert(0, ("/__mock", index_route, ["GET"]))
    return [ControlRoute(path, guarded(handler), methods=methods)
            for path, handler, methods in table]


class PanelFiles(StaticFiles):
    """The panel's files; a missing file or a method other than GET answered in the documented
    error body (StaticFiles raises HTTPException, which nothing here would catch)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except HTTPException as exc:
            scenario = Transport.METHOD_NOT_ALLOWED if exc.status_code == 405 else Transport.NOT_FOUND
            await error_response(catalogue.transport(scenario), f"{scope['path']}: {exc.detail}",
                                 headers=dict(exc.headers or {}))(scope, receive, send)


class ControlRoute(Route):
    """A route that answers a method it does not take in the documented error body (Starlette's
    own 405 is plain text)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            allowed = ", ".join(sorted(self.methods))
            response = error_response(catalogue.transport(Transport.METHOD_NOT_ALLOWED),
                                      f"{self.path} takes {allowed}", headers={"Allow": allowed})
            await response(scope, receive, send)
        else:
            await super().handle(scope, receive, send)


def index_of(table: list[tuple[str, Endpoint, list[str]]]) -> ControlBody:
    """GET /__mock: every endpoint of the table, and where the spec, panel and socket are."""
    endpoints = [f"{'|'.join(methods)} {path}" for path, _, methods in table
                 if path != "/__mock/openapi.yaml"]
    return {"endpoints": endpoints, "spec": "/__mock/openapi.yaml", "panel": "/__mock/ui/",
            "socket": "/__mock/socket?token=TOKEN"}
