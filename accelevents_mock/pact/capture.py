"""The exchange log the Pact export reads: each API call's request and answer, kept as they
went over the wire (bounded, this process only), with no credential in them.

`Captured` sits around the API (app.py) and, per call, keeps references to what passed
through: the work of turning them into interactions is done only when a pact is asked for
(`GET /__mock/pact`). Before the call it also notes the caller's standing (registered, joined)
in the session its path names, which the export turns into provider states.
"""

from __future__ import annotations

import re
import weakref
from collections import deque
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.api.credentials import CREDENTIAL_HEADERS, token_from_raw_headers
from accelevents_mock.contract import cases
from accelevents_mock.contract.spec import BASE_PATH, is_api_call
from accelevents_mock.runtime.state import MockState

LOG_SIZE = 500  # calls kept per mock, as the journal's default
# Never kept: the credential headers, and what a browser sends on its own.
_DROPPED = frozenset({*(name.encode() for name in CREDENTIAL_HEADERS), b"cookie", b"host",
                      b"content-length", b"connection", b"accept-encoding", b"user-agent"})
# The event of a call (attendee `/events/X`, host `/event/X`), and the session if it names one.
WHERE = re.compile(rf"^{BASE_PATH}(?:/host)?/events?/(?P<eventurl>[^/]+)"
                   r"(?:/session/(?:v2/)?(?P<session>\d+)(?:/|$))?")
ROLE_OF_TOKEN = {token: str(role) for role, token in cases.TOKENS.items()}

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Standing:
    """The caller's standing before the call: its role (a named token's, else None), and its
    registrations in the call's event (session id -> joined)."""

    role: str | None
    registrations: dict[int, bool]


@dataclass
class Exchange:
    generation: int  # the world it was made in (MockState.generation): a reset starts anew
    method: str
    path: str
    query: bytes
    request_headers: Headers
    request_body: bytes
    standing: Standing
    status: int = 0
    response_headers: Headers | None = None
    response_body: bytes = b""


class ExchangeLog:
    def __init__(self, size: int = LOG_SIZE) -> None:
        self._exchanges: deque[Exchange] = deque(maxlen=size)
        self.calls = 0  # every call seen, kept or not: tells provider-state set-ups apart

    def add(self, exchange: Exchange) -> None:
        self._exchanges.append(exchange)
        self.calls += 1

    def since_reset(self, generation: int) -> list[Exchange]:
        return [e for e in self._exchanges if e.generation == generation and e.status]


_LOGS: weakref.WeakKeyDictionary[MockState, ExchangeLog] = weakref.WeakKeyDictionary()


def exchange_log(state: MockState) -> ExchangeLog:
    """The log of one mock (made on first use): kept beside the state, not in it."""
    log = _LOGS.get(state)
    if log is None:
        log = _LOGS[state] = ExchangeLog()
    return log


def standing(state: MockState, scope: Scope) -> Standing:
    token = token_from_raw_headers(scope["headers"])
    role = ROLE_OF_TOKEN.get(token or "")
    user = state.world.users_by_token.get(token or "")
    found = WHERE.match(scope["path"])
    event = state.world.events.get(found["eventurl"] if found else cases.EVENT_URL)
    if user is None or event is None:
        return Standing(role, {})
    held = state.store.user_registrations(event.id, user.id)
    return Standing(role, {r.session_id: r.attended for r in held})


def _kept(headers: Headers, token: str | None) -> Headers:
    """The headers without credentials, nor any header that carries the token elsewhere."""
    secret = token.encode("latin-1") if token else None
    return [(name, value) for name, value in headers
            if name not in _DROPPED and not (secret and secret in value)]


class Captured:
    """Keeps each API call in the mock's exchange log."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state, self.log = app, state, exchange_log(state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_call(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = token_from_raw_headers(scope["headers"])
        exchange = Exchange(self.state.generation, scope["method"], scope["path"],
                            scope.get("query_string", b""), _kept(scope["headers"], token), b"",
                            standing(self.state, scope))
        self.log.add(exchange)
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        status = 0

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_chunks.append(message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                exchange.response_headers = list(message.get("headers", ()))
                status = message["status"]
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    exchange.request_body = b"".join(request_chunks)
                    exchange.response_body = b"".join(response_chunks)
                    exchange.status = status
            await send(message)

        await self.app(scope, receive_and_keep, send_and_keep)
