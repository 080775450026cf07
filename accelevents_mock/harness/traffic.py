"""Every request the run sends, redacted as it is recorded: the source of the coverage report,
the drift report and the HAR file."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from accelevents_mock.contract import spec as contract
from accelevents_mock.safety.redact import Redactor

MAX_BODY_CHARS = 20_000  # keeps reports small; error bodies are far shorter


@dataclass
class Exchange:
    source: str  # property | stateful | scenario | drift | cleanup
    method: str
    url: str  # redacted
    path: str  # the path after the API base path, e.g. /events/x/session
    operation: str | None
    status: int
    request_headers: dict[str, str]
    request_body: str | None
    response_headers: dict[str, str]
    response_body: str
    elapsed_ms: float
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def request_line(self) -> str:
        query = urlsplit(self.url).query
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

    def json(self) -> Any:
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(body: bytes | str | None) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return body[:MAX_BODY_CHARS]


def _flat(headers: Mapping[str, Any]) -> dict[str, str]:
    return {k: ", ".join(v) if isinstance(v, list | tuple) else str(v) for k, v in headers.items()}


class Traffic:
    """A thread-safe log of exchanges, redacted on the way in."""

    def __init__(self, redactor: Redactor, spec_path: Path, base_path: str) -> None:
        self.redactor, self.spec_path, self.base_path = redactor, spec_path, base_path
        self._items: list[Exchange] = []
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def record(self, *, source: str, method: str, url: str, status: int, request_headers: Mapping,
               request_body: bytes | str | None, response_headers: Mapping, response_body: bytes | str,
               elapsed_ms: float) -> Exchange:
        path = urlsplit(url).path
        api_path = path[len(self.base_path):] if path.startswith(self.base_path + "/") else path
        operation = contract.match(method, api_path, self.spec_path)
        r = self.redactor
        exchange = Exchange(
            source=source, method=method.upper(), url=r.text(url), path=r.text(api_path),
            operation=operation.operation_id if operation else None, status=status,
            request_headers=r.headers(_flat(request_headers)),
            request_body=r.text(_text(request_body) or "") or None,
            response_headers=r.headers(_flat(response_headers)),
            response_body=r.text(_text(response_body) or ""), elapsed_ms=round(elapsed_ms, 2))
        with self._lock:
            self._items.append(exchange)
        return exchange

    def record_httpx(self, response: Any, source: str) -> Exchange:
        request = response.request
        return self.record(
            source=source, method=request.method, url=str(request.url), status=response.status_code,
            request_headers=dict(request.headers), request_body=request.content,
            response_headers=dict(response.headers), response_body=response.content,
            elapsed_ms=response.elapsed.total_seconds() * 1000 if _has_elapsed(response) else 0.0)

    def record_schemathesis(self, response: Any, source: str) -> Exchange:
        request = response.request
        return self.record(
            source=source, method=request.method, url=request.url, status=response.status_code,
            request_headers=dict(request.headers), request_body=request.body,
            response_headers=dict(response.headers), response_body=response.content,
            elapsed_ms=response.elapsed * 1000)


def _has_elapsed(response: Any) -> bool:
    try:
        response.elapsed  # noqa: B018 - httpx raises until the body is read
    except RuntimeError:
        return False
    return True
