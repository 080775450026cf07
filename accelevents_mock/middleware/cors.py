"""Browsers on the allowed origins may call the mock with every header the API and the
steering read, and read the mock's own answer headers."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from accelevents_mock.api.credentials import CREDENTIAL_HEADERS
from accelevents_mock.proxy.forward import SOURCE_HEADER, VIOLATIONS_HEADER
from accelevents_mock.steering.faults import FAULT_HEADER, LATENCY_HEADER
from accelevents_mock.steering.forcing import FORCED_HEADER, PREFER_HEADER, SCENARIO_HEADER

ALLOWED_HEADERS = [*CREDENTIAL_HEADERS, PREFER_HEADER, SCENARIO_HEADER, LATENCY_HEADER,
                   FAULT_HEADER, "content-type"]
EXPOSED_HEADERS = [FORCED_HEADER, SOURCE_HEADER.decode(), VIOLATIONS_HEADER.decode()]


def cors_options(origins: str) -> dict:
    return {"allow_origin_regex": origins,
            "allow_methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            "allow_headers": ALLOWED_HEADERS, "allow_credentials": True,
            "expose_headers": EXPOSED_HEADERS}


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
