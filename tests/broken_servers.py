"""Deliberately broken servers: the mock wrapped in an ASGI middleware that plants one defect.

Each factory takes no arguments (so `--app tests.broken_servers:<name>` gets a fresh world) and
breaks only /rest responses, leaving /__mock intact so the harness still finds its cases.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from accelevents_mock.app import create_app

Body = Any
Mutation = Callable[[str, int, Body], tuple[int, Body]]  # (path, status, body) -> (status, body)


class Corrupting:
    """Buffers each /rest response and lets `mutate` change its status and JSON body."""

    def __init__(self, app: Any, mutate: Mutation | None = None,
                 rewrite_request: Callable[[dict], None] | None = None) -> None:
        self.app, self.mutate, self.rewrite_request = app, mutate, rewrite_request
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/rest/"):
            await self.app(scope, receive, send)
            return
        if self.rewrite_request:
            self.rewrite_request(scope)
        if self.mutate is None:
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    await self._send(scope["path"], start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _send(self, path: str, start: dict, raw: bytes, send: Any) -> None:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        status, body = self.mutate(path, start["status"], body)
        payload = json.dumps(body).encode() if body is not None else raw
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _is_session(body: Body) -> bool:
    return isinstance(body, dict) and "sessionId" in body and "title" in body


def wrong_type() -> Corrupting:
    """sessionId of a session comes back as a string instead of an integer."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 200 and _is_session(body):
            body = {**body, "sessionId": str(body["sessionId"])}
        return status, body
    return Corrupting(create_app(), mutate)


def missing_field() -> Corrupting:
    """A required field (title) is left out of every session."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 200 and _is_session(body):
            body = {k: v for k, v in body.items() if k != "title"}
        return status, body
    return Corrupting(create_app(), mutate)


def undocumented_status() -> Corrupting:
    """"Session not found" is answered with 410, which no operation documents."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 404 and isinstance(body, dict) and body.get("errorCode") == "404800":
            return 410, body
        return status, body
    return Corrupting(create_app(), mutate)


def crash_on_bad_input() -> Corrupting:
    """Invalid input crashes the server: every 400 becomes a 500."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 400:
            return 500, {"errorCode": "500", "errorMessage": "NullPointerException",
                         "developerMessage": None}
        return status, body
    return Corrupting(create_app(), mutate)


def ignores_token() -> Corrupting:
    """Any request, with a bad token or none, is treated as the attendee's."""
    def rewrite(scope: dict) -> None:
        kept = [(k, v) for k, v in scope["headers"]
                if k.lower() not in (b"authorization", b"key", b"authentication")]
        scope["headers"] = [*kept, (b"authorization", b"attendee-token")]
    return Corrupting(create_app(), rewrite_request=rewrite)


def wrong_message() -> Corrupting:
    """The full-session error carries another text than the documented one."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if isinstance(body, dict) and body.get("errorCode") == "4062001":
            body = {**body, "errorMessage": "Session is full"}
        return status, body
    return Corrupting(create_app(), mutate)


def _error(case: Any) -> Body:
    return {"errorCode": case.code, "errorMessage": case.message, "developerMessage": None}


def wrong_code_on_400() -> Corrupting:
    """A rejected request (400) carries another status's code: 404800 instead of 400."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 400 and isinstance(body, dict):
            body = {**body, "errorCode": "404800"}
        return status, body
    return Corrupting(create_app(), mutate)


def message_of_another_code() -> Corrupting:
    """"Session not found" (404800) carries the text of "Event not found" (4040200)."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if isinstance(body, dict) and body.get("errorCode") == "404800":
            body = {**body, "errorMessage": "Event not found."}
        return status, body
    return Corrupting(create_app(), mutate)


def undocumented_error_code() -> Corrupting:
    """Every 404 carries an application code the catalogue does not know."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 404 and isinstance(body, dict):
            body = {**body, "errorCode": "4049999"}
        return status, body
    return Corrupting(create_app(), mutate)


# joinWorkshopSession, setNetworkingAvailability, getNetworkingMatches (a numeric id: not /v2).
FORMAT_RULE_PATHS = re.compile(r"^/rest/events/[^/]+/session/\d+(/status|/matches)?$")


