"""Oversized requests refused in the documented body, before anything reads them."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Scenario, Transport
from accelevents_mock.http import JSON, dumps

MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 32 * 1024


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
