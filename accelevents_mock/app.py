"""The mock as one ASGI app: the request path declared as one list of layers, outermost first.

A request passes down `request_path` in order. Calls under BASE_PATH (/rest) go all the way
to the API; everything else (the spec, Swagger UI, the control API, its socket and the panel)
leaves at `ApiFirst` for its route. An API call is answered by the first of: the proxy (when it
forwards), the response cache (a repeated GET), the fast path (a plainly valid call), or
Connexion, which validates it and calls the same handler.
"""

from __future__ import annotations

from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from accelevents_mock.api.build import build_api
from accelevents_mock.api.fastpath import FastPath
from accelevents_mock.api.handlers import Operations
from accelevents_mock.config import MockConfig
from accelevents_mock.contract.spec import BASE_PATH, SPEC_PATH
from accelevents_mock.control.routes import PanelFiles, control_routes
from accelevents_mock.control.socket import socket_route
from accelevents_mock.middleware.cors import Cors, cors_options
from accelevents_mock.middleware.journaled import Journaled
from accelevents_mock.middleware.limits import RequestLimits
from accelevents_mock.middleware.response_cache import ResponseCache
from accelevents_mock.middleware.routing import ApiFirst
from accelevents_mock.middleware.shared_store import SharedStore
from accelevents_mock.pact.capture import Captured
from accelevents_mock.proxy.forward import Proxy
from accelevents_mock.runtime.state import MockState

PANEL_DIR = Path(__file__).parent / "control" / "ui"  # the control panel: plain HTML/JS/CSS


def request_path(state: MockState, operations: Operations) -> list[Middleware]:
    """Every layer a request may pass through, outermost first; a layer the configuration
    does not need is left out."""
    config = state.config
    shared = config.store is not None  # a mock on its own has no store to lose, nobody to catch up with
    layers = [
        (Middleware(Cors, **cors_options(config.cors_origins)), bool(config.cors_origins)),
        (Middleware(RequestLimits), True),  # 413 / 431 before anything reads the request
        (Middleware(ApiFirst, routes=server_routes(state)), True),  # the rest of the server leaves here
        (Middleware(Journaled, state=state), True),  # every API call into the journal
        (Middleware(Captured, state=state), config.pact_capture),  # kept for the Pact export
        (Middleware(Proxy, state=state), True),  # forwarded to the target, when set to
        (Middleware(SharedStore, state=state), shared),  # the world as every worker left it; else a JSON 503
        (Middleware(ResponseCache, state=state), config.response_cache),  # a repeated GET
        (Middleware(FastPath, operations=operations), config.fast_path),  # a plainly valid call
    ]
    return [layer for layer, wanted in layers if wanted]


def server_routes(state: MockState) -> list[BaseRoute]:
    """What the server answers besides the API."""
    async def spec_file(_: Request) -> Response:
        return FileResponse(SPEC_PATH, media_type="application/yaml")

    async def swagger_ui(_: Request) -> Response:
        return RedirectResponse(f"{BASE_PATH}/ui/")

    return [Route("/openapi.yaml", spec_file), Route("/ui", swagger_ui), Route("/", swagger_ui),
            *control_routes(state), socket_route(state),
            Mount("/__mock/ui", PanelFiles(directory=PANEL_DIR, html=True))]


def wrap(app: ASGIApp, layers: list[Middleware]) -> ASGIApp:
    """`app` inside `layers`, the first outermost (as Starlette builds its middleware)."""
    for cls, args, kwargs in reversed(layers):
        app = cls(app, *args, **kwargs)
    return app


class MockApp:
    """The whole mock as one ASGI app, with the MockState behind it (`app.state`), which tests,
    the plugin and the CLI read."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:
            await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Start-up needs nothing; at shutdown the state keeps what it must (the journal)."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.state.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(config: MockConfig | None = None, state: MockState | None = None) -> MockApp:
    """The whole mock as one ASGI app: the request path around Connexion's API."""
    state = state or MockState(config)
    operations = Operations(state)
    return MockApp(wrap(build_api(operations), request_path(state, operations)), state)
