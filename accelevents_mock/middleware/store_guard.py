"""A shared store out of reach answers 503 in the documented body, wherever it fails."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.api.errors import unavailable_body
from accelevents_mock.http import JSON
from accelevents_mock.store import StoreUnavailable


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
            status, body, headers = unavailable_body(exc)
            await Response(body, status, headers, media_type=JSON)(scope, receive, send)
