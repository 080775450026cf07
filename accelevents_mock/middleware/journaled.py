"""Every /rest call goes into the journal, with what the handler noted about it."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.contract.spec import is_api_call
from accelevents_mock.runtime.state import MockState
from accelevents_mock.store.journal import Answered


class Journaled:
    """Records every /rest call in the journal, with what the handler noted about it."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not is_api_call(path):
            await self.app(scope, receive, send)
            return
        notes: dict = {}
        scope["mock"] = notes
        status = 500
        started = time.perf_counter()
        noted = False

        def note() -> None:
            nonlocal noted
            noted = True
            self.state.note(Answered(scope["method"], path, status,
                                     time.perf_counter() - started, notes))

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                note()  # before the client has the whole answer, so it can read the entry
            await send(message)

        try:  # (the shared store out of reach: SharedStore, inside, answers 503)
            await self.app(scope, receive, send_and_note)
        finally:
            if not noted:  # the app failed before answering
                note()
