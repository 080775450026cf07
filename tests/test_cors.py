"""app.Cors answers exactly as Starlette's CORSMiddleware with the same options: it only takes
a shorter way when the request has no Origin."""

from __future__ import annotations

import asyncio

import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from accelevents_mock.config import LOCAL_ORIGINS
from accelevents_mock.middleware.cors import Cors, cors_options

ANSWERS = {  # what the app behind answers: its start message's headers
    "plain": [(b"content-type", b"application/json"), (b"content-length", b"2")],
    "varied": [(b"content-length", b"2"), (b"vary", b"Accept-Encoding")],
    "none": None,  # a start message without headers
}
REQUESTS = {
    "no origin": [(b"authorization", b"attendee-token")],
    "local origin": [(b"origin", b"http://localhost:5173")],
    "foreign origin": [(b"origin", b"https://evil.example")],
    "preflight": [(b"origin", b"http://localhost:5173"),
                  (b"access-control-request-method", b"GET")],
}


def messages(middleware: type[CORSMiddleware], method: str, headers: list,
             answer: list | None) -> list[Message]:
    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {"type": "http.response.start", "status": 200}
        if answer is not None:
            start["headers"] = list(answer)
        await send(start)
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    app = middleware(inner, **cors_options(LOCAL_ORIGINS))
    scope = {"type": "http", "method": method, "path": "/rest/x", "headers": headers}
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("request_name", REQUESTS)
@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_cors_answers_as_starlette_does(method: str, request_name: str, answer: str) -> None:
    ours = messages(Cors, method, REQUESTS[request_name], ANSWERS[answer])
    assert ours == messages(CORSMiddleware, method, REQUESTS[request_name], ANSWERS[answer])
    assert any(name == b"vary" for name, _ in ours[0].get("headers", ()))
