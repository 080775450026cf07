"""Answering a repeated GET from memory while nothing it depends on has changed.

Frontends poll the same lists again and again. Every GET operation is a pure function of the
world, the store, the caller, the request's path and query, and the clock, whose only effect
is each session's phase. Sessions start and end on whole minutes, so phase cannot change
within a minute. A 200 answer is therefore kept under (path, query, caller), with what it was
worked out from: the world, the clock's minute, and the store keys its reads named
(`store.memory.READS`: a session's registrations, waiting list and matches, or a user's
registrations). It is given again while the world and the minute are the same and no write
since touched one of those keys, so a team registering for one session does not make everyone
else's lists and details stale. A hit skips Connexion entirely, yet is journaled like any
other call.

Requests that steer the answer (forcing headers, cookie or query, latency, faults, a standing
scenario) are never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.api.credentials import token_from_raw_headers
from accelevents_mock.contract.spec import is_api_call
from accelevents_mock.runtime.state import MockState
from accelevents_mock.steering.scope import may_steer, server_steers
from accelevents_mock.store.memory import READS, Key

MAX_ENTRIES = 4096
ONE_MINUTE = timedelta(minutes=1)


@dataclass(slots=True)  # not frozen: a miss builds one, and frozen costs twice that
class Answer:
    operation: str
    start: Message
    body: bytes
    generation: int  # the world,
    minute: datetime  # the clock's minute (from `minute` to `minute_end`),
    minute_end: datetime
    version: int  # and the store's version it was worked out from,
    reads: frozenset[Key]  # with the store keys its reads named


class ResponseCache:
    def __init__(self, app: ASGIApp, state: MockState, max_entries: int = MAX_ENTRIES) -> None:
        self.app, self.state, self.max_entries = app, state, max_entries
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._minute: tuple[datetime, datetime] | None = None  # the last one seen

    def minute(self) -> tuple[datetime, datetime]:
        """The clock's minute: its start and its end."""
        now, minute = self.state.clock.now(), self._minute
        if minute is None or not minute[0] <= now < minute[1]:  # the clock may go back, too
            start = now.replace(second=0, microsecond=0)
            minute = self._minute = start, start + ONE_MINUTE
        return minute

    def still_true(self, answer: Answer) -> bool:
        state = self.state
        return (answer.generation == state.generation
                and answer.minute <= state.clock.now() < answer.minute_end
                and not state.store.changed_since(answer.version, answer.reads))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not is_api_call(scope["path"]) \
                or may_steer(self.state, scope):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""),
               token_from_raw_headers(scope["headers"]))
        answer = self._answers.get(key)
        if answer is not None and self.still_true(answer):
            self._answers.move_to_end(key)
            scope.setdefault("mock", {})["operation"] = answer.operation
            # A fresh header list: outer middleware (CORS adds `Vary`) edits what it is sent.
            await send({**answer.start, "headers": list(answer.start["headers"])})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self._answer_and_keep(scope, receive, send, key)

    async def _answer_and_keep(self, scope: Scope, receive: Receive, send: Send,
                               key: tuple) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message, headers=list(message.get("headers", [])))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        state = self.state
        generation, (minute, minute_end), version = (state.generation, self.minute(),
                                                     state.store.version)
        reads: set[Key] = set()
        listening = READS.set(reads)
        try:
            await self.app(scope, receive, keep)
        finally:
            READS.reset(listening)
        notes = scope.get("mock", {})
        # Kept only if worked out from the world as it still is: a write or a catch-up by
        # another request of this worker may have come in meanwhile, after some reads.
        if start.get("status") == 200 and notes.get("operation") and not notes.get("forced") \
                and state.generation == generation and state.store.version == version \
                and minute <= state.clock.now() < minute_end and not server_steers(state):
            body = chunks[0] if len(chunks) == 1 else b"".join(chunks)  # bytes: no copy
            self._answers[key] = Answer(notes["operation"], start, body, generation, minute,
                                        minute_end, version, frozenset(reads))
            self._answers.move_to_end(key)
            if len(self._answers) > self.max_entries:
                self._answers.popitem(last=False)
