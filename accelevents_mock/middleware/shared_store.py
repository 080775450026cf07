"""On a shared store, every API call starts from the world as all workers have left it, and a
store out of reach answers 503 in the documented body."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.api.errors import unavailable_body
from accelevents_mock.contract.spec import is_api_call
from accelevents_mock.http import JSON
from accelevents_mock.runtime.state import MockState
from accelevents_mock.store import StoreUnavailable


class SharedStore:
    """One catch-up per API call, before the response cache and the handlers read the world
    (no round trip while the other workers' changes come by message: store/shared.py); and
    whatever fails to reach the store outside Connexion (that catch-up, a commit from the
    fast path) answers 503 in the documented body, as Connexion's handler does inside. The
    control API answers its own 503s (control/routes.py)."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_call(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_see(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.state.sync()
            await self.app(scope, receive, send_and_see)
        except StoreUnavailable as exc:
            if started:
                raise
            status, body, headers = unavailable_body(exc)
            await Response(body, status, headers, media_type=JSON)(scope, receive, send)
