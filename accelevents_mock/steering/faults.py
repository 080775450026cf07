"""Latency and faults, for testing how a frontend copes with a slow or broken API.

Faults deliberately break the contract (that is their point); forced scenarios never do.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from accelevents_mock.contract.spec import operations
from accelevents_mock.http import JSON, json_response

LATENCY_HEADER = "x-mock-latency"
FAULT_HEADER = "x-mock-fault"
FAULTS = ("500", "reset", "slow-body", "malformed-json")
SLOW_BODY_CHUNK_DELAY_S = 0.5
MAX_LATENCY_MS = 60_000


def parse_range(text: str) -> tuple[int, int]:
    """"200" -> (200, 200); "100-300" -> (100, 300); milliseconds, never negative."""
    low, _, high = text.strip().partition("-")
    if not (low.isdigit() and (high.isdigit() or not high)):
        lo = hi = -1
    else:
        lo = int(low)
        hi = int(high) if high else lo
    if lo < 0 or hi < lo or hi > MAX_LATENCY_MS:
        raise ValueError(f"latency {text!r:.40} is not MS or LO-HI, whole milliseconds from 0 to "
                         f"{MAX_LATENCY_MS}")
    return lo, hi


def latency_for(headers: Mapping[str, str], default: tuple[int, int]) -> float:
    """Seconds to wait: the request's X-Mock-Latency, else the configured range."""
    text = headers.get(LATENCY_HEADER)
    lo, hi = parse_range(text) if text else default
    return random.uniform(lo, hi) / 1000 if hi else 0.0


async def wait(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


def check_fault(operation: str, name: str) -> None:
    """ValueError unless `name` is a fault and `operation` an operationId or '*' (every one):
    the one check for the command line, the control API and a request's header."""
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}: one of {', '.join(FAULTS)}")
    if operation != "*" and operation not in operations():
        raise ValueError(f"unknown operation {operation!r}: an operationId of openapi.yaml "
                         f"({', '.join(sorted(operations()))}) or '*'")


def fault_map(wanted: Mapping[str, str]) -> dict[str, str]:
    """Faults by operation, each checked."""
    for operation, name in wanted.items():
        check_fault(operation, str(name))
    return dict(wanted)


def fault_for(operation: str, headers: Mapping[str, str], faults: Mapping[str, str]) -> str | None:
    name = headers.get(FAULT_HEADER) or faults.get(operation) or faults.get("*")
    if name and name not in FAULTS:
        check_fault(operation, name)  # raises, naming the faults there are
    return name


class ConnectionReset(Response):
    """Starts a response, then fails: the server drops the connection mid-answer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", JSON.encode())]})
        raise ConnectionResetError("mock fault: connection reset")


async def _slow_chunks() -> AsyncIterator[bytes]:
    for chunk in (b'{"recordsTotal":0,', b'"recordsFiltered":0,', b'"data":[],"error":null}'):
        await asyncio.sleep(SLOW_BODY_CHUNK_DELAY_S)
        yield chunk


def fault_response(name: str) -> Response:
    if name == "500":
        return json_response({"errorCode": "500", "errorMessage": "Internal Server Error",
                              "developerMessage": "mock fault: 500"}, 500)
    if name == "reset":
        return ConnectionReset()
    if name == "slow-body":
        return StreamingResponse(_slow_chunks(), media_type=JSON)
    return Response(b'{"recordsTotal": 1, "data": [{"sessionId": ', media_type=JSON)
