"""Answering a repeated GET from memory while nothing it depends on has changed.

Frontends poll the same lists again and again. Every GET operation is a pure function of the
world, the store, the caller, the request's path and query, and the clock, whose only effect
is each session's phase. Sessions start and end on whole minutes, so phase cannot change
within a minute. A 200 answer is therefore kept under (path, query, caller) until the world
is rebuilt, the store is written or the clock's minute moves on. A hit skips Connexion
entirely, yet is journaled like any other call.

Requests that steer the answer (forcing headers, cookie or query, latency, faults, a standing
scenario) are never cached.

Under frequent writes (a team registering while others browse) every write empties the cache
before its answers are asked for again, so keeping them only costs time. When fewer than
`READS_WORTH_KEEPING` GETs came between two changes (a write or a new world), answers are not
kept, until that many GETs come in a row without a change (issue 17: the default must not be
slower than `--no-response-cache` under a mixed load). While nothing is kept, a GET costs this
layer two counters read and one counted: no clock, no headers, no key.
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
READS_WORTH_KEEPING = 16  # GETs between two changes below which keeping answers cannot pay
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
        self._generation: int | None = None  # the world and...
        self._version = -1  # ...the store's version at the last change seen
        self._reads = 0  # GETs since then
        self._keeping = True  # False while changes come too often for answers to be asked again

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

    def worth_keeping(self) -> bool:
        """Counts this GET; whether answers are kept now (see the module's note)."""
        generation, version = self.state.generation, self.state.store.version
        if version != self._version or generation != self._generation:
            new_world = generation != self._generation  # starts afresh
            self._keeping = new_world or self._reads >= READS_WORTH_KEEPING
            self._generation, self._version, self._reads = generation, version, 0
            self._answers.clear()  # stale, and not to be held while nothing is kept
        self._reads += 1
        if self._reads >= READS_WORTH_KEEPING:
            self._keeping = True
        return self._keeping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.worth_keeping():
            await self.app(scope, receive, send)
            return
        stamp = self.stamp()
        if stamp != self._stamp:  # a write, a new world or the clock's next minute
            self._answers.clear()
            self._stamp = stamp
        headers = Headers(scope=scope)
        if not self.cacheable(scope, headers) or self.steered():
            await self.app(scope, receive, send)
            return
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
