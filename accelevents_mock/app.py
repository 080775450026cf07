"""Assembling the ASGI app: the Connexion API under /rest, the control API under /__mock, the
spec and Swagger UI at the root, with CORS and the request journal around them."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.uri_parsing import QUERY_STRING_DELIMITERS, OpenAPIURIParser
from connexion.validators import VALIDATOR_MAP
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.api import prepared
from accelevents_mock.api.fastpath import FastPath
from accelevents_mock.api.handlers import Operations
from accelevents_mock.api.specification import add_shipped_api
from accelevents_mock.config import MockConfig
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Scenario, Transport
from accelevents_mock.contract.spec import BASE_PATH, SPEC_PATH, allowed_methods, is_api_call, load, match
from accelevents_mock.control.routes import control_routes
from accelevents_mock.control.socket import socket_route
from accelevents_mock.http import JSON, dumps
from accelevents_mock.journal import Answered
from accelevents_mock.pact.capture import Captured
from accelevents_mock.proxy.forward import Proxy
from accelevents_mock.response_cache import ResponseCache
from accelevents_mock.state import MockState
from accelevents_mock.store import RETRY_AFTER_S, StoreUnavailable

MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 32 * 1024
PANEL_DIR = Path(__file__).parent / "control" / "ui"  # the control panel: plain HTML/JS/CSS
# Our code reads the credential itself (four header styles, the documented 401 body), and
# responses are checked against the spec by the test suites rather than on every request.
MIDDLEWARES = [m for m in ConnexionMiddleware.default_middlewares
               if m not in (SecurityMiddleware, ResponseValidationMiddleware)]
CORS_HEADERS = ["Authorization", "Key", "AUTHENTICATION", "Prefer", "X-Mock-Scenario",
                "X-Mock-Latency", "X-Mock-Fault", "Content-Type"]

# Unknown query parameters are ignored, as the real API does; Connexion logs each at ERROR.
logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)

STATUS_TO_TRANSPORT = {404: Transport.NOT_FOUND, 405: Transport.METHOD_NOT_ALLOWED,
                       413: Transport.PAYLOAD_TOO_LARGE, 415: Transport.UNSUPPORTED_MEDIA_TYPE,
                       431: Transport.HEADERS_TOO_LARGE}


def _documented_error(status: int, detail: object,
                      headers: dict | None = None) -> ConnexionResponse:
    """Turn a framework error (validation, routing) into the documented error body, keeping
    the framework's headers (a 405's Allow)."""
    scenario = STATUS_TO_TRANSPORT.get(status, Scenario.BAD_REQUEST)
    case = catalogue.transport(scenario)
    body = case.body(str(detail) if detail else None)
    return ConnexionResponse(status_code=case.status, body=dumps(body), content_type=JSON,
                             headers=dict(headers or {}))


def _problem(_: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
    if exc.status >= 500:
        return _server_error(_, exc)
    return _documented_error(exc.status, exc.detail)


def _http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
    headers = dict(exc.headers or {})
    path = request.url.path.removeprefix(BASE_PATH)
    if exc.status_code == 404 and match(request.method, path) is not None:
        # The path is a documented operation's, but a path parameter does not fit its type
        # (`/session/abc`): that is a malformed request (the documented 400), not a missing page.
        return _documented_error(400, "a path parameter does not have its documented type")
    if exc.status_code == 405:  # Connexion routes each method apart: Allow comes from the spec
        headers["Allow"] = ", ".join(allowed_methods(path))
    return _documented_error(exc.status_code, exc.detail, headers)


def _server_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    body = {"errorCode": "500", "errorMessage": "Internal Server Error",
            "developerMessage": f"mock bug: {type(exc).__name__}: {exc}"}
    return ConnexionResponse(status_code=500, body=dumps(body), content_type=JSON)


def _unavailable_body(exc: StoreUnavailable) -> tuple[int, bytes, dict[str, str]]:
    """A missing dependency: 503 in the documented body, with when to try again."""
    case = catalogue.transport(Transport.STORE_UNAVAILABLE)
    return case.status, dumps(case.body(str(exc))), {"Retry-After": str(RETRY_AFTER_S)}


def _store_unavailable(_: ConnexionRequest, exc: StoreUnavailable) -> ConnexionResponse:
    status, body, headers = _unavailable_body(exc)
    return ConnexionResponse(status_code=status, body=body, content_type=JSON, headers=headers)


def build_api(operations: Operations) -> AsyncApp:
    app = AsyncApp(__name__, middlewares=MIDDLEWARES,
                   validator_map={**VALIDATOR_MAP, "parameter": prepared.ParameterValidator})
    app._middleware_app.api_cls = prepared.PreparedApi  # see api/prepared.py
    add_shipped_api(  # app.add_api, without Connexion validating the spec on each start
        app, load(), base_path=BASE_PATH, resolver=Resolver(operations.endpoint),
        uri_parser_class=SpringArrayURIParser,
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui"),
    )
    app.add_error_handler(ProblemException, _problem)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(StoreUnavailable, _store_unavailable)
    app.add_error_handler(Exception, _server_error)
    return app


class SpringArrayURIParser(OpenAPIURIParser):
    """Array query parameters read as the real (Spring) API reads them: comma-separated
    (`trackIds=1,2`, the spec's `explode: false`), repeated (`trackIds=1&trackIds=2`, what
    generated clients send) or both at once all give one list; Connexion alone keeps only the
    last repeat. `?trackIds=` is an empty list (the schema allows one), not a list holding ''.
    A value that is no integer (`trackIds=abc`, `trackIds=1,,2`) stays a 400."""

    @staticmethod
    def _resolve_param_duplicates(values: list[str], param_defn: dict, _in: str) -> str:
        style = param_defn.get("style", OpenAPIURIParser.style_defaults[_in])
        return QUERY_STRING_DELIMITERS.get(style, ",").join(values)

    @staticmethod
    def _split(value: str, param_defn: dict, _in: str) -> list[str]:
        return [] if value == "" else OpenAPIURIParser._split(value, param_defn, _in)


class Journaled:
    """Records every /rest call in the journal, with what the handler noted about it."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not is_api_call(path):
            await self.app(scope, receive, send)
            return
        notes: dict = {}
        scope["mock"] = notes
        status = 500
        started = time.perf_counter()
        noted = False

        def note() -> None:
            nonlocal noted
            noted = True
            self.state.note(Answered(scope["method"], path, status,
                                     time.perf_counter() - started, notes))

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                note()  # before the client has the whole answer, so it can read the entry
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except StoreUnavailable:
            status = 503  # what StoreGuard answers
            raise
        finally:
            if not noted:  # the app failed before answering
                note()


