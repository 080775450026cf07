"""Mocks playing "staging" for the validating proxy's tests: served over real HTTP, optionally
behind a layer that plants one contract defect per request (`X-Plant`) and one that accepts only
a staging token."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from types import SimpleNamespace

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.app import create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.contract import cases
from accelevents_mock.testing.handle import LiveServer

STAGING_SEED = 7  # another world than the proxy's own (seed 42): whose data is it, is clear
STAGING_TOKEN = "stg-9f3a7c1e-secret-attendee"
PLANT = b"x-plant"


def _type(status: int, body: dict) -> tuple[int, dict]:
    return status, {**body, "sessionId": str(body["sessionId"])}


def _missing(status: int, body: dict) -> tuple[int, dict]:
    return status, {key: value for key, value in body.items() if key != "recordsTotal"}


DEFECTS = {  # X-Plant -> how the answer is spoiled
    "type": _type,
    "missing": _missing,
    "status": lambda status, body: (418, body),
    "code": lambda status, body: (status, {**body, "errorCode": "4049999"}),
    "message": lambda status, body: (status, {**body, "errorMessage": "No such session, sorry."}),
    "unavailable": lambda status, body: (503, {"errorCode": "503", "errorMessage": "Down"}),
    "echo": lambda status, body: (status, body),  # see Defects: the caller's token in the message
}


class Defects:
    """Spoils the JSON answer of a request that names a defect in X-Plant."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plant = dict(scope.get("headers", [])).get(PLANT, b"").decode()
        if scope["type"] != "http" or plant not in DEFECTS:
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        status, body = DEFECTS[plant](start["status"], json.loads(b"".join(chunks)))
        if plant == "echo":  # a careless deployment that shows the credential it was sent
            token = dict(scope["headers"]).get(b"x-staging-saw", b"").decode()
            body = {**body, "errorMessage": f"Session not found for token {token}"}
        raw = json.dumps(body).encode()
        headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
        await send({"type": "http.response.start", "status": status,
                    "headers": [*headers, (b"content-length", str(len(raw)).encode())]})
        await send({"type": "http.response.body", "body": raw})


class StagingTokens:
    """Staging's own credentials: STAGING_TOKEN is the attendee; any other token (the mock's
    attendee-token included) is unknown, so it gets the documented 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            given = dict(scope["headers"]).get(b"authorization", b"").decode()
            known = cases.TOKENS["attendee"] if given == STAGING_TOKEN else cases.UNKNOWN_TOKEN
            scope = {**scope, "headers": [*headers, (b"authorization", known.encode()),
                                          (b"x-staging-saw", given.encode())]}
        await self.app(scope, receive, send)


@contextlib.contextmanager
def staging(*, defects: bool = False, staging_tokens: bool = False) -> Iterator[LiveServer]:
    """A mock of seed STAGING_SEED on a free port (its MockApp at `.handle.app.state`)."""
    mock = create_app(MockConfig(seed=STAGING_SEED))
    app: ASGIApp = mock
    if defects:
        app = Defects(app)
    if staging_tokens:
        app = StagingTokens(app)
    handle = SimpleNamespace(app=app, state=mock.state)
    with LiveServer(handle) as server:  # type: ignore[arg-type]  # only .app is served
        yield server