def generic_400_for_valid_input() -> Corrupting:
    """The three operations with a documented wrong-format 400 answer every request that gets
    through (200, or the documented 4002001) with the generic 400 bad-request instead."""
    from accelevents_mock.contract.catalogue import BAD_REQUEST

    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if FORMAT_RULE_PATHS.search(path) and (status == 200 or (
                isinstance(body, dict) and body.get("errorCode") == "4002001")):
            return 400, _error(BAD_REQUEST)
        return status, body
    return Corrupting(create_app(), mutate)


class NotImplementedMethods:
    """The mock behind a servlet container that answers 501 to methods it does not implement
    (RFC 9110), as Tomcat does for QUERY and TRACE; otherwise correct."""

    METHODS = frozenset({"QUERY", "TRACE"})

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in self.METHODS:
            await send({"type": "http.response.start", "status": 501,
                        "headers": [(b"content-type", b"text/html"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def not_implemented_methods() -> NotImplementedMethods:
    return NotImplementedMethods(create_app())


EXPIRES_AFTER = 30  # requests the attendee's first token is good for
FRESH_TOKEN = "fresh-attendee-token-3f9a"  # what `echo` prints as the token command in the tests
TOKEN_USES: Counter[str] = Counter()  # "first", "expired", "fresh": requests by the token they carried


def expiring_token() -> Corrupting:
    """Staging's token expiry: `attendee-token` works for EXPIRES_AFTER requests, then gets 401;
    FRESH_TOKEN (from a token command) is the same attendee from then on. Otherwise correct."""
    used = 0

    def rewrite(scope: dict) -> None:
        nonlocal used
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").removeprefix(b"Bearer ")
        if token == b"attendee-token":
            used += 1
            TOKEN_USES["first" if used <= EXPIRES_AFTER else "expired"] += 1
            if used > EXPIRES_AFTER:
                token = b"expired-token"
        elif token == FRESH_TOKEN.encode():
            TOKEN_USES["fresh"] += 1
            token = b"attendee-token"
        scope["headers"] = [*[(k, v) for k, v in scope["headers"] if k != b"authorization"],
                            (b"authorization", token)] if token else scope["headers"]
    return Corrupting(create_app(), rewrite_request=rewrite)


# -- second targets for the drift report ------------------------------------------------------

def seed_7() -> Any:
    """A correct mock holding other data (seed 7)."""
    from accelevents_mock.config import MockConfig

    return create_app(MockConfig(seed=7))


def enum_outside_spec() -> Corrupting:
    """sessionFormat carries a value the spec's enum does not have."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        if status == 200 and _is_session(body):
            body = {**body, "format": "HYBRID"}
        return status, body
    return Corrupting(create_app(), mutate)


def status_changed() -> Corrupting:
    """A request without a credential gets 403 instead of the documented 401."""
    def mutate(path: str, status: int, body: Body) -> tuple[int, Body]:
        return (403, body) if status == 401 else (status, body)
    return Corrupting(create_app(), mutate)


class Unavailable:
    """The mock behind a proxy that answers every third API request 503 with Retry-After: 0, or
    (`first_try`) the first try of each distinct request, whatever else is sent between."""

    def __init__(self, app: Any, every: int = 3, retry_after: bool = True,
                 first_try: bool = False) -> None:
        self.app, self.every, self.calls = app, every, 0
        self.first_try = first_try
        self.tried: set[tuple[str, str, bytes]] = set()
        self.headers = [(b"content-type", b"text/html"), (b"content-length", b"0")]
        if retry_after:
            self.headers.append((b"retry-after", b"0"))
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/rest/"):
            self.calls += 1
            request = (scope["method"], scope["path"], scope.get("query_string", b""))
            fresh = request not in self.tried
            self.tried.add(request)
            if (fresh if self.first_try else self.calls % self.every == 0):
                await send({"type": "http.response.start", "status": 503, "headers": self.headers})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def unavailable_at_times() -> Unavailable:
    return Unavailable(create_app(), first_try=True)


def unavailable_without_retry_after() -> Unavailable:
    """The same 503s without Retry-After: a server error like any other."""
    return Unavailable(create_app(), retry_after=False)