class StoreGuard:
    """Whatever fails to reach the shared store outside Connexion (the catch-up before a call,
    the control API) answers 503 in the documented body, as Connexion's handler does inside."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_and_see(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_see)
        except StoreUnavailable as exc:
            if started or scope["type"] != "http":
                raise
            status, body, headers = _unavailable_body(exc)
            await Response(body, status, headers, media_type=JSON)(scope, receive, send)


class CaughtUp:
    """Every API call starts from the world as all workers have left it: one catch-up per
    call, before the response cache and the handlers read it (only on a shared store)."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_api_call(scope["path"]):
            await self.state.sync()
        await self.app(scope, receive, send)


class RequestLimits:
    """Refuses oversized requests with the documented body: a body over `max_body` (413), or
    headers over `max_headers` bytes in all (431). The control API takes big snapshots."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES,
                 max_headers: int = MAX_HEADER_BYTES) -> None:
        self.app, self.max_body, self.max_headers = app, max_body, max_headers

    def refusal(self, scope: Scope) -> tuple[Transport | Scenario, str] | None:
        size, length = 0, b"0"
        for name, value in scope["headers"]:  # one walk: every call pays it
            size += len(name) + len(value)
            if name == b"content-length":
                length = value  # the last one, as a dict of the headers would keep
        if size > self.max_headers:
            return Transport.HEADERS_TOO_LARGE, f"headers are limited to {self.max_headers} bytes"
        if scope.get("path", "").startswith("/__mock"):
            return None
        if not length.isdigit():
            return Scenario.BAD_REQUEST, "Content-Length is not a number"
        if int(length) > self.max_body:
            return Transport.PAYLOAD_TOO_LARGE, f"bodies are limited to {self.max_body} bytes"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = self.refusal(scope) if scope["type"] == "http" else None
        if refused is None:
            await self.app(scope, receive, send)
            return
        case = catalogue.transport(refused[0])
        response = Response(dumps(case.body(refused[1])), case.status, media_type=JSON)
        await response(scope, receive, send)


class ApiFirst:
    """API calls go straight to the router's default: none of its routes (the spec file, the UI
    redirects, the control API) lies under BASE_PATH, so walking them twice (the routes, then
    their trailing-slash variants) could only end there, at about a tenth of a computed answer."""

    def __init__(self, router: Router) -> None:
        if any(getattr(route, "path", "").startswith(BASE_PATH) for route in router.routes):
            raise ValueError(f"a route under {BASE_PATH} would be skipped")
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(BASE_PATH + "/"):
            scope.setdefault("router", self.router)  # as the router itself does
            await self.router.default(scope, receive, send)
        else:
            await self.router(scope, receive, send)


def cors_options(origins: str) -> dict:
    return {"allow_origin_regex": origins,
            "allow_methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            "allow_headers": CORS_HEADERS, "allow_credentials": True,
            "expose_headers": ["X-Mock-Forced", "X-Mock-Source", "X-Mock-Violations"]}


class Cors(CORSMiddleware):
    """Starlette's CORS. A request without Origin (any caller but a browser's cross-origin
    call) only gains `Vary: Origin` on its answer: added here without Starlette's per-request
    Headers and MutableHeaders, which cost a tenth of a computed list's answer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if any(name == b"vary" for name, _ in headers):  # Starlette merges the two
                    await self.send(message, send, request_headers=Headers(raw=[]))
                    return
                message["headers"] = [*headers, (b"vary", b"Origin")]
            await send(message)

        await self.app(scope, receive, send_with_vary)


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
    """The whole mock as one ASGI app."""
    state = state or MockState(config)

    async def spec_file(_: Request) -> Response:
        return FileResponse(SPEC_PATH, media_type="application/yaml")

    async def swagger_ui(_: Request) -> Response:
        return RedirectResponse(f"{BASE_PATH}/ui/")

    routes = [Route("/openapi.yaml", spec_file), Route("/ui", swagger_ui),
              Route("/", swagger_ui), *control_routes(state), socket_route(state),
              Mount("/__mock/ui", StaticFiles(directory=PANEL_DIR, html=True))]
    operations = Operations(state)
    connexion_api = build_api(operations)
    api: ASGIApp = FastPath(connexion_api, operations) if state.config.fast_path else connexion_api
    if state.config.response_cache:
        api = ResponseCache(api, state)
    if state.config.store:  # a mock on its own has nobody to catch up with
        api = CaughtUp(api, state)
    api = Captured(Proxy(api, state), state)  # kept for the Pact export (pact/capture.py)
    app: ASGIApp = ApiFirst(Router(routes=routes, default=Journaled(api, state)))
    if state.config.store:
        app = StoreGuard(app)
    app = RequestLimits(app)
    if state.config.cors_origins:
        app = Cors(app, **cors_options(state.config.cors_origins))
    return MockApp(app, state)
