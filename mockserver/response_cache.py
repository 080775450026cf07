"""Answering a repeated GET from memory while nothing it depends on has changed.

Frontends poll the same lists again and again. Every GET operation is a pure function of the
world, the store, the caller, the request's path and query, and the clock, whose only effect
is each session's phase. Sessions start and end on whole minutes, so phase cannot change
within a minute. A 200 answer is therefore kept under (path, query, caller) until the world
is rebuilt, the store is written or the clock's minute moves on. A hit skips Connexion
entirely, yet is journaled like any other call.

Requests that steer the answer (forcing headers, cookie or query, latency, faults, a standing
scenario) are never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import faults, forcing
from mockserver.auth import token_from_headers
from mockserver.contract.spec import is_api_call
from mockserver.state import MockState

MAX_ENTRIES = 4096
STEERING_HEADERS = ("prefer", forcing.SCENARIO_HEADER, faults.LATENCY_HEADER, faults.FAULT_HEADER)


@dataclass(frozen=True, slots=True)
class Answer:
    operation: str
    start: Message
    body: bytes


class ResponseCache:
    def __init__(self, app: ASGIApp, state: MockState, max_entries: int = MAX_ENTRIES) -> None:
        self.app, self.state, self.max_entries = app, state, max_entries
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._stamp: tuple | None = None  # what the kept answers were computed from

    def stamp(self) -> tuple:
        minute = self.state.clock.now().replace(second=0, microsecond=0)
        return self.state.generation, self.state.store.version, minute

    def cacheable(self, scope: Scope, headers: Headers) -> bool:
        if scope["method"] != "GET" or not is_api_call(scope["path"]):
            return False
        if any(name in headers for name in STEERING_HEADERS):
            return False
        if forcing.SCENARIO_COOKIE in headers.get("cookie", ""):
            return False
        return forcing.SCENARIO_QUERY.encode() not in scope.get("query_string", b"")

    def steered(self) -> bool:
        state = self.state
        return bool(state.scenario or state.faults or state.latency_ms != (0, 0))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if headers is None or not self.cacheable(scope, headers) or self.steered():
            await self.app(scope, receive, send)
            return
        stamp = self.stamp()
        if stamp != self._stamp:
            self._answers.clear()
            self._stamp = stamp
        key = (scope["path"], scope.get("query_string", b""), token_from_headers(headers))
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            scope.setdefault("mock", {})["operation"] = answer.operation
            # A fresh header list: outer middleware (CORS adds `Vary`) edits what it is sent.
            await send({**answer.start, "headers": list(answer.start["headers"])})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self._answer_and_keep(scope, receive, send, key, stamp)

    async def _answer_and_keep(self, scope: Scope, receive: Receive, send: Send, key: tuple,
                               stamp: tuple) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message, headers=list(message.get("headers", [])))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        notes = scope.get("mock", {})
        # Kept only if answered from the world as it still is (a write or a catch-up by another
        # request of this worker may have come in meanwhile).
        if start.get("status") == 200 and notes.get("operation") and not notes.get("forced") \
                and self.stamp() == stamp and not self.steered():
            self._answers[key] = Answer(notes["operation"], start, b"".join(chunks))
            if len(self._answers) > self.max_entries:
                self._answers.popitem(last=False)
