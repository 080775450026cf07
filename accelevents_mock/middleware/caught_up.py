"""Every API call starts from the world as all workers have left it."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from accelevents_mock.contract.spec import is_api_call
from accelevents_mock.runtime.state import MockState


class CaughtUp:
    """Every API call starts from the world as all workers have left it: one catch-up per
    call, before the response cache and the handlers read it (only on a shared store)."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_api_call(scope["path"]):
            await self.state.sync()
        await self.app(scope, receive, send)
