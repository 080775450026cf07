"""The API and the rest of the server part here: one router for what lies outside BASE_PATH."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from accelevents_mock.contract.spec import BASE_PATH


class ApiFirst:
    """Where the API and everything else part: calls under BASE_PATH go down the API's layers
    (`app`); the spec file, the UI redirects, the control API, its socket and the panel are
    `routes`, matched by a router whose default is the API's layers too (an unknown path gets
    the documented 404). API calls skip walking the routes: none lies under BASE_PATH, so
    walking them twice (the routes, then their trailing-slash variants) could only end at the
    default, at about a tenth of a computed answer."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        if any(getattr(route, "path", "").startswith(BASE_PATH) for route in routes):
            raise ValueError(f"a route under {BASE_PATH} would be skipped")
        self.app = app
        self.router = Router(routes=list(routes), default=app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(BASE_PATH + "/"):
            scope.setdefault("router", self.router)  # as the router itself does
            await self.app(scope, receive, send)
        else:
            await self.router(scope, receive, send)
