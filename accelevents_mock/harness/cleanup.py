"""Undoing what the run created: every registration a request made is unregistered at the end,
with the same credential, whether the tests passed or not."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from accelevents_mock.harness.options import IRREVERSIBLE_OPERATIONS
from accelevents_mock.safety.redact import SECRET_HEADERS

REGISTER_PATH = re.compile(r"/events/(?P<eventurl>[^/]+)/session/(?P<session>\d+)/register/?$")


@dataclass
class Registrations:
    """Registrations made during the run and not undone yet (credentials kept in memory only)."""

    # Credentials: never in a repr.
    outstanding: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict, repr=False)
    undone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)  # calls no request can undo (a join)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, method: str, path: str, status: int, headers: Mapping[str, str],
                operation: str | None = None) -> None:
        if operation in IRREVERSIBLE_OPERATIONS and 200 <= status < 300:
            with self._lock:
                self.left_behind.append(f"{method.upper()} {path} -> {status} ({operation}: "
                                        "the API has no way to undo it)")
        match = REGISTER_PATH.search(path)
        if not match or not 200 <= status < 300:
            return
        credentials = {k: v for k, v in headers.items() if k.lower() in SECRET_HEADERS and v}
        key = (path[: match.end()].rstrip("/"), match["eventurl"], _identity(credentials))
        with self._lock:
            if method.upper() == "POST":
                self.outstanding[key] = credentials
            elif method.upper() == "DELETE":
                self.outstanding.pop(key, None)

    def undo(self, client: httpx.Client, base_path: str) -> None:
        """DELETE each outstanding registration; failures are kept for the summary, not raised."""
        with self._lock:
            pending, self.outstanding = dict(self.outstanding), {}
        for (path, _, _), credentials in pending.items():
            relative = path[len(base_path):] if base_path and path.startswith(base_path) else path
            try:
                response = client.delete(relative, headers=credentials)
            except Exception as exc:  # a cleanup must try every registration
                self.failed.append(f"DELETE {relative}: {type(exc).__name__}")
                continue
            line = f"DELETE {relative} -> {response.status_code}"
            (self.undone if response.status_code < 300 else self.failed).append(line)

    def summary(self) -> list[str]:
        """What the run's summary says of what it changed on the target."""
        lines = [f"cleanup: {len(self.undone)} registrations undone, {len(self.failed)} could not be"]
        lines += [f"  not undone: {line}" for line in self.failed]
        if self.left_behind:
            lines.append(f"left behind on the target ({len(self.left_behind)}, cannot be undone):")
            lines += [f"  {line}" for line in self.left_behind]
        return lines


def _identity(credentials: Mapping[str, str]) -> str:
    # The key only needs to tell callers apart; the credential itself never leaves memory.
    return str(hash(tuple(sorted((k.lower(), v) for k, v in credentials.items()))))
